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

__all__ = ["check", "export", "hint"]


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
    from pttutor.grader.notebook.api import check as run

    return run(exercise, path=path, saved=saved, show_output=show_output, hidden=hidden, device=device,
               sandbox=sandbox, seed=seed)


def hint(exercise: str | None = None) -> None:
    """Show the hint of an exercise (by default the notebook's own)."""
    from pttutor.grader.notebook.api import hint as run

    return run(exercise)


def export(exercise: str | None = None, *, to="hand-in", fmt: str | None = None, saved: bool = False):
    """Write the exercise file to hand in and return its path.

    By default it holds the code cells this kernel has run, in that order (what
    :func:`check` grades), as ``<to>/<exercise file>.ipynb``; ``fmt="py"`` writes a Python
    file instead, and ``saved=True`` copies the notebook as saved. ``to`` is a folder or a
    file name.
    """
    from pttutor.grader.notebook.api import export as run

    return run(exercise, to=to, fmt=fmt, saved=saved)
