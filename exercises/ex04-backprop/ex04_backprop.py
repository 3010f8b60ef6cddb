"""Lecture 4, exercises 4-1 to 4-4: back propagation for a quadratic model.

The course's homework replaces the linear model by ``y_hat = w1 * x**2 + w2 * x + b`` and
keeps the loss of one sample, ``(y_hat - y) ** 2``. Draw its computational graph, work out
the gradients with the chain rule, then let PyTorch's autograd compute them and train the
model with it. Implement the functions below; run ``pttutor-grade check`` to see how you
are doing.

- ``forward(x, w1, w2, b)``: the prediction ``w1 * x**2 + w2 * x + b``. It must work for
  numbers and for torch tensors (``train`` calls it with tensors).
- ``loss(x, y, w1, w2, b)``: the squared error ``(forward(x, w1, w2, b) - y) ** 2`` of one
  sample (numbers or tensors, like ``forward``).
- ``gradients_by_hand(x, y, w1, w2, b)``: the tuple ``(dw1, dw2, db)`` of the partial
  derivatives of ``loss`` with respect to w1, w2 and b at that sample, worked out with the
  chain rule and written as plain arithmetic (no autograd). Return three Python floats.
- ``gradients_autograd(x, y, w1, w2, b)``: the same tuple ``(dw1, dw2, db)``, this time
  computed by autograd: make w1, w2, b torch tensors with ``requires_grad=True``, compute
  the loss, call ``backward()`` and read ``.grad``. Return three Python floats (``.item()``).
- ``train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)``: per-sample stochastic
  gradient descent with autograd, starting from the given w1, w2, b. Make the three
  parameters tensors with ``requires_grad=True``; then for each epoch, for each sample
  ``(x, y)`` of ``zip(xs, ys)`` in order:
    1. compute the loss of that sample and call ``backward()``;
    2. update every parameter, ``p = p - lr * p.grad``, inside ``with torch.no_grad():``
       (or through ``p.data``), so that the update itself is not recorded by autograd;
    3. zero every gradient (``p.grad.zero_()``): ``backward()`` adds to ``.grad``.
  Return ``(w1, w2, b, loss_history)``: the final parameters as Python floats, and a list
  of ``epochs`` floats where ``loss_history[e]`` is the loss of the LAST sample of epoch
  ``e``, as computed in step 1 of that sample, i.e. before its update (what the course
  prints at the end of each epoch with ``print("progress:", epoch, l.item())``).
  Use the ``xs``, ``ys``, initial values, ``lr`` and ``epochs`` passed in.

``gradients_by_hand`` may call ``forward``; ``gradients_autograd`` and ``train`` may call
``loss`` (and ``forward``).

Facts to check yourself against: at x=2, y=4, w1=w2=b=1 the gradients are
(24.0, 12.0, 6.0). From w1=w2=b=1 with lr=0.01, 100 epochs on the course data give
w1 = 0.2404, w2 = 0.9267, b = 0.9914, and forward(4, w1, w2, b) = 8.544.
"""

import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w1, w2, b):
    """Predict ``y_hat = w1 * x**2 + w2 * x + b``."""
    # TODO: return the prediction.
    raise NotImplementedError("forward")


def loss(x, y, w1, w2, b):
    """Squared error ``(y_hat - y) ** 2`` of one sample."""
    # TODO: use forward, then square the error.
    raise NotImplementedError("loss")


def gradients_by_hand(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, by the chain rule, as floats."""
    # TODO: dloss/dy_hat first, then multiply by dy_hat/dw1, dy_hat/dw2 and dy_hat/db.
    raise NotImplementedError("gradients_by_hand")


def gradients_autograd(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, computed by autograd, as floats."""
    # TODO: tensors with requires_grad=True, loss, backward(), then read .grad.
    raise NotImplementedError("gradients_autograd")


def train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100):
    """Per-sample SGD with autograd; return ``(w1, w2, b, loss_history)`` (see the module docstring)."""
    # TODO: for each epoch, for each sample: loss, backward, update under torch.no_grad(),
    # zero the gradients; record the loss of the epoch's last sample.
    raise NotImplementedError("train")


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
