"""Public checks for ex04-backprop: students run these locally."""

import math

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

XS = [1.0, 2.0, 3.0]
YS = [2.0, 4.0, 6.0]
COURSE = {"w1": 0.2404, "w2": 0.9267, "b": 0.9914, "forward(4)": 8.544}


def _floats(result, what, n):
    check.that(type(result) in (tuple, list) and len(result) == n,
                f"{what} should return a tuple of {n}; got {check.describe(result)}")
    for value in result:
        check.that(type(value) is float,
                    f"{what} should return Python floats (use .item() on a tensor); got {check.describe(value)}")
    return list(result)


@pytest.mark.points(1)
def test_forward_and_loss(sub, ref):
    """forward and loss compute w1*x**2 + w2*x + b and its squared error, for numbers and tensors"""
    check.close(sub.forward(3.0, 1.0, 1.0, 1.0), ref.forward(3.0, 1.0, 1.0, 1.0), "forward(3, w1=1, w2=1, b=1)")
    check.close(sub.forward(2.0, 0.5, -1.0, 2.0), ref.forward(2.0, 0.5, -1.0, 2.0),
                 "forward(2, w1=0.5, w2=-1, b=2)",
                 mistakes={"w1 and w2 are swapped: w1 multiplies x**2, w2 multiplies x":
                           ref.forward(2.0, -1.0, 0.5, 2.0)})
    x = torch.tensor([1.0, 2.0, 3.0, -1.5])
    check.close(sub.forward(x, 0.5, -1.0, 2.0), ref.forward(x, 0.5, -1.0, 2.0),
                 "forward(tensor([1, 2, 3, -1.5]), 0.5, -1, 2)")
    check.close(sub.loss(3.0, 6.0, 1.0, 1.0, 1.0), ref.loss(3.0, 6.0, 1.0, 1.0, 1.0),
                 "loss(x=3, y=6, w1=1, w2=1, b=1)",
                 mistakes={"the error is not squared: the loss is (y_hat - y) ** 2": 7.0})
    w1 = torch.tensor(0.5, requires_grad=True)
    got = sub.loss(2.0, 1.0, w1, torch.tensor(-1.0), torch.tensor(2.0))
    check.that(type(got) is torch.Tensor,
                f"loss called with tensors should return a tensor (autograd needs it); got {check.describe(got)}")
    check.that(got.requires_grad,
                "loss called with a tensor that requires grad returned a tensor that does not: do not turn "
                "the loss into a number (float(), .item()) or detach it inside loss, or backward() cannot reach w1")
    check.close(got, ref.loss(2.0, 1.0, 0.5, -1.0, 2.0), "loss(2, 1, tensor(0.5), tensor(-1), tensor(2))")


@pytest.mark.points(1)
def test_gradients_by_hand(sub, ref):
    """gradients_by_hand gives the chain-rule gradients (126, 42, 14) at x=3, y=6, w1=w2=b=1"""
    got = _floats(sub.gradients_by_hand(3.0, 6.0, 1.0, 1.0, 1.0), "gradients_by_hand", 3)
    expected = ref.gradients_by_hand(3.0, 6.0, 1.0, 1.0, 1.0)  # error = 13 - 6 = 7
    check.close(got, expected, "(dw1, dw2, db) at x=3, y=6, w1=w2=b=1", mistakes={
        "the factor 2 from d(error**2)/d(y_hat) = 2 * error is missing": [63.0, 21.0, 7.0],
        "dw1 uses x instead of x**2 (dy_hat/dw1 = x**2)": [42.0, 42.0, 14.0],
        "dw1 uses 2*x, the derivative of x**2 with respect to x, but dy_hat/dw1 = x**2": [84.0, 42.0, 14.0],
        "the sign is flipped: d(y_hat - y)**2 / d(y_hat) = 2 * (y_hat - y), not 2 * (y - y_hat)":
            [-126.0, -42.0, -14.0],
    })
    check.close(sub.gradients_by_hand(2.0, 4.0, 1.0, 1.0, 1.0), [24.0, 12.0, 6.0],
                 "(dw1, dw2, db) at x=2, y=4, w1=w2=b=1")


@pytest.mark.points(1)
def test_gradients_autograd(sub, ref, device):
    """gradients_autograd returns the gradients autograd computes, as floats, equal to the chain rule's"""
    previous = [0.0, 0.0, 0.0]
    for x, y in ((3.0, 6.0), (2.0, 4.0)):
        with helpers.explained(f"gradients_autograd({x:g}, {y:g}, 1.0, 1.0, 1.0)"):
            result = sub.gradients_autograd(x, y, 1.0, 1.0, 1.0)
        got = _floats(result, "gradients_autograd", 3)
        expected = ref.gradients_autograd(x, y, 1.0, 1.0, 1.0)
        check.close(got, expected, f"(dw1, dw2, db) at x={x:g}, y={y:g}, w1=w2=b=1",
                     rtol=1e-4, atol=1e-5, loose=device != "cpu", mistakes={
                         "the loss is not squared: backward() must start from (y_hat - y) ** 2": [x * x, x, 1.0],
                         "it is the sum of this call's gradients and the previous call's: .grad accumulates "
                         "across calls; make fresh tensors with requires_grad=True in each call":
                             [a + e for a, e in zip(previous, expected)],
                     })
        previous = got


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_train_course_facts(sub, ref, device):
    """train from w1=w2=b=1 (lr 0.01, 100 epochs) gives w1=0.2404, w2=0.9267, b=0.9914, forward(4)=8.544"""
    with helpers.explained("train(x_data, y_data, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)", in_train=True):
        result = sub.train(XS, YS, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)
    check.that(type(result) in (tuple, list) and len(result) == 4,
                f"train should return (w1, w2, b, loss_history); got {check.describe(result)}")
    params = _floats(result[:3], "train's w1, w2, b", 3)
    history = result[3]
    check.that(type(history) is list and len(history) == 100,
                f"loss_history should be a list of 100 floats, one per epoch; got {check.describe(history)}")
    check.that(all(type(v) is float for v in history),
                "loss_history should hold Python floats: append l.item(), not the tensor l; "
                f"its first element is {check.describe(history[0])}")
    if not all(math.isfinite(v) for v in params):
        raise check.CheckFailed(
            f"train diverged: w1, w2, b = {params}. On this data lr=0.01 converges, so the steps were too large; "
            "the usual cause is gradients that are never zeroed: backward() adds to .grad, so each step uses the "
            "sum of all gradients so far. Call w1.grad.zero_() (and the same for w2 and b) after every update.")
    *expected_params, expected_history = ref.train(XS, YS, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)
    check.close(params, expected_params, "(w1, w2, b) after training", rtol=1e-3, atol=1e-4, loose=device != "cpu",
                 mistakes=helpers.train_mistakes(XS, YS, 1.0, 1.0, 1.0, 0.01, 100, 0))
    for name, value in zip(("w1", "w2", "b"), params):
        check.close(value, COURSE[name], f"{name} after training (course value {COURSE[name]})", rtol=0.0, atol=1e-3)
    check.close(sub.forward(4.0, *params), COURSE["forward(4)"], "forward(4) after training (course value 8.544)",
                 rtol=0.0, atol=1e-3)
    check.close(history, expected_history, "loss_history", rtol=1e-3, atol=1e-6, loose=device != "cpu",
                 mistakes=helpers.train_mistakes(XS, YS, 1.0, 1.0, 1.0, 0.01, 100, 1))
