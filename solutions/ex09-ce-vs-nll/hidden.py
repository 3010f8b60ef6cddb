"""Hidden checks for ex09-ce-vs-nll: random batches, class-index targets, gradients, extreme logits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- helpers


def _nll_mistakes(log_probs, y):
    """Values that the usual NLL mistakes give on (log_probs, y)."""
    rows = torch.arange(log_probs.shape[0])
    return helpers.as_floats({
        "the losses are summed over the batch; the loss is their mean (reduction='mean')":
            -log_probs[rows, y].sum(),
        "the minus sign is missing: the loss is -log_probs[i, y[i]], averaged": log_probs[rows, y].mean(),
        **helpers.indexing_mistakes(log_probs, y),
        "nll_loss applies a log_softmax again; its input already holds log-probabilities":
            F.cross_entropy(log_probs, y),
        **helpers.one_hot_mistake(log_probs, y),
    })


def _ce_mistakes(z, y):
    mistakes = _nll_mistakes(F.log_softmax(z, dim=1), y)
    del mistakes["nll_loss applies a log_softmax again; its input already holds log-probabilities"]
    mistakes.update({text: float(value) for text, value in helpers.softmax_mistakes(z, y).items()})
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
        got = check.number(helpers.call(what, sub.cross_entropy, z, y), what)
        check.close(got, float(F.cross_entropy(z, y)), what, rtol=1e-5, atol=1e-5, mistakes=_ce_mistakes(z, y))
        # Arbitrary scores, not normalised: nll_loss only picks and averages.
        log_probs = torch.tensor(rng.uniform(-6.0, 0.0, size=(n, c)), dtype=torch.float32)
        what = f"nll_loss(log_probs, y) for random log_probs of shape ({n}, {c})"
        got = check.number(helpers.call(what, sub.nll_loss, log_probs, y), what)
        check.close(got, float(F.nll_loss(log_probs, y)), what, rtol=1e-5, atol=1e-6,
                     mistakes=_nll_mistakes(log_probs, y))


@pytest.mark.points(1)
def test_targets_are_class_indices(sub, ref, rng):
    """y holds class indices (int64), also when the batch has as many samples as classes"""
    n = c = 5
    z, y = _batch(rng, n, c, 2.0)
    y[:2] = torch.tensor([3, 3])  # repeated classes: a permutation would hide some mistakes
    log_probs = F.log_softmax(z, dim=1)
    what = f"nll_loss(log_probs, y) for {n} samples of {c} classes, y = {y.tolist()}"
    got = check.number(helpers.call(what, sub.nll_loss, log_probs, y), what)
    check.close(got, float(F.nll_loss(log_probs, y)), what, rtol=1e-5, atol=1e-6,
                 mistakes=_nll_mistakes(log_probs, y))
    what = f"cross_entropy(z, y) for {n} samples of {c} classes, y = {y.tolist()}"
    got = check.number(helpers.call(what, sub.cross_entropy, z, y), what)
    check.close(got, float(F.cross_entropy(z, y)), what, rtol=1e-5, atol=1e-6, mistakes=_ce_mistakes(z, y))


@pytest.mark.points(1)
def test_gradient_matches_torch(sub, ref, rng, worker):
    """cross_entropy returns a 0-dim tensor whose gradient is (softmax(z) - one_hot(y)) / N"""
    n, c = 6, 4
    z, y = _batch(rng, n, c, 2.0)
    value = helpers.call("cross_entropy(z, y)", sub.cross_entropy, z, y)
    check.that(type(value) is torch.Tensor and value.dim() == 0,
                f"cross_entropy should return a 0-dim tensor, like torch's losses (not loss.item()); got "
                f"{check.describe(value)}")
    loss_fn = worker.import_module("functools").partial(sub.cross_entropy, y=y)
    try:
        result = worker.import_module("torch.autograd.functional").vjp(loss_fn, z)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        raise check.CheckFailed(f"differentiating cross_entropy(z, y) with respect to z failed: {exc}\n"
                                 f"keep the loss a tensor computed from z with torch operations (no .item(), "
                                 f".numpy() or .detach() on the way)") from None
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"torch.autograd.functional.vjp gave {check.describe(result)}")
    leaf = z.clone().requires_grad_(True)
    F.cross_entropy(leaf, y).backward()
    grad = check.as_array(result[1], "the gradient of cross_entropy(z, y)")
    check.that(np.abs(grad).max() > 0, "the gradient of cross_entropy(z, y) with respect to z is zero: the loss "
                                        "is not connected to z (was it computed with .item(), .numpy() or .detach()?)")
    check.close(grad, leaf.grad, "the gradient of cross_entropy(z, y) with respect to z", rtol=1e-4, atol=1e-6,
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
        got = helpers.finite(helpers.call(what, sub.log_softmax, z), what)
        check.close(got, F.log_softmax(z, dim=1), what, rtol=1e-5, atol=1e-3)
        what = f"cross_entropy(z, y) for {kind} logits of size {scale:g}"
        loss = helpers.finite(helpers.call(what, sub.cross_entropy, z, y), what)
        check.close(check.number(loss, what), float(F.cross_entropy(z, y)), what, rtol=1e-5, atol=1e-3,
                     mistakes=_ce_mistakes(z, y))
