# fails: model_is_linear_then_sigmoid, probability_curve_random
"""Lecture 6: logistic regression with a sigmoid and ``BCELoss`` (reference solution).

A student who studied 1 or 2 hours failed, one who studied 3 hours passed. Logistic
regression models the probability of passing as ``sigmoid(w * x + b)``: the linear part is
the one of lecture 5, the sigmoid squeezes it into (0, 1), and the binary cross-entropy
``-(y log p + (1 - y) log(1 - p))``, summed over the samples, is the loss. Training is
the same four lines as in lecture 5. The probability is exactly 0.5 where ``w * x + b = 0``,
that is at ``x = -b / w``: the decision boundary.
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
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


def train(model, x, y, epochs, lr=0.01):
    """Full-batch SGD on ``(x, y)`` with ``criterion``; return the loss of every epoch.

    ``losses[e]`` is the loss (a Python float) of the weights at the start of epoch ``e``,
    computed before that epoch's step.
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def fit(seed=0, epochs=1000, lr=0.01):
    """The course's run: a model built right after ``torch.manual_seed(seed)``, trained on the course data."""
    torch.manual_seed(seed)
    model = LogisticRegressionModel()
    train(model, x_data, y_data, epochs, lr)
    return model


def probability_curve(model, x_values):
    """The model's probability at each point of the 1-D ``x_values``, as a 1-D NumPy array."""
    device = model.linear.weight.device
    x = torch.as_tensor(np.asarray(x_values, dtype=np.float32), device=device).reshape(-1, 1)
    with torch.no_grad():
        probabilities = model(x)
    return probabilities.reshape(-1).cpu().numpy()


def decision_boundary(model):
    """The x at which the probability is exactly 0.5: where ``w * x + b = 0``."""
    w = model.linear.weight.item()
    b = model.linear.bias.item()
    return -b / w


def plot_probability(model):
    """The probability over ``np.linspace(0, 10, 200)`` and the 0.5 line; return the Figure."""
    hours = np.linspace(0, 10, 200)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(hours, probability_curve(model, hours), label="P(pass)")
    ax.plot([0, 10], [0.5, 0.5], c="r", label="0.5")
    ax.set_xlabel("Hours")
    ax.set_ylabel("Probability of Pass")
    ax.grid()
    ax.legend()
    return fig


if __name__ == "__main__":
    model = fit()
    print("w =", model.linear.weight.item(), "b =", model.linear.bias.item())
    print("decision boundary: x =", decision_boundary(model))
    print("P(pass | 4 hours) =", model(torch.tensor([[4.0]])).item())
    plot_probability(model)
    plt.show()
