"""A small made-up class to try batch grading on: written from the stubs and the reference
solutions, so it always matches the current exercises.

- alice: every exercise solved;
- bob: the first half solved, the rest untouched stubs;
- carol: broken: a syntax error in one file, a crash in another;
- dana: notebooks instead of scripts, handed in as a .zip;
- erin: an endless loop in one exercise (it times out), solutions elsewhere.
"""

from __future__ import annotations

import ast
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


def write_class(folder: Path, exercises: list[Exercise]) -> Path:
    """Write the sample class into ``folder`` (one entry per student) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    half = (len(exercises) + 1) // 2
    files: dict[str, dict[str, str]] = {name: {} for name in STUDENTS}
    for i, ex in enumerate(exercises):
        files["alice"][ex.file] = _solution(ex)
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
