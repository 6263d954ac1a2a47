"""What the nemesis runs and may hurt: a Redis and a RabbitMQ node of its own, the split shop (its inventory
service in a network namespace of its own) and the monolith with its worker on databases of their own (the
chaos tests' `running` stacks and `RabbitNode`)."""
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.chaos.conftest import CHAOS_ENV
from tests.chaos.rabbit import RabbitNode, _free_to_connect
from tests.chaos.shop import ChaosShop
from tests.conftest import port_free, running
from tools.nemesis.enclave import Enclave, free_index

# The chaos tests' fast repair loops; tokens that outlive a soak; pending orders that expire within one.
NEMESIS_ENV = {**CHAOS_ENV, "SHOP_JWT_ACCESS_MINUTES": "120", "SHOP_RESERVATION_TTL": "300"}


class RedisServer:
    """A redis-server on a free port, never the machine's shared one; stop() and start() keep the port."""

    def __init__(self):
        self.port = next(p for p in range(6390, 6490) if port_free(p))
        self.dir = Path(tempfile.mkdtemp(prefix="shop-nemesis-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while not _free_to_connect(self.port) or self.process.poll() is not None:
            if time.monotonic() > deadline or self.process.poll() is not None:  # exited: someone took the port
                raise RuntimeError(f"redis-server did not open port {self.port}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


class Dirs:
    """tmp_path_factory's one method, so `running` names databases and queues nemesis_<topology>_<random>."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="shop-nemesis-"))

    def mktemp(self, name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"nemesis-{name.split('-')[0]}-", dir=self.root))
        return path


class Rig:
    def __init__(self, monolith: bool = True, customers: int = 4):
        self.with_monolith, self.customers = monolith, customers
        self.stacks: dict = {}
        self.shops: dict[str, ChaosShop] = {}
        self._exit = contextlib.ExitStack()

    def __enter__(self) -> "Rig":
        try:
            self.dirs = Dirs()
            self.redis = RedisServer()
            self._exit.callback(shutil.rmtree, self.redis.dir, ignore_errors=True)
            self._exit.callback(self.redis.stop)
            self.redis.start()
            self.rabbit = RabbitNode(ports=range(5750, 5800)).start()  # clear of the chaos tests' nodes
            self._exit.callback(self.rabbit.stop)
            inventory = Enclave(free_index())  # the split's inventory service, to be partitioned for real
            self._exit.callback(inventory.close)
            for topology in ("split", "monolith") if self.with_monolith else ("split",):
                enclaves = {"inventory": inventory} if topology == "split" else {}
                stack = self._exit.enter_context(running(topology, self.dirs, broker_url=self.rabbit.url,
                                                         redis_url=self.redis.url, extra_env=NEMESIS_ENV,
                                                         enclaves=enclaves))
                self.stacks[topology] = stack
                customers = self.customers if topology == "split" else max(1, self.customers // 2)
                self.shops[topology] = ChaosShop(stack, customers=customers)
            return self
        except BaseException:
            self._exit.close()
            raise

    def __exit__(self, *exc) -> None:
        for stack in self.stacks.values():  # a frozen process would not hear SIGTERM
            for process in stack.processes.values():
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGCONT)
        self._exit.close()

    def namespace(self, name: str) -> str:
        return self.stacks[name].namespace

    def logs(self) -> Path:
        return self.dirs.root
