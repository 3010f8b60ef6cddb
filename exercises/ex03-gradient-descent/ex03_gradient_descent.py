"""Lecture 3: gradient descent and stochastic gradient descent, by hand.

The course fits ``y = 2x`` on ``x = [1, 2, 3]``, ``y = [2, 4, 6]`` with the model
``y_hat = x * w``, computing the gradient itself (no autograd, no torch). Implement the
six functions below with NumPy or plain Python; run ``pttutor-grade check`` to see how you
are doing.

- ``forward(x, w)``: the prediction ``x * w``. ``x`` may be a number or a NumPy array.
- ``cost(xs, ys, w)``: the mean squared error ``(1/N) * sum((x*w - y)**2)`` over the N
  samples. ``xs`` and ``ys`` may be lists or NumPy arrays.
- ``gradient(xs, ys, w)``: the derivative of ``cost`` with respect to ``w``, i.e. the mean
  over the samples of ``2 * x * (x*w - y)``.
- ``gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100)``: batch gradient descent,
  starting at ``w = w0`` and doing one update ``w = w - lr * gradient(xs, ys, w)`` per
  epoch. Returns ``(w, loss_history)``: the final weight (a number) and a list of
  ``epochs`` numbers where ``loss_history[e]`` is ``cost(xs, ys, w)`` computed at the start
  of epoch ``e``, BEFORE that epoch's update (the course prints ``cost_val`` computed before
  ``w -= 0.01 * grad_val``; so ``loss_history[0]`` is the cost at ``w0``).
- ``sgd_gradient(x, y, w)``: the derivative of ONE sample's loss ``(x*w - y)**2`` with
  respect to ``w``, i.e. ``2 * x * (x*w - y)``.
- ``sgd(xs, ys, w0=1.0, lr=0.01, epochs=100)``: stochastic gradient descent, starting at
  ``w = w0``; in every epoch, go through the samples in the order given and update
  ``w = w - lr * sgd_gradient(x, y, w)`` once per sample (N updates per epoch). Returns
  ``(w, loss_history)`` where ``loss_history[e]`` is the loss ``(x*w - y)**2`` of the LAST
  sample of epoch ``e``, computed AFTER that sample's update (as the course's section 3.4
  code does: ``l = loss(x, y)`` after ``w = w - 0.01 * grad``, printed once per epoch).

``cost``, ``gradient`` and ``sgd_gradient`` may call ``forward``; ``gradient_descent`` calls
``gradient`` and ``cost`` and ``sgd`` calls ``sgd_gradient``, as written above.

Use the data and the arguments passed in (not the module's ``x_data``/``y_data``), and do
not clip or normalise the learning rate or the gradient: with too large a learning rate,
w must really diverge.

Facts to check yourself against: on the course data, ``cost(x_data, y_data, 1.0)`` is
14/3 = 4.667 and ``gradient(x_data, y_data, 1.0)`` is -28/3; gradient descent from w0=1.0
with lr=0.01 for 100 epochs gives ``forward(4, w)`` = 8.00 (to 2 decimals); with lr=1.0,
w goes 1.0 -> 10.33 -> -67.44 -> ... and explodes.
"""

import numpy as np

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w):
    """Predict ``y_hat = x * w``."""
    # TODO: return the prediction.
    raise NotImplementedError("forward")


def cost(xs, ys, w):
    """Mean squared error of the weight ``w`` over the samples ``(xs, ys)``."""
    # TODO: average the squared errors over the samples.
    raise NotImplementedError("cost")


def gradient(xs, ys, w):
    """Derivative of ``cost(xs, ys, w)`` with respect to ``w``."""
    # TODO: the mean over the samples of 2 * x * (x*w - y).
    raise NotImplementedError("gradient")


def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Batch gradient descent; returns ``(w, loss_history)``."""
    # TODO: each epoch, record the cost, then take one step with the mean gradient.
    raise NotImplementedError("gradient_descent")


def sgd_gradient(x, y, w):
    """Derivative of one sample's loss ``(x*w - y)**2`` with respect to ``w``."""
    # TODO: the gradient of this one sample's loss.
    raise NotImplementedError("sgd_gradient")


def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Stochastic gradient descent, one update per sample; returns ``(w, loss_history)``."""
    # TODO: each epoch, update w once per sample in order; record the last sample's loss.
    raise NotImplementedError("sgd")


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    print("Predict (before training)", 4, forward(4, 1.0))
    w_gd, history_gd = gradient_descent(x_data, y_data, w0=1.0, lr=0.01, epochs=100)
    print("Predict (after gradient descent)", 4, forward(4, w_gd))
    w_sgd, history_sgd = sgd(x_data, y_data, w0=1.0, lr=0.01, epochs=100)
    print("Predict (after SGD)", 4, forward(4, w_sgd))
    w_big, _ = gradient_descent(x_data, y_data, w0=1.0, lr=1.0, epochs=10)
    print("With lr=1.0, after 10 epochs w =", w_big)

    plt.plot(history_gd, label="gradient descent (cost before each update)")
    plt.plot(history_sgd, label="SGD (loss of the last sample)")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.yscale("log")
    plt.legend()
    plt.show()
