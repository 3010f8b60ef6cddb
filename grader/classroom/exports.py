"""The gradebook and the exports an LMS or Gradescope can import, written from result rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pttutor.grader.atomicfile import write_atomic

FORMATS = ("gradescope", "lms")


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def scores(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(row["student"], row["exercise"]): row for row in rows}


def gradebook(rows: list[dict], students: list[str], exercises: list[str]) -> str:
    """``student, <one column per exercise id>, total``: one line per student."""
    table = scores(rows)
    lines = [["student", *exercises, "total"]]
    for student in students:
        values = [table.get((student, e), {}).get("score", 0) for e in exercises]
        lines.append([student, *values, sum(values)])
    return _csv(lines)


def lms(rows: list[dict], students: list[str], exercises: list[str]) -> str:
    """A CSV Canvas or Moodle can import: the student id, then one column per exercise."""
    table = scores(rows)
    lines = [["Student ID", *exercises]]
    for student in students:
        lines.append([student, *(table.get((student, e), {}).get("score", 0) for e in exercises)])
    return _csv(lines)


def gradescope(rows: list[dict], student: str, exercises: list[str]) -> str:
    """Gradescope's ``results.json`` for one student: a test per check, a score in total."""
    table = scores(rows)
    tests = []
    for exercise in exercises:
        row = table.get((student, exercise))
        if row is None or not row.get("checks"):
            tests.append({"name": exercise, "score": 0, "max_score": row["max_score"] if row else 0,
                          "output": row["message"] if row else "not graded", "visibility": "visible"})
            continue
        for check in row["checks"]:
            tests.append({
                "name": f"{exercise}: {check['description']}",
                "score": check["points"], "max_score": check["max_points"],
                "output": check["message"],
                "visibility": "after_published" if check["hidden"] else "visible",
            })
    total = sum(table.get((student, e), {}).get("score", 0) for e in exercises)
    return json.dumps({"score": total, "tests": tests}, indent=2)


def write_exports(out: Path, rows: list[dict], students: list[str], exercises: list[str],
                  formats: tuple[str, ...]) -> list[Path]:
    written = [out / "gradebook.csv"]
    write_atomic(written[0], gradebook(rows, students, exercises))
    if "lms" in formats:
        written.append(out / "lms.csv")
        write_atomic(written[-1], lms(rows, students, exercises))
    if "gradescope" in formats:
        for student in students:
            folder = out / "gradescope" / student
            folder.mkdir(parents=True, exist_ok=True)
            written.append(folder / "results.json")
            write_atomic(written[-1], gradescope(rows, student, exercises))
    return written
