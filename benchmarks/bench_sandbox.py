"""How long a worker takes to start: from asking for a fresh sandboxed worker to the first line
of the student's code, with the fork server already warm.

    python benchmarks/bench_sandbox.py --runs 30
    python benchmarks/bench_sandbox.py --runs 30 --sandbox container

Prints the median and 90th percentile in milliseconds, and the protections that were active.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pttutor.grader.sandbox import process
from pttutor.grader.sandbox.session import Session

SOURCE = "import time\nFIRST_LINE = time.monotonic()\n"


def one_start(folder: Path, sandbox: str) -> tuple[float, float, list[str]]:
    """(ms to the first student line, ms until the module is loaded, protections)."""
    session = Session(source=SOURCE, filename=str(folder / "bench.py"), module_name="bench", folder=folder,
                      sandbox=sandbox)
    began = time.monotonic()
    module = session.ensure_started()
    loaded = time.monotonic()
    first = module.FIRST_LINE
    protections = session.protections + [f"not active: {p}" for p in session.missing_protections]
    session.close()
    return (first - began) * 1000, (loaded - began) * 1000, protections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sandbox", default="full")
    parser.add_argument("--pause", type=float, default=0.2,
                        help="seconds between starts, as grading would leave between workers")
    args = parser.parse_args()
    process.fork_server()  # warm: torch imported once, outside the timing
    with tempfile.TemporaryDirectory(prefix="pttutor-bench-") as tmp:
        folder = Path(tmp)
        one_start(folder, args.sandbox)
        firsts, loads = [], []
        for _ in range(args.runs):
            time.sleep(args.pause)
            first, loaded, protections = one_start(folder, args.sandbox)
            firsts.append(first)
            loads.append(loaded)
    q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    print(f"sandbox {args.sandbox}: fork to first student line median {statistics.median(firsts):.1f} ms, "
          f"p90 {q(firsts, 0.9):.1f} ms; to module loaded median {statistics.median(loads):.1f} ms "
          f"({args.runs} runs)")
    print("protections:", "; ".join(protections))


if __name__ == "__main__":
    main()
