"""Hidden checks for ex03-gradient-descent: randomized comparisons and the classic mistakes."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)
X, Y = helpers.X, helpers.Y  # the course data


def _sgd_mistakes(ref, xs, ys, w0, lr, epochs):
    """What the usual SGD mistakes return, visiting the samples in reverse order included."""
    w_mistakes, h_mistakes = helpers.sgd_mistakes(ref, xs, ys, w0, lr, epochs)
    xs = [float(x) for x in xs]
    ys = [float(y) for y in ys]
    w_reversed, h_reversed = ref.sgd(xs[::-1], ys[::-1], w0, lr, epochs)
    order = "the samples are visited in reverse order; go through them in the order given"
    w_mistakes[order] = w_reversed
    h_mistakes[order] = h_reversed
    return w_mistakes, h_mistakes


def _random_data(rng, n):
    """n samples of a noisy line through the origin, x in [-2, 2]."""
    x = rng.uniform(-2.0, 2.0, size=n)
    y = float(rng.uniform(-3.0, 3.0)) * x + rng.normal(scale=0.3, size=n)
    return x, y


@pytest.mark.points(1)
def test_functions_random(sub, ref, rng):
    """forward, cost, gradient and sgd_gradient agree with the reference on random data"""
    n = int(rng.integers(4, 10))
    x, y = _random_data(rng, n)
    w = float(rng.normal(scale=2.0))
    check.close(sub.forward(x, w), ref.forward(x, w), "forward on a random array")
    check.close(sub.forward(float(x[0]), w), ref.forward(float(x[0]), w), "forward on a single number")
    good_cost = ref.cost(x, y, w)
    check.close(sub.cost(x, y, w), good_cost, f"cost on {n} random samples", mistakes={
        "that is the sum of the squared errors; the cost is their mean": n * good_cost,
    })
    good = ref.gradient(x, y, w)
    check.close(sub.gradient(x, y, w), good, f"gradient on {n} random samples", mistakes={
        "the factor 2 from the derivative of the square is missing": good / 2,
        "that is the sum over the samples; the gradient of the mean squared error is their mean": n * good,
        "the factor 2 is missing and the samples are summed instead of averaged": n * good / 2,
        "the sign is flipped: the derivative of (x*w - y)**2 is 2 * x * (x*w - y)": -good,
    })
    for xi, yi in zip(x[:3], y[:3]):
        xi, yi = float(xi), float(yi)
        one = ref.sgd_gradient(xi, yi, w)
        check.close(sub.sgd_gradient(xi, yi, w), one, f"sgd_gradient(x={xi:.4g}, y={yi:.4g}, w={w:.4g})", mistakes={
            "the factor 2 from the derivative of the square is missing": one / 2,
            "the sign is flipped: the derivative of (x*w - y)**2 is 2 * x * (x*w - y)": -one,
        })


@pytest.mark.points(1)
def test_gradient_descent_random(sub, ref, rng):
    """gradient_descent matches the reference on random data, w0, lr and epochs"""
    for _ in range(2):
        n = int(rng.integers(3, 9))
        x, y = _random_data(rng, n)
        w0 = float(rng.normal(scale=3.0))
        lr = float(rng.uniform(0.05, 0.45) / np.mean(x**2))
        epochs = int(rng.integers(5, 41))
        call = f"gradient_descent(xs, ys, w0={w0:.4g}, lr={lr:.4g}, epochs={epochs}) on {n} random samples"
        w, history = helpers.w_and_history(sub.gradient_descent(x, y, w0=w0, lr=lr, epochs=epochs), call, epochs)
        ref_w, ref_history = ref.gradient_descent(x, y, w0, lr, epochs)
        after = [ref.cost(x, y, ref.gradient_descent(x, y, w0, lr, e + 1)[0]) for e in range(epochs)]
        check.close(history, ref_history, f"the loss_history of {call}", mistakes={
            "each entry was recorded after the epoch's update; record the cost at the start of the epoch, "
            "before updating w": after,
            "w moves half as fast as it should: the gradient is missing the factor 2":
                ref.gradient_descent(x, y, w0, lr / 2, epochs)[1],
            "w moves too fast: the gradient sums over the samples instead of averaging":
                ref.gradient_descent(x, y, w0, lr * n, epochs)[1],
            "it starts from w = 1.0 instead of the w0 passed in": ref.gradient_descent(x, y, 1.0, lr, epochs)[1],
            "it uses lr = 0.01 instead of the lr passed in": ref.gradient_descent(x, y, w0, 0.01, epochs)[1],
        })
        check.close(w, ref_w, f"the w returned by {call}", mistakes={
            "it stops one update short": ref.gradient_descent(x, y, w0, lr, epochs - 1)[0],
            "it does one update too many": ref.gradient_descent(x, y, w0, lr, epochs + 1)[0],
        })


@pytest.mark.points(1)
def test_sgd_random(sub, ref, rng):
    """sgd matches the reference on random data, w0, lr and epochs (one update per sample, in order)"""
    for _ in range(2):
        n = int(rng.integers(3, 9))
        x, y = _random_data(rng, n)
        w0 = float(rng.normal(scale=3.0))
        lr = float(rng.uniform(0.02, 0.3) / np.max(x**2))
        epochs = int(rng.integers(3, 31))
        call = f"sgd(xs, ys, w0={w0:.4g}, lr={lr:.4g}, epochs={epochs}) on {n} random samples"
        w, history = helpers.w_and_history(sub.sgd(x, y, w0=w0, lr=lr, epochs=epochs), call, epochs)
        ref_w, ref_history = ref.sgd(x, y, w0, lr, epochs)
        w_mistakes, h_mistakes = _sgd_mistakes(ref, x, y, w0, lr, epochs)
        w_mistakes["it starts from w = 1.0 instead of the w0 passed in"] = ref.sgd(x, y, 1.0, lr, epochs)[0]
        check.close(w, ref_w, f"the w returned by {call}", mistakes=w_mistakes)
        check.close(history, ref_history, f"the loss_history of {call} (the loss of the last sample, after its "
                     "update)", mistakes=h_mistakes)


@pytest.mark.points(1)
def test_large_learning_rate_diverges(sub, ref):
    """with lr=1.0 w diverges as in the course (1.0 -> 10.33 -> -67.44 -> ...)"""
    advice = "Do not clip, cap or normalise the learning rate, the step or the gradient: with too large a " \
             "learning rate, gradient descent must really diverge."
    call = "gradient_descent(x_data, y_data, w0=1.0, lr=1.0, epochs=100)"
    w, history = helpers.w_and_history(sub.gradient_descent(X, Y, w0=1.0, lr=1.0, epochs=100), call, 100)
    check.that(not (abs(w) < 1e3), f"after {call}, w should have exploded (the course reaches "
                f"w = -1.2e+92); got w = {w:.6g}. " + advice)
    for epochs, course_w in ((1, 10.333333333333334), (2, -67.44444444444446)):
        got, _ = helpers.w_and_history(sub.gradient_descent(X, Y, w0=1.0, lr=1.0, epochs=epochs),
                                       f"gradient_descent(x_data, y_data, w0=1.0, lr=1.0, epochs={epochs})", epochs)
        check.close(got, course_w, f"w after {epochs} epoch(s) of gradient descent with lr=1.0 "
                     f"(course: {course_w:.2f})", mistakes={
                         "the gradient is missing the factor 2": ref.gradient_descent(X, Y, 1.0, 0.5, epochs)[0],
                         "the gradient sums over the samples instead of averaging":
                             ref.gradient_descent(X, Y, 1.0, 3.0, epochs)[0],
                     })
    ref_w, ref_history = ref.gradient_descent(X, Y, w0=1.0, lr=1.0, epochs=100)
    check.close(history[:3], [4.666666666666667, 324.0740740740741, 22505.144032921817],
                 f"loss_history[:3] of {call} (course: 4.667, 324.07, 22505.14)", mistakes={
                     "each entry was recorded after the epoch's update; record the cost before updating w":
                         ref_history[1:4],
                 })
    check.close(history, ref_history, f"the loss_history of {call}")
    check.close(4 * w, -4.829869388965469e+92, f"forward(4, w) after {call} (course: -4.83e+92)")
    call = "sgd(x_data, y_data, w0=1.0, lr=1.0, epochs=10)"
    w, history = helpers.w_and_history(sub.sgd(X, Y, w0=1.0, lr=1.0, epochs=10), call, 10)
    check.that(not (abs(w) < 1e3), f"after {call}, w should have exploded (to about -5.7e+20: per-sample "
                f"steps this large diverge too); got w = {w:.6g}. " + advice)
    ref_w, ref_history = ref.sgd(X, Y, w0=1.0, lr=1.0, epochs=10)
    w_mistakes, h_mistakes = _sgd_mistakes(ref, X, Y, 1.0, 1.0, 10)
    check.close(w, ref_w, f"the w returned by {call}", mistakes=w_mistakes)
    check.close(history, ref_history, f"the loss_history of {call}", mistakes=h_mistakes)


@pytest.mark.points(1)
def test_defaults_and_edge_cases(sub, ref, rng):
    """default arguments, epochs=0, lr=0 and a single sample behave as specified"""
    x, y = _random_data(rng, 5)
    for name in ("gradient_descent", "sgd"):
        call = f"{name}(xs, ys) with the default w0=1.0, lr=0.01, epochs=100"
        w, history = helpers.w_and_history(getattr(sub, name)(x, y), call, 100)
        ref_w, ref_history = getattr(ref, name)(x, y)
        check.close(w, ref_w, f"the w returned by {call}")
        check.close(history, ref_history, f"the loss_history of {call}")

        call = f"{name}(xs, ys, w0=0.5, lr=0.1, epochs=0)"
        w, history = helpers.w_and_history(getattr(sub, name)(x, y, w0=0.5, lr=0.1, epochs=0), call, 0)
        check.close(w, 0.5, f"the w returned by {call} (no epochs: w stays w0)")

        call = f"{name}(xs, ys, w0=-1.5, lr=0.0, epochs=4)"
        w, history = helpers.w_and_history(getattr(sub, name)(x, y, w0=-1.5, lr=0.0, epochs=4), call, 4)
        check.close(w, -1.5, f"the w returned by {call} (lr=0: w never moves)")
        check.close(history, getattr(ref, name)(x, y, -1.5, 0.0, 4)[1], f"the loss_history of {call}")

        call = f"{name}([2.5], [-1.0], w0=1.0, lr=0.05, epochs=6) on a single sample"
        w, history = helpers.w_and_history(getattr(sub, name)([2.5], [-1.0], w0=1.0, lr=0.05, epochs=6), call, 6)
        ref_w, ref_history = getattr(ref, name)([2.5], [-1.0], 1.0, 0.05, 6)
        check.close(w, ref_w, f"the w returned by {call}")
        check.close(history, ref_history, f"the loss_history of {call}")
