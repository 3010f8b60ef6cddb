# fails: plot_losses, plot_losses_given_curves
"""Lecture 5, exercise 5-1: linear regression with ``nn.Module`` and eight optimizers (reference solution).

The course fits ``y = 2x`` with ``nn.Linear(1, 1)``, ``MSELoss(reduction="sum")`` and SGD,
then asks to try the other optimizers of ``torch.optim``. Every optimizer is driven the
same way: ``optimizer.step(closure)``, where the closure zeroes the gradients, computes the
loss, back-propagates and returns the loss. Most optimizers call the closure once per
step; LBFGS calls it several times (it searches along a direction), which is why it
cannot be stepped without one. ``step(closure)`` returns the closure's first loss, the
loss of the weights before the step, which is what we record.
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
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


def make_optimizer(name, params, lr=0.01):
    """The ``torch.optim`` optimizer called ``name`` over ``params``, with learning rate ``lr``.

    All other hyperparameters keep their defaults.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")
    optimizer_class = getattr(torch.optim, name)
    return optimizer_class(params, lr=lr)


def train(model, optimizer, x, y, epochs):
    """Train ``model`` on ``(x, y)`` for ``epochs`` steps; return the loss of every epoch.

    ``losses[e]`` is the loss (a Python float) of the weights at the start of epoch ``e``,
    before that epoch's step.
    """
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss

    losses = []
    for _ in range(epochs):
        loss = optimizer.step(closure)
        losses.append(loss.item())
    return losses


def compare_optimizers(epochs=100, lr=0.01, seed=0):
    """Train a fresh model with each optimizer in ``OPTIMIZERS``; return ``{name: losses}``.

    Every model is built right after ``torch.manual_seed(seed)``, so all start from the
    same weights and the curves differ only by the optimizer.
    """
    curves = {}
    for name in OPTIMIZERS:
        torch.manual_seed(seed)
        model = LinearModel()
        optimizer = make_optimizer(name, model.parameters(), lr=lr)
        curves[name] = train(model, optimizer, x_data, y_data, epochs)
    return curves


def plot_losses(curves):
    """One line per optimizer (loss against epoch), labelled with its name; return the Figure."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, losses in curves.items():
        ax.plot(range(len(losses)), losses, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.set_title("Linear regression with different optimizers")
    return fig


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
