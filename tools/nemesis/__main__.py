"""python -m tools.nemesis --seed N --duration S [--report docs/faults.md] [--plot docs/nemesis.png]"""
import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("SHOP_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")  # read by tests.conftest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=180, help="seconds of faults (then the recovery window)")
    parser.add_argument("--report", type=Path, default=Path("docs/faults.md"))
    parser.add_argument("--plot", type=Path, default=None, help="default: nemesis.png beside the report")
    parser.add_argument("--customers", type=int, default=4, help="on the split shop; half as many on the monolith")
    parser.add_argument("--no-monolith", dest="monolith", action="store_false", help="the split shop only")
    args = parser.parse_args()
    from tools.nemesis import report
    from tools.nemesis.run import run

    result = run(args.seed, args.duration, monolith=args.monolith, customers=args.customers)
    plot = args.plot or args.report.parent / "nemesis.png"
    command = "python -m tools.nemesis " + " ".join(sys.argv[1:])
    report.write(result, args.report, plot, command)
    print(report.markdown(result, str(plot), command))
    return 1 if result.violation_count else 0


if __name__ == "__main__":
    sys.exit(main())
