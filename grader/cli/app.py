"""The ``pttutor-grade`` command group and what its commands share.

Heavy modules (torch, pytest, nbformat) are imported only by the commands that grade, so
``pttutor-grade --help``, ``--version``, ``list`` and ``hint`` answer at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pttutor.grader import __version__, course
from pttutor.grader.course import Exercise

DEVICE_CHOICE = click.Choice(["cpu", "cuda", "auto"])
sandbox_option = click.option(
    "--sandbox", type=click.Choice(["auto", "full", "container", "process"]), envvar="PTTUTOR_SANDBOX",
    default="auto", show_default=True,
    help="Isolation of the code being graded: full (namespaces, own root file system, own user id); container "
    "(for containers without CAP_SYS_ADMIN: an unprivileged user id of its own); process (no isolation: "
    "development only). auto is full where reference solutions are installed (grading refuses to start "
    "where it cannot be built) and the strongest available in the student kit.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pttutor-grade")
def main() -> None:
    """Graded PyTorch exercises: check your work, get hints, grade a class."""


def exercise(text: str) -> Exercise:
    """The exercise named by ``text`` (an id, a unique prefix of one, or a file name), or a usage error."""
    try:
        return course.default().find(text)
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None


def exercises(groups: tuple[str, ...]) -> list[Exercise]:
    """Exercises named in repeated or comma-separated options; all of them when none is named."""
    names = [i for group in groups for i in group.split(",") if i]
    return [exercise(i) for i in names] if names else list(course.default().exercises)


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def paint(text: str, code: str) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color() else text


def grade(ex: Exercise, path: Path, **options):
    """Grade one file, turning the engine's errors into clean command-line errors."""
    from pttutor.grader.grading.engine import DeviceUnavailable, GradingError
    from pttutor.grader.grading.engine import grade as run

    try:
        return run(ex, path, **options)
    except DeviceUnavailable as exc:
        raise click.UsageError(str(exc)) from None
    except GradingError as exc:
        raise click.ClickException(str(exc)) from None


def prepare(ex: Exercise, sandbox: str) -> None:
    """Before grading: the sandbox, and a fork server forked from this process (one torch import)."""
    from pttutor.grader.grading import engine

    try:
        engine.prepare(ex, engine.Options(sandbox=sandbox), fork_self=True)
    except engine.GradingError as exc:
        raise click.ClickException(str(exc)) from None


def workers_default() -> int:
    return os.cpu_count() or 1
