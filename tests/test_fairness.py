"""A fair check judges one part: knocking out one part of a correct solution costs only the
points of the checks about that part, and each recorded mistake costs at most the points of
the parts it breaks.

Each check names the parts it judges with ``@pytest.mark.judges("part", uses=[...])``; a
check may fail for a part it only uses (one the stub itself makes it call) when its message
names that part.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes, selftest
from pttutor.grader.grading import engine

COURSE = course.default()


def _stub_parts():
    for ex in COURSE.exercises:
        for part in mistakes.stub_parts(ex.stub_path.read_text(encoding="utf-8")):
            yield pytest.param(ex.id, part, id=f"{ex.id}/{part}")


@pytest.mark.slow
@pytest.mark.parametrize(("exercise_id", "part"), list(_stub_parts()))
def test_knocking_out_a_part_costs_only_its_checks(exercise_id, part):
    ex = COURSE.get(exercise_id)
    source = mistakes.knock_out(ex.solution_path.read_text(encoding="utf-8"),
                                ex.stub_path.read_text(encoding="utf-8"), part)
    with tempfile.TemporaryDirectory(prefix="pttutor-knockout-") as folder:
        path = Path(folder) / ex.file
        path.write_text(source, encoding="utf-8")
        report = engine.grade(ex, path, hidden=True)
    failed = [c for c in report.checks if not c.passed]
    assert selftest.unfair(failed, (part,)) == []
    assert any(part in c.parts for c in failed), f"no check of {part} noticed it is not done"
