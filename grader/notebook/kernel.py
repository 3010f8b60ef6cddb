"""What the kernel knows about the student's work: the code it ran and the notebook it runs.

The code is IPython's raw input history (``In [1]`` to ``In [n]``: every executed cell, in
execution order, as typed). The notebook is found where the front end says where it is:
VS Code names it in ``__vsc_ipynb_file__``, Jupyter Server in ``$JPY_SESSION_NAME``, and
Colab (whose notebooks live in Google Drive, not in a file) hands over its content on
request. The exercise a notebook was made for is in its metadata
(``{"pttutor": {"exercise": id}}``, written by ``pttutor-grade init --format ipynb``), else
in its file name.

Everything here runs in the kernel and is only as trustworthy as the kernel: it chooses
what to grade, never how.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pttutor import _shell as shell  # noqa: F401  (the running IPython shell, or None)
from pttutor.grader import course
from pttutor.grader.notebook.history import METADATA_KEY

SESSION_ENV = "JPY_SESSION_NAME"
VSCODE_NAME = "__vsc_ipynb_file__"


class NotebookNotFound(LookupError):
    """The kernel cannot tell which notebook, or which exercise, it is running."""


def executed_cells(ip) -> list[str]:
    """The cells the kernel ran, as typed: element ``n - 1`` is ``In [n]``."""
    return [str(cell) for cell in list(ip.history_manager.input_hist_raw)[1:]]


@dataclass
class Notebook:
    """The notebook a kernel runs: its file where there is one, its content where it was read."""

    path: Path | None
    text: str | None

    @property
    def data(self) -> dict:
        try:
            data = json.loads(self.text) if self.text is not None else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def exercise_id(self) -> str | None:
        """The exercise recorded in the notebook's metadata, else the one its file is named after."""
        meta = self.data.get("metadata")
        recorded = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
        if isinstance(recorded, dict) and isinstance(recorded.get("exercise"), str):
            return recorded["exercise"]
        if self.path is not None:
            for ex in course.default().exercises:
                if self.path.name in (ex.notebook, ex.file):
                    return ex.id
        return None


def _colab_notebook() -> str | None:
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import _message  # type: ignore[import-not-found]

        reply = _message.blocking_request("get_ipynb", request="", timeout_sec=30)
    except Exception:  # Colab's private messaging changed or timed out: no notebook
        return None
    notebook = reply.get("ipynb") if isinstance(reply, dict) else None
    return json.dumps(notebook) if isinstance(notebook, dict) else None


def notebook_file(path: Path) -> Notebook:
    """A file as a :class:`Notebook` (its content read where it is a readable notebook)."""
    path = path.expanduser().resolve()
    try:
        text = path.read_text(encoding="utf-8") if path.suffix == ".ipynb" else None
    except (OSError, UnicodeDecodeError):
        text = None
    return Notebook(path, text)


def this_notebook(ip, ask_front_end: bool = True) -> Notebook | None:
    """The notebook this kernel runs, where the front end tells (None elsewhere).

    ``ask_front_end=False`` only looks for a file (asking Colab for the notebook's content
    is a round trip to the browser).
    """
    names = [ip.user_ns.get(VSCODE_NAME) if ip is not None else None, os.environ.get(SESSION_ENV)]
    for name in names:
        if isinstance(name, str) and name.endswith(".ipynb") and Path(name).is_file():
            return notebook_file(Path(name))
    text = _colab_notebook() if ask_front_end else None
    return Notebook(None, text) if text is not None else None


def exercise_for(exercise: str | None, notebook: Notebook | None) -> course.Exercise:
    """The exercise named (an id, a unique start of one, a file name), else the notebook's own."""
    if exercise is None:
        found = notebook.exercise_id() if notebook is not None else None
        if found is None:
            where = ("this notebook does not say which exercise it is for" if notebook is not None
                     else "cannot tell which notebook this kernel runs")
            raise NotebookNotFound(f"{where}: name the exercise, e.g. pttutor.check(\"ex02-cost-surface\")")
        exercise = found
    if not isinstance(exercise, str):
        raise TypeError(f"the exercise is named by a string such as \"ex02-cost-surface\", not {exercise!r}")
    return course.default().find(exercise)
