"""A small made-up class to try batch grading on: written from the stubs and the reference
solutions, so it always matches the current exercises.

- alice: every exercise solved;
- bob: the first half solved, then untouched stubs, and (from three exercises on) the last
  one not handed in;
- carol: broken: a syntax error in one file, functions that return nothing in another;
- dana: notebooks instead of scripts, handed in as a .zip;
- erin: an endless loop in one exercise (it times out), solutions elsewhere.

:func:`status` says what happened to one result row, in a word or two, for the demo's table.
"""

from __future__ import annotations

import ast
import re
import zipfile
from pathlib import Path

from pttutor.grader.course import Exercise
from pttutor.grader.student.notebooks import notebook_from_source

STUDENTS = ("alice", "bob", "carol", "dana", "erin")


def _solution(ex: Exercise) -> str:
    return ex.solution_path.read_text(encoding="utf-8")


def _stub(ex: Exercise) -> str:
    return ex.stub_path.read_text(encoding="utf-8")


def _stalling(source: str) -> str:
    """``source`` with an endless loop at the start of its first function."""
    tree = ast.parse(source)
    first = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    body = first.body[1] if ast.get_docstring(first) and len(first.body) > 1 else first.body[0]
    lines = source.splitlines()
    indent = " " * body.col_offset
    lines.insert(body.lineno - 1, f"{indent}while True:\n{indent}    pass")
    return "\n".join(lines) + "\n"


def roles(exercises: list[Exercise]) -> dict[str, str]:
    """Who plays which part in the sample class of ``exercises``."""
    half = (len(exercises) + 1) // 2
    ids = [ex.id for ex in exercises]
    bob = f"solved {', '.join(ids[:half])}"
    if half < len(ids):
        stubs = ids[half:-1] if len(ids) > 2 else ids[half:]
        bob += f"; left the stub{'s' if len(stubs) > 1 else ''} of {', '.join(stubs)} untouched" if stubs else ""
        bob += f"; did not hand in {ids[-1]}" if len(ids) > 2 else ""
    carol = f"a syntax error in {', '.join(ids[::2])}"
    carol += f"; functions that return nothing in {', '.join(ids[1::2])}" if len(ids) > 1 else ""
    erin = (f"an endless loop in {ids[1]} (it times out); the rest solved" if len(ids) > 1
            else "every exercise solved")
    return {"alice": "every exercise solved", "bob": bob, "carol": carol,
            "dana": "every exercise solved, as notebooks in a .zip", "erin": erin}


def write_class(folder: Path, exercises: list[Exercise]) -> Path:
    """Write the sample class into ``folder`` (one entry per student) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    half = (len(exercises) + 1) // 2
    files: dict[str, dict[str, str]] = {name: {} for name in STUDENTS}
    for i, ex in enumerate(exercises):
        files["alice"][ex.file] = _solution(ex)
        if i < half or not (len(exercises) > 2 and i == len(exercises) - 1):
            files["bob"][ex.file] = _solution(ex) if i < half else _stub(ex)
        files["carol"][ex.file] = (_solution(ex).replace("def ", "def (", 1) if i % 2 == 0  # a syntax error
                                   else _solution(ex).replace("return ", "return None and "))  # returns nothing
        files["dana"][ex.notebook] = notebook_from_source(_solution(ex))
        files["erin"][ex.file] = _stalling(_solution(ex)) if i == 1 else _solution(ex)
    for name, content in files.items():
        if name == "dana":
            with zipfile.ZipFile(folder / "dana.zip", "w") as zf:
                for file, text in content.items():
                    zf.writestr(f"dana/{file}", text)
            continue
        (folder / name).mkdir(exist_ok=True)
        for file, text in content.items():
            (folder / name / file).write_text(text, encoding="utf-8")
    return folder


SYNTAX = re.compile(r"(cell \d+) has a syntax error at line (\d+)|Your file has a syntax error at line (\d+)")
TIMEOUT = ("did not finish within", "ran out of time")
BUDGET = "time budget"


def status(row: dict) -> str:
    """What happened to one result row: not submitted, refused, all checks passed, a syntax
    error, a timeout, not started, or how many checks failed."""
    if row.get("status") != "graded":
        message = str(row.get("message") or "")
        return str(row.get("status")) + (f": {message[:80]}" if message and message != row.get("status") else "")
    checks = [c for c in row.get("checks") or [] if isinstance(c, dict)]
    failed = [str(c.get("message", "")) for c in checks if not c.get("passed")]
    notes = [str(n) for n in row.get("notes") or []]
    found = []
    for note in notes:
        match = SYNTAX.search(note)
        if match:
            found.append(f"syntax error in {match.group(1)}, line {match.group(2)}" if match.group(1)
                         else f"syntax error at line {match.group(3)}")
    if any("could not be loaded" in m for m in failed):
        found.append("could not be loaded" + (": syntax error" if any("SyntaxError" in m for m in failed) else ""))
    timeouts = sum(any(t in m for t in TIMEOUT) for m in failed)
    slow = [f"timed out{f' in {timeouts} checks' if timeouts > 1 else ''}"] if timeouts else []
    slow += ["its time budget was used up"] if any(BUDGET in m for m in failed) else []
    if slow:
        found.append(", then ".join(slow))
    if failed and all("NotImplementedError" in m or "not done yet" in m for m in failed):
        found.append("not started (the stub)")
    if not failed:
        return "graded: every check passed"
    return "; ".join(found[:3]) if found else f"graded: {len(failed)} of {len(checks)} checks failed"


def table(rows: list[dict]) -> str:
    """The result rows as a small table: student, exercise, score, status."""
    lines = [f"{'student':<8} {'exercise':<24} {'score':>7}  status"]
    for row in sorted(rows, key=lambda r: (str(r.get("student")), str(r.get("exercise")))):
        score = f"{row.get('score', 0)}/{row.get('max_score', 0)}"
        lines.append(f"{str(row.get('student')):<8} {str(row.get('exercise')):<24} {score:>7}  {status(row)}")
    return "\n".join(lines)
