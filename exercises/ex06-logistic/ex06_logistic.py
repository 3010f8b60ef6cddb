"""Lecture 6: logistic regression with a sigmoid and ``BCELoss``.

Students who studied 1 or 2 hours failed the exam, the one who studied 3 hours passed
(``x_data``, ``y_data`` below). Logistic regression models the probability of passing as
``sigmoid(w * x + b)`` and is trained with the binary cross-entropy. Implement the class
and the five functions below; run ``pttutor-grade check`` to see how you are doing.

- ``LogisticRegressionModel``: an ``nn.Module`` whose only layer is
  ``self.linear = nn.Linear(1, 1)`` (keep that attribute name: the grader loads weights into
  your model with ``load_state_dict``); ``forward(x)`` returns ``torch.sigmoid(self.linear(x))``
  for ``x`` of shape ``(n, 1)``: a probability, not the raw ``w * x + b``.
- ``train(model, x, y, epochs, lr=0.01)``: ``epochs`` full-batch steps of
  ``torch.optim.SGD(model.parameters(), lr=lr)`` on the tensors ``x`` and ``y`` (shape
  ``(n, 1)``, use them, not ``x_data``/``y_data``) with the loss ``criterion`` below
  (``BCELoss(reduction="sum")``). Returns a list of ``epochs`` Python floats: ``losses[e]``
  is the loss of the weights at the start of epoch ``e``, computed *before* that epoch's
  step (so ``losses[0]`` is the loss of the untrained model).
- ``fit(seed=0, epochs=1000, lr=0.01)``: the course's run. Call ``torch.manual_seed(seed)``,
  build a ``LogisticRegressionModel`` right after it, ``train`` it on ``x_data``, ``y_data``
  for ``epochs`` epochs with learning rate ``lr``, and return the trained model.
- ``probability_curve(model, x_values)``: the model's probability at every point of the
  1-D array ``x_values`` (e.g. ``np.linspace(0, 10, 200)``), as a 1-D NumPy array of the
  same length, computed under ``torch.no_grad()``.
- ``decision_boundary(model)``: the x (a Python float) at which the probability is exactly
  0.5, computed from the model's weight and bias.
- ``plot_probability(model)``: a matplotlib ``Figure`` with the probability curve over
  ``np.linspace(0, 10, 200)``, a horizontal line at 0.5 (e.g. ``ax.plot([0, 10], [0.5, 0.5])``),
  and the axis labels ``Hours`` and ``Probability of Pass``. It may call ``probability_curve``.

Facts to check yourself against (course): after ``fit()`` (1000 epochs of SGD with lr 0.01)
the probability curve crosses 0.5 near x = 2.5. With only 100 epochs the curve is still
far too flat.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[0.0], [0.0], [1.0]])

criterion = nn.BCELoss(reduction="sum")


class LogisticRegressionModel(nn.Module):
    """``p = sigmoid(w * x + b)``: the probability that the label is 1."""

    def __init__(self):
        super().__init__()
        # TODO: create the layer self.linear = nn.Linear(1, 1).
        raise NotImplementedError("LogisticRegressionModel")

    def forward(self, x):
        # TODO: return the sigmoid of the layer's output.
        raise NotImplementedError("LogisticRegressionModel.forward")


def train(model, x, y, epochs, lr=0.01):
    """Full-batch SGD on ``(x, y)``; return the loss (a float) of every epoch, before its step."""
    # TODO: an SGD optimizer, then per epoch: loss, zero_grad, backward, step; record loss.item().
    raise NotImplementedError("train")


def fit(seed=0, epochs=1000, lr=0.01):
    """Seed, build a model, train it on the course data; return the trained model."""
    # TODO: torch.manual_seed(seed), then LogisticRegressionModel(), then train(...).
    raise NotImplementedError("fit")


def probability_curve(model, x_values):
    """The model's probability at each point of the 1-D ``x_values``, as a 1-D NumPy array."""
    # TODO: reshape to (n, 1), evaluate under torch.no_grad(), return a flat NumPy array.
    raise NotImplementedError("probability_curve")


def decision_boundary(model):
    """The x at which the probability is exactly 0.5."""
    # TODO: solve w * x + b = 0 for x.
    raise NotImplementedError("decision_boundary")


def plot_probability(model):
    """The probability over ``np.linspace(0, 10, 200)`` and the 0.5 line; return the Figure."""
    # TODO: plot the curve and the 0.5 line, label the axes Hours and Probability of Pass.
    raise NotImplementedError("plot_probability")


if __name__ == "__main__":
    model = fit()
    print("w =", model.linear.weight.item(), "b =", model.linear.bias.item())
    print("decision boundary: x =", decision_boundary(model))
    print("P(pass | 4 hours) =", model(torch.tensor([[4.0]])).item())
    plot_probability(model)
    plt.show()
