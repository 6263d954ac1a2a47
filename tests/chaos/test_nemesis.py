"""A seeded 3-minute nemesis (tools/nemesis): overlapping faults under load on the split shop and the monolith
with its worker, then zero invariant violations and queues drained within 60 s of the last fault.

SHOP_NEMESIS_SEED, SHOP_NEMESIS_SECONDS and SHOP_NEMESIS_MONOLITH=0 (the split shop only, for a lighter run)
change the run; the report goes to the test's temporary directory and is printed (pytest -s)."""
import os

from tests.chaos.conftest import needs_services
from tools.nemesis import report
from tools.nemesis.run import run

pytestmark = needs_services
SEED = int(os.environ.get("SHOP_NEMESIS_SEED", "21"))
SECONDS = float(os.environ.get("SHOP_NEMESIS_SECONDS", "180"))
MONOLITH = os.environ.get("SHOP_NEMESIS_MONOLITH", "1") != "0"
DRAINED_WITHIN = 60


def test_a_seeded_nemesis_leaves_no_violation_and_drained_queues(tmp_path):
    result = run(SEED, SECONDS, monolith=MONOLITH)
    report.write(result, tmp_path / "faults.md", tmp_path / "nemesis.png", f"tests/chaos/test_nemesis.py, seed {SEED}")
    print("\n" + (tmp_path / "faults.md").read_text())
    violations = {invariant: found for invariant, found in result.violations.items() if found}
    assert not violations, violations
    assert result.drained_after is not None and result.drained_after <= DRAINED_WITHIN, result.drained_after
