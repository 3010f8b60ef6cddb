"""Canvas: the gradebook CSV its importer takes, built on the roster Canvas exports.

The roster is the file "Export Entire Gradebook" writes: a header ``Student, ID, SIS User ID,
SIS Login ID, Section, <assignment> (<id>), ...``, sometimes a "Points Possible" row, then one
row per student. Submission folders are matched to roster students by SIS Login ID, SIS User
ID, Canvas ID, email (an Email column, or the part before ``@`` against the SIS Login ID) or
name ("Last, First", "First Last" or "Last First"; case, ``_``, ``.`` and ``-`` ignored), in that order: the
first key that names exactly one student wins, two or more is ambiguous.

``canvas.csv`` has the importer's columns, copied from the roster, then one column per
exercise: the roster's own column, with its ``(id)``, where one is named like the exercise
(its id, an id followed by more text, or its title), so that Canvas updates that assignment;
otherwise a new column named after the exercise, which Canvas creates. A ``Points Possible``
row follows the header. Every roster student gets a row; missing work is 0, or an empty cell
with ``missing="blank"`` (which Canvas leaves unchanged). ``canvas-matching.csv`` lists every
match, every submission that matched nobody and every student without a submission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.platforms.feedback import score_cell
from pttutor.grader.platforms.spreadsheet import csv_text, read_rows

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
REQUIRED = ("Student", "ID")
POINTS_POSSIBLE = "Points Possible"
NOT_STUDENTS = {"points possible", "manual posting"}
EMAIL_COLUMNS = ("Email", "Email Address", "E-mail")
ASSIGNMENT = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")
KEYS = ("SIS Login ID", "SIS User ID", "ID", "email", "name")


class RosterError(ValueError):
    """The roster is not a Canvas gradebook export; the message says what is wrong."""


@dataclass(frozen=True)
class Person:
    fields: dict[str, str]

    def get(self, column: str) -> str:
        return self.fields.get(column, "").strip()

    def keys(self, kind: str) -> set[str]:
        if kind == "email":
            return {self.get(c).casefold() for c in EMAIL_COLUMNS if "@" in self.get(c)}
        if kind == "name":
            name = self.get("Student")
            last, comma, first = name.partition(",")
            forms = {name, f"{first} {last}", f"{last} {first}"} if comma else {name}
            return {_name_key(form) for form in forms} - {""}
        value = self.get(kind).casefold()
        return {value} if value else set()


@dataclass
class Roster:
    students: list[Person]
    assignments: list[tuple[str, str]]  # (column header, name without the id)


def _name_key(text: str) -> str:
    return " ".join(re.split(r"[\s_.\-]+", text.casefold())).strip()


def read_roster(path: Path) -> Roster:
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc})") from None
    if not rows:
        raise RosterError(f"{path} is empty; export the gradebook from Canvas (Grades > Export)")
    header = [h.strip() for h in rows[0]]
    absent = [c for c in REQUIRED if c not in header]
    if absent:
        raise RosterError(f"{path} is not a Canvas gradebook export: its header has no {' or '.join(absent)} "
                          f"column (found: {', '.join(header[:8]) or 'nothing'})")
    students = []
    for values in rows[1:]:
        person = Person(dict(zip(header, values)))
        if person.get("Student").casefold() in NOT_STUDENTS or not any(person.get(c) for c in IDENTITY[1:4]):
            continue
        students.append(person)
    assignments = [(h, m["name"]) for h in header if h not in IDENTITY and (m := ASSIGNMENT.match(h))]
    return Roster(students, assignments)


@dataclass
class Matching:
    matched: dict[str, tuple[int, str]] = field(default_factory=dict)  # submission -> (roster index, key)
    unmatched: dict[str, str] = field(default_factory=dict)  # submission -> why
    without_submission: list[int] = field(default_factory=list)  # roster indexes


def match(roster: Roster, submissions: list[str]) -> Matching:
    result = Matching()
    taken: dict[int, str] = {}
    for sub in submissions:
        exact, as_name = sub.strip().casefold(), _name_key(sub)
        local = exact.partition("@")[0] if "@" in exact else None
        found: list[int] = []
        for kind in KEYS:
            wanted = {as_name} if kind == "name" else {exact}
            found = [i for i, p in enumerate(roster.students) if wanted & p.keys(kind)]
            if not found and kind == "email" and local:
                found = [i for i, p in enumerate(roster.students) if local in p.keys("SIS Login ID")]
            if found:
                break
        if len(found) > 1:
            names = ", ".join(roster.students[i].get("Student") for i in found)
            result.unmatched[sub] = f"ambiguous: could be any of {names}"
        elif not found:
            result.unmatched[sub] = "no roster student has this login, id, email or name"
        elif found[0] in taken:
            result.unmatched[sub] = f"{roster.students[found[0]].get('Student')} already matched {taken[found[0]]}"
        else:
            taken[found[0]] = sub
            result.matched[sub] = (found[0], kind)
    result.without_submission = [i for i in range(len(roster.students)) if i not in taken]
    return result


def _title(exercise_id: str) -> str:
    try:
        return course.default().get(exercise_id).title
    except KeyError:
        return ""


def columns(roster: Roster, exercises: list[str]) -> list[str]:
    """The header of each exercise's column: the roster's assignment named like it, else the id."""
    chosen = []
    for exercise_id in exercises:
        title = _title(exercise_id).casefold()
        own = [h for h, name in roster.assignments
               if re.match(rf"{re.escape(exercise_id)}(?![a-z0-9-])", name.casefold())
               or (title and name.casefold() == title)]
        chosen.append(own[0] if own else exercise_id)
    return chosen


def gradebook(rows: list[dict], roster: Roster, exercises: list[str], missing: str = "zero") -> tuple[str, str, list[str]]:
    """``canvas.csv``, ``canvas-matching.csv``, and a line for each submission or student left out."""
    table = {(row["student"], row["exercise"]): row for row in rows}
    submissions = sorted({row["student"] for row in rows})
    matching = match(roster, submissions)
    by_index = {index: sub for sub, (index, _) in matching.matched.items()}
    points: dict[str, object] = {}
    for row in rows:
        points.setdefault(row["exercise"], row.get("max_score", 0))
    lines = [[*IDENTITY, *columns(roster, exercises)],
             [POINTS_POSSIBLE, *[""] * (len(IDENTITY) - 1), *(points.get(e, 0) for e in exercises)]]
    for index, person in enumerate(roster.students):
        sub = by_index.get(index)
        lines.append([person.get(c) for c in IDENTITY]
                     + [score_cell(table.get((sub, e)) if sub else None, missing) for e in exercises])
    report = [["submission", "Student", "ID", "SIS Login ID", "matched by"]]
    problems = []
    for sub in submissions:
        if sub in matching.matched:
            index, key = matching.matched[sub]
            person = roster.students[index]
            report.append([sub, person.get("Student"), person.get("ID"), person.get("SIS Login ID"), key])
        else:
            report.append([sub, "", "", "", f"NOT MATCHED: {matching.unmatched[sub]}"])
            problems.append(f"submission {sub!r} matches no roster student ({matching.unmatched[sub]})")
    for index in matching.without_submission:
        person = roster.students[index]
        report.append(["", person.get("Student"), person.get("ID"), person.get("SIS Login ID"), "NO SUBMISSION"])
        problems.append(f"{person.get('Student')} (ID {person.get('ID')}) has no submission")
    return csv_text(lines), csv_text(report), problems
