"""Public checks for ex09-ce-vs-nll: students run these locally."""

import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

COURSE = {"Y_pred1": 0.4966, "Y_pred2": 1.2389, "single": 0.9729}
COURSE_ATOL = 1e-4


# ----------------------------------------------------------------------------- helpers


def _loss_mistakes(z, y):
    """Values that the usual cross-entropy mistakes give on (z, y)."""
    log_probs = F.log_softmax(z, dim=1)
    return helpers.as_floats({
        "the losses are summed over the batch; the loss is their mean (reduction='mean')":
            F.cross_entropy(z, y, reduction="sum"),
        **helpers.indexing_mistakes(log_probs, y),
        **helpers.softmax_mistakes(z, y),
        **helpers.one_hot_mistake(log_probs, y),
    })


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(2)
def test_course_values(sub, ref):
    """cross_entropy gives the course's 0.4966, 1.2389 and 0.9729"""
    for name, z, y in (("Y_pred1", ref.Y_PRED1, ref.Y), ("Y_pred2", ref.Y_PRED2, ref.Y),
                       ("single", ref.Z_SINGLE, ref.Y_SINGLE)):
        what = "cross_entropy(Z_SINGLE, Y_SINGLE)" if name == "single" else f"cross_entropy({name.upper()}, Y)"
        got = check.number(helpers.call(what, sub.cross_entropy, z, y), what)
        check.close(got, COURSE[name], f"{what} (course: {COURSE[name]})", rtol=0, atol=COURSE_ATOL,
                     mistakes=_loss_mistakes(z, y))


@pytest.mark.points(1)
def test_log_softmax_rows(sub, ref, rng):
    """log_softmax normalises every row: it equals torch.log_softmax(z, dim=1) on random logits"""
    z = torch.tensor(rng.normal(scale=3.0, size=(5, 4)), dtype=torch.float32)
    got = helpers.call("log_softmax(z) for z of shape (5, 4)", sub.log_softmax, z)
    expected = F.log_softmax(z, dim=1)
    check.close(got, expected, "log_softmax(z) for random z of shape (5, 4)", rtol=1e-5, atol=1e-5, mistakes={
        "it normalises over the samples (dim=0); softmax is taken over each row's classes (dim=1)":
            F.log_softmax(z, dim=0),
        "that is the softmax itself; take its log: z - logsumexp(z)": F.softmax(z, dim=1),
        "the logsumexp is taken over the whole batch; take it per row (dim=1, keepdim=True)":
            z - torch.logsumexp(z.reshape(-1), dim=0),
        "only the maximum is subtracted; also subtract log(sum(exp(z - max))) of each row":
            z - z.max(dim=1, keepdim=True).values,
    })


@pytest.mark.points(1)
def test_torch_losses_agree(sub, ref, rng):
    """torch_cross_entropy and torch_nll_of_log_softmax are the same loss, on the course data and at random"""
    n, c = 6, 4
    z = torch.tensor(rng.normal(scale=2.0, size=(n, c)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, c, size=n), dtype=torch.int64)
    for data, what in (((ref.Y_PRED1, ref.Y), "Y_PRED1, Y"), ((z, y), f"random z ({n} x {c}), y")):
        expected = float(F.cross_entropy(*data))
        mistakes = _loss_mistakes(*data)
        mistakes["the raw logits go into NLLLoss; put nn.LogSoftmax(dim=1) in between"] = float(
            F.nll_loss(data[0], data[1]))
        for name in ("torch_cross_entropy", "torch_nll_of_log_softmax"):
            got = check.number(helpers.call(f"{name}({what})", getattr(sub, name), *data), f"{name}({what})")
            check.close(got, expected, f"{name}({what})", rtol=1e-5, atol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
def test_logits_of_1000(sub, ref):
    """log_softmax and cross_entropy stay finite and right for logits of 1000"""
    z = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0], [-1000.0, 1000.0, 0.0]])
    y = torch.tensor([0, 2, 0])
    got = helpers.finite(helpers.call("log_softmax(z) with logits of 1000", sub.log_softmax, z),
                         "log_softmax(z) with logits of 1000")
    check.close(got, F.log_softmax(z, dim=1), "log_softmax(z) with logits of 1000", rtol=1e-5, atol=1e-4)
    loss = helpers.finite(helpers.call("cross_entropy(z, y) with logits of 1000", sub.cross_entropy, z, y),
                          "cross_entropy(z, y) with logits of 1000")
    check.close(check.number(loss, "cross_entropy(z, y)"), float(F.cross_entropy(z, y)),
                 "cross_entropy(z, y) with logits of 1000", rtol=1e-5, atol=1e-4, mistakes=_loss_mistakes(z, y))
