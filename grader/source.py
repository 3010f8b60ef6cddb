"""Turning a submission file into the Python source the worker runs.

A submission is a ``.py`` file or a Jupyter notebook. Notebooks are read and validated with
nbformat; their code cells are joined in order, and IPython-only lines (``%magic``,
``%%cell magic``, ``!shell``) are dropped and reported. If a file's top-level code cannot
run (it fails, or trains for longer than the budget), grading falls back to its
*definitions*: imports, functions, classes and assignments, each run on its own.

This module is plain Python (no torch): the grader and the worker both use it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = re.compile(r"^(\s*)(%|!)")


class SubmissionFileError(ValueError):
    """The submission file cannot be read as a script or a notebook."""


@dataclass
class Submission:
    path: Path
    source: str
    notes: list[str] = field(default_factory=list)


def _strip_ipython(cell: str, cell_no: int, dropped: list[str]) -> str:
    lines = cell.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        dropped.append(f"cell {cell_no}: {lines[0].strip()} (whole cell)")
        return ""
    out = []
    for line in lines:
        match = MAGIC.match(line)
        if match:
            dropped.append(f"cell {cell_no}: {line.strip()}")
            out.append(f"{match.group(1)}pass")
        else:
            out.append(line)
    return "\n".join(out)


def notebook_source(text: str) -> tuple[str, list[str]]:
    """The code of a notebook, cells in order, with IPython-only lines dropped."""
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises many kinds of errors on malformed input
        raise SubmissionFileError(f"not a valid Jupyter notebook: {str(exc).splitlines()[0][:300]}") from None
    dropped: list[str] = []
    cells = []
    code_no = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_no += 1
        code = _strip_ipython(cell.source, code_no, dropped)
        cells.append(f"# --- cell {code_no} ---\n{code}\n")
    return "\n".join(cells), dropped


def read_submission(path: Path) -> Submission:
    """Read a ``.py`` file or a notebook into the source the worker runs."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SubmissionFileError(f"{path.name} is not UTF-8 text") from None
    if path.suffix == ".ipynb":
        source, dropped = notebook_source(text)
        notes = []
        if dropped:
            notes.append("IPython-only lines were skipped: " + "; ".join(dropped[:10])
                         + (f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""))
        return Submission(path, source, notes)
    return Submission(path, text)


# ----------------------------------------------------------------------- definitions-only fallback

LEVELS = ("full", "definitions", "signatures")


def _literal(node: ast.AST | None) -> bool:
    if node is None:
        return True
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _keep(node: ast.stmt, level: str) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return level == "definitions" or _literal(node.value)
    return False


def statements(source: str, filename: str, level: str) -> list[tuple[int, object]]:
    """The statements run at a fallback ``level``, compiled one by one, with their line numbers.

    ``definitions`` keeps imports, functions, classes and every plain assignment;
    ``signatures`` keeps only assignments of literal values (for a file whose assignments
    themselves train a model or read a missing file).
    """
    tree = ast.parse(source, filename)
    out = []
    for node in tree.body:
        if _keep(node, level):
            module = ast.Module(body=[node], type_ignores=[])
            out.append((node.lineno, compile(module, filename, "exec")))
    return out
