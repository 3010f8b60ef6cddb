"""Turning a submission file into the Python source the worker runs.

A submission is a ``.py`` file or a Jupyter notebook. Notebooks are read and validated with
nbformat; their code cells are joined in order into one source, and each cell is a *unit*
the worker compiles and runs on its own, as a notebook runs them: a cell that does not
compile is left out and a cell that fails stops only itself, and the report names the cell.
IPython-only lines (``%magic``, ``%%cell magic``, ``!shell``) are dropped and reported. A
script is one unit; where it does not compile, the worker keeps the top-level blocks that
do. If a file's top-level code cannot run (it fails, or trains for longer than the budget),
grading falls back to its *definitions* (see :mod:`pttutor.grader.sandbox.loading`).

This module is plain Python (no torch); it parses nothing the student wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pttutor.grader.course import Exercise
from pttutor.grader.sandbox.loading import split_lines
from pttutor.grader.sandbox.parts import Parts, parts_of

MAGIC = re.compile(r"^(\s*)(%|!)")


class SubmissionFileError(ValueError):
    """The submission file cannot be read as a script or a notebook."""


class Unit(NamedTuple):
    """Lines of the source compiled and run on their own: one notebook cell."""

    first: int
    last: int
    label: str  # "cell 4": how the report names it


@dataclass
class Submission:
    path: Path
    source: str
    notes: list[str] = field(default_factory=list)
    units: tuple[Unit, ...] = ()  # a notebook's cells; () runs the source as one script


def _strip_ipython(cell: str, label: str, dropped: list[str]) -> str:
    lines = cell.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        dropped.append(f"{label}: {lines[0].strip()} (whole cell)")
        return ""
    out = []
    for line in lines:
        match = MAGIC.match(line)
        if match:
            dropped.append(f"{label}: {line.strip()}")
            out.append(f"{match.group(1)}pass")
        else:
            out.append(line)
    return "\n".join(out)


def _join(cells: Sequence[tuple[str, str]]) -> tuple[str, tuple[Unit, ...], list[str]]:
    """``(label, code)`` cells as one source (each after a ``# --- label ---`` line), a unit per
    cell that holds code, and the IPython-only lines dropped."""
    dropped: list[str] = []
    lines: list[str] = []
    units = []
    for label, cell in cells:
        code = _strip_ipython(cell, label, dropped)
        lines.append(f"# --- {label} ---\n")
        body = split_lines(code)
        if body and not body[-1].endswith(("\n", "\r")):
            body[-1] += "\n"
        if any(line.strip() for line in body):
            units.append(Unit(len(lines) + 1, len(lines) + len(body), label))
        lines += body
        lines.append("\n")
    return "".join(lines), tuple(units), dropped


def code_cells(text: str) -> list[tuple[str, str]]:
    """The code cells of a notebook's JSON text, in order, as ``("cell N", code)`` where N counts
    every cell from the top (markdown too); the notebook must be valid."""
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises many kinds of errors on malformed input
        raise SubmissionFileError(f"not a valid Jupyter notebook: {str(exc).splitlines()[0][:300]}") from None
    return [(f"cell {number}", cell.source) for number, cell in enumerate(nb.cells, 1) if cell.cell_type == "code"]


def notebook_source(text: str) -> tuple[str, list[str]]:
    """The code of a notebook, cells in order, with IPython-only lines dropped (and listed)."""
    source, _, dropped = _join(code_cells(text))
    return source, dropped


def from_cells(path: Path, cells: Sequence[str | tuple[str, str]]) -> Submission:
    """A submission made of code cells, each run on its own: the cells' code (named "cell 1",
    "cell 2", ...) or ``(label, code)`` pairs, e.g. a notebook's or those a kernel ran."""
    labelled = [cell if isinstance(cell, tuple) else (f"cell {number}", cell) for number, cell in enumerate(cells, 1)]
    source, units, dropped = _join(labelled)
    notes = []
    if dropped:
        notes.append("IPython-only lines were skipped: " + "; ".join(dropped[:10])
                     + (f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""))
    return Submission(path, source, notes, units)


def read_submission(path: Path) -> Submission:
    """Read a ``.py`` file or a notebook into the source the worker runs."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SubmissionFileError(f"{path.name} is not UTF-8 text") from None
    if path.suffix == ".ipynb":
        return from_cells(path, code_cells(text))
    return Submission(path, text)


def expected_parts(exercise: Exercise) -> Parts:
    """The functions, classes and data the exercise's stub defines (empty if it cannot be read)."""
    try:
        return parts_of(exercise.stub_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}
