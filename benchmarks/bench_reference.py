"""Per exercise: the hidden checks' time on the reference solution, and what asking the reference
once saves (on demand, not in CI).

    python benchmarks/bench_reference.py [--exercises ex02-cost-surface,ex03-gradient-descent] [--runs 1]

In one grader process (torch imported and the fork server started once, as in a batch), each
exercise's reference solution is graded with the hidden checks:

1. live: the reference computes every expected value (what every grading did before);
2. cold: with the answer cache on, for the first student (it computes and keeps);
3. warm: the same again, for the next student: the answers that do not depend on the student
   are replayed.

Printed per exercise: seconds of each (median of RUNS); for the next student, the calls of the
reference's functions replayed and those that had to run live (a model, an optimizer or a
generator among the arguments), the live seconds of the replayed calls (saved) and of those
that still ran; and whether the verdicts of the three gradings were the same.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.grading import engine, reference


def verdicts(report) -> list[tuple]:
    return [(c.name, c.passed, c.points, c.message) for c in report.checks]


def timed_grade(ex, path: Path) -> tuple[float, object]:
    began = time.perf_counter()
    report = engine.grade(ex, path, hidden=True)
    return time.perf_counter() - began, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", default="", help="comma-separated ids (default: all)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    the_course = course.default()
    chosen = [the_course.get(i) for i in args.exercises.split(",") if i] or list(the_course.exercises)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for ex in chosen:
            path = Path(tmp) / ex.id / ex.file
            path.parent.mkdir()
            shutil.copy(ex.solution_path, path)
            timed_grade(ex, path)  # the first grading imports the reference and warms the fork server
            live, cold, warm, same = [], [], [], True
            for _ in range(args.runs):
                reference.reuse_answers(False)
                seconds, expected = timed_grade(ex, path)
                live.append(seconds)
                reference.reuse_answers(True)
                seconds, first = timed_grade(ex, path)
                cold.append(seconds)
                before = reference.answer_stats().as_dict()
                seconds, second = timed_grade(ex, path)
                warm.append(seconds)
                after = reference.answer_stats().as_dict()
                same &= verdicts(expected) == verdicts(first) == verdicts(second)
            stats = {k: after[k] - before[k] for k in after}
            rows.append((ex.id, statistics.median(live), statistics.median(cold), statistics.median(warm),
                         stats, same))
            print(f"{ex.id}: live {rows[-1][1]:.2f} s, cold {rows[-1][2]:.2f} s, warm {rows[-1][3]:.2f} s, "
                  f"{stats}, same verdicts: {same}", flush=True)
    reference.reuse_answers(False)
    print(f"\nHidden checks on the reference solution, one grader process (median of {args.runs})")
    print("| exercise | live s | first student s | next student s | reference calls replayed / live "
          "| reference s saved / still live | same verdicts |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for ex_id, live_s, cold_s, warm_s, stats, same in rows:
        print(f"| {ex_id} | {live_s:.2f} | {cold_s:.2f} | {warm_s:.2f} | {stats['replayed']} / {stats['live']} "
              f"| {stats['seconds_saved']:.2f} / {stats['seconds_live']:.2f} | {'yes' if same else 'NO'} |")
    total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print(f"| all | {total[0]:.2f} | {total[1]:.2f} | {total[2]:.2f} | "
          f"{sum(r[4]['replayed'] for r in rows)} / {sum(r[4]['live'] for r in rows)} "
          f"| {sum(r[4]['seconds_saved'] for r in rows):.2f} / {sum(r[4]['seconds_live'] for r in rows):.2f} | |")


if __name__ == "__main__":
    main()
