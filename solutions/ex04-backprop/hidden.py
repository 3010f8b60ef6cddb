"""Hidden checks for ex04-backprop: randomized comparisons with the reference and the classic mistakes."""

import math

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


def _numbers(result, what, n):
    check.that(type(result) in (tuple, list) and len(result) == n,
                f"{what} should return a tuple of {n}; got {check.describe(result)}")
    return [check.number(v, f"{what}[{i}]") for i, v in enumerate(result)]


def _train(sub, xs, ys, w1, w2, b, lr, epochs):
    """Call the student's train; return ([w1, w2, b], history as an array of length epochs)."""
    call = f"train(xs, ys, w1={w1:.4g}, w2={w2:.4g}, b={b:.4g}, lr={lr:.4g}, epochs={epochs})"
    with helpers.explained(call, in_train=True):
        result = sub.train(xs, ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
    check.that(type(result) in (tuple, list) and len(result) == 4,
                f"train should return (w1, w2, b, loss_history); got {check.describe(result)}")
    params = [check.number(v, f"train's {name}") for v, name in zip(result[:3], ("w1", "w2", "b"))]
    history = check.as_array(result[3], "loss_history").reshape(-1)
    check.that(history.size == epochs,
                f"{call}: loss_history should hold one loss per epoch ({epochs}); got {check.describe(result[3])}")
    return params, history


def _random_problem(rng, n=None):
    """Data from a random quadratic plus noise, a random start, a learning rate that converges."""
    n = int(rng.integers(3, 7)) if n is None else n
    xs = [float(v) for v in rng.uniform(-1.5, 1.5, size=n)]
    a, c, d = rng.normal(size=3)
    ys = [float(a * x * x + c * x + d + rng.normal(scale=0.3)) for x in xs]
    w1, w2, b = (float(v) for v in rng.normal(size=3))
    lr = float(rng.uniform(0.005, 0.03))
    return xs, ys, w1, w2, b, lr


@pytest.mark.points(1)
def test_gradients_by_hand_random(sub, ref, rng):
    """gradients_by_hand agrees with the chain rule at random points"""
    for _ in range(6):
        x = float(rng.uniform(0.2, 3.0) * rng.choice([-1, 1]))
        y, w1, w2, b = (float(v) for v in rng.normal(scale=2.0, size=4))
        expected = ref.gradients_by_hand(x, y, w1, w2, b)
        e = 2 * (ref.forward(x, w1, w2, b) - y)
        got = _numbers(sub.gradients_by_hand(x, y, w1, w2, b), "gradients_by_hand", 3)
        check.close(got, expected, f"(dw1, dw2, db) at x={x:.4g}, y={y:.4g}, w1={w1:.4g}, w2={w2:.4g}, b={b:.4g}",
                     rtol=1e-6, atol=1e-9, mistakes={
                         "the factor 2 from d(error**2)/d(y_hat) = 2 * error is missing": [v / 2 for v in expected],
                         "the sign is flipped: d(y_hat - y)**2 / d(y_hat) = 2 * (y_hat - y), not 2 * (y - y_hat)":
                             [-v for v in expected],
                         "dw1 uses x instead of x**2 (dy_hat/dw1 = x**2)": [e * x, e * x, e],
                         "dw1 uses 2*x, the derivative of x**2 with respect to x, but dy_hat/dw1 = x**2":
                             [e * 2 * x, e * x, e],
                         "dw1 and dw2 are swapped: dy_hat/dw1 = x**2 and dy_hat/dw2 = x": [e * x, e * x * x, e],
                         "dw2 is missing its factor x (dy_hat/dw2 = x)": [e * x * x, e, e],
                         "db is multiplied by x, but dy_hat/db = 1": [e * x * x, e * x, e * x],
                     })


@pytest.mark.points(1)
def test_gradients_autograd_random(sub, ref, rng, device):
    """gradients_autograd agrees with the reference and with the chain rule at random points"""
    for _ in range(5):
        x = float(rng.uniform(0.2, 3.0) * rng.choice([-1, 1]))
        y, w1, w2, b = (float(v) for v in rng.normal(scale=2.0, size=4))
        call = f"gradients_autograd({x:.4g}, {y:.4g}, {w1:.4g}, {w2:.4g}, {b:.4g})"
        expected = ref.gradients_autograd(x, y, w1, w2, b)
        by_hand = ref.gradients_by_hand(x, y, w1, w2, b)
        check.close(expected, by_hand, "the reference's autograd against the chain rule", rtol=1e-4, atol=1e-4)
        e = ref.forward(x, w1, w2, b) - y
        calls = []
        for _attempt in range(2):
            with helpers.explained(call):
                calls.append(_numbers(sub.gradients_autograd(x, y, w1, w2, b), "gradients_autograd", 3))
        first, second = calls
        increment = [s - f for s, f in zip(second, first)]
        if np.allclose(increment, expected, rtol=1e-4, atol=1e-4) \
                and not np.allclose(second, expected, rtol=1e-4, atol=1e-4):
            raise check.CheckFailed(
                f"{call} gave {first} and, called again, {second}: each call adds its gradients to the ones "
                "before. .grad accumulates across calls; make fresh tensors with requires_grad=True in each call.")
        for attempt, got in (("first", first), ("second", second)):
            check.close(got, expected, f"{call} (called a {attempt} time)", rtol=1e-4, atol=1e-4,
                         loose=device != "cpu", mistakes={
                             "the loss is not squared: backward() must start from (y_hat - y) ** 2": [x * x, x, 1.0],
                             "the loss is the absolute error, not the squared error (y_hat - y) ** 2":
                                 [math.copysign(1.0, e) * v for v in (x * x, x, 1.0)],
                         })


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_train_random(sub, ref, rng, device):
    """train agrees with the reference on other data, starting points, learning rates and epoch counts"""
    for _ in range(3):
        xs, ys, w1, w2, b, lr = _random_problem(rng)
        epochs = int(rng.integers(10, 61))
        params, _ = _train(sub, xs, ys, w1, w2, b, lr, epochs)
        *expected, _ = ref.train(xs, ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
        check.close(params, expected, f"(w1, w2, b) after train(xs, ys, w1={w1:.4g}, w2={w2:.4g}, b={b:.4g}, "
                     f"lr={lr:.4g}, epochs={epochs}) on {len(xs)} random samples", rtol=1e-3, atol=1e-5,
                     loose=device != "cpu", mistakes={
                         **helpers.train_mistakes(xs, ys, w1, w2, b, lr, epochs, 0),
                         "it starts from w1=w2=b=1 instead of the initial values passed in":
                             helpers.replay(xs, ys, 1.0, 1.0, 1.0, lr, epochs)[0],
                         "it uses lr=0.01 instead of the learning rate passed in":
                             helpers.replay(xs, ys, w1, w2, b, 0.01, epochs)[0],
                         "it runs 100 epochs instead of the number passed in":
                             helpers.replay(xs, ys, w1, w2, b, lr, 100)[0],
                     })
    xs, ys, w1, w2, b, lr = _random_problem(rng)
    params, _ = _train(sub, xs, ys, w1, w2, b, lr, 0)
    check.close(params, [w1, w2, b], "(w1, w2, b) after 0 epochs (the initial values)", rtol=1e-6, atol=1e-6)


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_train_loss_history(sub, ref, rng, device):
    """loss_history[e] is the loss of epoch e's last sample, computed before its update"""
    for _ in range(2):
        xs, ys, w1, w2, b, lr = _random_problem(rng)
        epochs = int(rng.integers(8, 31))
        _, history = _train(sub, xs, ys, w1, w2, b, lr, epochs)
        expected = ref.train(xs, ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)[3]
        check.close(history, expected, f"loss_history of a {epochs}-epoch run on {len(xs)} random samples",
                     rtol=1e-3, atol=1e-6, loose=device != "cpu",
                     mistakes=helpers.train_mistakes(xs, ys, w1, w2, b, lr, epochs, 1))


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_train_zeroes_gradients(sub, ref, rng, device):
    """train zeroes every gradient after each update (otherwise backward() adds them up)"""
    for _ in range(2):
        xs, ys, w1, w2, b, _lr = _random_problem(rng)
        lr, epochs = 0.01, 4
        params, _ = _train(sub, xs, ys, w1, w2, b, lr, epochs)
        *expected, _ = ref.train(xs, ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
        mistakes = helpers.train_mistakes(xs, ys, w1, w2, b, lr, epochs, 0)
        check.close(params, expected, f"(w1, w2, b) after {epochs} epochs with lr={lr} on {len(xs)} random samples",
                     rtol=1e-3, atol=1e-5, loose=device != "cpu", mistakes=mistakes)
