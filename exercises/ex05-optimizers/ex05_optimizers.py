"""Lecture 5, exercise 5-1: linear regression with ``nn.Module`` and eight optimizers.

The course fits ``y = 2x`` on three points with a PyTorch model, ``MSELoss`` and SGD, and
asks you to try the other optimizers of ``torch.optim`` and compare their loss curves.
Implement the class and the four functions below; run ``pttutor-grade check`` to see how
you are doing.

- ``LinearModel``: an ``nn.Module`` whose only layer is ``self.linear = nn.Linear(1, 1)``
  (keep that attribute name: the grader loads weights into your model with
  ``load_state_dict``); ``forward(x)`` returns ``self.linear(x)`` for ``x`` of shape ``(n, 1)``.
- ``make_optimizer(name, params, lr=0.01)``: the optimizer ``torch.optim.<name>`` over
  ``params`` with learning rate ``lr`` and every other hyperparameter left at its default.
  ``name`` is one of ``OPTIMIZERS``, all eight must work.
- ``train(model, optimizer, x, y, epochs)``: ``epochs`` full-batch training steps of
  ``model`` on the tensors ``x`` and ``y`` (use them, not ``x_data``/``y_data``), with the
  loss ``criterion`` below (``MSELoss(reduction="sum")``). Returns a list of ``epochs``
  Python floats: ``losses[e]`` is the loss of the weights at the start of epoch ``e``,
  computed *before* that epoch's step (so ``losses[0]`` is the loss of the untrained model).
  It must work for all eight optimizers, LBFGS included: LBFGS evaluates the loss several
  times per step, so it must be stepped as ``optimizer.step(closure)``, where ``closure()``
  zeroes the gradients, computes the loss, calls ``backward()`` and returns the loss.
  Every optimizer accepts a closure, and ``optimizer.step(closure)`` returns the loss of
  the closure's first call, which is exactly ``losses[e]``.
- ``compare_optimizers(epochs=100, lr=0.01, seed=0)``: a dict mapping each name in
  ``OPTIMIZERS`` to its loss curve (``train`` on ``x_data``, ``y_data``), each optimizer
  training a fresh ``LinearModel`` built right after ``torch.manual_seed(seed)``, so that
  all of them start from the same weights. It calls ``LinearModel``, ``make_optimizer`` and
  ``train``.
- ``plot_losses(curves)``: draws the loss curves of a dict like the one above (whatever
  names it holds), one line per entry, each line labelled with its name
  (``ax.plot(..., label=name)``), with a legend (``ax.legend()``), and returns the
  matplotlib ``Figure``.

Facts to check yourself against: from ``torch.manual_seed(0); LinearModel()``, 1000 epochs of
SGD with lr 0.01 reach w close to 2 and b close to 0 (so the prediction for x = 4 is close
to 8).
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])

OPTIMIZERS = ("Adagrad", "Adam", "Adamax", "ASGD", "LBFGS", "RMSprop", "Rprop", "SGD")

criterion = nn.MSELoss(reduction="sum")


class LinearModel(nn.Module):
    """``y_hat = w * x + b``, one input feature and one output."""

    def __init__(self):
        super().__init__()
        # TODO: create the layer self.linear = nn.Linear(1, 1).
        raise NotImplementedError("LinearModel")

    def forward(self, x):
        # TODO: return the layer's output for x.
        raise NotImplementedError("LinearModel.forward")


def make_optimizer(name, params, lr=0.01):
    """The ``torch.optim`` optimizer called ``name`` over ``params``, with learning rate ``lr``."""
    # TODO: look the class up by its name and build it with lr (other hyperparameters: defaults).
    raise NotImplementedError("make_optimizer")


def train(model, optimizer, x, y, epochs):
    """Train ``model`` on ``(x, y)`` for ``epochs`` steps; return the loss (a float) of every epoch."""
    # TODO: one optimizer.step(closure) per epoch; record the loss before the step.
    raise NotImplementedError("train")


def compare_optimizers(epochs=100, lr=0.01, seed=0):
    """Train a fresh, identically initialised model with each optimizer; return ``{name: losses}``."""
    # TODO: torch.manual_seed(seed) before building each model.
    raise NotImplementedError("compare_optimizers")


def plot_losses(curves):
    """One line per optimizer, labelled with its name, and a legend; return the Figure."""
    # TODO: plot every curve with label=name, add a legend, return the figure.
    raise NotImplementedError("plot_losses")


if __name__ == "__main__":
    torch.manual_seed(0)
    model = LinearModel()
    train(model, make_optimizer("SGD", model.parameters(), lr=0.01), x_data, y_data, 1000)
    print("w =", model.linear.weight.item(), "b =", model.linear.bias.item())
    print("y_pred(4) =", model(torch.tensor([[4.0]])).item())

    curves = compare_optimizers(epochs=100, lr=0.01)
    for name, losses in curves.items():
        print(f"{name:8s} loss after 100 epochs: {losses[-1]:.4g}")
    plot_losses(curves)
    plt.show()
