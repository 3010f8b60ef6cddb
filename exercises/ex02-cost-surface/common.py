"""Helpers shared by the public and hidden checks of ex02-cost-surface: the stub's formulas as
stand-ins for the parts a check does not judge, what cost_surface returned, and the 3D axes,
surfaces and labels of a figure, read as data."""

import numpy as np

from pttutor.grader import check

X = np.array([1.0, 2.0, 3.0])  # the course data
Y = np.array([2.0, 4.0, 6.0])

# The stub's formulas, built inside the worker while a check judges another part that may call them.
FORWARD = "lambda x, w, b: x * w + b"
MSE = ("(lambda np: lambda x, y, w, b: float(np.mean((np.asarray(x, dtype=float) * w + b"
       " - np.asarray(y, dtype=float)) ** 2)))(__import__('numpy'))")

Z_WORDS = ("loss", "cost", "mse", "error", "risk", "objective")  # what the z axis may be called
W_VALUES, B_VALUES = np.linspace(-1.0, 5.0, 7), np.linspace(-3.0, 3.0, 4)  # a grid that is not square


def surface(sub, x, y, w_values, b_values, what):
    """Call the student's cost_surface; return (W, B, cost) as float arrays."""
    result = check.call(what, sub.cost_surface, x, y, w_values, b_values)
    check.that(type(result) in (tuple, list) and len(result) == 3,
               f"cost_surface should return three arrays (W, B, cost); got {check.describe(result)}")
    return [check.as_array(value, f"{name} returned by {what}") for value, name in zip(result, ("W", "B", "cost"))]


def on_non_square_grid(sub, ref, worker, request):
    """The student's (W, B, cost) and the reference's on the course data and the 4 x 7 grid, with the stub's
    forward and mse standing in for the student's."""
    check.stand_ins(request, worker, sub, forward=FORWARD, mse=MSE)
    got = surface(sub, X, Y, W_VALUES, B_VALUES, "cost_surface(x, y, w_values, b_values)")
    return got, ref.cost_surface(X, Y, W_VALUES, B_VALUES)


def axes_3d(fig, what):
    """The 3D axes of the figure the student's function returned."""
    try:
        axes = list(fig.axes)
    except (check.SubmissionError, TypeError, AttributeError):
        raise check.CheckFailed(f"{what} should return the matplotlib Figure (fig = plt.figure()); "
                                f"got {check.describe(fig)}") from None
    check.that(axes, f"the figure returned by {what} has no axes")
    found = [ax for ax in axes if _name(ax) == "3d"]
    check.that(found, "the axes should be 3D: fig.add_subplot(projection='3d')")
    return found


def _name(ax):
    try:
        return ax.name
    except check.SubmissionError:
        return None


def spans(ax, W, B, cost):
    """Whether the axes' data limits take in the arrays drawn (whatever was drawn with them)."""
    try:
        xy = check.as_array(ax.xy_dataLim.get_points(), "the axes' data limits")
        z = check.as_array(ax.zz_dataLim.get_points(), "the axes' z data limits")[:, 0]
    except (check.SubmissionError, check.CheckFailed, AttributeError):
        return False
    low = np.array([W.min(), B.min(), cost.min()])
    high = np.array([W.max(), B.max(), cost.max()])
    tol = 1e-9 + 1e-6 * np.abs(high - low)
    return bool(np.all([*xy[0], z[0]] <= low + tol) and np.all([*xy[1], z[1]] >= high - tol))


def labels(ax):
    """The x, y and z labels of a 3D axes, lower case."""
    return [str(check.call("ax.get_xlabel()", ax.get_xlabel)).lower(),
            str(check.call("ax.get_ylabel()", ax.get_ylabel)).lower(),
            str(check.call("ax.get_zlabel()", ax.get_zlabel)).lower()]


def well_labelled(names):
    """x names w (or weight), y names b (or bias), z names the loss (or one of its synonyms)."""
    x, y, z = names
    return ("w" in x or "weight" in x) and ("b" in y or "bias" in y) and any(word in z for word in Z_WORDS)


def surfaces(ax):
    """The vertices (n x 3 arrays) of every surface the axes hold: polygons (plot_surface,
    plot_trisurf) or a wire frame; lines and scattered points are not surfaces."""
    found = []
    for collection in list(ax.collections):
        for attribute in ("_faces", "_vec", "_segments3d"):  # matplotlib >= 3.9, before, wire frames
            try:
                found.append(_vertices(collection, attribute))
                break
            except (check.SubmissionError, check.CheckFailed, AttributeError, TypeError):
                continue
    return found


def _vertices(collection, attribute):
    data = getattr(collection, attribute)
    if attribute == "_segments3d":  # one line per row and per column of the grid, of different lengths
        return np.concatenate([check.as_array(line, "a line of a wire frame").reshape(-1, 3) for line in data])
    data = check.as_array(data, "the vertices of a surface")
    if attribute == "_vec":
        return data[:3].T
    # Faces with fewer vertices than the largest one are padded; the padding is marked invalid.
    invalid = check.as_array(collection._invalid_vertices, "the invalid vertices of a surface").astype(bool)
    points = data.reshape(-1, 3)[~np.broadcast_to(invalid, data.shape[:2]).reshape(-1)]
    return points[np.isfinite(points).all(axis=1)]


def draws(points, W, B, cost):
    """Whether the vertices lie on the surface (W, B, cost) and span its grid."""
    if points.shape[0] == 0:
        return False
    w_values, b_values = W[0, :], B[:, 0]
    cols = np.abs(points[:, :1] - w_values[None, :]).argmin(axis=1)
    rows = np.abs(points[:, 1:2] - b_values[None, :]).argmin(axis=1)
    on_grid = np.allclose(points[:, 0], w_values[cols]) and np.allclose(points[:, 1], b_values[rows])
    return bool(on_grid and np.allclose(points[:, 2], cost[rows, cols], rtol=1e-6, atol=1e-9)
                and set(cols) >= {0, len(w_values) - 1} and set(rows) >= {0, len(b_values) - 1})
