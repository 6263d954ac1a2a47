"""Starts the shop as real processes on loopback: the monolith, the five split roles, the hybrid (gateway,
users,catalog,orders and inventory) or any grouping of the apps behind the gateway, with their Celery
workers. Used by `make split`, the test fixtures and the benchmarks.

    python -m tools.stack split                          # Ctrl-C stops everything
    python -m tools.stack users,catalog,orders inventory  # these groups behind a gateway
"""
import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from shop.app_tasks import periodic
from shop.platform.config.pages import PAGES
from shop.platform.config.secrets import new_key_pair, new_service_key_pair, service_key_name
from shop.platform.topology import APPS, PORTS, issues_user_tokens, owned_apps, role_named

ROOT = Path(__file__).resolve().parent.parent
# The processes of each named topology, by their SHOP_SERVICE; any other topology is groups behind a gateway.
TOPOLOGIES = {"monolith": ("monolith",), "split": (*APPS, "gateway"),
              "hybrid": ("users,catalog,orders", "inventory", "gateway")}
TASK_APPS = tuple(app for app in APPS if (ROOT / "shop" / app / "tasks.py").exists())  # apps with a queue to consume
BACKSTOP_APPS = tuple(app for app in APPS if any(entry.backstop for entry in periodic(app)))  # a worker of their own
STRIPPED_ENV = ("SHOP_", "CELERY_", "DJANGO_") + tuple(f"{a.upper()}_DATABASE_URL" for a in APPS)


