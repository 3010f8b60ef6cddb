"""Lecture 7 homework: a multi-layer classifier on the diabetes data, comparing activations.

The course predicts from 8 features whether a patient's diabetes progresses, with three
linear layers 8 -> 6 -> 4 -> 1, a sigmoid after each, ``BCELoss`` and full-batch SGD. The
homework: try other activation functions for the hidden layers and compare them. Implement
the functions and the class below; run ``pttutor-grade check`` to see how you are doing.

- ``make_activation(name)``: a new activation module for ``name``, one of ``ACTIVATIONS``:
  ``nn.Sigmoid``, ``nn.Tanh``, ``nn.ReLU``, ``nn.LeakyReLU``, ``nn.ELU``, ``nn.Softplus``,
  each with its default settings. Any other name raises ``ValueError``.
- ``DiabetesNet(activation="sigmoid")``: an ``nn.Module`` with exactly three layers,
  ``self.linear1 = nn.Linear(8, 6)``, ``self.linear2 = nn.Linear(6, 4)``,
  ``self.linear3 = nn.Linear(4, 1)`` (keep these names and create them in this order: the
  grader loads weights with ``load_state_dict`` and seeds the random initialisation), and no
  other parameters; its activation module is ``make_activation(activation)``. ``forward(x)``
  applies the chosen activation after ``linear1`` and after ``linear2``, and **always a
  sigmoid** after ``linear3``, so that for ``x`` of shape ``(n, 8)`` it returns
  probabilities of shape ``(n, 1)``, whatever the hidden activation.
- ``train(model, x, y, epochs, lr=0.1)``: ``epochs`` full-batch steps of
  ``torch.optim.SGD(model.parameters(), lr=lr)`` on ``x`` (shape ``(n, 8)``) and ``y``
  (float 0/1 labels, shape ``(n, 1)``) with the loss ``criterion`` below (``BCELoss()``, the
  mean over the samples). Returns a list of ``epochs`` Python floats: ``losses[e]`` is the
  loss of the weights at the start of epoch ``e``, computed *before* that epoch's step.
- ``accuracy(model, x, y)``: the fraction (a Python float between 0 and 1) of the samples
  whose prediction, 1 where ``model(x) >= 0.5`` and 0 elsewhere, equals ``y``; computed
  under ``torch.no_grad()``.
- ``compare_activations(x, y, names=ACTIVATIONS, epochs=100, lr=0.1, seed=0)``: for each
  name in ``names`` (and only those), call ``torch.manual_seed(seed)``, build
  ``DiabetesNet(name)`` right after it, so that every network starts from the *same initial
  weights*, ``train`` it on ``(x, y)`` for ``epochs`` epochs with ``lr``, and measure its
  ``accuracy`` on ``(x, y)`` afterwards. Returns a dict
  ``{name: {"losses": [...], "accuracy": float}}``.

Facts to check yourself against (course data, ``pttutor.datasets.diabetes.load()``): 65.3 %
of the patients are in class 1, so always answering 1 is right 65.3 % of the time. With the
course settings (SGD, lr 0.1, 100 full-batch epochs) the sigmoid network still predicts
class 1 for everybody; it needs many more epochs to do better than that.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")

criterion = nn.BCELoss()


def make_activation(name):
    """A new activation module for ``name`` (one of ``ACTIVATIONS``), with default settings."""
    # TODO: map each name to its nn module; raise ValueError for any other name.
    raise NotImplementedError("make_activation")


class DiabetesNet(nn.Module):
    """8 -> 6 -> 4 -> 1 with ``activation`` after the two hidden layers and a sigmoid on the output."""

    def __init__(self, activation="sigmoid"):
        super().__init__()
        # TODO: self.linear1, self.linear2, self.linear3 (in this order) and the activation.
        raise NotImplementedError("DiabetesNet")

    def forward(self, x):
        # TODO: activation after linear1 and linear2; torch.sigmoid after linear3.
        raise NotImplementedError("DiabetesNet.forward")


def train(model, x, y, epochs, lr=0.1):
    """Full-batch SGD on ``(x, y)``; return the loss (a float) of every epoch, before its step."""
    # TODO: an SGD optimizer, then per epoch: loss, zero_grad, backward, step; record loss.item().
    raise NotImplementedError("train")


def accuracy(model, x, y):
    """The fraction of samples whose prediction ``model(x) >= 0.5`` equals ``y``."""
    # TODO: threshold the probabilities at 0.5, compare with y, average.
    raise NotImplementedError("accuracy")


def compare_activations(x, y, names=ACTIVATIONS, epochs=100, lr=0.1, seed=0):
    """Train one network per activation from the same initial weights; return the results."""
    # TODO: for each name: torch.manual_seed(seed), DiabetesNet(name), train, accuracy.
    raise NotImplementedError("compare_activations")


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
