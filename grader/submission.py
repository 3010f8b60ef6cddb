"""Turning a submission file into the Python source the worker runs.

A submission is a ``.py`` file or a Jupyter notebook. Notebooks are read and validated with
nbformat; their code cells are joined in order, and IPython-only lines (``%magic``,
``%%cell magic``, ``!shell``) are dropped and reported. If a file's top-level code cannot
run (it fails, or trains for longer than the budget), grading falls back to its
*definitions* (see :mod:`pttutor.grader.sandbox.loading`).

This module is plain Python (no torch).
"""

from __future__ import annotations

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
