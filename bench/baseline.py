"""The 'before' of the report: goals, per-round req/s and profiles kept from an earlier run's results
(`python -m bench --baseline <results pickle>`), committed so that every later run shows them beside its own."""
import json
from datetime import UTC, datetime
from pathlib import Path

from bench import goals
from bench.profile import Profile

PATH = Path(__file__).resolve().parent / "baseline.json"


def save(results: dict, *, source: str) -> None:
    data = {
        "source": f"{_source(results)} ({Path(source).name}, "
                  f"kept {datetime.now(UTC):%Y-%m-%d})",
        "goals": {key: round(value, 3) for key, value in goals.measured(results).items() if value is not None},
        "rps_per_round": {name: [round(run.rps) for run in runs] for name, runs in results["throughput"].items()},
        "profiles": [{"role": p.role, "samples": p.samples, "stages": _rounded(p.stages), "top_self": _rounded(p.top_self),
                      "error": p.error} for p in results["profiles"]],
    }
    PATH.write_text(json.dumps(data, indent=1) + "\n")


def _rounded(shares: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(name, round(share, 1)) for name, share in shares]


def _source(results: dict) -> str:
    return f"{results['meta']['command']} on {results['meta']['date']}"


def load(results: dict) -> dict | None:
    """The kept baseline, its profiles as Profile objects; None when there is none, or when it was kept from
    these very results (a run is not its own 'before')."""
    if not PATH.exists():
        return None
    data = json.loads(PATH.read_text())
    if data["source"].startswith(_source(results) + " "):
        return None
    data["profiles"] = {p["role"]: Profile(p["role"], p["samples"], [tuple(s) for s in p["stages"]],
                                           [tuple(t) for t in p["top_self"]], p["error"]) for p in data["profiles"]}
    return data