def ports_from(base: int) -> dict[str, int]:
    """A port layout for a stack beside others: the entry point on `base`, the services on base+1..base+4."""
    return {"monolith": base, "gateway": base, **{app: base + 1 + i for i, app in enumerate(APPS)}}


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Stack:
    topology: str  # a name in TOPOLOGIES, or groups separated by spaces ("users,catalog,orders inventory")
    data_dir: Path
    ports: dict = field(default_factory=lambda: dict(PORTS))
    postgres_url: str = ""  # e.g. postgres://postgres@127.0.0.1:5432 -> one database per app
    broker_url: str = ""  # e.g. amqp://guest:guest@127.0.0.1:5672// ; empty -> embedded
    redis_url: str = ""  # e.g. redis://127.0.0.1:6379/0 -> shared breaker state and gateway cache
    namespace: str = ""  # prefix of queues and Redis keys, so stacks can share one broker and Redis
    extra_env: dict = field(default_factory=dict)
    server: str = "granian"  # shop.serve; or "runserver": Django's threaded dev server, as `make run` uses; or
    # "gunicorn" (gthread, a listening socket per worker), which the bench measures beside granian
    web_workers: int = 1
    web_threads: int = 8
    processes: dict = field(default_factory=dict)
    owns_data: bool = True  # creates its databases on start and drops them in clean_up; False beside another
    logs: str = "logs"  # the folder of the processes' logs, under data_dir
    enclaves: dict = field(default_factory=dict)  # role -> a network namespace it serves from (tools/nemesis/enclave.py)

    def __post_init__(self):
        self.data_dir = Path(self.data_dir)
        (self.data_dir / self.logs).mkdir(parents=True, exist_ok=True)
        self.db_prefix = f"shop_{self.data_dir.name.replace('-', '_')}".lower()[:40]

    def beside(self, topology: str, ports: dict) -> "Stack":
        """Another topology on this stack's data, as a cutover runs the new processes beside the old: the same
        databases, broker, Redis and namespace, which it neither creates nor drops; its logs apart."""
        return replace(self, topology=topology, ports=ports, processes={}, owns_data=False, logs=f"logs-{topology}")

    @property
    def roles(self) -> tuple[str, ...]:
        return roles_of(self.topology)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def port(self, role: str) -> int:
        """A role's port: its own, or for a group the port of its first app."""
        return self.ports.get(role) or self.ports[owned_apps(role)[0]]

    @property
    def metrics_token(self) -> str:
        """The operators' token (/metrics, /health/'s details), or "" in dev mode without one."""
        return self.extra_env.get("SHOP_METRICS_TOKEN", "")

    def role_url(self, role: str) -> str:
        host = self.enclaves[role].inner if role in self.enclaves else "127.0.0.1"
        return f"http://{host}:{self.port(role)}"

    def host_of(self, app: str) -> str:
        """The role hosting `app` in this stack."""
        return next(role for role in self.roles if app in owned_apps(role))

    def env(self, role: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED_ENV)}
        env.update(SHOP_SERVICE=role, SHOP_DATA_DIR=str(self.data_dir), DJANGO_SETTINGS_MODULE="shop.settings",
                   DJANGO_DEBUG="1",  # dev mode (dev secrets) unless extra_env holds production_env()
                   PYTHONUNBUFFERED="1", SHOP_WEB_BIND=f"127.0.0.1:{self.port(role)}",
                   SHOP_WEB_WORKERS=str(self.web_workers), SHOP_WEB_THREADS=str(self.web_threads),
                   SHOP_ADVERTISE_PORT=str(self.port(role)), SHOP_NAMESPACE=self.namespace,
                   DJANGO_STATIC_ROOT=str(self.data_dir / "static"))
        env.update({f"SHOP_{app.upper()}_URL": self.role_url(self.host_of(app)) for app in APPS})
        if self.postgres_url:
            env.update({f"{app.upper()}_DATABASE_URL": f"{self.postgres_url}/{self.db_prefix}_{app}" for app in APPS})
        if self.broker_url:
            env.update(CELERY_BROKER_URL=self.broker_url)
        if self.redis_url:
            env.update(SHOP_REDIS_URL=self.redis_url)
        env.update(self.extra_env)
        return without_others_private_keys(env, role)

    def process_env(self, name: str, role: str) -> dict:
        env = self.env(role)
        if name.endswith("-backstop"):  # the backstop queues only; its heartbeat beside its role's worker's
            env.update(SHOP_WORKER_QUEUES="backstop",
                       SHOP_WORKER_HEARTBEAT_FILE=str(self.data_dir / f"worker-heartbeat-{name}"))
        return env

    def manage(self, role: str, *args: str, env: dict | None = None) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env(role), **(env or {})},
                                capture_output=True, text=True, timeout=180)
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} ({role}) failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def create_databases(self) -> None:
        if not self.postgres_url:
            return
        import psycopg

        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True, connect_timeout=5) as conn:
            for app in APPS:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_prefix}_{app}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.db_prefix}_{app}"')

    def clean_up(self) -> None:
        """Drops the stack's databases and deletes its queues (the broker keeps durable queues)."""
        if not self.owns_data:
            return
        if self.postgres_url:
            import psycopg

            with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True, connect_timeout=5) as conn:
                for app in APPS:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.db_prefix}_{app}" WITH (FORCE)')
        if self.broker_url and self.namespace:
            from kombu import Connection

            with Connection(self.broker_url, connect_timeout=5) as conn:
                for name in (*APPS, "shop", *(f"{app}.backstop" for app in APPS)):
                    with conn.channel() as channel, suppress(Exception):  # an absent queue closes the channel
                        channel.queue_delete(f"{self.namespace}{name}")

    def migrate(self) -> None:
        migrations = [subprocess.Popen([sys.executable, "manage.py", "migrate_all", "-v0"], cwd=ROOT,
                                       env=self.env(role)) for role in self.roles if role != "gateway"]
        if any(p.wait(timeout=180) for p in migrations):
            raise RuntimeError("migrate_all failed")

    def collect_static(self) -> None:
        """In production mode, `collectstatic` before any role serves pages (production refuses to start
        without its manifest); one run as the monolith collects every role's files."""
        if self.env("monolith")["DJANGO_DEBUG"] == "0":
            self.manage("monolith", "collectstatic", "--noinput", "-v0")

    def _spawn(self, name: str, role: str, command: list[str], env: dict | None = None) -> None:
        log = open(self.data_dir / self.logs / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env or self.process_env(name, role), stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def server_command(self, role: str) -> list[str]:
        """granian (shop.serve), Django's runserver, or gunicorn, which the bench measures beside granian (with
        none of shop.serve's hooks)."""
        if self.server == "runserver":
            return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port(role)}"]
        if self.server == "gunicorn":
            return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port(role)}", "--worker-class",
                    "gthread", "--workers", str(self.web_workers), "--threads", str(self.web_threads), "--reuse-port",
                    "--keep-alive", "75", "shop.wsgi"]
        return [sys.executable, "-m", "shop.serve"]

    def start_role(self, role: str, wait: bool = True) -> None:
        command, env = self.server_command(role), self.process_env(role, role)
        if role in self.enclaves:  # its web process only: its workers stay outside, as pods of their own would
            enclave = self.enclaves[role]
            command, env = enclave.command(command), enclave.environment(env, self.port(role))
        self._spawn(role, role, command, env)
        if wait:
            wait_healthy(self.role_url(role))

    def stop_role(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def worker_command(self, role: str) -> list[str]:
        """The role's Celery worker; it never schedules (-B): one beat process does, for every app."""
        return [sys.executable, "-m", "celery", "-A", "shop", "worker", "--pool", "threads", "-c", "4", "-l", "INFO",
                "-n", f"{self.namespace}{role.replace(',', '+')}@%h"]

    def backstop_command(self, role: str) -> list[str]:
        """The worker of the role's backstop queues only (expiry, the reconciler; SHOP_WORKER_QUEUES=backstop),
        so a stuck app worker does not stop them; the solo pool runs tasks on the consumer's own thread."""
        return [sys.executable, "-m", "celery", "-A", "shop", "worker", "--pool", "solo", "-l", "INFO",
                "-n", f"{self.namespace}{role}-backstop@%h"]

    def start_worker(self, role: str) -> None:
        """The role's Celery worker, as process `<role>-worker` (again, after a test killed it)."""
        self._spawn(f"{role}-worker", role, self.worker_command(role))

    def start_background(self, name: str) -> None:
        """One of background_commands() again by its name (`beat`, `orders-worker`), after it was killed."""
        self._spawn(*next((n, role, command) for n, role, command in self.background_commands() if n == name))

    def background_commands(self) -> list[tuple[str, str, list[str]]]:
        """(name, role, argv) of each Celery process: a worker per role hosting an app with tasks, a backstop
        worker per role hosting an app with backstops, and one beat (beside the first of the workers) that
        schedules every app's periodic tasks onto the apps' queues."""
        if not self.broker_url and self.roles == ("monolith",):
            return []  # embedded: tasks run in-process, periodic ones in the scheduler thread
        workers = [role for role in self.roles if set(owned_apps(role)) & set(TASK_APPS)]
        commands = [(f"{role}-worker", role, self.worker_command(role)) for role in workers]
        commands += [(f"{role}-backstop", role, self.backstop_command(role)) for role in self.roles
                     if set(owned_apps(role)) & set(BACKSTOP_APPS)]
        return commands + [("beat", workers[0], [sys.executable, "-m", "celery", "-A", "shop", "beat", "-l", "INFO"])]

    def start(self) -> "Stack":
        if self.owns_data:
            self.create_databases()
        self.migrate()
        self.collect_static()
        for role in self.roles:
            self.start_role(role, wait=False)
        for name, role, command in self.background_commands():
            self._spawn(name, role, command)
        for role in self.roles:
            wait_healthy(self.role_url(role))
        return self

    def stop(self) -> None:
        for name in list(self.processes)[::-1]:
            self.stop_role(name)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def roles_of(topology: str) -> tuple[str, ...]:
    """The SHOP_SERVICE of each process of a topology: a named one, or groups (space-separated) behind a gateway."""
    return TOPOLOGIES.get(topology) or (*(role_named(group) for group in topology.split()), "gateway")


def without_others_private_keys(env: dict, role: str) -> dict:
    """The environment without the private keys this role must not hold (production refuses them)."""
    apps = owned_apps(role) if role != "monolith" else ()
    own = {service_key_name(app, "private") for app in apps} | (
        {"SHOP_JWT_PRIVATE_KEY"} if issues_user_tokens(role) else set())
    return {name: value for name, value in env.items()
            if not (name.endswith("PRIVATE_KEY") and name.startswith("SHOP_")) or name in own}


def production_env() -> dict[str, str]:
    """Production mode with fresh random secrets, for stacks on loopback (plain HTTP, so no SSL redirect)."""
    private_pem, public_pem = new_key_pair()
    service_keys = {}
    for app in APPS:
        service_keys[service_key_name(app, "private")], service_keys[service_key_name(app, "public")] = \
            new_service_key_pair()
    return {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "SHOP_JWT_PRIVATE_KEY": private_pem,
            "SHOP_JWT_PUBLIC_KEY": public_pem, "DJANGO_SECURE_SSL_REDIRECT": "0",
            "SHOP_METRICS_TOKEN": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", **service_keys}


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}{PAGES['health'].url}?format=json", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not become healthy within {timeout}s")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("topology", nargs="+", help=f"one of {', '.join(TOPOLOGIES)}, or the groups of apps to run "
                        "behind a gateway, e.g. users,catalog,orders inventory")
    parser.add_argument("--data-dir", help="default: data/<topology>, or data/groups for groups of apps")
    parser.add_argument("--seed", action="store_true", help="load demo products and a dev staff user")
    parser.add_argument("--entry", action="store_true", help="serve the public port through an entry point (HAProxy) "
                        "that `python -m tools.cutover` switches to another topology, live (docs/cutover.md)")
    args = parser.parse_args()
    topology = " ".join(args.topology)
    data_dir = Path(args.data_dir or ROOT / "data" / (topology if topology in TOPOLOGIES else "groups"))
    stack = Stack(topology, data_dir, postgres_url=os.environ.get("SHOP_STACK_POSTGRES_URL", ""),
                  broker_url=os.environ.get("CELERY_BROKER_URL", ""), redis_url=os.environ.get("SHOP_REDIS_URL", ""),
                  web_workers=2, web_threads=4)
    if args.entry:
        from tools.cutover import serve

        return serve(stack, seed_demo=args.seed)
    with stack:
        if args.seed:
            seed(stack)
        print(f"shop ({stack.topology}) at {stack.url}; services: "
              + ", ".join(f"{r} {stack.role_url(r)}" for r in stack.roles) + f"\nlogs in {stack.data_dir / 'logs'}; "
              "Ctrl-C stops everything.", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def seed(stack: Stack) -> None:
    users_role, catalog_role = stack.host_of("users"), stack.host_of("catalog")
    superuser = {"DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_PASSWORD": "admin-dev-only",
                 "DJANGO_SUPERUSER_EMAIL": "admin@example.com"}
    try:
        stack.manage(users_role, "createsuperuser", "--noinput", env=superuser)
    except RuntimeError:
        pass  # already there
    print(stack.manage(catalog_role, "seed_demo"), flush=True)


if __name__ == "__main__":
    main()
