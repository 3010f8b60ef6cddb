"""Hidden checks for ex09-ce-vs-nll: random batches, class-index targets, gradients, extreme logits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- helpers


def _batch(rng, n, c, scale, dtype=torch.float32):
    z = torch.tensor(rng.normal(scale=scale, size=(n, c)), dtype=dtype)
    y = torch.tensor(rng.integers(0, c, size=n), dtype=torch.int64)
    return z, y


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("cross_entropy")
def test_cross_entropy_random(sub, ref, rng, worker, request):
    """cross_entropy equals F.cross_entropy on random batches of several sizes, one sample included"""
    check.stand_ins(request, worker, sub, log_softmax=helpers.LOG_SOFTMAX, nll_loss=helpers.NLL_LOSS)
    for n, c, scale in ((7, 4, 1.0), (5, 10, 5.0), (16, 3, 20.0), (1, 6, 2.0)):
        z, y = _batch(rng, n, c, scale)
        what = f"cross_entropy(z, y) for random z of shape ({n}, {c})"
        # The usual mistakes are named and charged by test_course_values; this check judges other sizes.
        helpers.judge_cross_entropy(sub, z, y, what, charged_elsewhere=True, rtol=1e-5, atol=1e-5)


@pytest.mark.points(1)
@pytest.mark.judges("nll_loss")
def test_nll_loss_edge_cases(sub, ref, rng):
    """nll_loss works for one sample, for float64 scores and for a square batch with repeated classes"""
    single, y_single = torch.tensor(rng.uniform(-5.0, 0.0, size=(1, 4))), torch.tensor([2])
    square = torch.tensor(rng.uniform(-6.0, 0.0, size=(5, 5)), dtype=torch.float32)
    y_square = torch.tensor([3, 3, 0, 4, 1])  # repeated classes: a permutation would hide some mistakes
    for what, log_probs, y in (("nll_loss(log_probs, y) for one sample of 4 classes (float64)", single, y_single),
                               (f"nll_loss(log_probs, y) for 5 samples of 5 classes, y = {y_square.tolist()}",
                                square, y_square)):
        got = helpers.call(what, sub.nll_loss, log_probs, y)
        # The usual mistakes are named and charged by test_nll_loss_picks_and_averages.
        helpers.close_unless_named(check.number(got, what), float(F.nll_loss(log_probs, y)), what,
                                   helpers.nll_mistakes(log_probs, y), rtol=1e-6, atol=1e-7)
        check.that(type(got) is torch.Tensor and got.dim() == 0 and got.dtype == log_probs.dtype,
                    f"{what} should be a 0-dim {str(log_probs.dtype)[6:]} tensor (the dtype of log_probs, and not "
                    f".item()); got {check.describe(got)}")


@pytest.mark.points(1)
@pytest.mark.judges("cross_entropy")
def test_gradient_matches_torch(sub, ref, rng, worker, request):
    """cross_entropy returns a 0-dim tensor that autograd differentiates with respect to the logits"""
    check.stand_ins(request, worker, sub, log_softmax=helpers.LOG_SOFTMAX, nll_loss=helpers.NLL_LOSS)
    n, c = 6, 4
    z, y = _batch(rng, n, c, 2.0, dtype=torch.float64)
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
    grad = check.as_array(result[1], "the gradient of cross_entropy(z, y)")
    check.that(grad.shape == (n, c), f"the gradient of cross_entropy(z, y) should have z's shape ({n}, {c}); "
                                      f"got {grad.shape}")
    check.that(np.abs(grad).max() > 0, "the gradient of cross_entropy(z, y) with respect to z is zero: the loss "
                                        "is not connected to z (was it computed with .item(), .numpy() or .detach()?)")
    leaf = z.clone().requires_grad_(True)
    F.cross_entropy(leaf, y).backward()
    if np.allclose(grad, leaf.grad.numpy(), rtol=1e-4, atol=1e-8):
        return
    # Another gradient is right for another loss: compare it with the slopes of the student's own
    # function along random directions (its values are judged by the other checks).
    h = 1e-5
    for k in range(3):
        d = torch.tensor(rng.normal(size=(n, c)), dtype=torch.float64)
        up = check.number(helpers.call("cross_entropy(z + h d, y)", sub.cross_entropy, z + h * d, y), "the loss")
        down = check.number(helpers.call("cross_entropy(z - h d, y)", sub.cross_entropy, z - h * d, y), "the loss")
        slope = (up - down) / (2 * h)
        check.that(np.isclose(float((grad * d.numpy()).sum()), slope, rtol=1e-4, atol=1e-7),
                    f"the gradient autograd gives for cross_entropy(z, y) does not match how the loss changes with "
                    f"z (along a random direction: slope {slope:.6g}, gradient gives "
                    f"{float((grad * d.numpy()).sum()):.6g}): compute the loss from z with torch operations only")


@pytest.mark.points(1)
@pytest.mark.judges("log_softmax")
def test_log_softmax_dtype_and_shapes(sub, ref, rng):
    """log_softmax keeps float64 precision and dtype, and works for one sample and for one class"""
    cases = (("float64 logits of shape (6, 5)", torch.tensor(rng.normal(scale=30.0, size=(6, 5)))),
             ("one sample, shape (1, 7)", torch.tensor(rng.normal(scale=3.0, size=(1, 7)), dtype=torch.float32)),
             ("one class, shape (4, 1)", torch.tensor(rng.normal(scale=3.0, size=(4, 1)), dtype=torch.float32)))
    for kind, z in cases:
        what = f"log_softmax(z) for {kind}"
        got = helpers.call(what, sub.log_softmax, z)
        # Wrong values of the usual kinds are named and charged by test_log_softmax_rows.
        helpers.close_unless_named(got, F.log_softmax(z, dim=1), what, helpers.log_softmax_mistakes(z),
                                   rtol=1e-10 if z.dtype == torch.float64 else 1e-5, atol=1e-10)
        check.that(type(got) is torch.Tensor and got.dtype == z.dtype,
                    f"{what} should be a {str(z.dtype)[6:]} tensor like z; got {check.describe(got)}")
