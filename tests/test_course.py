"""The course tests itself: every reference solution passes all its checks, every stub fails
them all, and every recorded student mistake is caught by the checks it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from pttutor.grader import engine, registry

MISTAKES = Path(__file__).parent / "mistakes"
EXERCISES = [ex.id for ex in registry.exercises()]


def _mistake_files():
    for ex_id in EXERCISES:
        for path in sorted((MISTAKES / ex_id).glob("*.py")):
            yield pytest.param(ex_id, path, id=f"{ex_id}/{path.stem}")


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_mirror_trees_complete(exercise_id):
    assert registry.missing_files(registry.get(exercise_id)) == []


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_solution_passes_every_check(exercise_id):
    ex = registry.get(exercise_id)
    report = engine.grade(ex, ex.solution_path, hidden=True)
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score == ex.points
    assert any(c.hidden for c in report.checks) and any(not c.hidden for c in report.checks)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_stub_fails_every_check(exercise_id):
    ex = registry.get(exercise_id)
    report = engine.grade(ex, ex.stub_path, hidden=True)
    assert [c.name for c in report.checks if c.passed] == []
    assert report.score == 0
    assert all("NotImplementedError" in c.message for c in report.checks)


def test_every_exercise_has_recorded_mistakes():
    assert all(list((MISTAKES / ex_id).glob("*.py")) for ex_id in EXERCISES)


@pytest.mark.parametrize(("exercise_id", "path"), list(_mistake_files()))
def test_mistake_is_caught(exercise_id, path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# fails:"), f"{path.name} must start with '# fails: check, ...'"
    must_fail = {name.strip() for name in first.removeprefix("# fails:").split(",") if name.strip()}
    report = engine.grade(registry.get(exercise_id), path, hidden=True)
    names = {c.name for c in report.checks}
    assert must_fail <= names, f"unknown check names {must_fail - names}"
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert must_fail <= set(failed), f"not caught: {must_fail - set(failed)}"
    assert all(failed[name].strip() for name in must_fail)
    assert report.score < report.max_score
