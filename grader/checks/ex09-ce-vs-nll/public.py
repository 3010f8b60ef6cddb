"""Public checks for ex09-ce-vs-nll: students run these locally."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost

pytestmark = pytest.mark.public

COURSE = {"Y_pred1": 0.4966, "Y_pred2": 1.2389, "single": 0.9729}
COURSE_ATOL = 1e-4


# ----------------------------------------------------------------------------- helpers


def _call(what, fn, *args, **kwargs):
    """Call into the student's code; an exception it raises names the call that raised it."""
    try:
        return fn(*args, **kwargs)
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        if not exc.kind:
            raise
        message = f"{what} raised {exc}"
        if "must match the size" in exc.message or "one_hot" in exc.message:
            message += ("\ny holds one class index per sample, shape (N,), not one-hot rows: pick "
                        "log_probs[torch.arange(N), y]")
        raise expect.CheckFailed(message) from None


def _finite(got, what):
    """``got`` as an array without nan or inf; otherwise say where they come from."""
    values = expect.as_array(got, what)
    expect.that(not np.isnan(values).any(),
                f"{what} contains nan: exp of a large logit overflows (exp(1000) is inf, and inf / inf is "
                f"nan). Subtract each row's maximum m before exp: logsumexp(z) = m + log(sum(exp(z - m)))")
    expect.that(not np.isinf(values).any(),
                f"{what} contains inf: that is log(0), the log of a probability that underflowed to 0. "
                f"Never take log(softmax(z)); compute log_softmax as (z - m) - log(sum(exp(z - m)))")
    return values


def _loss_mistakes(z, y):
    """Values that the usual cross-entropy mistakes give on (z, y)."""
    n, c = z.shape
    log_probs = F.log_softmax(z, dim=1)
    rows = torch.arange(n)
    mistakes = {
        "the losses are summed over the batch; the loss is their mean (reduction='mean')":
            F.cross_entropy(z, y, reduction="sum"),
        "log_probs[:, y] picks every pair (row i, class y[j]): pick one entry per row, "
        "log_probs[torch.arange(N), y]": -log_probs[:, y].mean(),
        "log_probs[y] picks whole rows: pick one entry per row, log_probs[torch.arange(N), y]":
            -log_probs[y].mean() if int(y.max()) < n else float("nan"),
        "the loss is averaged over all N * C entries of the one-hot product; average over the N samples":
            -(F.one_hot(y, c) * log_probs).mean(),
        "the probabilities (softmax), not their log, go into the NLL: the loss is -log p of the true class":
            -F.softmax(z, dim=1)[rows, y].mean(),
        "the softmax is taken over the samples (dim=0); it must normalise each row, over the classes (dim=1)":
            F.nll_loss(F.log_softmax(z, dim=0), y),
    }
    if n == c:
        mistakes["y is treated as a one-hot row: y holds one class index per sample, so pick "
                 "log_probs[torch.arange(N), y] instead of multiplying by y"] = -(y * log_probs).sum(dim=1).mean()
    return {text: float(value) for text, value in mistakes.items() if not np.isnan(float(value))}


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(2)
def test_course_values(sub, ref):
    """cross_entropy gives the course's 0.4966, 1.2389 and 0.9729"""
    for name, z, y in (("Y_pred1", ref.Y_PRED1, ref.Y), ("Y_pred2", ref.Y_PRED2, ref.Y),
                       ("single", ref.Z_SINGLE, ref.Y_SINGLE)):
        what = "cross_entropy(Z_SINGLE, Y_SINGLE)" if name == "single" else f"cross_entropy({name.upper()}, Y)"
        got = expect.number(_call(what, sub.cross_entropy, z, y), what)
        expect.close(got, COURSE[name], f"{what} (course: {COURSE[name]})", rtol=0, atol=COURSE_ATOL,
                     mistakes=_loss_mistakes(z, y))


@pytest.mark.points(1)
def test_log_softmax_rows(sub, ref, rng):
    """log_softmax normalises every row: it equals torch.log_softmax(z, dim=1) on random logits"""
    z = torch.tensor(rng.normal(scale=3.0, size=(5, 4)), dtype=torch.float32)
    got = _call("log_softmax(z) for z of shape (5, 4)", sub.log_softmax, z)
    expected = F.log_softmax(z, dim=1)
    expect.close(got, expected, "log_softmax(z) for random z of shape (5, 4)", rtol=1e-5, atol=1e-5, mistakes={
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
            got = expect.number(_call(f"{name}({what})", getattr(sub, name), *data), f"{name}({what})")
            expect.close(got, expected, f"{name}({what})", rtol=1e-5, atol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
def test_logits_of_1000(sub, ref):
    """log_softmax and cross_entropy stay finite and right for logits of 1000"""
    z = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0], [-1000.0, 1000.0, 0.0]])
    y = torch.tensor([0, 2, 0])
    got = _finite(_call("log_softmax(z) with logits of 1000", sub.log_softmax, z), "log_softmax(z) with logits of 1000")
    expect.close(got, F.log_softmax(z, dim=1), "log_softmax(z) with logits of 1000", rtol=1e-5, atol=1e-4)
    loss = _finite(_call("cross_entropy(z, y) with logits of 1000", sub.cross_entropy, z, y),
                   "cross_entropy(z, y) with logits of 1000")
    expect.close(expect.number(loss, "cross_entropy(z, y)"), float(F.cross_entropy(z, y)),
                 "cross_entropy(z, y) with logits of 1000", rtol=1e-5, atol=1e-4, mistakes=_loss_mistakes(z, y))
