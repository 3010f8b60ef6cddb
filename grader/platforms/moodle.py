"""Moodle: a CSV its grade import ("Import > CSV file") maps without manual work.

One identifier column, then per exercise a grade column ``<exercise> (Real)`` and a feedback
column ``<exercise> (Feedback)``: Moodle's import form maps a column named ``<item> (Real)`` to
the grade item called ``<item>`` and ``<item> (Feedback)`` to its feedback, and maps the
identifier column by its name: ``Email address`` when every student id is an email,
``ID number`` when every one is a number, ``Username`` otherwise. Name the grade items after
the exercise ids (or pick "New grade item" in the form). Missing work is 0, or an empty cell
with ``missing="blank"``. Feedback is the plain-text view of :mod:`.feedback`.
"""

from __future__ import annotations

from pttutor.grader.platforms.feedback import plain, score_cell
from pttutor.grader.platforms.spreadsheet import csv_text


def identifier(students: list[str]) -> str:
    if students and all("@" in s for s in students):
        return "Email address"
    if students and all(s.isdigit() for s in students):
        return "ID number"
    return "Username"


def gradebook(rows: list[dict], students: list[str], exercises: list[str], missing: str = "zero",
              show_hidden: bool = False) -> str:
    table = {(row["student"], row["exercise"]): row for row in rows}
    header = [identifier(students)]
    for exercise_id in exercises:
        header += [f"{exercise_id} (Real)", f"{exercise_id} (Feedback)"]
    lines = [header]
    for student in students:
        line = [student]
        for exercise_id in exercises:
            row = table.get((student, exercise_id))
            line += [score_cell(row, missing), plain(row, exercise_id, show_hidden)]
        lines.append(line)
    return csv_text(lines)
