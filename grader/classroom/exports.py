"""The gradebook and the exports a platform can import, all written from result rows.

Everything here is a function of ``results.jsonl`` alone (plus the Canvas roster), so
``batch`` (at the end, and after ``--resume``) and ``pttutor-grade export`` (later, without
grading) write the same files. Students come in id order and exercises in course order.

| format | files | for |
| --- | --- | --- |
| (always) | ``gradebook.csv`` | student, one column per exercise, total |
| ``lms`` | ``lms.csv`` | ``Student ID`` and one column per exercise (a generic CSV) |
| ``canvas`` | ``canvas.csv``, ``canvas-matching.csv`` | Canvas's gradebook importer (needs the roster) |
| ``moodle`` | ``moodle.csv`` | Moodle's grade import: identifier, grade and feedback per exercise |
| ``gradescope`` | ``gradescope/<student>/results.json`` | Gradescope's results format (not uploadable; see ``autograder``) |
| ``feedback`` | ``feedback/<student>.md`` and ``.html`` | handing students their feedback |

Every CSV cell is escaped against spreadsheet formulas (:mod:`pttutor.grader.platforms.spreadsheet`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.atomicfile import write_atomic
from pttutor.grader.platforms import canvas, feedback, gradescope, moodle
from pttutor.grader.platforms.spreadsheet import csv_text

FORMATS = ("lms", "canvas", "moodle", "gradescope", "feedback")
MISSING = ("zero", "blank")


class ExportError(ValueError):
    """The exports cannot be written as asked (a missing or malformed roster, no results)."""


@dataclass(frozen=True)
class Settings:
    formats: tuple[str, ...] = ()
    roster: Path | None = None  # the Canvas gradebook export (for "canvas")
    missing: str = "zero"  # missing work in canvas.csv and moodle.csv: 0, or "blank" (an empty cell)
    show_hidden_feedback: bool = False  # hidden checks' messages in feedback files and moodle.csv

    def check(self) -> canvas.Roster | None:
        """Refuse settings that cannot work before any grading starts; the roster, read."""
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise ExportError(f"unknown export format(s) {', '.join(unknown)}; use {', '.join(FORMATS)}")
        if self.missing not in MISSING:
            raise ExportError(f"--missing must be one of {', '.join(MISSING)}")
        if "canvas" not in self.formats:
            return None
        if self.roster is None:
            raise ExportError("--format canvas needs --roster: the CSV Canvas exports from its gradebook")
        try:
            return canvas.read_roster(self.roster)
        except canvas.RosterError as exc:
            raise ExportError(str(exc)) from None


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the instructor must look at (unmatched students)


def plan(rows: list[dict]) -> tuple[list[str], list[str]]:
    """The students (id order) and exercises (course order, then any others) in ``rows``."""
    students = sorted({row["student"] for row in rows})
    present = {row["exercise"] for row in rows}
    ordered = [ex.id for ex in course.default().exercises if ex.id in present]
    return students, ordered + sorted(present - set(ordered))


def gradebook(rows: list[dict], students: list[str], exercises: list[str]) -> str:
    """``student, <one column per exercise id>, total``: one line per student."""
    table = {(row["student"], row["exercise"]): row for row in rows}
    lines = [["student", *exercises, "total"]]
    for student in students:
        values = [table.get((student, e), {}).get("score", 0) for e in exercises]
        lines.append([student, *values, sum(values)])
    return csv_text(lines)


def lms(rows: list[dict], students: list[str], exercises: list[str]) -> str:
    """A generic CSV: the student id, then one column per exercise (see canvas and moodle for importers)."""
    table = {(row["student"], row["exercise"]): row for row in rows}
    lines = [["Student ID", *exercises]]
    lines += [[s, *(table.get((s, e), {}).get("score", 0) for e in exercises)] for s in students]
    return csv_text(lines)


def _write(written: Written, path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    written.paths.append(path)


def write_exports(out: Path, rows: list[dict], settings: Settings = Settings()) -> Written:
    """Write ``gradebook.csv`` and every export ``settings`` asks for into ``out``."""
    roster = settings.check()
    students, exercises = plan(rows)
    odd = [s for s in students if not s or s.startswith(".") or any(c in s for c in "/\\\0")]
    if odd:  # ids name files below out/; batch never makes such ids, an edited results.jsonl could
        raise ExportError(f"student ids that cannot name a file: {', '.join(map(repr, odd))}")
    by_student: dict[str, list[dict]] = {s: [] for s in students}
    for row in rows:
        by_student[row["student"]].append(row)
    written = Written()
    _write(written, out / "gradebook.csv", gradebook(rows, students, exercises))
    if "lms" in settings.formats:
        _write(written, out / "lms.csv", lms(rows, students, exercises))
    if roster is not None:
        table, matching, written.problems = canvas.gradebook(rows, roster, exercises, settings.missing)
        _write(written, out / "canvas.csv", table)
        _write(written, out / "canvas-matching.csv", matching)
    if "moodle" in settings.formats:
        _write(written, out / "moodle.csv",
               moodle.gradebook(rows, students, exercises, settings.missing, settings.show_hidden_feedback))
    for student in students:
        mine = by_student[student]
        if "gradescope" in settings.formats:
            _write(written, out / "gradescope" / student / "results.json",
                   json.dumps(gradescope.results(mine, exercises), indent=2) + "\n")
        if "feedback" in settings.formats:
            show = settings.show_hidden_feedback
            _write(written, out / "feedback" / f"{student}.md", feedback.markdown(student, mine, exercises, show))
            _write(written, out / "feedback" / f"{student}.html", feedback.html_page(student, mine, exercises, show))
    return written
