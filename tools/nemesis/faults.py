"""The faults, each on something the nemesis started, and the nemesis that runs a schedule of them.

A killed process is started again after the fault's hold, as a supervisor would (compose, Kubernetes)."""
import os
import signal
import threading
import time
import traceback

from tools.nemesis.rig import Rig
from tools.nemesis.schedule import Fault
from tools.stack import wait_healthy


def _signal(process, sig: int) -> None:
    os.killpg(process.pid, sig)


def broker_app(rig: Rig, fault: Fault) -> None:
    rig.rabbit.stop_app()
    try:
        time.sleep(fault.seconds)
    finally:
        rig.rabbit.start_app()


def broker_node(rig: Rig, fault: Fault) -> None:
    rig.rabbit.restart(down_seconds=fault.seconds)


def worker_kill(rig: Rig, fault: Fault) -> None:
    stack = rig.stacks[fault.stack]
    process = stack.processes.pop(f"{fault.target}-worker")
    _signal(process, signal.SIGKILL)
    process.wait()
    time.sleep(fault.seconds)
    stack.start_worker(fault.target)


def _frozen(process, seconds: float) -> None:
    _signal(process, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        _signal(process, signal.SIGCONT)


def worker_freeze(rig: Rig, fault: Fault) -> None:
    _frozen(rig.stacks[fault.stack].processes[f"{fault.target}-worker"], fault.seconds)


def service_kill(rig: Rig, fault: Fault) -> None:
    stack = rig.stacks[fault.stack]
    process = stack.processes.pop(fault.target)
    _signal(process, signal.SIGKILL)
    process.wait()
    time.sleep(fault.seconds)
    stack.start_role(fault.target, wait=False)
    wait_healthy(stack.role_url(fault.target), timeout=120)


def service_freeze(rig: Rig, fault: Fault) -> None:
    """The process stops (a long pause): its callers' requests go unanswered, its own connections freeze."""
    _frozen(rig.stacks[fault.stack].processes[fault.target], fault.seconds)


def service_partition(rig: Rig, fault: Fault) -> None:
    """Its network namespace is cut off: nothing crosses either way, and no side is told (enclave.py)."""
    enclave = rig.stacks[fault.stack].enclaves[fault.target]
    enclave.cut()
    try:
        time.sleep(fault.seconds)
    finally:
        enclave.heal()


def db_terminate(rig: Rig, fault: Fault) -> None:
    """pg_terminate_backend on the stack's own database of one app: at once, then twice more over the hold."""
    shop = rig.shops[fault.stack]
    for _ in range(3):
        shop.terminate_connections(fault.target)
        time.sleep(fault.seconds / 2)


def redis_stop(rig: Rig, fault: Fault) -> None:
    rig.redis.stop()
    try:
        time.sleep(fault.seconds)
    finally:
        rig.redis.start()


def beat_kill(rig: Rig, fault: Fault) -> None:
    stack = rig.stacks[fault.stack]
    process = stack.processes.pop("beat")
    _signal(process, signal.SIGKILL)
    process.wait()
    time.sleep(fault.seconds)
    stack.start_background("beat")


FAULTS = {"broker-app": broker_app, "broker-node": broker_node, "worker-kill": worker_kill,
          "worker-freeze": worker_freeze, "service-kill": service_kill, "service-freeze": service_freeze,
          "service-partition": service_partition,
          "db-terminate": db_terminate, "redis-stop": redis_stop, "beat-kill": beat_kill}


class Nemesis:
    """Runs each fault of the schedule in its own thread at its time (seconds after `t0`, monotonic)."""

    def __init__(self, rig: Rig, schedule: list[Fault], t0: float):
        self.rig, self.schedule, self.t0 = rig, schedule, t0
        self.threads = [threading.Thread(target=self._run, args=(fault,), daemon=True) for fault in schedule]
        self.locks = {fault.resource: threading.Lock() for fault in schedule}

    def _run(self, fault: Fault) -> None:
        time.sleep(max(0.0, self.t0 + fault.at - time.monotonic()))
        with self.locks[fault.resource]:  # a restart slower than planned delays the next fault on it
            self._apply(fault)

    def _apply(self, fault: Fault) -> None:
        fault.started = time.monotonic() - self.t0
        print(f"[nemesis] {fault.started:6.1f} s  {fault.label} for {fault.seconds} s", flush=True)
        try:
            FAULTS[fault.kind](self.rig, fault)
        except Exception as error:  # recorded and reported: a fault that could not be applied is not silent
            fault.error = f"{type(error).__name__}: {error}"
            traceback.print_exc()
        fault.ended = time.monotonic() - self.t0
        print(f"[nemesis] {fault.ended:6.1f} s  {fault.label} healed{' (' + fault.error + ')' if fault.error else ''}",
              flush=True)

    def run(self) -> None:
        for thread in self.threads:
            thread.start()
        for thread in self.threads:
            thread.join()
