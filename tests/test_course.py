"""The course tests itself: every reference solution passes all its checks, every stub fails
them all, and every recorded student mistake, applied onto the reference, is caught by the
checks it names."""

from __future__ import annotations

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes, selftest
from pttutor.grader.grading import engine

COURSE = course.default()
EXERCISES = [ex.id for ex in COURSE.exercises]


def _mistake_files():
    for ex in COURSE.exercises:
        for path in sorted(ex.mistakes_dir.glob("*.py")):
            yield pytest.param(ex.id, path, id=f"{ex.id}/{path.stem}")


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_exercise_files_complete(exercise_id):
    assert COURSE.get(exercise_id).missing_files() == []


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_solution_passes_every_check(exercise_id):
    ex = COURSE.get(exercise_id)
    report = engine.grade(ex, ex.solution_path, hidden=True)
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score == ex.points
    assert any(c.hidden for c in report.checks) and any(not c.hidden for c in report.checks)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_stub_fails_every_check(exercise_id):
    ex = COURSE.get(exercise_id)
    report = engine.grade(ex, ex.stub_path, hidden=True)
    assert [c.name for c in report.checks if c.passed] == []
    assert report.score == 0
    assert all("NotImplementedError" in c.message for c in report.checks)
    parts = set(mistakes.stub_parts(ex.stub_path.read_text(encoding="utf-8"))) | {mistakes.MODULE}
    for c in report.checks:
        assert c.parts, f"{c.name} names no part it judges (@pytest.mark.judges)"
        assert set(c.parts) | set(c.uses) <= parts, f"{c.name}: {c.parts} {c.uses} are not parts of the stub"


def test_every_exercise_has_recorded_mistakes():
    assert all(list(ex.mistakes_dir.glob("*.py")) for ex in COURSE.exercises)


@pytest.mark.parametrize(("exercise_id", "path"), list(_mistake_files()))
def test_mistake_is_caught(exercise_id, path):
    ex = COURSE.get(exercise_id)
    mistake = mistakes.read(path)
    assert mistake.fails, f"{path.name} must start with '# fails: check, ...'"
    report = selftest.grade_mistake(ex, mistake)
    assert selftest.mistake_problems(ex, mistake, report) == []
    assert report.score < report.max_score
