"""Correct variants real students wrote that must keep full marks: each is the reference solution
with some definitions replaced (in the format of a recorded mistake, see
grader/authoring/mistakes.py), graded with every check, hidden ones included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes


# ----------------------------------------------------------------------------- ex07-activations, ex08-titanic,
# ex09-ce-vs-nll, ex09-otto, ex10-deeper-cnn


def _variant_report(exercise_id, replacement, grade_source):
    """The report for the reference of ``exercise_id`` with the definitions in ``replacement``."""
    ex = course.default().get(exercise_id)
    source = mistakes.apply(ex.solution_path.read_text(encoding="utf-8"),
                            mistakes.Mistake(Path(f"<variant of {exercise_id}>"), (), (), replacement))
    return grade_source(exercise_id, source)


def _assert_full_marks(report):
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score


CE_VS_NLL = {
    # cross_entropy written in one piece, without the two functions: as right as composing them.
    "cross_entropy_in_one_piece": '''
def cross_entropy(z, y):
    shifted = z - z.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_probs.gather(1, y.view(-1, 1)).mean()
''',
    # nll_loss through a one-hot mask instead of indexing.
    "nll_loss_with_one_hot_mask": '''
def nll_loss(log_probs, y):
    mask = torch.nn.functional.one_hot(y, log_probs.shape[1]).to(log_probs.dtype)
    return -(mask * log_probs).sum() / log_probs.shape[0]
''',
}


@pytest.mark.parametrize("variant", sorted(CE_VS_NLL))
def test_ex09_ce_vs_nll_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex09-ce-vs-nll", CE_VS_NLL[variant], grade_source))


# ----------------------------------------------------------------------------- end of ex07-activations .. ex10-deeper-cnn
