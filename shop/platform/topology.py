"""Which apps this process hosts, decided by the SHOP_SERVICE deployment flag: `monolith`, `gateway`, or one
or more apps separated by commas (`users,catalog,orders`), written in any order and named in the order of APPS."""
import os

APPS = ("users", "catalog", "orders", "inventory")
ROLES = ("monolith", "gateway", *APPS)  # the named roles; any group of apps is a role too
TOKEN_ISSUER = "users"  # the app that mints user tokens: every role hosting it holds the private key
PORTS = {"gateway": 8000, "monolith": 8000, "users": 5001, "catalog": 5002, "orders": 5003, "inventory": 5004}


def role_named(value: str) -> str:
    """The role SHOP_SERVICE names, apps in the order of APPS ("orders,users" -> "users,orders"); ValueError
    saying what is allowed for an unknown app, a repeat, an empty item, or monolith/gateway beside apps."""
    allowed = (f"SHOP_SERVICE is monolith, gateway, or one or more of {', '.join(APPS)} separated by commas "
               f"(e.g. {','.join(APPS[:3])})")
    items = [item.strip() for item in value.split(",")]
    if items in (["monolith"], ["gateway"]):
        return items[0]
    if "" in items:
        raise ValueError(f"{allowed}: {value!r} has an empty item")
    if {"monolith", "gateway"} & set(items):
        raise ValueError(f"{allowed}: monolith and gateway stand alone, not beside apps, in {value!r}")
    unknown = [item for item in items if item not in APPS]
    if unknown:
        raise ValueError(f"{allowed}: {', '.join(map(repr, unknown))} is not an app, in {value!r}")
    repeated = sorted({item for item in items if items.count(item) > 1}, key=APPS.index)
    if repeated:
        raise ValueError(f"{allowed}: {', '.join(repeated)} is listed twice, in {value!r}")
    return ",".join(sorted(items, key=APPS.index))


def current_role() -> str:
    return role_named(os.environ.get("SHOP_SERVICE", "monolith"))


def owned_apps(role: str | None = None) -> tuple[str, ...]:
    """The app labels whose code, tables, routes and queues live in this process."""
    role = role or current_role()
    if role == "monolith":
        return APPS
    return () if role == "gateway" else tuple(role.split(","))


def is_service(role: str) -> bool:
    """A process behind the gateway (one app or a group): it serves internal routes and trusts the gateway."""
    return role not in ("monolith", "gateway")


def issues_user_tokens(role: str) -> bool:
    return TOKEN_ISSUER in owned_apps(role)


def default_port(role: str) -> int:
    """Where a role listens unless told: the entry point on 8000, a group on the port of its first app."""
    return PORTS.get(role) or PORTS[owned_apps(role)[0]]


def process_alive(pid: int) -> bool:
    """Whether a process of this machine (this pid namespace) has that pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    return True
