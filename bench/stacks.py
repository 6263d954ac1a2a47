"""The stacks under test: the same web server settings and environment for every topology, plus seeding
through the public API and the resident memory of each process."""
import os
import tempfile
import uuid
from pathlib import Path

import requests

from tools.stack import Stack, ports_from, production_env

WEB_WORKERS, WEB_THREADS = 2, 4
STAFF = {"username": "bench-staff", "password": "bench-Staff-passw0rd!", "email": "bench-staff@example.com"}
CUSTOMER_PASSWORD = "bench-c0rrect-Horse-battery"
TIMEOUT = 30


def make_stacks(variants: dict[str, tuple[str, str]], *, port_base: int, postgres_url: str,
                broker_url: str) -> dict[str, Stack]:
    """One Stack per variant (name -> (topology, Redis URL or "")), all with one DJANGO_* environment and
    the same web server settings, on ports port_base + 10 * i + (0..4)."""
    run_id = uuid.uuid4().hex[:6]
    # Production settings with real secrets. The load comes from one address and a few customers who place
    # many orders, so rates are not limited and the caps on unpaid orders and held units are out of reach
    # (still counted and checked).
    extra_env = {**production_env(), "DJANGO_ROOT_URLCONF": "bench.urls", "SHOP_MAX_PENDING_ORDERS": str(10**9),
                 "SHOP_HOLD_PRODUCT_UNITS": str(10**9), "SHOP_HOLD_TOTAL_UNITS": str(10**9),
                 **{f"SHOP_THROTTLE_{scope}": "" for scope in ("LOGIN", "LOGIN_USERNAME", "REGISTER", "REFRESH",
                                                               "ORDER_PLACE")}}
    stacks = {}
    for i, (name, (topology, redis_url)) in enumerate(variants.items()):
        base, slug = port_base + 10 * i, name.replace("+", "-")
        options = {"ports": ports_from(base),
                   "postgres_url": postgres_url, "broker_url": broker_url, "extra_env": dict(extra_env),
                   "web_workers": WEB_WORKERS, "web_threads": WEB_THREADS,
                   "redis_url": redis_url, "namespace": f"bench-{run_id}-{slug}-"}
        data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{run_id}-{slug}-"))
        stacks[name] = Stack(topology, data_dir, **options)
    return stacks


class Api:
    """The public API of one stack, as a client sees it."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, json=None, expect: int = 200) -> dict:
        response = self.session.request(method, self.base_url + path, json=json, timeout=TIMEOUT)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path} answered {response.status_code}, not {expect}: {response.text[:300]}")
        return response.json() if response.content else {}

    def login(self, username: str, password: str) -> str:
        return self.call("POST", "/login", {"username": username, "password": password})["access"]


def staff_api(stack: Stack) -> Api:
    users_role = "monolith" if stack.topology == "monolith" else "users"
    stack.manage(users_role, "createsuperuser", "--noinput", env={
        "DJANGO_SUPERUSER_USERNAME": STAFF["username"], "DJANGO_SUPERUSER_PASSWORD": STAFF["password"],
        "DJANGO_SUPERUSER_EMAIL": STAFF["email"]})
    api = Api(stack.url)
    return Api(stack.url, api.login(STAFF["username"], STAFF["password"]))


def create_product(staff: Api, *, name: str, stock: int) -> int:
    product = staff.call("POST", "/products", {"name": name, "sku": f"BENCH-{uuid.uuid4().hex[:12]}", "price": "4.20",
                                               "description": "A product made by the benchmark."}, expect=201)
    staff.call("POST", f"/inventory/{product['id']}", {"quantity": stock})
    return product["id"]


def customer_token(stack: Stack, name: str) -> str:
    api = Api(stack.url)
    api.call("POST", "/register", {"username": name, "email": f"{name}@example.com", "password": CUSTOMER_PASSWORD},
             expect=201)
    return api.login(name, CUSTOMER_PASSWORD)


def stock(api: Api, product_id: int) -> dict:
    return api.call("GET", f"/inventory/{product_id}")


def process_memory(stack: Stack) -> list[tuple[str, int, int, int]]:
    """(name, pid, RSS, PSS in KiB) of every process the stack started, and of their children. Forked
    workers share the master's pages, which RSS counts in each process and PSS divides among them."""
    children = _children_by_parent()
    rows = []
    for name, process in stack.processes.items():
        kind = "web" if name in stack.roles else "celery beat" if name == "beat" else "celery"  # workers, backstops
        role = name.removesuffix("-worker")
        for depth, pid in _tree(process.pid, children):
            label = f"{role} {stack.server} {'main' if depth == 0 else 'child'}" if kind == "web" else \
                "celery beat" if name == "beat" else f"{role} celery {'main' if depth == 0 else 'child'}"
            rows.append((label, pid, _kib(pid, "status", "VmRSS:"), _kib(pid, "smaps_rollup", "Pss:")))
    return rows


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(pid: int, children: dict[int, list[int]], depth: int = 0):
    yield depth, pid
    for child in sorted(children.get(pid, ())):
        yield from _tree(child, children, depth + 1)


def _kib(pid: int, file: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
