"""Grading one exercise: run its checks (pytest, in this trusted process) against a
submission loaded in a sandboxed worker, and collect a report.

The set of checks is fixed here, by collection: a check that never reported a verdict
counts as failed. Nothing the submission prints or writes is read for the score.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pttutor.grader.course import Exercise
from pttutor.grader.grading import fixtures
from pttutor.grader.grading.plugin import Grading, GradingPlugin
from pttutor.grader.grading.reference import Reference
from pttutor.grader.report import ExerciseReport
from pttutor.grader.sandbox import host as hosts
from pttutor.grader.sandbox import process
from pttutor.grader.sandbox.process import DEFAULT_MEMORY_MB, Limits
from pttutor.grader.sandbox.session import Session
from pttutor.grader.submission import Submission, SubmissionFileError, expected_parts, read_submission

DEVICES = ("cpu", "cuda", "auto")
SANDBOX_MODES = (*hosts.MODES, "auto")
PYTEST_INI = Path(__file__).with_name("pytest.ini")


class GradingError(Exception):
    """Grading could not take place (a missing file, an unreadable notebook, missing checks)."""


class DeviceUnavailable(GradingError):
    """The requested device cannot be used on this machine."""


@dataclass(frozen=True)
class Options:
    """How to grade: which checks, where, under which limits."""

    hidden: bool = False
    device: str = "cpu"
    budget: float | None = None  # seconds for the whole exercise (default: the registry's)
    seed: int = 0
    memory_mb: int = DEFAULT_MEMORY_MB
    load_timeout: float = 15.0  # seconds before grading falls back to the file's definitions
    hide: tuple[str, ...] = ()  # further folders the student's code must not see
    record: Path | None = None  # record the reference's answers here (for the student kit)
    sandbox: str = field(default_factory=lambda: os.environ.get("PTTUTOR_SANDBOX", "auto"))  # see SANDBOX_MODES


@contextlib.contextmanager
def _clean_pytest_env() -> Iterator[None]:
    """Keep the caller's pytest settings and plugins out of a grading run."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        os.environ.update(saved)
        if autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload


def sandbox_mode(exercise: Exercise, wanted: str) -> str:
    """The isolation to build for ``exercise``: ``wanted``, or for ``auto`` the strongest one here
    (weaker than full only where no reference solution is installed, as in the student kit)."""
    try:
        return hosts.choose(wanted, has_secrets=exercise.solution_path.is_file())
    except hosts.SandboxUnavailable as exc:
        raise GradingError(str(exc)) from None


def prepare(exercise: Exercise, options: Options | None = None, fork_self: bool = False) -> str:
    """Set up this process's sandbox for grading ``exercise`` and start its fork server; returns the mode.

    A command that grades calls it first with ``fork_self``: the fork server is then a fork of
    this process, which has imported torch once for both (nothing secret is read before).
    """
    mode = sandbox_mode(exercise, (options or Options()).sandbox)
    hosts.host(mode)  # in this thread: the workers' folders may be mounts of its own
    if process.use_fork_server():
        process.fork_server(fork_self=fork_self)
    return mode


def _session(exercise: Exercise, submission: Submission, options: Options, mode: str) -> Session:
    path = submission.path.resolve()
    hide = (exercise.private_root, *(Path(p) for p in options.hide))
    inside_hidden = any(path.is_relative_to(folder.resolve()) for folder in hide)
    if mode == "container":
        for folder in hide:  # the worker's user id must not read them
            hosts.make_private(folder)
    return Session(
        source=submission.source, filename=str(submission.path), module_name=exercise.stem,
        folder=None if inside_hidden else path.parent,  # the reference solutions themselves are hidden
        hide=tuple(hide), device=options.device, sandbox=mode,
        limits=Limits(memory_mb=options.memory_mb or None), load_timeout=options.load_timeout,
        units=tuple(submission.units), parts=expected_parts(exercise), notes=list(submission.notes))


def grade(exercise: Exercise, submission: Path | Submission, options: Options | None = None,
          **overrides) -> ExerciseReport:
    """Grade ``submission`` (a ``.py`` file, a notebook, or one already read) against ``exercise``'s checks.

    ``overrides`` are :class:`Options` fields, for callers that change one or two.
    """
    import pytest

    options = dataclasses.replace(options or Options(), **overrides)
    if options.sandbox not in SANDBOX_MODES:
        raise GradingError(f"unknown sandbox mode {options.sandbox!r}; use one of {', '.join(SANDBOX_MODES)}")
    if options.device not in DEVICES:
        raise GradingError(f"unknown device {options.device!r}; use one of {', '.join(DEVICES)}")
    if not isinstance(submission, Submission):
        if not submission.is_file():
            raise GradingError(f"{submission} does not exist")
        try:
            submission = read_submission(submission)
        except SubmissionFileError as exc:
            raise GradingError(f"{submission.name}: {exc}") from None
    files = exercise.check_files(options.hidden)
    missing = [f for f in files if not f.is_file()]
    if missing:
        what = "hidden checks are" if any(f.name == "hidden.py" for f in missing) else "checks are"
        raise GradingError(f"the {what} not installed for {exercise.id} ({', '.join(str(f) for f in missing)})")
    mode = sandbox_mode(exercise, options.sandbox)
    hosts.host(mode)
    grading = Grading(exercise, _session(exercise, submission, options, mode), Reference(exercise, options.record),
                      budget=options.budget or exercise.budget, seed=options.seed)
    plugin = GradingPlugin(grading)
    args = [*(str(f) for f in files), "-c", str(PYTEST_INI), "--rootdir", str(PYTEST_INI.parent),
            "--import-mode=importlib", "-p", "pytest_timeout", "-p", "no:cacheprovider", "-p", "no:terminal",
            "-p", "no:stepwise", "-p", "no:unraisableexception", "-W", "ignore"]
    with _clean_pytest_env():
        code = pytest.main(args, plugins=[plugin, fixtures])
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR) \
            or (code == pytest.ExitCode.INTERRUPTED and not grading.results):
        detail = "\n".join(grading.broken) or f"pytest exit code {int(code)}"
        raise GradingError(f"the checks of {exercise.id} could not be run: {detail}")
    session = grading.session
    if session.startup_problem:
        raise DeviceUnavailable(session.startup_problem)
    if not grading.expected:
        raise GradingError(f"no checks were collected for {exercise.id}")
    report = ExerciseReport(
        exercise=exercise.id, title=exercise.title, file=str(submission.path), course=exercise.course,
        points=exercise.points, notes=session.notes, time_used=grading.used, budget=grading.budget,
        device=session.resolved_device or options.device,
        protections=session.protections + [f"not active: {p}" for p in session.missing_protections],
        sandbox=session.mode or options.sandbox,
        output=session.output())
    report.checks = plugin.verdicts()
    return report
