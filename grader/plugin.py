"""The pytest plugin that turns an exercise's checks into a grade.

Checks are ordinary pytest tests in ``grader/checks/<id>/public.py`` and ``hidden.py``. This
plugin registers their markers (``points(n)``, ``public``, ``hidden``), takes its options
from the ``pttutor`` group, keeps its state in ``config.stash``, gives checks their fixtures
and records a verdict and a student-facing message for every check it collected:

- ``sub``: the student's module, as a proxy into the sandboxed worker;
- ``ref``: the reference solution, imported here in the trusted process;
- ``worker``: the worker session (``worker.import_module("torch.nn")``, ``worker.seed(0)``;
  ``worker.level`` is ``"full"`` when the file's top-level code ran to the end, otherwise
  the fallback that was needed, ``"definitions"`` or ``"signatures"``);
- ``device``: where the student's code runs (``"cpu"`` or ``"cuda"``);
- ``rng``: a NumPy generator seeded from the check's name, for inputs chosen at grading time;
- ``tmp_path``: a fresh folder for files handed to the student's code (which may read and
  write it; the rest of the file system is read-only to it).

A course author can run the checks directly::

    pytest -p pttutor.grader.plugin grader/checks/ex02-cost-surface \\
        --pttutor-exercise ex02-cost-surface --pttutor-submission solutions/ex02-cost-surface/ex02_cost_surface.py
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pttutor.grader import oracle, registry
from pttutor.grader.remote import Session, SubmissionError, SubmissionTimeout, WorkerLost
from pttutor.grader.report import CheckResult
from pttutor.grader import sandbox
from pttutor.grader.sandbox import Limits
from pttutor.grader.source import read_submission

DEFAULT_CHECK_TIMEOUT = 30.0
BACKSTOP = 3.0  # pytest-timeout fires this long after the worker's own deadline


@dataclass
class Grading:
    exercise: registry.Exercise
    session: Session
    budget: float
    seed: int = 0
    used: float = 0.0
    expected: dict[str, pytest.Item] = field(default_factory=dict)
    results: dict[str, CheckResult] = field(default_factory=dict)
    load_error: str | None = None
    recording: dict | None = None  # answers of the reference, recorded for the student kit
    answers: dict | None = None  # recorded answers, replayed in the student kit

    def budget_left(self) -> float:
        return self.budget - self.used


GRADING = pytest.StashKey[Grading]()
CHECK_TIMEOUT = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pttutor", "pttutor grading")
    group.addoption("--pttutor-exercise", help="exercise id whose checks are run")
    group.addoption("--pttutor-submission", help="the student's .py file or notebook")
    group.addoption("--pttutor-device", default="cpu", help="cpu, cuda or auto (default: cpu)")
    group.addoption("--pttutor-budget", type=float, default=None,
                    help="seconds the student's code may use for the whole exercise (default: registry)")
    group.addoption("--pttutor-load-timeout", type=float, default=15.0,
                    help="seconds the file's top-level code may take before grading falls back to its definitions")
    group.addoption("--pttutor-seed", type=int, default=0, help="seed for the inputs the checks choose")
    group.addoption("--pttutor-memory", type=int, default=Limits.memory_mb,
                    help="memory limit of the worker in MiB (0: none)")
    group.addoption("--pttutor-hide", action="append", default=[],
                    help="a folder the student's code must not see (repeatable)")
    group.addoption("--pttutor-record", default=None,
                    help="record the reference's answers to this file (for the student kit)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): how many points the check is worth")
    config.addinivalue_line("markers", "public: a check students run locally")
    config.addinivalue_line("markers", "hidden: a check only instructors run")
    exercise_id = config.getoption("--pttutor-exercise", None)
    if not exercise_id:
        return
    exercise = registry.get(exercise_id)
    path = Path(config.getoption("--pttutor-submission") or exercise.solution_path).resolve()
    hide = [registry.SOLUTIONS_DIR, registry.CHECKS_DIR]
    hide += [Path(p) for p in config.getoption("--pttutor-hide") or []]
    workdir = worker_folder()
    inside_hidden = any(path.is_relative_to(folder.resolve()) for folder in hide)
    session = Session(
        submission=read_submission(path),
        module_name=exercise.stem,
        cwd=workdir if inside_hidden else path.parent,  # the reference solutions themselves are hidden
        workdir=workdir,
        hide=tuple(hide),
        device=config.getoption("--pttutor-device"),
        limits=Limits(memory_mb=config.getoption("--pttutor-memory") or None),
        load_timeout=config.getoption("--pttutor-load-timeout"),
    )
    budget = config.getoption("--pttutor-budget") or exercise.budget
    config.stash[GRADING] = Grading(exercise, session, budget, seed=config.getoption("--pttutor-seed"))
    if config.getoption("--pttutor-record"):
        config.stash[GRADING].recording = {}
    sandbox.prestart()
    import torch

    torch.set_num_threads(1)  # the reference's small computations; the worker runs beside us


def pytest_unconfigure(config: pytest.Config) -> None:
    grading = config.stash.get(GRADING, None)
    if grading is not None:
        grading.session.stop()
        shutil.rmtree(grading.session.workdir, ignore_errors=True)
        if grading.recording is not None:
            oracle.save(grading.recording, Path(config.getoption("--pttutor-record")))


def worker_folder(parent: Path | None = None) -> Path:
    """A fresh folder the worker may write to (the rest of the file system is read-only to it)."""
    return Path(tempfile.mkdtemp(prefix="pttutor-", dir=parent))


def _visibility(item: pytest.Item) -> str:
    return "hidden" if Path(str(item.fspath)).name == "hidden.py" else "public"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    grading = config.stash.get(GRADING, None)
    default = float(config.getini("timeout") or 0) or DEFAULT_CHECK_TIMEOUT
    for item in items:
        points = item.get_closest_marker("points")
        if points is None or len(points.args) != 1 or not isinstance(points.args[0], int) or points.args[0] < 0:
            raise pytest.UsageError(f"{item.nodeid}: every check needs @pytest.mark.points(n)")
        visibility = _visibility(item)
        if item.get_closest_marker(visibility) is None:
            raise pytest.UsageError(f"{item.nodeid}: checks in {visibility}.py carry the {visibility} marker")
        marker = item.get_closest_marker("timeout")
        limit = float(marker.args[0]) if marker is not None and marker.args else default
        item.stash[CHECK_TIMEOUT] = limit
        item.add_marker(pytest.mark.timeout(limit + BACKSTOP, method="signal", func_only=True), append=False)
        if grading is not None:
            grading.expected[item.nodeid] = item


# ---------------------------------------------------------------------------- fixtures


def _grading(request: pytest.FixtureRequest) -> Grading:
    grading = request.config.stash.get(GRADING, None)
    if grading is None:
        pytest.fail("run the checks with --pttutor-exercise (pttutor-grade does this for you)")
    return grading


@pytest.fixture
def worker(request: pytest.FixtureRequest) -> Session:
    grading = _grading(request)
    if grading.load_error is not None:
        raise SubmissionError("", grading.load_error)
    if grading.budget_left() <= 0:
        raise SubmissionTimeout("", f"the exercise's time budget of {grading.budget:g} s is used up")
    try:
        grading.session.ensure_started()
    except SubmissionError as exc:
        if not isinstance(exc, (SubmissionTimeout, WorkerLost)) or grading.session.level is None:
            grading.load_error = f"your file could not be loaded: {exc}"
        raise SubmissionError("", f"your file could not be loaded: {exc}") from None
    return grading.session


@pytest.fixture
def sub(worker: Session) -> Any:
    return worker.module


_REFERENCES: dict[Path, Any] = {}


@pytest.fixture
def ref(request: pytest.FixtureRequest) -> Any:
    """The reference solution: the module itself, or (in the student kit, which ships without
    it) the answers it gave when the kit was made; while a kit is being made, a recorder."""
    grading = _grading(request)
    path = grading.exercise.solution_path
    answers = grading.exercise.checks_dir / oracle.ANSWERS
    scope = request.node.name
    if not path.is_file():
        if not answers.is_file():
            pytest.fail(f"neither the reference solution nor recorded answers exist for {grading.exercise.id}")
        if grading.answers is None:
            grading.answers = oracle.load(answers)
        return oracle.Replayer(grading.answers, scope)
    if path not in _REFERENCES:
        spec = importlib.util.spec_from_file_location(f"pttutor_reference_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _REFERENCES[path] = module
    if grading.recording is not None:
        return oracle.Recorder(_REFERENCES[path], grading.recording, scope)
    return _REFERENCES[path]


@pytest.fixture
def device(request: pytest.FixtureRequest, worker: Session) -> str:
    return worker.resolved_device or "cpu"


@pytest.fixture
def tmp_path(request: pytest.FixtureRequest) -> Path:
    """A fresh folder for files a check hands to the student's code (which can read and write it)."""
    return worker_folder(_grading(request).session.workdir)


