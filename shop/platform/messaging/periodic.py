"""Periodic task declarations: each app lists its own in shop/<app>/schedule.py; settings derive the beat from them."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    """A beat entry: run `task` every `seconds`, or every $`env` seconds when that variable is set. A backstop
    (a sweep that repairs what its app's consumer let slip) runs on the app's backstop queue, so a wedged
    consumer cannot hold it up."""

    name: str
    task: str
    seconds: float
    env: str | None = None
    backstop: bool = False
