"""Lecture 2 homework: the cost surface of ``y_hat = x * w + b``.

The course fits ``y = 2x`` with a linear model and draws the mean squared error as a
function of the weight. Here the model has a bias too, so the cost is a surface over the
plane of (w, b). Implement the four functions below; run ``pttutor-grade check`` to see
how you are doing.

- ``forward(x, w, b)``: the prediction ``x * w + b``. ``x`` may be a number or a NumPy array.
- ``mse(x, y, w, b)``: the mean over the samples of ``(forward(x, w, b) - y) ** 2``.
- ``cost_surface(x, y, w_values, b_values)``: returns ``(W, B, cost)`` where ``W, B`` are
  ``np.meshgrid(w_values, b_values)`` and ``cost[i, j]`` is the MSE at ``(W[i, j], B[i, j])``.
  Use the data passed in, not the module's ``x_data``/``y_data``. You may compute it with
  ``forward`` or ``mse``.
- ``plot_cost_surface(W, B, cost)``: a matplotlib ``Figure`` holding one 3D axes with the
  surface, its axes labelled ``w``, ``b`` and ``loss``.

Facts to check yourself against: on the course data the minimum is 0 at (w, b) = (2, 0).
"""

import matplotlib.pyplot as plt
import numpy as np

x_data = np.array([1.0, 2.0, 3.0])
y_data = np.array([2.0, 4.0, 6.0])


def forward(x, w, b):
    """Predict ``y_hat = x * w + b``."""
    # TODO: return the prediction.
    raise NotImplementedError("forward")


def mse(x, y, w, b):
    """Mean squared error of the model (w, b) on the samples (x, y)."""
    # TODO: average the squared errors over the samples.
    raise NotImplementedError("mse")


def cost_surface(x, y, w_values, b_values):
    """Return ``(W, B, cost)`` on the grid ``np.meshgrid(w_values, b_values)``."""
    # TODO: build the grid, then the cost at every point of it.
    raise NotImplementedError("cost_surface")


def plot_cost_surface(W, B, cost):
    """Draw the cost surface in 3D and return the matplotlib Figure."""
    # TODO: a 3D axes, a surface, and the labels w, b, loss.
    raise NotImplementedError("plot_cost_surface")


if __name__ == "__main__":
    W, B, cost = cost_surface(x_data, y_data, np.arange(0.0, 4.1, 0.1), np.arange(-2.0, 2.1, 0.1))
    plot_cost_surface(W, B, cost)
    plt.show()
