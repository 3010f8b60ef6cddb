"""pttutor: graded PyTorch exercises, with feedback where students work.

In a notebook (Jupyter, VS Code, Colab)::

    import pttutor
    pttutor.check("ex04-backprop")     # grades the code this kernel has run; shows every check
    pttutor.hint("ex04-backprop")
    pttutor.export("ex04-backprop")    # writes hand-in/ex04_backprop.ipynb, the file to hand in

Without an id, each uses the exercise the notebook was made for (``pttutor-grade init
--format ipynb`` records it in the notebook). The grading engine lives in
:mod:`pttutor.grader`; this module only forwards to it, so ``import pttutor`` stays light.
"""

from __future__ import annotations

import sys

__all__ = ["check", "export", "hint"]


def _shell():
    """The running IPython shell (a Jupyter kernel, Colab, terminal IPython), or None.

    Outside one (a script, or a grading worker re-running a notebook that calls these
    functions) there is no kernel history: ``check()`` and ``export()`` then do nothing but
    say so, without importing the grader, which a sandboxed worker may not even see.
    """
    ipython = sys.modules.get("IPython")  # never imported here: if absent, this is no IPython
    get = getattr(ipython, "get_ipython", None)
    return get() if get is not None else None


def _nothing(what: str, done: str, instead: str) -> None:
    print(f"pttutor.{what}() works in a notebook's kernel, and this is not one: nothing was {done}. {instead}")


class NotGraded:
    """What ``check()`` returns where there is nothing to grade (outside a notebook's kernel).

    Inert, so that a notebook whose cells use the result (``print(r.score)``,
    ``r.report.notes``, ``for c in r.checks``) still runs to the end when it is graded as a
    file: it is false and empty, its scores are None, and any other attribute, or calling
    it, gives itself.
    """

    score = max_score = passed = None
    checks: tuple = ()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<pttutor: not graded here (not in a notebook's kernel)>"


def check(exercise: str | None = None, *, path=None, saved: bool = False, show_output: bool = False,
          hidden: bool = False, device: str = "cpu", sandbox: str | None = None, seed: int = 0):
    """Grade an exercise and show every check's verdict, the score and the time used.

    By default the code graded is the code cells this kernel has run, in the order they
    ran, re-run from scratch in a fresh sandboxed worker under the same limits as
    ``pttutor-grade check``; nothing defined in the kernel itself is graded.
    ``saved=True`` grades the notebook as saved instead, and ``path`` a file (``.py`` or
    ``.ipynb``). ``show_output`` also shows what the code printed while it was graded.

    Returns the report: ``score``, ``max_score``, ``passed``, ``checks`` and more.
    """
    if path is None and _shell() is None:
        _nothing("check", "graded", "In a terminal use pttutor-grade check, or pass path=.")
        return NotGraded()
    from pttutor.grader.notebook.api import check as run

    return run(exercise, path=path, saved=saved, show_output=show_output, hidden=hidden, device=device,
               sandbox=sandbox, seed=seed)


def hint(exercise: str | None = None) -> None:
    """Show the hint of an exercise (by default the notebook's own)."""
    try:
        if exercise is None and _shell() is None:
            raise ImportError
        from pttutor.grader.notebook.api import hint as run
    except ImportError:  # no notebook to tell the exercise, or no grader to ask (a grading worker)
        _nothing("hint", "shown", "Name the exercise, or use pttutor-grade hint.")
        return None
    return run(exercise)


def export(exercise: str | None = None, *, to="hand-in", fmt: str | None = None, saved: bool = False):
    """Write the exercise file to hand in and return its path.

    By default it holds the code cells this kernel has run, in that order (what
    :func:`check` grades), as ``<to>/<exercise file>.ipynb``; ``fmt="py"`` writes a Python
    file instead, and ``saved=True`` copies the notebook as saved. ``to`` is a folder or a
    file name.
    """
    if _shell() is None:
        _nothing("export", "written", "Hand in your exercise file itself.")
        return None
    from pttutor.grader.notebook.api import export as run

    return run(exercise, to=to, fmt=fmt, saved=saved)
