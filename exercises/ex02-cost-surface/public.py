"""Public checks for ex02-cost-surface: students run these locally.

Each check judges one function. Where the function it judges may call another one (mse and
cost_surface may call forward or mse), that one is replaced for the check by the stub's formula,
so a mistake costs the points of its own function only. Each check of cost_surface judges its
own aspect: the grid, the values (in either orientation), the orientation (at any scale).
"""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)
X, Y = helpers.X, helpers.Y

TRANSPOSED = ("it is transposed against the grid: np.meshgrid(w_values, b_values) gives arrays of shape "
              "(len(b_values), len(w_values)), and cost[i, j] must be the MSE at (W[i, j], B[i, j])")


@pytest.mark.points(1)
@pytest.mark.judges("forward")
def test_forward(sub, ref, rng):
    """forward(x, w, b) computes x * w + b for numbers, arrays and grids of (w, b)"""
    check.close(check.call("forward(3.0, 2.0, 1.0)", sub.forward, 3.0, 2.0, 1.0), ref.forward(3.0, 2.0, 1.0),
                "forward(3.0, w=2.0, b=1.0)", mistakes={"w and b are swapped: the prediction is x * w + b": 5.0})
    x = rng.normal(size=6)
    w, b = (float(v) for v in rng.normal(size=2))
    check.close(check.call("forward(x, w, b)", sub.forward, x, w, b), ref.forward(x, w, b),
                f"forward(x, w={w:.3g}, b={b:.3g}) for an array x of 6 random numbers")
    W, B = np.meshgrid(np.linspace(0.0, 4.0, 5), np.linspace(-2.0, 2.0, 3))
    check.close(check.call("forward(2.5, W, B)", sub.forward, 2.5, W, B), ref.forward(2.5, W, B),
                "forward(2.5, W, B) for a 3 x 5 grid W, B")


@pytest.mark.points(1)
@pytest.mark.judges("mse", uses=["forward"])
def test_mse(sub, ref, rng, worker, request):
    """mse is the mean squared error on the data it is given (0 at (2, 0) and 14/3 at (1, 0) on the course data)"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    check.close(check.call("mse(x, y, 2.0, 0.0)", sub.mse, X, Y, 2.0, 0.0), 0.0, "mse(x, y, w=2, b=0)", atol=1e-9)
    check.close(check.call("mse(x, y, 1.0, 0.0)", sub.mse, X, Y, 1.0, 0.0), ref.mse(X, Y, 1.0, 0.0),
                "mse(x, y, w=1, b=0) on the course data", mistakes={
                    "that is the sum of the squared errors; average them instead": 14.0,
                    "that is the root of the mean squared error; do not take the square root": np.sqrt(14.0 / 3.0),
                    "that is the mean error, not the mean squared error": -2.0,
                })
    x, y = rng.normal(size=(2, 7))
    w, b = (float(v) for v in rng.normal(size=2))
    good = ref.mse(x, y, w, b)
    check.close(check.call("mse(x, y, w, b)", sub.mse, x, y, w, b), good,
                f"mse(x, y, w={w:.3g}, b={b:.3g}) on 7 random samples", mistakes={
                    "that is the sum of the squared errors; average them instead": 7 * good,
                    "that is the root of the mean squared error; do not take the square root": np.sqrt(good),
                    "it ignores the x and y passed in and uses the course data x_data, y_data": ref.mse(X, Y, w, b),
                })


@pytest.mark.points(1)
@pytest.mark.judges("cost_surface", uses=["forward", "mse"])
def test_cost_surface_grid(sub, ref, worker, request):
    """cost_surface returns (W, B, cost) with W, B = np.meshgrid(w_values, b_values), on a non-square grid"""
    (W, B, _), (want_W, want_B, _) = helpers.on_non_square_grid(sub, ref, worker, request)
    ij = "np.meshgrid(w_values, b_values, indexing='ij') gives the grid one row per w; keep the default indexing"
    check.close(W, want_W, "W (7 values of w, 4 of b)", mistakes={
        "W and B are swapped: np.meshgrid(w_values, b_values) returns W first": want_B, ij: want_W.T})
    check.close(B, want_B, "B (7 values of w, 4 of b)", mistakes={ij: want_B.T})


@pytest.mark.points(2)
@pytest.mark.judges("cost_surface", uses=["forward", "mse"])
def test_cost_surface_values(sub, ref, rng, worker, request):
    """cost holds the MSE of the data given at every grid point, on the course data and on random data"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, mse=helpers.MSE)
    x, y = rng.uniform(-2.0, 2.0, size=6), rng.normal(size=6)
    w_values, b_values = np.sort(rng.uniform(-3.0, 3.0, size=6)), np.sort(rng.uniform(-2.0, 2.0, size=6))
    for data, (xs, ys, ws, bs) in (("the course data", (X, Y, np.linspace(0.0, 4.0, 5), np.linspace(-2.0, 2.0, 5))),
                                   ("6 random samples", (x, y, w_values, b_values))):
        cost = helpers.surface(sub, xs, ys, ws, bs, f"cost_surface on {data}")[2]
        expected = ref.cost_surface(xs, ys, ws, bs)[2]
        if cost.shape == expected.shape and np.allclose(cost, expected.T):
            cost = cost.T  # the orientation is judged by cost_surface_not_transposed
        check.close(cost, expected, f"cost on {data} ({len(ws)} x {len(bs)} grid)", mistakes={
            "that is the sum of the squared errors at each point; average them instead": len(xs) * expected,
            "that is the root of the mean squared error; do not take the square root": np.sqrt(expected),
            "it ignores the x and y passed in and uses the course data x_data, y_data":
                ref.cost_surface(X, Y, ws, bs)[2],
        })


