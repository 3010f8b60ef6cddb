"""The CNN exercises on a GPU (marked ``cuda``; skipped where torch sees no CUDA device).

Their checks pass the ``device`` fixture to the student's ``train_epoch`` / ``evaluate`` and
build every loader and model inside the worker, where tensors land on the grading device. On
a GPU the same checks must give the same verdicts as on the CPU: the reference solutions
score full marks and every recorded mistake is still caught by the checks it names.
"""

from __future__ import annotations

import pytest
import torch

from pttutor.grader import course
from pttutor.grader.authoring import mistakes, selftest
from pttutor.grader.grading import engine

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (torch sees none)")]

EXERCISES = ["ex10-deeper-cnn", "ex11-resnet-variants", "ex11-densenet"]


def verdicts(report) -> dict[str, bool]:
    return {c.name: c.passed for c in report.checks}


def _mistake_files():
    for ex_id in EXERCISES:
        for path in sorted(course.default().get(ex_id).mistakes_dir.glob("*.py")):
            yield pytest.param(ex_id, path, id=f"{ex_id}/{path.stem}")


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_grades_the_same_on_cuda_as_on_cpu(exercise_id):
    ex = course.default().get(exercise_id)
    cpu = engine.grade(ex, ex.solution_path, hidden=True, device="cpu")
    gpu = engine.grade(ex, ex.solution_path, hidden=True, device="cuda")
    assert gpu.device.startswith("cuda")
    assert {c.name: c.message for c in gpu.checks if not c.passed} == {}
    assert verdicts(gpu) == verdicts(cpu)
    assert gpu.score == cpu.score == ex.points


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_stub_scores_zero_on_cuda(exercise_id):
    ex = course.default().get(exercise_id)
    report = engine.grade(ex, ex.stub_path, hidden=True, device="cuda")
    assert report.score == 0
    assert all("NotImplementedError" in c.message for c in report.checks)


@pytest.mark.parametrize(("exercise_id", "path"), list(_mistake_files()))
def test_mistake_is_caught_on_cuda(exercise_id, path):
    ex, mistake = course.default().get(exercise_id), mistakes.read(path)
    report = selftest.grade_mistake(ex, mistake, device="cuda")
    assert selftest.mistake_problems(ex, mistake, report) == []