def _check_seed(request: pytest.FixtureRequest) -> int:
    grading = request.config.stash.get(GRADING, None)
    base = grading.seed if grading is not None else 0
    return zlib.crc32(request.node.name.encode()) ^ base


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> Any:
    import numpy as np

    return np.random.default_rng(_check_seed(request))


@pytest.fixture(autouse=True)
def _seed_trusted_side(request: pytest.FixtureRequest) -> None:
    """The reference side draws its random numbers from the same seed on every run."""
    seed = _check_seed(request)
    random.seed(seed)
    import numpy as np
    import torch

    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


# ---------------------------------------------------------------------------- running and recording


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    grading = item.config.stash.get(GRADING, None)
    if grading is None:
        return (yield)
    session = grading.session
    session.begin_check(item.stash[CHECK_TIMEOUT], grading.budget_left())
    before = session.student_time
    try:
        return (yield)
    finally:
        session.end_check()
        grading.used += session.student_time - before


def student_message(excinfo: pytest.ExceptionInfo) -> str:
    """What a student reads for a failed check: never a traceback of the grader's code."""
    exc = excinfo.value
    if isinstance(exc, SubmissionError):
        if isinstance(exc, (SubmissionTimeout, WorkerLost)) or not exc.kind:
            return exc.message[:1].upper() + exc.message[1:]
        return f"Your code raised {exc}"
    if isinstance(exc, AssertionError):
        text = str(exc)
        cut = text.find("\nassert ")
        return (text[:cut] if cut >= 0 else text).strip() or "the check's condition did not hold"
    if excinfo.typename == "Failed" and "Timeout" in str(exc):
        return "The check ran out of time."
    if excinfo.typename in ("Failed", "Skipped"):
        return str(exc).strip()
    return (f"The check could not use what your code returned "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}).")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    grading = item.config.stash.get(GRADING, None)
    if grading is None or item.nodeid not in grading.expected:
        return report
    if report.when == "teardown" and item.nodeid in grading.results:
        return report
    if report.when == "setup" and report.passed:
        return report
    points = item.get_closest_marker("points").args[0]
    doc = (getattr(item.obj, "__doc__", None) or item.name).strip().splitlines()[0]
    message = student_message(call.excinfo) if call.excinfo is not None and report.failed else ""
    if report.skipped:
        message = "The check was skipped and counts as failed."
    grading.results[item.nodeid] = CheckResult(
        name=item.name.removeprefix("test_"), description=doc, passed=report.passed,
        points=points if report.passed else 0, max_points=points,
        hidden=_visibility(item) == "hidden", message=message)
    return report
