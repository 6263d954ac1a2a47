"""A Celery worker's liveness probe: `python -m shop.platform.messaging.liveness [--max-age S]` exits 1
once the heartbeat file its consumer loop touches (shop/platform/messaging/heartbeat.py) is older than
the limit, or missing.

A worker whose process is alive and holds its broker connection, but whose loop is stuck (the wedged
consumer of issue 21), stops touching the file, so the probe fails and the worker is restarted.
`celery inspect ping` could not tell: it fails while every pool slot is busy and while the broker is
away. The file is stale too while the worker cannot reach the broker (the loop runs only while
connected): the limit is longer than the outages that a restart would not help with anyway."""
import argparse
import os
import signal
import sys
import time
from pathlib import Path

from shop.platform.messaging.heartbeat import heartbeat_file

DEFAULT_MAX_AGE = 60.0


def age(path: Path) -> float | None:
    """Seconds since the last heartbeat, or None when there was none."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None


def heartbeat_fields(path: Path) -> tuple[int, float] | None:
    """(the worker's pid, when it last received a task) from the heartbeat file."""
    try:
        pid, received = path.read_text().split()
        return int(pid), float(received)
    except (FileNotFoundError, ValueError):
        return None


def kill(path: Path) -> None:
    fields = heartbeat_fields(path)
    if fields is None:
        print("no pid in the heartbeat file: nothing killed", file=sys.stderr)
        return
    pid = fields[0]
    if pid in (1, os.getpid()):  # PID 1 ignores SIGKILL from its own namespace: run the worker under an init
        print(f"the worker is pid {pid}: not killed", file=sys.stderr)
        return
    try:
        os.kill(pid, signal.SIGKILL)
        print(f"killed the worker (pid {pid})", file=sys.stderr)
    except ProcessLookupError:
        pass


def ready_messages() -> int | None:
    """Messages ready in the queues this role's workers consume, or None when RabbitMQ cannot say."""
    from django.conf import settings
    from kombu import Connection

    if not settings.CELERY_BROKER_URL.startswith("amqp"):
        return None
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=5) as connection:
            ready = 0
            for queue in settings.CELERY_TASK_QUEUES:
                with connection.channel() as channel:
                    ready += channel.queue_declare(queue.name, passive=True).message_count
            return ready
    except Exception:  # the broker away, or a queue not declared yet: no verdict
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Exit 1 unless this role's Celery worker loop beat lately.")
    parser.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE, help="seconds (default %(default)s)")
    parser.add_argument("--file", type=Path, help="the heartbeat file (default: settings.SHOP_WORKER_HEARTBEAT_FILE)")
    parser.add_argument("--kill", action="store_true",
                        help="SIGKILL a stale worker (its pid is in the file): for compose, which restarts only an "
                             "exited container. A stuck loop never reads the flags its SIGTERM or SIGQUIT handler sets.")
    parser.add_argument("--progress-age", type=float, default=0,
                        help="also fail when the worker received no task for this many seconds while RabbitMQ holds "
                             "messages ready in its queues: a loop that turns but consumes nothing (default: off)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    path = args.file or heartbeat_file()
    seconds = age(path)
    if seconds is None:
        print(f"worker not live: no heartbeat file {path}", file=sys.stderr)
        return 1
    if seconds > args.max_age:
        print(f"worker not live: its loop last beat {seconds:.0f} s ago (limit {args.max_age:.0f} s)", file=sys.stderr)
        if args.kill:
            kill(path)
        return 1
    fields = heartbeat_fields(path)
    if args.progress_age and fields and time.time() - fields[1] > args.progress_age:
        ready = ready_messages()
        if ready:
            print(f"worker not live: it received no task for {time.time() - fields[1]:.0f} s while {ready} messages "
                  f"are ready (limit {args.progress_age:.0f} s)", file=sys.stderr)
            if args.kill:
                kill(path)
            return 1
    print(f"worker live: its loop beat {seconds:.1f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
