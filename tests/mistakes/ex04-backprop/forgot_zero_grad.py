# fails: train_course_facts, train_random, train_loss_history, train_zeroes_gradients
"""Lecture 4, exercises 4-1 to 4-4: back propagation for a quadratic model (reference solution).

The model is ``y_hat = w1 * x**2 + w2 * x + b`` and the loss of one sample is
``(y_hat - y) ** 2``. Its computational graph is short enough to differentiate by hand
with the chain rule: with ``error = y_hat - y``,

    dloss/dy_hat = 2 * error
    dy_hat/dw1 = x**2,   dy_hat/dw2 = x,   dy_hat/db = 1

so ``dloss/dw1 = 2 * error * x**2``, ``dloss/dw2 = 2 * error * x`` and
``dloss/db = 2 * error``. Autograd builds the same graph while the loss is computed and
applies the same rule when ``backward()`` is called; the two must agree.

Training is per-sample stochastic gradient descent, as in the course: for each sample,
compute the loss, ``backward()``, step every parameter against its gradient (inside
``torch.no_grad()``, so that the step is not itself recorded in the graph), then zero
the gradients, because ``backward()`` adds to ``.grad`` rather than overwriting it.
"""

import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w1, w2, b):
    """Predict ``y_hat = w1 * x**2 + w2 * x + b`` (numbers, arrays or tensors)."""
    return w1 * x**2 + w2 * x + b


def loss(x, y, w1, w2, b):
    """Squared error ``(y_hat - y) ** 2`` of one sample."""
    y_pred = forward(x, w1, w2, b)
    return (y_pred - y) ** 2


def gradients_by_hand(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, by the chain rule, as floats."""
    error = forward(x, w1, w2, b) - y
    dloss_dy_pred = 2 * error  # derivative of error**2 with respect to y_hat
    dw1 = dloss_dy_pred * x**2  # dy_hat/dw1 = x**2
    dw2 = dloss_dy_pred * x  # dy_hat/dw2 = x
    db = dloss_dy_pred * 1  # dy_hat/db = 1
    return float(dw1), float(dw2), float(db)


def gradients_autograd(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, computed by autograd, as floats."""
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b), requires_grad=True)
    l = loss(x, y, w1, w2, b)
    l.backward()
    return w1.grad.item(), w2.grad.item(), b.grad.item()


def train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100):
    """Per-sample SGD with autograd; return ``(w1, w2, b, loss_history)``.

    Each epoch visits the samples in order; for each sample: loss, ``backward()``, one
    step ``p -= lr * p.grad`` for each parameter inside ``torch.no_grad()``, then every
    ``.grad`` is zeroed. ``loss_history[e]`` is the loss of the LAST sample of epoch ``e``
    as computed in that sample's forward pass, i.e. before its update (what the course
    prints with ``print("progress:", epoch, l.item())``). The parameters are returned as
    floats and ``loss_history`` is a list of ``epochs`` floats.
    """
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b), requires_grad=True)
    params = [w1, w2, b]
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            l = loss(x, y, w1, w2, b)
            l.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
        loss_history.append(l.item())
    return w1.item(), w2.item(), b.item(), loss_history


if __name__ == "__main__":
    print("gradients at x=2, y=4, w1=w2=b=1:")
    print("  by hand: ", gradients_by_hand(2.0, 4.0, 1.0, 1.0, 1.0))
    print("  autograd:", gradients_autograd(2.0, 4.0, 1.0, 1.0, 1.0))
    print("predict (before training)", 4, forward(4.0, 1.0, 1.0, 1.0))
    w1, w2, b, history = train(x_data, y_data)
    for epoch in (0, 1, 2, 99):
        print("progress:", epoch, history[epoch])
    print(f"w1 = {w1:.4f}, w2 = {w2:.4f}, b = {b:.4f}")
    print("predict (after training)", 4, forward(4.0, w1, w2, b))
