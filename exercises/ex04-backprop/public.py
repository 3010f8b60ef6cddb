"""Public checks for ex04-backprop: students run these locally.

Each check judges one function. While a function that may call forward or loss is judged, those
are replaced by the stub's formulas, so a mistake in them costs their own points only.
"""

import math

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

XS = [1.0, 2.0, 3.0]
YS = [2.0, 4.0, 6.0]
COURSE = {"w1": 0.2404, "w2": 0.9267, "b": 0.9914, "forward(4)": 8.544}


def _random_point(rng):
    x = float(rng.uniform(0.2, 3.0) * rng.choice([-1, 1]))
    return (x, *(float(v) for v in rng.normal(scale=2.0, size=4)))


def _random_problem(rng):
    """Data from a random quadratic plus noise, a random start, a learning rate that converges."""
    xs = [float(v) for v in rng.uniform(-1.5, 1.5, size=int(rng.integers(3, 7)))]
    a, c, d = rng.normal(size=3)
    ys = [float(a * x * x + c * x + d + rng.normal(scale=0.3)) for x in xs]
    w1, w2, b = (float(v) for v in rng.normal(size=3))
    return xs, ys, w1, w2, b, float(rng.uniform(0.005, 0.03)), int(rng.integers(10, 61))


@pytest.mark.points(1)
@pytest.mark.judges("forward")
def test_forward(sub, ref, rng):
    """forward computes w1*x**2 + w2*x + b for numbers and tensors"""
    points = [(3.0, 1.0, 1.0, 1.0), (2.0, 0.5, -1.0, 2.0)] + [tuple(float(v) for v in rng.normal(size=4))]
    for x, w1, w2, b in points:
        check.close(check.call("forward(x, w1, w2, b)", sub.forward, x, w1, w2, b), ref.forward(x, w1, w2, b),
                    f"forward({x:.4g}, w1={w1:.4g}, w2={w2:.4g}, b={b:.4g})",
                    mistakes={"w1 and w2 are swapped: w1 multiplies x**2, w2 multiplies x": ref.forward(x, w2, w1, b)})
    x = torch.tensor([1.0, 2.0, 3.0, -1.5])
    check.close(check.call("forward(tensor, 0.5, -1.0, 2.0)", sub.forward, x, 0.5, -1.0, 2.0),
                ref.forward(x, 0.5, -1.0, 2.0), "forward(tensor([1, 2, 3, -1.5]), 0.5, -1, 2)")


@pytest.mark.points(1)
@pytest.mark.judges("loss", uses=["forward"])
def test_loss(sub, ref, worker, request):
    """loss is the squared error of one sample, for numbers and for tensors that autograd can differentiate"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    check.close(check.call("loss(3, 6, 1, 1, 1)", sub.loss, 3.0, 6.0, 1.0, 1.0, 1.0), ref.loss(3.0, 6.0, 1.0, 1.0, 1.0),
                "loss(x=3, y=6, w1=1, w2=1, b=1)", mistakes={
                    "the error is not squared: the loss is (y_hat - y) ** 2": 7.0,
                })
    w1 = torch.tensor(0.5, requires_grad=True)
    got = check.call("loss(2, 1, tensor(0.5), tensor(-1), tensor(2))", sub.loss, 2.0, 1.0, w1, torch.tensor(-1.0),
                     torch.tensor(2.0))
    check.that(type(got) is torch.Tensor,
               f"loss called with tensors should return a tensor (autograd needs it); got {check.describe(got)}")
    check.that(got.requires_grad,
               "loss called with a tensor that requires grad returned a tensor that does not: do not turn "
               "the loss into a number (float(), .item()) or detach it inside loss, or backward() cannot reach w1")
    check.close(got, ref.loss(2.0, 1.0, 0.5, -1.0, 2.0), "loss(2, 1, tensor(0.5), tensor(-1), tensor(2))")


@pytest.mark.points(1)
@pytest.mark.judges("gradients_by_hand", uses=["forward"])
def test_gradients_by_hand(sub, ref, rng, worker, request):
    """gradients_by_hand gives the chain-rule gradients: (126, 42, 14) at x=3, y=6, w1=w2=b=1, and at random points"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    for x, y, w1, w2, b in [(3.0, 6.0, 1.0, 1.0, 1.0), (2.0, 4.0, 1.0, 1.0, 1.0)] + [_random_point(rng) for _ in range(4)]:
        call = f"gradients_by_hand({x:.4g}, {y:.4g}, {w1:.4g}, {w2:.4g}, {b:.4g})"
        result = check.call(call, sub.gradients_by_hand, x, y, w1, w2, b)
        check.that(type(result) in (tuple, list) and len(result) == 3,
                   f"{call} should return a tuple of 3; got {check.describe(result)}")
        got = [check.number(v, f"{call}[{i}]") for i, v in enumerate(result)]
        expected = ref.gradients_by_hand(x, y, w1, w2, b)
        e = 2 * (w1 * x * x + w2 * x + b - y)  # dloss/dy_hat
        check.close(got, expected, f"(dw1, dw2, db) of {call}", rtol=1e-6, atol=1e-9, mistakes={
            "the factor 2 from d(error**2)/d(y_hat) = 2 * error is missing": [v / 2 for v in expected],
            "the sign is flipped: d(y_hat - y)**2 / d(y_hat) = 2 * (y_hat - y), not 2 * (y - y_hat)":
                [-v for v in expected],
            "dw1 uses x instead of x**2 (dy_hat/dw1 = x**2)": [e * x, e * x, e],
            "dw1 uses 2*x, the derivative of x**2 with respect to x, but dy_hat/dw1 = x**2": [e * 2 * x, e * x, e],
            "dw1 and dw2 are swapped: dy_hat/dw1 = x**2 and dy_hat/dw2 = x": [e * x, e * x * x, e],
            "dw2 is missing its factor x (dy_hat/dw2 = x)": [e * x * x, e, e],
            "db is multiplied by x, but dy_hat/db = 1": [e * x * x, e * x, e * x],
        })


