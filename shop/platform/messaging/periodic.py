"""Periodic task declarations: each app lists its own in shop/<app>/schedule.py; settings derive the beat from them."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    """A beat entry: run `task` every `seconds`, or every $`env` seconds when that variable is set."""

    name: str
    task: str
    seconds: float
    env: str | None = None
