"""Hidden checks for ex02-cost-surface: randomized comparisons and the classic mistakes."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden


@pytest.mark.points(1)
def test_forward_and_mse_random(sub, ref, rng):
    """forward and mse agree with the reference on random data"""
    x = rng.normal(size=7)
    y = rng.normal(size=7)
    w, b = rng.normal(size=2)
    check.close(sub.forward(x, float(w), float(b)), ref.forward(x, w, b), "forward on random data")
    check.close(sub.mse(x, y, float(w), float(b)), ref.mse(x, y, w, b), "mse on random data")


@pytest.mark.points(2)
def test_cost_surface_not_transposed(sub, ref, rng):
    """cost[i, j] belongs to (W[i, j], B[i, j]) on a non-square grid"""
    w_values = np.linspace(-1.0, 5.0, 7)
    b_values = np.linspace(-3.0, 3.0, 4)
    X = np.array([1.0, 2.0, 3.0])
    Y = np.array([2.0, 4.0, 6.0])
    result = sub.cost_surface(X, Y, w_values, b_values)
    check.that(type(result) in (tuple, list) and len(result) == 3,
                f"cost_surface should return (W, B, cost); got {check.describe(result)}")
    W, B, cost = ref.cost_surface(X, Y, w_values, b_values)
    transposed = cost.T
    flipped = np.array([[ref.mse(X, Y, w, b) for b in b_values] for w in w_values])
    check.close(result[0], W, "W (from np.meshgrid(w_values, b_values))",
                 mistakes={"W and B are swapped: np.meshgrid(w_values, b_values) puts w along the columns": B})
    check.close(result[1], B, "B (from np.meshgrid(w_values, b_values))")
    check.close(result[2], cost, "cost on a 4 x 7 grid", mistakes={
        "it is transposed against the grid: cost[i, j] must be the MSE at (W[i, j], B[i, j])": transposed,
        "it is indexed [w, b], but the grid from np.meshgrid is indexed [b, w]": flipped,
    })


@pytest.mark.points(1)
def test_cost_surface_uses_given_data(sub, ref, rng):
    """cost_surface uses the x and y it is given, not the course data"""
    x = rng.uniform(-2, 2, size=5)
    y = 3.0 * x - 1.0 + rng.normal(scale=0.1, size=5)
    w_values = np.linspace(0.0, 6.0, 6)
    b_values = np.linspace(-2.0, 1.0, 3)
    result = sub.cost_surface(x, y, w_values, b_values)
    check.that(type(result) in (tuple, list) and len(result) == 3,
                f"cost_surface should return (W, B, cost); got {check.describe(result)}")
    course = ref.cost_surface(ref.x_data, ref.y_data, w_values, b_values)[2]
    check.close(result[2], ref.cost_surface(x, y, w_values, b_values)[2], "cost on other data",
                 mistakes={"it ignores the x and y passed in and uses the course data": course})


@pytest.mark.points(1)
def test_plot_is_a_surface(sub, ref):
    """the plot draws a surface (not a 3D line) spanning the cost's range"""
    W, B, cost = ref.cost_surface(ref.x_data, ref.y_data, np.linspace(0, 4, 6), np.linspace(-2, 2, 4))
    fig = sub.plot_cost_surface(W, B, cost)
    check.that("matplotlib.figure.Figure" in check.type_names(fig),
                f"plot_cost_surface should return a matplotlib Figure; got {check.describe(fig)}")
    ax = list(fig.axes)[0]
    kinds = [check.type_names(c)[0] for c in ax.collections]
    check.that(any(k.endswith("Poly3DCollection") for k in kinds),
                "the axes hold no surface: use ax.plot_surface(W, B, cost), not ax.plot (a line)")
    low, high = (float(v) for v in ax.get_zlim())
    check.that(low <= cost.min() + 1e-6 and high >= cost.max() - 1e-6,
                f"the z axis ({low:.3g} to {high:.3g}) does not span the cost ({cost.min():.3g} to {cost.max():.3g})")
