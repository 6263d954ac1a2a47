"""The Python load client, run as its own process: `python -m bench.load` reads a JSON job on stdin and
writes the measurements as JSON on stdout. Every loop is bounded by a count and by a deadline.

Jobs: `latency` (sequential GETs, concurrency 1), `throughput` (the fallback when wrk is missing),
`orders` (concurrent clients placing orders) and `events` (pay, then wait for the stock commit)."""
import http.client
import json
import random
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

TIMEOUT = 10.0  # seconds, every request


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects once when the server has closed it."""

    def __init__(self, base_url: str, headers: dict | None = None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.conn = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        sent = {**self.headers, **(headers or {})}
        if payload is not None:
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=payload, headers=sent)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def latency(job: dict) -> dict:
    """Sequential GETs of job["path"] on each target, interleaved in rounds; latencies in ms per target."""
    conns = {name: Connection(url) for name, url in job["targets"].items()}
    samples = {name: [] for name in conns}
    deadline = time.monotonic() + job["max_seconds"]
    for _ in range(job["rounds"]):
        for name, conn in conns.items():
            for _ in range(job["requests_per_round"]):
                if time.monotonic() > deadline:
                    break
                start = time.perf_counter()
                status, _ = conn.request("GET", job["path"])
                samples[name].append((time.perf_counter() - start) * 1000)
                if status != 200:
                    raise RuntimeError(f"GET {job['path']} on {name} answered {status}")
    return {"samples_ms": samples}


def throughput(job: dict) -> dict:
    """wrk's job done in Python (only when wrk is missing): `connections` threads GET one path until the deadline."""
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + job["seconds"]

    def client():
        conn, mine, bad = Connection(job["url"]), [], 0
        while time.monotonic() < deadline and len(mine) < job["max_requests"]:
            start = time.perf_counter()
            status, _ = conn.request("GET", job["path"])
            mine.append((time.perf_counter() - start) * 1000)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    started = time.perf_counter()
    _run_threads(client, job["connections"])
    return {"latencies_ms": latencies, "non_2xx": sum(errors), "seconds": time.perf_counter() - started}


def orders(job: dict) -> dict:
    """Each client places one-line orders of a random hot product until its count or the deadline runs out."""
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + job["seconds"]
    max_quantity = job["max_quantity"]

    def client(token: str, seed: int):
        rng = random.Random(seed)
        conn, mine = Connection(job["url"], {"Authorization": f"Bearer {token}"}), []
        while time.monotonic() < deadline and len(mine) < job["max_orders_per_client"]:
            product_id, quantity = rng.choice(job["product_ids"]), rng.randint(1, max_quantity)
            start = time.perf_counter()
            status, body = conn.request("POST", "/orders", {"items": [{"product_id": product_id, "quantity": quantity}]},
                                        headers={"Idempotency-Key": uuid.uuid4().hex})
            elapsed = (time.perf_counter() - start) * 1000
            order = json.loads(body) if status == 201 else {}
            mine.append({"status": status, "ms": elapsed, "product_id": product_id, "quantity": quantity,
                         "order_id": order.get("id"), "order_status": order.get("status"),
                         "error": None if status == 201 else body[:300].decode(errors="replace")})
        with lock:
            results.extend(mine)

    started = time.perf_counter()
    _run_threads(client, len(job["tokens"]), args=[(token, i) for i, token in enumerate(job["tokens"])])
    return {"attempts": results, "seconds": time.perf_counter() - started}


def events(job: dict) -> dict:
    """Places and pays one-unit orders; times from the pay response to the commit showing in the stock."""
    conn = Connection(job["url"], {"Authorization": f"Bearer {job['token']}"})
    product_id, samples, missed = job["product_id"], [], 0
    deadline = time.monotonic() + job["max_seconds"]
    for _ in range(job["samples"]):
        if time.monotonic() > deadline:
            break
        status, body = conn.request("POST", "/orders", {"items": [{"product_id": product_id, "quantity": 1}]})
        if status != 201:
            raise RuntimeError(f"POST /orders answered {status}: {body[:300]!r}")
        order_id = json.loads(body)["id"]
        on_hand = _stock(conn, product_id)["on_hand"]
        status, body = conn.request("POST", f"/orders/{order_id}/pay", {})
        paid_at = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"POST /orders/{order_id}/pay answered {status}: {body[:300]!r}")
        while True:
            if _stock(conn, product_id)["on_hand"] == on_hand - 1:
                samples.append((time.perf_counter() - paid_at) * 1000)
                break
            if time.perf_counter() - paid_at > job["give_up_seconds"]:
                missed += 1
                break
            time.sleep(job["poll_seconds"])
    return {"samples_ms": samples, "missed": missed}


def _stock(conn: Connection, product_id: int) -> dict:
    status, body = conn.request("GET", f"/inventory/{product_id}")
    if status != 200:
        raise RuntimeError(f"GET /inventory/{product_id} answered {status}")
    return json.loads(body)


def _run_threads(target, count: int, args: list | None = None) -> None:
    failures = []

    def guarded(*a):
        try:
            target(*a)
        except BaseException as exc:  # reported to the parent, which fails the run
            failures.append(repr(exc))

    threads = [threading.Thread(target=guarded, args=args[i] if args else ()) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} load client thread(s) failed: {failures[0]}")


JOBS = {"latency": latency, "throughput": throughput, "orders": orders, "events": events}

if __name__ == "__main__":
    job = json.load(sys.stdin)
    json.dump(JOBS[job["kind"]](job), sys.stdout)
