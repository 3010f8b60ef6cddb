"""Grading one exercise: run its checks (pytest, in this trusted process) against a
submission loaded in a sandboxed worker, and collect a report.

The set of checks is fixed here, by collection: a check that never reported a verdict
counts as failed. Nothing the submission prints or writes is read for the score.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from pttutor.grader import registry
from pttutor.grader.report import CheckResult, ExerciseReport
from pttutor.grader.sandbox import DEFAULT_MEMORY_MB
from pttutor.grader.source import SubmissionFileError, read_submission

DEVICES = ("cpu", "cuda", "auto")


class GradingError(Exception):
    """Grading could not take place (a missing file, an unreadable notebook, missing checks)."""


class DeviceUnavailable(GradingError):
    """The requested device cannot be used on this machine."""


class _Sink:
    """Receives the plugin's state from inside ``pytest.main``."""

    grading = None

    def pytest_configure(self, config) -> None:
        from pttutor.grader.plugin import GRADING

        self.grading = config.stash.get(GRADING, None)


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


def grade(
    exercise: registry.Exercise,
    path: Path,
    *,
    hidden: bool = False,
    device: str = "cpu",
    budget: float | None = None,
    seed: int = 0,
    memory_mb: int = DEFAULT_MEMORY_MB,
    load_timeout: float = 15.0,
    hide: tuple[str, ...] = (),
    record: Path | None = None,
) -> ExerciseReport:
    """Grade ``path`` (a ``.py`` file or a notebook) against ``exercise``'s checks."""
    import pytest

    if device not in DEVICES:
        raise GradingError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}")
    if not path.is_file():
        raise GradingError(f"{path} does not exist")
    files = exercise.check_files(hidden)
    missing = [f for f in files if not f.is_file()]
    if missing:
        what = "hidden checks are" if any(f.name == "hidden.py" for f in missing) else "checks are"
        raise GradingError(f"the {what} not installed for {exercise.id} ({', '.join(str(f) for f in missing)})")
    args = [
        *(str(f) for f in files),
        "-c", str(registry.CHECKS_DIR / "checks.ini"),
        "--rootdir", str(registry.CHECKS_DIR),
        "--import-mode=importlib",
        "-p", "pytest_timeout",
        "-p", "pttutor.grader.plugin",
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
        "-p", "no:stepwise",
        "-W", "ignore",
        "--pttutor-exercise", exercise.id,
        "--pttutor-submission", str(path),
        "--pttutor-device", device,
        "--pttutor-seed", str(seed),
        "--pttutor-memory", str(memory_mb),
        "--pttutor-load-timeout", str(load_timeout),
    ]
    if budget is not None:
        args += ["--pttutor-budget", str(budget)]
    for folder in hide:
        args += ["--pttutor-hide", str(folder)]
    if record is not None:
        args += ["--pttutor-record", str(record)]
    try:
        read_submission(path)
    except SubmissionFileError as exc:
        raise GradingError(f"{path.name}: {exc}") from None
    sink = _Sink()
    with _clean_pytest_env():
        code = pytest.main(args, plugins=[sink])
    grading = sink.grading
    if grading is None or code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR) \
            or (code == pytest.ExitCode.INTERRUPTED and not grading.results):
        raise GradingError(f"the checks of {exercise.id} could not be run (pytest exit code {int(code)})")
    if grading.session.startup_problem:
        raise DeviceUnavailable(grading.session.startup_problem)
    if not grading.expected:
        raise GradingError(f"no checks were collected for {exercise.id}")
    report = ExerciseReport(
        exercise=exercise.id,
        title=exercise.title,
        file=str(path),
        course=exercise.course,
        notes=list(grading.session.submission.notes) + grading.session.notes,
        time_used=grading.used,
        budget=grading.budget,
        device=grading.session.resolved_device or device,
        protections=grading.session.protections
        + [f"not active: {p}" for p in grading.session.missing_protections],
        output=grading.session.output(),
    )
    for nodeid, item in grading.expected.items():
        result = grading.results.get(nodeid)
        if result is None:
            points = item.get_closest_marker("points").args[0]
            result = CheckResult(item.name.removeprefix("test_"), item.name, False, 0, points,
                                 Path(str(item.fspath)).name == "hidden.py", "The check did not report a verdict.")
        report.checks.append(result)
    return report

