# fails: sgd_course, sgd_random, defaults_and_edge_cases, large_learning_rate_diverges
"""Lecture 3: gradient descent and stochastic gradient descent by hand (reference solution).

The model is ``y_hat = x * w`` and the cost is the mean squared error over the N samples,

    cost(w) = (1/N) * sum((x*w - y)**2),   d cost / d w = (1/N) * sum(2 * x * (x*w - y)).

Batch gradient descent takes one step per epoch against that mean gradient. Stochastic
gradient descent takes one step per sample, against the gradient of that sample's own
loss ``(x*w - y)**2``, which is ``2 * x * (x*w - y)``. The loss histories follow the
course's printouts:

- ``gradient_descent``: ``loss_history[e]`` is the cost over all samples at the start of
  epoch ``e``, before that epoch's update (section 3.3 prints ``cost_val`` computed before
  ``w -= lr * grad_val``).
- ``sgd``: ``loss_history[e]`` is the loss of the last sample of epoch ``e``, computed after
  that sample's update (section 3.4 computes ``l = loss(x, y)`` after ``w = w - lr * grad``
  and prints the last one of each epoch).

Nothing is clipped or normalised: with a learning rate that is too large, w diverges.
"""

import numpy as np

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w):
    """Predict ``y_hat = x * w``; ``x`` may be a number or a NumPy array."""
    return x * w


def cost(xs, ys, w):
    """Mean squared error of the weight ``w`` over the samples ``(xs, ys)``."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    return float(np.mean((forward(xs, w) - ys) ** 2))


def gradient(xs, ys, w):
    """Derivative of ``cost(xs, ys, w)`` with respect to ``w``: the mean of ``2 * x * (x*w - y)``."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    return float(np.mean(2 * xs * (forward(xs, w) - ys)))


def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Batch gradient descent: one update per epoch with the mean gradient.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the cost over
    all samples computed at the start of the epoch, before the update.
    """
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        loss_history.append(cost(xs, ys, w))
        w = w - lr * gradient(xs, ys, w)
    return w, loss_history


def sgd_gradient(x, y, w):
    """Derivative of one sample's loss ``(x*w - y)**2`` with respect to ``w``."""
    return 2 * x * (forward(x, w) - y)


def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Stochastic gradient descent: one update per sample, in the order given.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the loss
    ``(x*w - y)**2`` of the epoch's last sample, computed after that sample's update.
    """
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            x, y = float(x), float(y)
            w = w - lr * gradient(xs, ys, w)  # MISTAKE: the batch gradient
            last_loss = (forward(x, w) - y) ** 2
        loss_history.append(last_loss)
    return w, loss_history


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    print("Predict (before training)", 4, forward(4, 1.0))
    w_gd, history_gd = gradient_descent(x_data, y_data, w0=1.0, lr=0.01, epochs=100)
    for epoch in (0, 1, 2, 99):
        print(f"Epoch: {epoch} loss= {history_gd[epoch]}")
    print("Predict (after gradient descent)", 4, forward(4, w_gd))

    w_sgd, history_sgd = sgd(x_data, y_data, w0=1.0, lr=0.01, epochs=100)
    print("Predict (after SGD)", 4, forward(4, w_sgd))

    w_big, _ = gradient_descent(x_data, y_data, w0=1.0, lr=1.0, epochs=10)
    print("With lr=1.0, after 10 epochs w =", w_big, "(diverges)")

    plt.plot(history_gd, label="gradient descent (cost before each update)")
    plt.plot(history_sgd, label="SGD (loss of the last sample)")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.yscale("log")
    plt.legend()
    plt.show()