@pytest.mark.points(1)
@pytest.mark.judges("gradients_autograd", uses=["loss", "forward"])
def test_gradients_autograd(sub, ref, rng, worker, request, device):
    """gradients_autograd returns the gradients autograd computes, as floats, call after call"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, loss=helpers.LOSS)
    previous = [0.0, 0.0, 0.0]
    for x, y, w1, w2, b in [(3.0, 6.0, 1.0, 1.0, 1.0), (2.0, 4.0, 1.0, 1.0, 1.0)] + [_random_point(rng) for _ in range(3)]:
        call = f"gradients_autograd({x:.4g}, {y:.4g}, {w1:.4g}, {w2:.4g}, {b:.4g})"
        with helpers.explained(call):
            result = sub.gradients_autograd(x, y, w1, w2, b)
        got = helpers.floats(result, call, 3)
        expected = ref.gradients_autograd(x, y, w1, w2, b)
        check.close(got, expected, f"(dw1, dw2, db) of {call}", rtol=1e-4, atol=1e-5, loose=device != "cpu",
                    mistakes={
                        "the loss is not squared: backward() must start from (y_hat - y) ** 2": [x * x, x, 1.0],
                        "it is the sum of this call's gradients and the previous call's: .grad accumulates across "
                        "calls; make fresh tensors with requires_grad=True in each call":
                            [a + e for a, e in zip(previous, expected)],
                    })
        previous = got


@pytest.mark.points(3)
@pytest.mark.timeout(30)
@pytest.mark.judges("train", uses=["loss", "forward"])
def test_train(sub, ref, rng, worker, request, device):
    """train from w1=w2=b=1 (lr 0.01, 100 epochs) gives w1=0.2404, w2=0.9267, b=0.9914, forward(4)=8.544;
    and the reference's results on other data, starting points, learning rates and epochs"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, loss=helpers.LOSS)
    runs = [(XS, YS, 1.0, 1.0, 1.0, 0.01, 100)] + [_random_problem(rng) for _ in range(2)]
    for xs, ys, w1, w2, b, lr, epochs in runs:
        call = f"train(xs, ys, w1={w1:.4g}, w2={w2:.4g}, b={b:.4g}, lr={lr:.4g}, epochs={epochs})"
        data = "the course data" if xs == XS else f"{len(xs)} random samples"
        params, history = helpers.train(sub, call, xs, ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
        check.that(len(history) == epochs, f"{call}: loss_history should hold one loss per epoch ({epochs}); "
                                           f"it holds {len(history)}")
        if not all(math.isfinite(v) for v in params):
            raise check.CheckFailed(
                f"{call} diverged on {data}: w1, w2, b = {params}. These steps converge, so they were too large; the "
                "usual cause is gradients that are never zeroed: backward() adds to .grad, so each step uses the sum "
                "of all gradients so far. Call w1.grad.zero_() (and the same for w2 and b) after every update.")
        *expected, expected_history = ref.train(xs, ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
        check.close(params, expected, f"(w1, w2, b) after {call} on {data}", rtol=1e-3, atol=1e-5,
                    loose=device != "cpu", mistakes={
                        **helpers.train_mistakes(xs, ys, w1, w2, b, lr, epochs, 0),
                        "it starts from w1=w2=b=1 instead of the initial values passed in":
                            helpers.replay(xs, ys, 1.0, 1.0, 1.0, lr, epochs)[0],
                        "it uses lr=0.01 instead of the learning rate passed in":
                            helpers.replay(xs, ys, w1, w2, b, 0.01, epochs)[0],
                        "it runs 100 epochs instead of the number passed in":
                            helpers.replay(xs, ys, w1, w2, b, lr, 100)[0],
                    })
        check.close(history, expected_history, f"the loss_history of {call} on {data}", rtol=1e-3, atol=1e-6,
                    loose=device != "cpu", mistakes=helpers.train_mistakes(xs, ys, w1, w2, b, lr, epochs, 1))
        if xs == XS:
            for name, value in zip(("w1", "w2", "b"), params):
                check.close(value, COURSE[name], f"{name} after training (course value {COURSE[name]})",
                            rtol=0.0, atol=1e-3)
            w1_, w2_, b_ = params
            check.close(w1_ * 16 + w2_ * 4 + b_, COURSE["forward(4)"], "forward(4) after training (course value 8.544)",
                        rtol=0.0, atol=1e-3)
