"""Public checks for ex03-gradient-descent: students run these locally.

Each check judges its own functions. While gradient_descent or sgd is judged, the functions they
call (gradient, cost, sgd_gradient, forward) are replaced by the stub's formulas, so a mistake in
those costs their own points only.
"""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)
X, Y = helpers.X, helpers.Y  # the course data


def _random_data(rng, n):
    """n samples of a noisy line through the origin, x in [-2, 2]."""
    x = rng.uniform(-2.0, 2.0, size=n)
    return x, float(rng.uniform(-3.0, 3.0)) * x + rng.normal(scale=0.3, size=n)


@pytest.mark.points(1)
@pytest.mark.judges("forward", "cost")
def test_forward_and_cost(sub, ref, rng):
    """forward(x, w) is x * w and cost is the mean squared error of the data given (14/3 at w=1 on the course data)"""
    check.close(check.call("forward(4.0, 2.0)", sub.forward, 4.0, 2.0), 8.0, "forward(4.0, w=2.0)")
    xs = np.array(X)
    check.close(check.call("forward(xs, 0.5)", sub.forward, xs, 0.5), ref.forward(xs, 0.5),
                "forward(np.array([1, 2, 3]), w=0.5)")
    check.close(check.call("cost(x_data, y_data, 2.0)", sub.cost, X, Y, 2.0), 0.0, "cost(x_data, y_data, w=2.0)",
                atol=1e-12)
    check.close(check.call("cost(x_data, y_data, 1.0)", sub.cost, X, Y, 1.0), ref.cost(X, Y, 1.0),
                "cost(x_data, y_data, w=1.0)", mistakes={
                    "that is the sum of the squared errors; the cost is their mean": 14.0,
                    "that is the mean error, not the mean squared error": -2.0,
                })
    x, y = _random_data(rng, 7)
    w = float(rng.normal(scale=2.0))
    good = ref.cost(x, y, w)
    check.close(check.call("cost(xs, ys, w)", sub.cost, x, y, w), good, f"cost(xs, ys, w={w:.4g}) on 7 random samples",
                mistakes={
                    "that is the sum of the squared errors; the cost is their mean": 7 * good,
                    "it ignores the xs and ys passed in and uses the course data x_data, y_data": ref.cost(X, Y, w),
                })


@pytest.mark.points(1)
@pytest.mark.judges("gradient", uses=["forward"])
def test_gradient(sub, ref, rng, worker, request):
    """gradient is the mean of 2 * x * (x*w - y): -28/3 at w=1 on the course data, and on random data"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    x, y = _random_data(rng, 6)
    w = float(rng.normal(scale=2.0))
    for data, xs, ys, at in (("x_data, y_data", X, Y, 1.0), ("6 random samples", x, y, w)):
        good = ref.gradient(xs, ys, at)
        check.close(check.call(f"gradient({data}, {at:.4g})", sub.gradient, xs, ys, at), good,
                    f"gradient on {data} at w={at:.4g}", mistakes={
                        "the factor 2 from the derivative of the square is missing": good / 2,
                        "that is the sum over the samples; the gradient of the mean squared error is their mean":
                            len(xs) * good,
                        "the factor 2 is missing and the samples are summed instead of averaged": len(xs) * good / 2,
                        "the sign is flipped: the derivative of (x*w - y)**2 is 2 * x * (x*w - y)": -good,
                        "it ignores the xs and ys passed in and uses the course data x_data, y_data":
                            ref.gradient(X, Y, at),
                    })
    check.close(check.call("gradient(x_data, y_data, 2.0)", sub.gradient, X, Y, 2.0), 0.0,
                "gradient(x_data, y_data, w=2.0) at the minimum", atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.judges("sgd_gradient", uses=["forward"])
def test_sgd_gradient(sub, ref, rng, worker, request):
    """sgd_gradient(x, y, w) is 2 * x * (x*w - y): -18 at x=3, y=6, w=1, and at random points"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    points = [(3.0, 6.0, 1.0)] + [tuple(float(v) for v in rng.normal(scale=2.0, size=3)) for _ in range(3)]
    for x, y, w in points:
        one = ref.sgd_gradient(x, y, w)
        check.close(check.call(f"sgd_gradient({x:.4g}, {y:.4g}, {w:.4g})", sub.sgd_gradient, x, y, w), one,
                    f"sgd_gradient(x={x:.4g}, y={y:.4g}, w={w:.4g})", mistakes={
                        "the factor 2 from the derivative of the square is missing": one / 2,
                        "the factor x from the derivative of x*w is missing": 2 * (x * w - y),
                        "the sign is flipped: the derivative of (x*w - y)**2 is 2 * x * (x*w - y)": -one,
                    })


@pytest.mark.points(2)
@pytest.mark.judges("gradient_descent", uses=["gradient", "cost", "forward"])
def test_gradient_descent(sub, ref, rng, worker, request):
    """gradient descent: forward(4) = 8.00 after 100 epochs on the course data, random data and arguments,
    and divergence with lr=1.0"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, cost=helpers.COST, gradient=helpers.GRADIENT)
    x, y = _random_data(rng, int(rng.integers(3, 9)))
    runs = [(X, Y, 1.0, 0.01, 100, "x_data, y_data"), (X, Y, 1.0, 1.0, 100, "x_data, y_data"),
            (x, y, float(rng.normal(scale=3.0)), float(rng.uniform(0.05, 0.45) / np.mean(x**2)),
             int(rng.integers(5, 41)), f"{len(x)} random samples")]
    helpers.judge_runs(sub, ref, "gradient_descent", runs, helpers.descent_mistakes,
                       "the course goes 1.0 -> 10.33 -> -67.44 -> ... -> -1.2e+92")


@pytest.mark.points(2)
@pytest.mark.judges("sgd", uses=["sgd_gradient", "forward"])
def test_sgd(sub, ref, rng, worker, request):
    """sgd updates w after every sample, in order: the course data, random data and arguments, and
    divergence with lr=1.0"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, sgd_gradient=helpers.SGD_GRADIENT)
    x, y = _random_data(rng, int(rng.integers(3, 9)))
    runs = [(X, Y, 1.0, 0.01, 1, "x_data, y_data"), (X, Y, 1.0, 0.01, 100, "x_data, y_data"),
            (X, Y, 1.0, 1.0, 10, "x_data, y_data"),
            (x, y, float(rng.normal(scale=3.0)), float(rng.uniform(0.02, 0.3) / np.max(x**2)),
             int(rng.integers(3, 31)), f"{len(x)} random samples")]
    helpers.judge_runs(sub, ref, "sgd", runs, helpers.sgd_mistakes,
                       "to about -5.7e+20: per-sample steps this large diverge too")
