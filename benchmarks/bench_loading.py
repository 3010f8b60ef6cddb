"""What the worker's way of loading a file costs, next to compiling and running it whole.

At the ``full`` level the worker compiles each unit (a notebook cell, a script) whole and
goes statement by statement only after a failure, for a file that does not compile, or at
the fallback levels. This measures, in one run and in this process, the ways of running the
same source: a reference solution repeated ``--copies`` times (its import of matplotlib left
out, so that only compiling and running count), then the worker's real load of it through a
session (which adds the fork and the messages).

    python benchmarks/bench_loading.py --copies 20 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import types
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.sandbox import loading, process
from pttutor.grader.sandbox.session import Session


def source(exercise_id: str, copies: int) -> str:
    text = course.default().get(exercise_id).solution_path.read_text(encoding="utf-8")
    return text.replace("import matplotlib.pyplot as plt", "plt = None") * copies


def whole(text: str) -> None:
    exec(compile(text, "bench.py", "exec"), types.ModuleType("bench").__dict__)


def planned(text: str) -> None:
    namespace = types.ModuleType("bench").__dict__
    for unit in loading.plan(text, "bench.py", "full").units:
        exec(unit.code, namespace)


def by_statement(text: str) -> None:
    namespace = types.ModuleType("bench").__dict__
    for unit in loading.plan(text, "bench.py", "definitions").units:
        for statement in unit.statements:
            exec(statement.code, namespace)


def worker_load(text: str, folder: Path) -> float:
    session = Session(source=text, filename=str(folder / "bench.py"), module_name="bench", cwd=folder,
                      workdir=folder, load_timeout=60)
    session._spawn()
    began = time.perf_counter()
    session._load("full")
    spent = time.perf_counter() - began
    session.stop()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="ex02-cost-surface")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = source(args.exercise, args.copies)
    ways = {"compile and run whole": whole, "loading.plan, full level": planned,
            "statement by statement (definitions level)": by_statement}
    timings: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.runs):
        for name, run in ways.items():
            began = time.perf_counter()
            run(text)
            timings[name].append(time.perf_counter() - began)
    process.prestart()
    with tempfile.TemporaryDirectory(prefix="pttutor-bench-") as folder:
        timings["worker load (session)"] = [worker_load(text, Path(folder)) for _ in range(args.runs)]
    base = statistics.median(timings["compile and run whole"])
    lines = len(text.splitlines())
    print(f"{args.exercise} x {args.copies} ({lines} lines), median of {args.runs} runs\n")
    print("| how | ms | x whole |\n|---|---:|---:|")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1000:.1f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
