# fails: train_course_settings, train_random, compare_same_initial_weights, compare_random
"""Lecture 7 homework: a multi-layer classifier on the diabetes data, comparing activations (reference solution).

The course stacks three linear layers, 8 -> 6 -> 4 -> 1, with a sigmoid after each, and
trains them with ``BCELoss`` and full-batch SGD. The homework swaps the hidden activation
for others (tanh, ReLU, ...). Two rules make the comparison meaningful:

- the output layer stays a sigmoid whatever the hidden activation is, because ``BCELoss``
  takes probabilities: ``-(y log p + (1 - y) log(1 - p))`` needs ``0 <= p <= 1``. A ReLU
  there gives values above 1 (``BCELoss`` raises an error) or exactly 0 for every negative
  input (``log 0 = -inf``: the loss is clamped at 100 and no gradient flows back);
- every network starts from the same weights: each is built right after
  ``torch.manual_seed(seed)``. The activations have no parameters, so all networks draw the
  same random numbers for their three linear layers, and their curves differ only by the
  activation.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")

_ACTIVATION_CLASSES = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
}

criterion = nn.BCELoss()


def make_activation(name):
    """A new activation module for ``name`` (one of ``ACTIVATIONS``), with default settings."""
    if name not in _ACTIVATION_CLASSES:
        raise ValueError(f"unknown activation {name!r}; choose one of {ACTIVATIONS}")
    return _ACTIVATION_CLASSES[name]()


class DiabetesNet(nn.Module):
    """8 -> 6 -> 4 -> 1 with ``activation`` after the two hidden layers and a sigmoid on the output."""

    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.activation = make_activation(activation)

    def forward(self, x):
        x = self.activation(self.linear1(x))
        x = self.activation(self.linear2(x))
        return torch.sigmoid(self.linear3(x))  # always a probability, whatever the hidden activation


def train(model, x, y, epochs, lr=0.1):
    """Full-batch SGD on ``(x, y)`` with ``criterion``; return the loss of every epoch.

    ``losses[e]`` is the loss (a Python float) of the weights at the start of epoch ``e``,
    computed before that epoch's step.
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def accuracy(model, x, y):
    """The fraction (a float in [0, 1]) of samples whose prediction ``model(x) >= 0.5`` equals ``y``."""
    with torch.no_grad():
        predictions = (model(x) >= 0.5).float()
    return (predictions == y).float().mean().item()


def compare_activations(x, y, names=ACTIVATIONS, epochs=100, lr=0.1, seed=0):
    """Train one network per activation in ``names`` from the same initial weights.

    Returns ``{name: {"losses": [...], "accuracy": float}}``: the loss curve of ``train`` and
    the accuracy on ``(x, y)`` after training.
    """
    results = {}
    for name in names:
        torch.manual_seed(seed)  # the same initial weights for every activation
        model = DiabetesNet(name)
        losses = train(model, x, y, epochs, lr)
        results[name] = {"losses": losses, "accuracy": accuracy(model, x, y)}
    return results


if __name__ == "__main__":
    from pttutor.datasets import diabetes

    features, labels = diabetes.load(download=True)
    x, y = torch.from_numpy(features), torch.from_numpy(labels)
    print(f"majority class: {max(labels.mean(), 1 - labels.mean()):.1%}")
    results = compare_activations(x, y, epochs=1000)
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, result in results.items():
        print(f"{name:10s} loss {result['losses'][-1]:.4f}  accuracy {result['accuracy']:.1%}")
        ax.plot(result["losses"], label=f"{name} ({result['accuracy']:.1%})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("BCE loss")
    ax.legend()
    plt.show()
