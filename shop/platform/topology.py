"""Which apps this process hosts, decided by the SHOP_SERVICE deployment flag."""
import os

APPS = ("users", "catalog", "orders", "inventory")
ROLES = ("monolith", "gateway", *APPS)
TOKEN_ISSUERS = ("monolith", "users")  # the roles that mint user tokens, and so hold the private key
PORTS = {"gateway": 8000, "monolith": 8000, "users": 5001, "catalog": 5002, "orders": 5003, "inventory": 5004}


def current_role() -> str:
    role = os.environ.get("SHOP_SERVICE", "monolith")
    if role not in ROLES:
        raise ValueError(f"SHOP_SERVICE must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def owned_apps(role: str | None = None) -> tuple[str, ...]:
    """The app labels whose code, tables and routes live in this process."""
    role = role or current_role()
    if role == "monolith":
        return APPS
    return (role,) if role in APPS else ()