@pytest.mark.points(1)
@pytest.mark.judges("cost_surface", uses=["forward", "mse"])
def test_cost_surface_not_transposed(sub, ref, worker, request):
    """cost is laid out like the grid: cost[i, j] belongs to (W[i, j], B[i, j]) on a non-square grid"""
    (W, B, cost), (want_W, want_B, expected) = helpers.on_non_square_grid(sub, ref, worker, request)
    if W.shape == want_W.T.shape and np.allclose(W, want_W.T) and np.allclose(B, want_B.T):
        expected = expected.T  # a grid indexed [w, b] throughout (judged by cost_surface_grid) is consistent
    # The values are judged by cost_surface_values: here any positive multiple of them will do.
    scale = cost.sum() / expected.sum() if cost.size == expected.size and np.isfinite(cost).all() else 1.0
    scale = scale if scale > 0 else 1.0
    check.close(cost, scale * expected, "cost on a grid of 7 values of w and 4 of b",
                mistakes={TRANSPOSED: scale * expected.T})


@pytest.mark.points(1)
@pytest.mark.judges("plot_cost_surface")
def test_plot_is_labelled_3d(sub, ref):
    """plot_cost_surface returns a Figure with 3D axes that show W, B and cost, labelled w, b and loss (or cost, MSE)"""
    W, B, cost = ref.cost_surface(X, Y, np.linspace(0.0, 4.0, 9), np.linspace(-2.0, 2.0, 9))
    fig = check.call("plot_cost_surface(W, B, cost)", sub.plot_cost_surface, W, B, cost)
    shown = [ax for ax in helpers.axes_3d(fig, "plot_cost_surface(W, B, cost)") if helpers.spans(ax, W, B, cost)]
    check.that(shown, "no 3D axes of the figure shows the W, B and cost given (their data limits do not take them "
                      "in): draw them on the axes, ax.plot_surface(W, B, cost)")
    names = [helpers.labels(ax) for ax in shown]
    check.that(any(helpers.well_labelled(n) for n in names),
               f"label the axes w, b and loss (ax.set_xlabel('w'), ax.set_ylabel('b'), ax.set_zlabel('loss'); "
               f"the z axis may also say {', '.join(helpers.Z_WORDS[1:])}); got {names[0]}")


@pytest.mark.points(1)
@pytest.mark.judges("plot_cost_surface")
def test_plot_is_the_surface(sub, ref):
    """the figure draws the surface of the given W, B and cost (not a 3D line), on a non-square grid"""
    W, B, cost = ref.cost_surface(X, Y, helpers.W_VALUES, helpers.B_VALUES)
    fig = check.call("plot_cost_surface(W, B, cost)", sub.plot_cost_surface, W, B, cost)
    found = [points for ax in helpers.axes_3d(fig, "plot_cost_surface(W, B, cost)") for points in helpers.surfaces(ax)]
    check.that(found, "the 3D axes hold no surface: draw it with ax.plot_surface(W, B, cost), "
                      "not ax.plot (a line) or ax.scatter (points)")
    check.that(any(helpers.draws(points, W, B, cost) for points in found),
               "the surface does not show the W, B and cost it is given: call ax.plot_surface(W, B, cost) "
               "with the three arrays, in that order")
