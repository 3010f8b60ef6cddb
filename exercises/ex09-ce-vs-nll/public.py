"""Public checks for ex09-ce-vs-nll: students run these locally."""

import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

COURSE = {"Y_pred1": 0.4966, "Y_pred2": 1.2389, "single": 0.9729}
COURSE_ATOL = 1e-4


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(2)
@pytest.mark.judges("cross_entropy")
def test_course_values(sub, ref, rng, worker, request):
    """cross_entropy gives the course's 0.4966, 1.2389 and 0.9729, and torch's loss on a random batch"""
    check.stand_ins(request, worker, sub, log_softmax=helpers.LOG_SOFTMAX, nll_loss=helpers.NLL_LOSS)
    for name, z, y in (("Y_pred1", ref.Y_PRED1, ref.Y), ("Y_pred2", ref.Y_PRED2, ref.Y),
                       ("single", ref.Z_SINGLE, ref.Y_SINGLE)):
        what = "cross_entropy(Z_SINGLE, Y_SINGLE)" if name == "single" else f"cross_entropy({name.upper()}, Y)"
        helpers.judge_cross_entropy(sub, z, y, f"{what} (course: {COURSE[name]})", expected=COURSE[name],
                                    rtol=0, atol=COURSE_ATOL)
    n, c = 7, 5
    z = torch.tensor(rng.normal(scale=2.0, size=(n, c)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, c, size=n), dtype=torch.int64)
    what = f"cross_entropy(z, y) for random z of shape ({n}, {c})"
    helpers.judge_cross_entropy(sub, z, y, what, rtol=1e-5, atol=1e-5)


@pytest.mark.points(1)
@pytest.mark.judges("log_softmax")
def test_log_softmax_rows(sub, ref, rng):
    """log_softmax normalises every row: it equals torch.log_softmax(z, dim=1) on random logits"""
    z = torch.tensor(rng.normal(scale=3.0, size=(5, 4)), dtype=torch.float32)
    for what, logits in (("log_softmax(z) for random z of shape (5, 4)", z), ("log_softmax(Y_PRED1)", ref.Y_PRED1)):
        got = helpers.call(what, sub.log_softmax, logits)
        check.close(got, F.log_softmax(logits, dim=1), what, rtol=1e-5, atol=1e-5,
                     mistakes=helpers.log_softmax_mistakes(logits))


@pytest.mark.points(1)
@pytest.mark.judges("nll_loss")
def test_nll_loss_picks_and_averages(sub, ref, rng):
    """nll_loss averages -log_probs[i, y[i]] over the rows, on random scores and on the course's Y"""
    n, c = 6, 4
    log_probs = torch.tensor(rng.uniform(-6.0, 0.0, size=(n, c)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, c, size=n), dtype=torch.int64)
    course = F.log_softmax(ref.Y_PRED1, dim=1)
    for what, lp, target in ((f"nll_loss(log_probs, y) for random log_probs of shape ({n}, {c})", log_probs, y),
                             ("nll_loss(log_softmax(Y_PRED1), Y)", course, ref.Y)):
        got = check.number(helpers.call(what, sub.nll_loss, lp, target), what)
        check.close(got, float(F.nll_loss(lp, target)), what, rtol=1e-5, atol=1e-6,
                     mistakes=helpers.nll_mistakes(lp, target))


@pytest.mark.points(1)
@pytest.mark.judges("torch_cross_entropy", "torch_nll_of_log_softmax")
def test_torch_losses_agree(sub, ref, rng):
    """torch_cross_entropy and torch_nll_of_log_softmax are the same loss, on the course data and at random"""
    n, c = 6, 4
    z = torch.tensor(rng.normal(scale=2.0, size=(n, c)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, c, size=n), dtype=torch.int64)
    for data, what in (((ref.Y_PRED1, ref.Y), "Y_PRED1, Y"), ((z, y), f"random z ({n} x {c}), y")):
        expected = float(F.cross_entropy(*data))
        mistakes = helpers.loss_mistakes(*data)
        for name in ("torch_cross_entropy", "torch_nll_of_log_softmax"):
            got = check.number(helpers.call(f"{name}({what})", getattr(sub, name), *data), f"{name}({what})")
            check.close(got, expected, f"{name}({what})", rtol=1e-5, atol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
@pytest.mark.judges("log_softmax")
def test_logits_of_1000(sub, ref):
    """log_softmax stays finite and right for logits of 1000 (no overflow in exp, no log of 0)"""
    z = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0], [-1000.0, 1000.0, 0.0]])
    what = "log_softmax(z) with logits of 1000"
    got = helpers.finite(helpers.call(what, sub.log_softmax, z), what)
    # Normalising over the wrong axis (and the like) is charged by test_log_softmax_rows; this
    # check judges stability only.
    helpers.close_unless_named(got, F.log_softmax(z, dim=1), what, helpers.log_softmax_mistakes(z),
                               rtol=1e-5, atol=1e-4)
