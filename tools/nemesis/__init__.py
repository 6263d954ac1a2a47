"""The nemesis: the split shop and the monolith with its worker under customer load, on PostgreSQL, a RabbitMQ
node and a Redis of its own, while a seeded random schedule of overlapping faults hits them; then a recovery
window and the invariants, and a report with a timeline.

    python -m tools.nemesis --seed 1 --duration 180 [--report docs/faults.md] [--no-monolith]

Modules: schedule (the seeded faults), rig (what runs), enclave (a network namespace for one service, to partition
it), faults (how each is done), load (customers and readers),
invariants, run (one run, end to end), report (markdown and the plot)."""
