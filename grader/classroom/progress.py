"""How a batch shows its progress: a bar with the time left on a terminal, one line per
result otherwise (a log file, CI)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import click

from pttutor.grader.safetext import clean


@contextlib.contextmanager
def progress(total: int, tty: bool) -> Iterator[Callable[[list[dict]], None]]:
    """A callback for the rows a batch produces, showing how far it is."""
    if tty:
        with click.progressbar(length=total, label="Grading", show_eta=True, show_pos=True) as bar:
            yield lambda rows: bar.update(len(rows))
        return
    count = 0

    def report(rows: list[dict]) -> None:
        nonlocal count
        for row in rows:
            count += 1
            click.echo(clean(f"[{count}/{total}] {row['student']} {row['exercise']}: "
                             f"{row['score']}/{row['max_score']} ({row['status']})"))

    yield report
