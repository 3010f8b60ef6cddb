"""Hidden checks for ex09-ce-vs-nll: random batches, class-index targets, gradients, extreme logits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost

pytestmark = pytest.mark.hidden


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


def _nll_mistakes(log_probs, y):
    """Values that the usual NLL mistakes give on (log_probs, y)."""
    n, c = log_probs.shape
    rows = torch.arange(n)
    mistakes = {
        "the losses are summed over the batch; the loss is their mean (reduction='mean')":
            -log_probs[rows, y].sum(),
        "the minus sign is missing: the loss is -log_probs[i, y[i]], averaged": log_probs[rows, y].mean(),
        "log_probs[:, y] picks every pair (row i, class y[j]): pick one entry per row, "
        "log_probs[torch.arange(N), y]": -log_probs[:, y].mean(),
        "log_probs[y] picks whole rows: pick one entry per row, log_probs[torch.arange(N), y]":
            -log_probs[y].mean() if int(y.max()) < n else float("nan"),
        "the loss is averaged over all N * C entries of the one-hot product; average over the N samples":
            -(F.one_hot(y, c) * log_probs).mean(),
        "nll_loss applies a log_softmax again; its input already holds log-probabilities":
            F.cross_entropy(log_probs, y),
    }
    if n == c:
        mistakes["y is treated as a one-hot row: y holds one class index per sample, so pick "
                 "log_probs[torch.arange(N), y] instead of multiplying by y"] = -(y * log_probs).sum(dim=1).mean()
    return {text: float(value) for text, value in mistakes.items() if not np.isnan(float(value))}


def _ce_mistakes(z, y):
    mistakes = _nll_mistakes(F.log_softmax(z, dim=1), y)
    del mistakes["nll_loss applies a log_softmax again; its input already holds log-probabilities"]
    rows = torch.arange(z.shape[0])
    mistakes.update({
        "the probabilities (softmax), not their log, go into the NLL: the loss is -log p of the true class":
            float(-F.softmax(z, dim=1)[rows, y].mean()),
        "the softmax is taken over the samples (dim=0); it must normalise each row, over the classes (dim=1)":
            float(F.nll_loss(F.log_softmax(z, dim=0), y)),
    })
    return mistakes


def _batch(rng, n, c, scale, dtype=torch.float32):
    z = torch.tensor(rng.normal(scale=scale, size=(n, c)), dtype=dtype)
    y = torch.tensor(rng.integers(0, c, size=n), dtype=torch.int64)
    return z, y


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(2)
def test_hand_equals_torch_random(sub, ref, rng):
    """cross_entropy and nll_loss equal F.cross_entropy and F.nll_loss on random batches"""
    for n, c, scale in ((7, 4, 1.0), (5, 10, 5.0), (16, 3, 20.0)):
        z, y = _batch(rng, n, c, scale)
        what = f"cross_entropy(z, y) for random z of shape ({n}, {c})"
        got = expect.number(_call(what, sub.cross_entropy, z, y), what)
        expect.close(got, float(F.cross_entropy(z, y)), what, rtol=1e-5, atol=1e-5, mistakes=_ce_mistakes(z, y))
        # Arbitrary scores, not normalised: nll_loss only picks and averages.
        log_probs = torch.tensor(rng.uniform(-6.0, 0.0, size=(n, c)), dtype=torch.float32)
        what = f"nll_loss(log_probs, y) for random log_probs of shape ({n}, {c})"
        got = expect.number(_call(what, sub.nll_loss, log_probs, y), what)
        expect.close(got, float(F.nll_loss(log_probs, y)), what, rtol=1e-5, atol=1e-6,
                     mistakes=_nll_mistakes(log_probs, y))


@pytest.mark.points(1)
def test_targets_are_class_indices(sub, ref, rng):
    """y holds class indices (int64), also when the batch has as many samples as classes"""
    n = c = 5
    z, y = _batch(rng, n, c, 2.0)
    y[:2] = torch.tensor([3, 3])  # repeated classes: a permutation would hide some mistakes
    log_probs = F.log_softmax(z, dim=1)
    what = f"nll_loss(log_probs, y) for {n} samples of {c} classes, y = {y.tolist()}"
    got = expect.number(_call(what, sub.nll_loss, log_probs, y), what)
    expect.close(got, float(F.nll_loss(log_probs, y)), what, rtol=1e-5, atol=1e-6,
                 mistakes=_nll_mistakes(log_probs, y))
    what = f"cross_entropy(z, y) for {n} samples of {c} classes, y = {y.tolist()}"
    got = expect.number(_call(what, sub.cross_entropy, z, y), what)
    expect.close(got, float(F.cross_entropy(z, y)), what, rtol=1e-5, atol=1e-6, mistakes=_ce_mistakes(z, y))


@pytest.mark.points(1)
def test_gradient_matches_torch(sub, ref, rng, worker):
    """cross_entropy returns a 0-dim tensor whose gradient is (softmax(z) - one_hot(y)) / N"""
    n, c = 6, 4
    z, y = _batch(rng, n, c, 2.0)
    value = _call("cross_entropy(z, y)", sub.cross_entropy, z, y)
    expect.that(type(value) is torch.Tensor and value.dim() == 0,
                f"cross_entropy should return a 0-dim tensor, like torch's losses (not loss.item()); got "
                f"{expect.describe(value)}")
    loss_fn = worker.import_module("functools").partial(sub.cross_entropy, y=y)
    try:
        result = worker.import_module("torch.autograd.functional").vjp(loss_fn, z)
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        raise expect.CheckFailed(f"differentiating cross_entropy(z, y) with respect to z failed: {exc}\n"
                                 f"keep the loss a tensor computed from z with torch operations (no .item(), "
                                 f".numpy() or .detach() on the way)") from None
    expect.that(type(result) in (tuple, list) and len(result) == 2,
                f"torch.autograd.functional.vjp gave {expect.describe(result)}")
    leaf = z.clone().requires_grad_(True)
    F.cross_entropy(leaf, y).backward()
    grad = expect.as_array(result[1], "the gradient of cross_entropy(z, y)")
    expect.that(np.abs(grad).max() > 0, "the gradient of cross_entropy(z, y) with respect to z is zero: the loss "
                                        "is not connected to z (was it computed with .item(), .numpy() or .detach()?)")
    expect.close(grad, leaf.grad, "the gradient of cross_entropy(z, y) with respect to z", rtol=1e-4, atol=1e-6,
                 mistakes={"the gradient is N times too large: the loss is summed, not averaged":
                           leaf.grad * n})


@pytest.mark.points(1)
def test_extreme_logits_random(sub, ref, rng):
    """log_softmax and cross_entropy stay finite and right for huge logits, in float32 and float64"""
    for scale, dtype in ((1e4, torch.float32), (1e5, torch.float64)):
        z, _ = _batch(rng, 6, 5, scale, dtype)
        y = z.argmin(dim=1)  # the true class far below the maximum: its probability underflows to 0
        y[0] = z[0].argmax()
        kind = str(dtype).removeprefix("torch.")
        what = f"log_softmax(z) for {kind} logits of size {scale:g}"
        got = _finite(_call(what, sub.log_softmax, z), what)
        expect.close(got, F.log_softmax(z, dim=1), what, rtol=1e-5, atol=1e-3)
        what = f"cross_entropy(z, y) for {kind} logits of size {scale:g}"
        loss = _finite(_call(what, sub.cross_entropy, z, y), what)
        expect.close(expect.number(loss, what), float(F.cross_entropy(z, y)), what, rtol=1e-5, atol=1e-3,
                     mistakes=_ce_mistakes(z, y))
