"""The pytest side of one grading: markers, the checks collected, the time each one used,
and the verdict of every check.

Checks are ordinary pytest tests in an exercise's ``public.py`` and ``hidden.py``, marked
``points(n)``, ``public`` or ``hidden``, ``judges(part, ..., uses=[part, ...])`` (the
functions or classes of the stub whose work the check judges, and those the stub makes them
call), and optionally ``timeout(seconds)``. The engine
hands a :class:`Grading` to :class:`GradingPlugin` as a Python object; the fixtures checks
use (:mod:`pttutor.grader.grading.fixtures`) find it in ``config.stash``. A check collected
here that never reports a verdict counts as failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pttutor.grader.course import Exercise
from pttutor.grader.grading.reference import Reference
from pttutor.grader.grading.verdicts import student_message
from pttutor.grader.report import CheckResult
from pttutor.grader.sandbox import process
from pttutor.grader.sandbox.session import Session

DEFAULT_CHECK_TIMEOUT = 30.0
BACKSTOP = 3.0  # pytest-timeout fires this long after the worker's own deadline


@dataclass
class Grading:
    """Everything one grading needs and everything it found out."""

    exercise: Exercise
    session: Session
    reference: Reference
    budget: float
    seed: int = 0
    used: float = 0.0
    expected: dict[str, pytest.Item] = field(default_factory=dict)
    results: dict[str, CheckResult] = field(default_factory=dict)
    load_error: str | None = None
    broken: list[str] = field(default_factory=list)  # check files that could not be collected

    def budget_left(self) -> float:
        return self.budget - self.used


GRADING = pytest.StashKey[Grading]()
CHECK_TIMEOUT = pytest.StashKey[float]()


def visibility(item: pytest.Item) -> str:
    return "hidden" if Path(str(item.fspath)).name == "hidden.py" else "public"


def judged(item: pytest.Item) -> dict[str, tuple[str, ...]]:
    """The parts a check judges and the parts it uses, from its ``judges`` marker."""
    marker = item.get_closest_marker("judges")
    if marker is None:
        return {"parts": (), "uses": ()}
    return {"parts": tuple(str(p) for p in marker.args), "uses": tuple(str(p) for p in marker.kwargs.get("uses", ()))}


class GradingPlugin:
    """Registered by the engine for one ``pytest.main`` run, holding that run's :class:`Grading`."""

    def __init__(self, grading: Grading) -> None:
        self.grading = grading

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): how many points the check is worth")
        config.addinivalue_line("markers", "public: a check students run locally")
        config.addinivalue_line("markers", "hidden: a check only instructors run")
        config.addinivalue_line("markers", "judges(*parts, uses=()): the parts of the exercise the check judges")
        config.stash[GRADING] = self.grading
        process.prestart()  # the grading's sandbox host is already set up, in this thread
        import torch

        torch.set_num_threads(1)  # the reference's small computations; the worker runs beside us

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.grading.session.close()
        self.grading.reference.finish()

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        default = float(config.getini("timeout") or 0) or DEFAULT_CHECK_TIMEOUT
        for item in items:
            points = item.get_closest_marker("points")
            if points is None or len(points.args) != 1 or not isinstance(points.args[0], int) or points.args[0] < 0:
                raise pytest.UsageError(f"{item.nodeid}: every check needs @pytest.mark.points(n)")
            seen = visibility(item)
            if item.get_closest_marker(seen) is None:
                raise pytest.UsageError(f"{item.nodeid}: checks in {seen}.py carry the {seen} marker")
            marker = item.get_closest_marker("timeout")
            limit = float(marker.args[0]) if marker is not None and marker.args else default
            item.stash[CHECK_TIMEOUT] = limit
            item.add_marker(pytest.mark.timeout(limit + BACKSTOP, method="signal", func_only=True), append=False)
            self.grading.expected[item.nodeid] = item

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.grading.broken.append(f"{report.nodeid or 'collection'}: {report.longreprtext[-2000:]}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        session = self.grading.session
        session.begin_check(item.stash[CHECK_TIMEOUT], self.grading.budget_left())
        before = session.student_time
        try:
            return (yield)
        finally:
            session.end_check()
            self.grading.used += session.student_time - before

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield
        grading = self.grading
        if item.nodeid not in grading.expected:
            return report
        if report.when == "teardown" and item.nodeid in grading.results:
            return report
        if report.when == "setup" and report.passed:
            return report
        points = item.get_closest_marker("points").args[0]
        doc = (getattr(item.obj, "__doc__", None) or item.name).strip().splitlines()[0]
        judges = judged(item)
        message = student_message(call.excinfo, judges["parts"]) if call.excinfo is not None and report.failed else ""
        if report.skipped:
            message = "The check was skipped and counts as failed."
        grading.results[item.nodeid] = CheckResult(
            name=item.name.removeprefix("test_"), description=doc, passed=report.passed,
            points=points if report.passed else 0, max_points=points,
            hidden=visibility(item) == "hidden", message=message, **judges)
        return report

    def verdicts(self) -> list[CheckResult]:
        """Every collected check's result, in collection order; one that never reported has failed."""
        out = []
        for nodeid, item in self.grading.expected.items():
            result = self.grading.results.get(nodeid)
            if result is None:
                points = item.get_closest_marker("points").args[0]
                result = CheckResult(item.name.removeprefix("test_"), item.name, False, 0, points,
                                     visibility(item) == "hidden", "The check did not report a verdict.",
                                     **judged(item))
            out.append(result)
        return out
