"""Hidden checks for ex02-cost-surface: edge cases the public checks leave out, each judged
against the student's own answers so that a mistake the public checks charge is not charged again."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


@pytest.mark.points(1)
@pytest.mark.judges("cost_surface", uses=["forward", "mse"])
def test_cost_surface_integer_inputs(sub, worker, request):
    """cost_surface gives the same costs for integer arrays (np.arange) as for the same values as floats"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, mse=helpers.MSE)
    x, y = np.array([1, 2, 3, 4]), np.array([3, 5, 6, 9])
    w_values, b_values = np.arange(-1, 4), np.arange(-2, 1)
    floats = helpers.surface(sub, x.astype(float), y.astype(float), w_values.astype(float), b_values.astype(float),
                             "cost_surface with float arrays")
    check.that(floats[2].size == floats[0].size and np.ptp(floats[2]) > 0,
               f"cost_surface should give one cost per grid point, and they differ; got {floats[2]}")
    ints = helpers.surface(sub, x, y, w_values, b_values, "cost_surface with integer arrays (np.arange(-1, 4), ...)")
    for name, got, want in zip(("W", "B", "cost"), ints, floats):
        check.close(got, want, f"{name} for integer arrays, compared with your {name} for the same values as floats",
                    mistakes={"the costs were rounded to whole numbers: an array made like the integer grid "
                              "(np.zeros_like(W)) has an integer dtype; make it with dtype=float": np.floor(want)})


@pytest.mark.points(1)
@pytest.mark.judges("plot_cost_surface")
def test_plot_fresh_figure_per_call(sub, rng):
    """each call draws the arrays it is given in a figure of its own (nothing left over from an earlier call)"""
    shown = []
    for call in (1, 2):
        w_values = np.sort(rng.uniform(-10.0, 10.0, size=int(rng.integers(3, 7))))
        b_values = np.sort(rng.uniform(-5.0, 5.0, size=int(rng.integers(3, 7))))
        W, B = np.meshgrid(w_values, b_values)
        cost = rng.normal(size=W.shape) * 3.0 - 20.0 * call  # any surface will do, negative values included
        fig = check.call(f"plot_cost_surface(W, B, cost) (call {call})", sub.plot_cost_surface, W, B, cost)
        shown.append((fig, W, B, cost))
    fig, W, B, cost = shown[1]
    axes = helpers.axes_3d(fig, "plot_cost_surface(W, B, cost)")
    check.that(len(axes) == 1, f"the figure returned by a second call holds {len(axes)} 3D axes: make a new "
                               "figure in every call (fig = plt.figure()) rather than adding to the current one")
    limits = check.as_array(axes[0].xy_dataLim.get_points(), "the axes' data limits")
    z_limits = check.as_array(axes[0].zz_dataLim.get_points(), "the axes' z data limits")[:, 0]
    want = [[W.min(), B.min()], [W.max(), B.max()]]
    check.that(np.allclose(limits, want) and np.allclose(z_limits, [cost.min(), cost.max()]),
               f"the axes of a second call span w {limits[:, 0]}, b {limits[:, 1]}, z {z_limits}, but the arrays "
               f"given span w {want[0][0]:.3g} to {want[1][0]:.3g}, b {want[0][1]:.3g} to {want[1][1]:.3g}, cost "
               f"{cost.min():.3g} to {cost.max():.3g}: draw exactly the W, B and cost given, on a new figure each call")
