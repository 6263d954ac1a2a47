"""How much each measurement runs: the full benchmark, and the smoke run that keeps the harness alive."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    rounds: int  # side-by-side rounds of every throughput target, and of the hop latency
    order_rounds: int  # rounds of order placement, each on fresh products, alternating which topology goes first
    wrk_seconds: float  # one measured wrk run
    warmup_seconds: float  # an unmeasured wrk run before each measured one
    latency_requests: int  # concurrency-1 GETs per target per round
    order_clients: int
    order_seconds: float
    max_orders_per_client: int
    event_samples: int
    profile_seconds: float
    order_cpu_orders_per_client: int  # goal 4: orders each client posts per path per round (bench.order_cpu)
    wrk_threads: int = 2
    wrk_connections: int = 16
    hot_products: int = 10
    plenty_stock: int = 1_000_000  # hot products 1..9: never run out
    scarce_stock: int = 40  # the 10th hot product runs out during each run, so refusals are exercised
    max_quantity: int = 3


FULL = Plan("full", rounds=6, wrk_seconds=5, warmup_seconds=1, latency_requests=150, order_clients=16,
            order_seconds=10, max_orders_per_client=5000, event_samples=60, profile_seconds=8,
            order_rounds=3, order_cpu_orders_per_client=40)
SMOKE = Plan("smoke", rounds=1, wrk_seconds=1, warmup_seconds=1, latency_requests=10, order_clients=4,
             order_seconds=2, max_orders_per_client=200, event_samples=3, profile_seconds=1, scarce_stock=4,
             order_rounds=1, order_cpu_orders_per_client=3)
