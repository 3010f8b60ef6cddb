"""Shared helpers for pttutor's own test suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.grading import engine

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"


@pytest.fixture
def grade_source(tmp_path: Path):
    """Grade Python ``source`` as the student's file for an exercise (hidden checks included)."""

    def run(exercise_id: str, source: str, name: str | None = None, **options):
        ex = course.default().get(exercise_id)
        path = tmp_path / (name or ex.file)
        path.write_text(source, encoding="utf-8")
        options.setdefault("hidden", True)
        return engine.grade(ex, path, **options)

    return run


def stub_source(exercise_id: str) -> str:
    return course.default().get(exercise_id).stub_path.read_text(encoding="utf-8")


def solution_source(exercise_id: str) -> str:
    return course.default().get(exercise_id).solution_path.read_text(encoding="utf-8")


def hostile(prelude: str = "", body: str | None = None, exercise_id: str = "ex02-cost-surface") -> str:
    """An attack: the stub of ``exercise_id`` with ``prelude`` run at import and ``body`` in place
    of every ``raise NotImplementedError(...)``."""
    src = stub_source(exercise_id)
    if body is not None:
        src = re.sub(r'^    raise NotImplementedError\("[^"\n]*"\)$', lambda _: body, src, flags=re.M)
    return src + "\n" + prelude
