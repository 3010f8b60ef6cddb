# fails: cost_surface_uses_given_data
"""Lecture 2 homework: the cost surface of ``y_hat = x * w + b`` (reference solution).

The mean squared error of a linear model is a quadratic function of its parameters, so
over the (w, b) plane it is a bowl whose lowest point is the least-squares fit. We
evaluate it on a grid by broadcasting: the samples run along a new first axis, the grid
along the other two, and the mean over the first axis leaves one cost per grid point.
"""

import matplotlib.pyplot as plt
import numpy as np

x_data = np.array([1.0, 2.0, 3.0])
y_data = np.array([2.0, 4.0, 6.0])


def forward(x, w, b):
    """Predict ``y_hat = x * w + b``."""
    return x * w + b


def mse(x, y, w, b):
    """Mean squared error of the model (w, b) on the samples (x, y)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.mean((forward(x, w, b) - y) ** 2))


def cost_surface(x, y, w_values, b_values):
    """Return ``(W, B, cost)`` on the grid ``np.meshgrid(w_values, b_values)``.

    ``W`` and ``B`` have shape ``(len(b_values), len(w_values))``; ``cost[i, j]`` is the
    MSE of the model ``(W[i, j], B[i, j])``.
    """
    x = x_data
    y = y_data
    W, B = np.meshgrid(np.asarray(w_values, dtype=float), np.asarray(b_values, dtype=float))
    # One plane of predictions per sample: shape (n_samples, len(b_values), len(w_values)).
    errors = forward(x[:, None, None], W, B) - y[:, None, None]
    cost = np.mean(errors**2, axis=0)
    return W, B, cost


def plot_cost_surface(W, B, cost):
    """Draw the cost surface in 3D and return the matplotlib Figure."""
    fig = plt.figure(figsize=(7, 5))
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(W, B, cost, cmap="viridis", alpha=0.9)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("loss")
    ax.set_title("MSE of y_hat = x * w + b")
    return fig


if __name__ == "__main__":
    W, B, cost = cost_surface(x_data, y_data, np.arange(0.0, 4.1, 0.1), np.arange(-2.0, 2.1, 0.1))
    plot_cost_surface(W, B, cost)
    plt.show()
