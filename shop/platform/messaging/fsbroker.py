"""kombu's filesystem transport (the embedded broker of split roles on one machine), made safe:

- a message is written under a temporary name and renamed, so no consumer reads it half written
  (kombu writes in place: a consumer could fail to decode it and stop the worker);
- a fetched message is not deleted but moved to `taken/<pid>-<name>` until it is acknowledged; a
  consumer finds the taken messages of processes that no longer run and puts them back, so a killed
  worker's messages are delivered again: at least once, as with RabbitMQ."""
import os
import uuid
from contextlib import suppress
from pathlib import Path
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from queue import Empty

from shop.platform.topology import process_alive

TAKEN = "x-shop-taken"  # message property: where the fetched file waits for its ack
ORPHAN_SCAN_SECONDS = 5.0



class Channel(filesystem.Channel):
    _last_orphan_scan = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._never_acked = set()  # queues consumed with no_ack (Celery's remote control): nothing to keep

    def basic_consume(self, queue, no_ack, *args, **kwargs):
        if no_ack:
            self._never_acked.add(queue)
        return super().basic_consume(queue, no_ack, *args, **kwargs)

    def basic_get(self, queue, no_ack=False, **kwargs):
        if no_ack:
            self._never_acked.add(queue)
        return super().basic_get(queue, no_ack, **kwargs)

    @property
    def taken_folder(self) -> Path:
        folder = Path(self.data_folder_in) / "taken"
        folder.mkdir(exist_ok=True)
        return folder

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".partial-{name}")  # no queue takes ".partial-*"
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        self._put_back_orphans()
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != f"{queue}.msg":
                continue
            taken = self.taken_folder / f"{os.getpid()}-{name}"
            try:
                os.rename(os.path.join(self.data_folder_in, name), taken)  # the claim: one consumer wins
            except OSError:
                continue
            payload = loads(bytes_to_str(taken.read_bytes()))
            if queue in self._never_acked:
                taken.unlink()
            else:
                payload.setdefault("properties", {})[TAKEN] = str(taken)
            return payload
        raise Empty()

    def _put_back_orphans(self) -> None:
        """Returns the taken messages of processes that died to their queue (at most every few seconds)."""
        if monotonic() - self._last_orphan_scan < ORPHAN_SCAN_SECONDS:
            return
        self._last_orphan_scan = monotonic()
        for taken in self.taken_folder.iterdir():
            pid, _, name = taken.name.partition("-")
            if pid.isdigit() and not process_alive(int(pid)):
                with suppress(OSError):
                    os.rename(taken, os.path.join(self.data_folder_in, name))

    def _forget(self, delivery_tag) -> None:
        with suppress(KeyError, OSError):
            os.remove(self.qos.get(delivery_tag).properties[TAKEN])

    def basic_ack(self, delivery_tag, multiple=False):
        self._forget(delivery_tag)
        super().basic_ack(delivery_tag, multiple=multiple)

    def basic_reject(self, delivery_tag, requeue=False):
        self._forget(delivery_tag)  # requeued: the channel puts a fresh copy back
        super().basic_reject(delivery_tag, requeue=requeue)

    def _restore(self, message):
        super()._restore(message)  # a fresh copy goes back to the queue (warm shutdown, recover)
        with suppress(KeyError, OSError):
            os.remove(message.properties[TAKEN])


class Transport(filesystem.Transport):
    Channel = Channel
