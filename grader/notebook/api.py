"""``pttutor.check``, ``pttutor.hint`` and ``pttutor.export``: what a notebook student calls.

They run in the kernel, which only gathers what to grade (:mod:`.kernel`) and shows the
report (:mod:`.view`); grading happens in the kernel's grader process (:mod:`.client`).
What they do outside an IPython kernel (nothing, and say so) is decided in the top-level
package before this module is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

from pttutor.grader.course import Exercise
from pttutor.grader.notebook import kernel
from pttutor.grader.notebook.client import GraderUnavailable
from pttutor.grader.notebook.view import NotebookReport, report_from_dict


class CheckError(Exception):
    """What was asked cannot be done; the message says why and what to do instead."""


def _exercise(exercise: str | None, notebook: kernel.Notebook | None) -> Exercise:
    try:
        return kernel.exercise_for(exercise, notebook)
    except (KeyError, kernel.NotebookNotFound) as exc:
        raise CheckError(exc.args[0]) from None


def _show(shown, ip) -> None:
    """Show ``shown`` (which has ``text()`` and a rich form) in the notebook, or print it."""
    if ip is None:
        print(shown.text())
        return
    from IPython.display import display

    display(shown)


def _record_progress(ex: Exercise, result: NotebookReport, folder: Path) -> None:
    """Keep the workspace's progress (``pttutor-grade list``) up to date, as ``pttutor-grade check`` does."""
    from pttutor.grader.student.workspace import Workspace

    workspace = Workspace.here(folder)
    if workspace is not None and workspace.root.resolve() == folder.resolve():
        try:
            workspace.record(ex.id, result.score, result.max_score, result.passed)
        except OSError:
            pass


def check(exercise: str | None = None, *, path=None, saved: bool = False, show_output: bool = False,
          hidden: bool = False, device: str = "cpu", sandbox: str | None = None, seed: int = 0):
    """See :func:`pttutor.check`."""
    from pttutor.grader.notebook import client

    ip = kernel.shell()
    if ip is None and path is None:
        raise CheckError("outside a notebook's kernel there is no history to grade: pass path=")
    options: dict = {"hidden": bool(hidden), "device": str(device), "seed": int(seed)}
    sandbox = sandbox or os.environ.get("PTTUTOR_SANDBOX")
    if sandbox:
        options["sandbox"] = str(sandbox)
    payload: dict = {"cwd": os.getcwd(), "options": options}
    if path is not None:
        file = kernel.notebook_file(Path(path))
        ex = _exercise(exercise, file)
        payload["path"] = str(file.path)
        folder, graded = file.path.parent, f"the file {file.path}"
    else:
        notebook = kernel.this_notebook(ip, ask_front_end=exercise is None or saved)
        ex = _exercise(exercise, notebook)
        folder = Path.cwd()
        if notebook is not None and notebook.path is not None:
            payload["notebook"] = str(notebook.path)
            folder = notebook.path.parent
        if saved:
            if notebook is None or notebook.text is None:
                raise CheckError("cannot find this notebook as saved; save it, or pass path=\"...ipynb\"")
            if notebook.path is not None:
                payload["path"] = str(notebook.path)
                graded = f"the notebook as saved in {notebook.path}"
            else:
                payload["text"] = notebook.text
                graded = "the notebook as saved"
        else:
            payload["cells"] = kernel.executed_cells(ip)
            count = len(payload["cells"])
            graded = (f"the {count} cells this kernel ran (In [1] to In [{count}]), in the order they ran, "
                      "re-run from scratch in a fresh worker")
    payload["exercise"] = ex.id
    try:
        data = client.grade(payload)
    except (ValueError, GraderUnavailable) as exc:
        raise CheckError(str(exc)) from None
    result = NotebookReport(report_from_dict(data), graded, hidden_points=int(data.get("hidden_points") or 0),
                            show_output=show_output)
    if not hidden:
        _record_progress(ex, result, folder)
    _show(result, ip)
    return result


class _Hint:
    def __init__(self, ex: Exercise) -> None:
        self.ex = ex

    def text(self) -> str:
        return f"{self.ex.id}: {self.ex.title}\n\n{self.ex.hint}\n\nCourse: {self.ex.course}"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from html import escape

        html = (f"<p><b>{escape(self.ex.id)}</b> {escape(self.ex.title)}</p>"
                f'<pre style="white-space:pre-wrap">{escape(self.ex.hint)}</pre>'
                f"<p>Course: {escape(self.ex.course)}</p>")
        return {"text/html": html, "text/plain": self.text()}


def hint(exercise: str | None = None) -> None:
    """See :func:`pttutor.hint`."""
    ip = kernel.shell()
    notebook = kernel.this_notebook(ip) if ip is not None and exercise is None else None
    shown = _Hint(_exercise(exercise, notebook))
    _show(shown, ip)
    return None


def export(exercise: str | None = None, *, to="hand-in", fmt: str | None = None, saved: bool = False):
    """See :func:`pttutor.export`."""
    from pttutor.grader.atomicfile import write_atomic
    from pttutor.grader.notebook.history import history_notebook, read_history, read_notebook_text
    from pttutor.grader.student.workspace import STATE_FILE

    ip = kernel.shell()
    if ip is None:
        raise CheckError("outside a notebook's kernel there are no executed cells to export")
    notebook = kernel.this_notebook(ip, ask_front_end=exercise is None or saved)
    ex = _exercise(exercise, notebook)
    target = Path(to)
    if target.suffix in (".py", ".ipynb"):
        fmt = fmt or target.suffix[1:]
    else:
        fmt = fmt or "ipynb"
        target = target / (ex.notebook if fmt == "ipynb" else ex.file)
    if fmt not in ("py", "ipynb") or target.suffix != f".{fmt}":
        raise CheckError(f"cannot write a {fmt!r} file as {target.name}: use fmt=\"ipynb\" or fmt=\"py\"")
    if target.exists() and ((notebook is not None and target.resolve() == notebook.path)
                            or (target.parent / STATE_FILE).is_file()):
        raise CheckError(f"{target} is your exercise file itself (the one you work in); "
                         "export to another folder, e.g. to=\"hand-in\"")
    if saved:
        if notebook is None or notebook.text is None:
            raise CheckError("cannot find this notebook as saved; save it first, or export the cells this kernel ran")
        content = notebook.text if fmt == "ipynb" else read_notebook_text(notebook.text, target).source
        what = "the notebook as saved"
    else:
        cells = kernel.executed_cells(ip)
        submission, left_out = read_history(cells, target, ex.id)
        content = (history_notebook(cells, ex.id, skip=left_out, keep_empty=False) if fmt == "ipynb"
                   else submission.source)
        kept = sum(1 for n, code in enumerate(cells, 1) if code.strip() and n not in left_out)
        what = f"the {kept} cells this kernel ran, in the order they ran"
        for note in submission.notes:
            print(f"note: {note}")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, content)
    print(f"Wrote {target}: {what}. Hand in this file.")
    return target
