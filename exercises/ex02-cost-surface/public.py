"""Public checks for ex02-cost-surface: students run these locally."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.public

X = np.array([1.0, 2.0, 3.0])
Y = np.array([2.0, 4.0, 6.0])


@pytest.mark.points(1)
def test_forward(sub, ref):
    """forward(x, w, b) computes x * w + b for numbers and arrays"""
    check.close(sub.forward(3.0, 2.0, 1.0), ref.forward(3.0, 2.0, 1.0), "forward(3.0, w=2.0, b=1.0)")
    check.close(sub.forward(X, 0.5, -1.0), ref.forward(X, 0.5, -1.0), "forward([1, 2, 3], w=0.5, b=-1.0)")


@pytest.mark.points(1)
def test_mse_course_data(sub, ref):
    """mse is 0 at the minimum (2, 0) and 14/3 at (1, 0) on the course data"""
    check.close(sub.mse(X, Y, 2.0, 0.0), 0.0, "mse(x, y, w=2, b=0)", atol=1e-9)
    check.close(sub.mse(X, Y, 1.0, 0.0), ref.mse(X, Y, 1.0, 0.0), "mse(x, y, w=1, b=0)",
                 mistakes={"that is the sum of the squared errors; average them instead": 14.0})


@pytest.mark.points(2)
def test_cost_surface_square_grid(sub, ref):
    """cost_surface returns W, B and cost on np.meshgrid(w_values, b_values)"""
    w_values = np.linspace(0.0, 4.0, 5)
    b_values = np.linspace(-2.0, 2.0, 5)
    result = sub.cost_surface(X, Y, w_values, b_values)
    check.that(type(result) in (tuple, list) and len(result) == 3,
                f"cost_surface should return three arrays (W, B, cost); got {check.describe(result)}")
    W, B, cost = ref.cost_surface(X, Y, w_values, b_values)
    check.close(result[0], W, "W")
    check.close(result[1], B, "B")
    check.close(result[2], cost, "cost")
    got = check.as_array(result[2], "cost")
    i, j = np.unravel_index(np.argmin(got), got.shape)
    check.that((W[i, j], B[i, j]) == (2.0, 0.0), "the lowest cost should be at w=2, b=0")


@pytest.mark.points(1)
def test_plot_is_labelled_3d_surface(sub, ref):
    """plot_cost_surface returns a Figure with a labelled 3D surface"""
    W, B, cost = ref.cost_surface(X, Y, np.linspace(0, 4, 9), np.linspace(-2, 2, 9))
    fig = sub.plot_cost_surface(W, B, cost)
    check.that("matplotlib.figure.Figure" in check.type_names(fig),
                f"plot_cost_surface should return a matplotlib Figure; got {check.describe(fig)}")
    axes = list(fig.axes)
    check.that(len(axes) >= 1, "the figure has no axes")
    ax = axes[0]
    check.that(ax.name == "3d", "the axes should be 3D: fig.add_subplot(projection='3d')")
    labels = [str(ax.get_xlabel()).lower(), str(ax.get_ylabel()).lower(), str(ax.get_zlabel()).lower()]
    for label, wanted in zip(labels, ("w", "b", "loss")):
        check.that(wanted in label, f"label the axes w, b and loss; got {labels}")
