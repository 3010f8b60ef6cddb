"""Grading latency next to a bare ``import torch`` (run on demand, not in CI).

    python tests/bench_latency.py [--runs 5] [--exercise ex02-cost-surface]

Runs, interleaved so that both see the same machine load: ``python -c "import torch"`` and
``pttutor-grade check EXERCISE --path <reference solution>`` (public checks) and with
``--hidden``; prints the median wall-clock time of each and its ratio to the bare import.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

from pttutor.grader import registry


def timed(cmd: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exercise", default="ex02-cost-surface")
    args = parser.parse_args()
    ex = registry.get(args.exercise)
    grade = [shutil.which("pttutor-grade") or "pttutor-grade", "check", ex.id, "--path", str(ex.solution_path)]
    commands = {
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
        f"pttutor-grade check {ex.id}": grade,
        f"pttutor-grade check {ex.id} --hidden": [*grade, "--hidden"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(timed(cmd))
    base = statistics.median(next(iter(times.values())))
    print(f"{'command':<52} {'median s':>9} {'x import torch':>15}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<52} {median:>9.2f} {median / base:>15.2f}")


if __name__ == "__main__":
    main()
