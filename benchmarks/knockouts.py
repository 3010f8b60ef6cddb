"""Points lost when one part of a correct solution is replaced by the stub's unfinished version.

For each exercise and each function or class its stub asks for, the reference solution with
only that part knocked out is graded with every check, hidden ones included. A fair set of
checks loses only the points of the checks about that part (see tests/test_fairness.py).

    python benchmarks/knockouts.py                       # every exercise, a Markdown table
    python benchmarks/knockouts.py ex02 ex05 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.authoring import mistakes
from pttutor.grader.grading import engine


def knock_outs(ex: course.Exercise) -> list[dict]:
    reference = ex.solution_path.read_text(encoding="utf-8")
    stub = ex.stub_path.read_text(encoding="utf-8")
    rows = []
    with tempfile.TemporaryDirectory(prefix="pttutor-knockout-") as folder:
        path = Path(folder) / ex.file
        for part in mistakes.stub_parts(stub):
            path.write_text(mistakes.knock_out(reference, stub, part), encoding="utf-8")
            report = engine.grade(ex, path, hidden=True)
            failed = [c for c in report.checks if not c.passed]
            own = [c for c in report.checks if part in c.parts]
            rows.append({"exercise": ex.id, "part": part, "lost": report.max_score - report.score,
                         "own_points": sum(c.max_points for c in own),
                         "failed": [c.name for c in failed],
                         "others": [c.name for c in failed if part not in c.parts]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", help="exercise ids or unique prefixes (default: all)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    the_course = course.default()
    chosen = [the_course.find(e) for e in args.exercises] or list(the_course.exercises)
    rows = []
    print("| exercise | knocked-out part | points lost | points of its checks | other checks failed |")
    print("|---|---|---:|---:|---|")
    for ex in chosen:
        for row in knock_outs(ex):
            rows.append(row)
            print(f"| {row['exercise']} | {row['part']} | {row['lost']} | {row['own_points']} | "
                  f"{', '.join(row['others']) or '-'} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    sys.exit(main())
