"""The code a kernel has run, as a submission: its executed cells, in the order they ran.

A kernel's history (IPython's raw inputs ``In [1]`` to ``In [n]``) becomes a notebook with
one code cell per execution, numbered like the kernel numbered them, and is read like any
notebook file (:func:`pttutor.grader.submission.read_submission`): IPython-only lines are
dropped and listed; cells that raised when they ran are kept, as they are in a saved
notebook. A cell that is not Python once its IPython-only lines are dropped (a syntax
error, which did not run in the kernel either, or ``obj?`` help) is left out and listed,
so that one such cell does not keep every other cell from being graded.

Plain Python and nbformat (no torch): the grader process and the kernel (for ``export``) use it.
"""

from __future__ import annotations

import ast
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pttutor.grader.submission import Submission, read_submission

METADATA_KEY = "pttutor"  # notebook metadata: {"pttutor": {"exercise": "<id>"}}
CELL_MARK = re.compile(r"^# --- cell (\d+) ---$")  # how read_submission marks the start of each cell
CELL_NAME = re.compile(r"\bcell (\d+)\b")


def history_notebook(cells: Sequence[str], exercise_id: str | None = None, skip: Sequence[int] = (),
                     keep_empty: bool = True) -> str:
    """A notebook whose code cell ``n`` is ``cells[n - 1]`` (``In [n]``), as nbformat text.

    Cells numbered in ``skip`` are emptied; ``keep_empty=False`` leaves empty cells out
    (for a file to hand in, where the numbering no longer matters).
    """
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if exercise_id:
        nb.metadata[METADATA_KEY] = {"exercise": exercise_id}
    for number, code in enumerate(cells, 1):
        code = "" if number in skip else code
        if code.strip() or keep_empty:
            cell = nbformat.v4.new_code_cell(code)
            cell.execution_count = number
            nb.cells.append(cell)
    return nbformat.writes(nb)


def read_notebook_text(text: str, path: Path) -> Submission:
    """Read notebook ``text`` as the submission file ``path`` (which need not exist)."""
    with tempfile.TemporaryDirectory(prefix="pttutor-nb-") as tmp:
        file = Path(tmp) / "notebook.ipynb"
        file.write_text(text, encoding="utf-8")
        submission = read_submission(file)
    return Submission(path, submission.source, submission.notes)


def _not_python(source: str) -> dict[int, str]:
    """The cells of ``source`` (as read_submission joins them) that do not compile, and why."""
    chunks: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in source.splitlines():
        mark = CELL_MARK.match(line)
        if mark:
            current = chunks.setdefault(int(mark.group(1)), [])
        elif current is not None:
            current.append(line)
    bad = {}
    for number, lines in chunks.items():
        try:
            compile("\n".join(lines), f"In [{number}]", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as exc:
            where = f" on line {exc.lineno}" if exc.lineno else ""
            bad[number] = f"{exc.msg}{where}"
        except (ValueError, RecursionError, MemoryError) as exc:
            bad[number] = type(exc).__name__
    return bad


def read_history(cells: Sequence[str], path: Path, exercise_id: str | None = None) -> tuple[Submission, list[int]]:
    """The submission made of the cells a kernel ran (``cells[n - 1]`` is ``In [n]``), shown
    as the file ``path``; and the numbers of the cells left out because they are not Python."""
    submission = read_notebook_text(history_notebook(cells, exercise_id), path)
    bad = _not_python(submission.source)
    if bad:
        submission = read_notebook_text(history_notebook(cells, exercise_id, skip=list(bad)), path)
    notes = [CELL_NAME.sub(r"In [\1]", note) for note in submission.notes]
    if bad:
        listed = "; ".join(f"In [{n}] ({why})" for n, why in sorted(bad.items())[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        notes.append(f"Cells left out because they are not Python once IPython-only lines are dropped: {listed}{more}")
    return Submission(path, submission.source, notes), sorted(bad)
