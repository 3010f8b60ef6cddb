"""Lecture 10, exercise 10-1: a deeper CNN for MNIST, trained and evaluated on any device.

The lecture's CNN reaches 98.69 % on MNIST after 10 epochs. The exercise: design a more
complex CNN with exactly 3 convolutional layers, 3 ReLU layers, 3 max-pooling layers and 3
linear layers, train both with one training loop that runs on a CPU or a GPU, and compare
them. Implement:

- ``CourseNet``: the lecture's CNN, with these attribute names (the checks load the
  course's weights into it by name)::

      self.conv1 = Conv2d(1, 10, kernel_size=5)
      self.conv2 = Conv2d(10, 20, kernel_size=5)
      self.pooling = MaxPool2d(2)
      self.fc = Linear(320, 10)

  ``forward``: conv1 -> pooling -> relu -> conv2 -> pooling -> relu -> flatten -> fc.
- ``DeeperNet``: your CNN. Its ``modules()`` must contain exactly 3 ``nn.Conv2d``, 3
  ``nn.ReLU``, 3 ``nn.MaxPool2d`` and 3 ``nn.Linear`` layers (other kinds, e.g.
  ``nn.Dropout`` or ``nn.BatchNorm2d``, are allowed). ``F.relu`` in ``forward`` is not a
  layer, and one layer used three times counts once. Input ``(N, 1, 28, 28)``, output the
  ``(N, 10)`` logits (no softmax: ``CrossEntropyLoss`` takes logits).
- ``train_epoch(model, loader, optimizer, device) -> float``: one pass over ``loader``
  (batches ``(inputs, targets)``) with ``nn.CrossEntropyLoss``. The model is already on
  ``device``; move every batch there. Put the model in training mode first. Return the
  mean loss per sample: the sum of ``loss.item() * batch_size`` over the batches divided by
  the number of samples.
- ``evaluate(model, loader, device) -> float``: the accuracy in [0, 1], that is correct
  predictions (``outputs.argmax(dim=1)``) divided by the number of samples (not the mean of
  the per-batch accuracies: the last batch may be smaller). Evaluate in eval mode
  (``model.eval()``) and without gradient tracking (``torch.no_grad()``).
- ``compare(models, train_loader, test_loader, epochs, device, lr=0.01, momentum=0.5)``:
  ``models`` is a dict ``name -> model``. Train each model in turn (moved to ``device``,
  with its own ``SGD(model.parameters(), lr=lr, momentum=momentum)``) for ``epochs``
  epochs with ``train_epoch``; after each epoch record ``evaluate`` on ``test_loader``.
  Return ``{name: [accuracy after epoch 1, ..., after epoch epochs]}``.
- ``count_parameters(model) -> int``: the number of trainable parameters.

Every function takes the device as an argument, so the same code runs with ``"cpu"`` and
``"cuda"``; the checks run it on whichever the grader uses. The ``__main__`` block trains
both networks on MNIST (``pttutor.datasets.mnist``); students reach 98.5-99.2 % with the
full training set.
"""

import time

import torch
import torch.nn.functional as F  # noqa: F401  (for F.relu in CourseNet)
from torch import nn

BATCH_SIZE = 64
LEARNING_RATE = 0.01
MOMENTUM = 0.5
EPOCHS = 10


class CourseNet(nn.Module):
    """The lecture's CNN: conv(1->10, 5x5), pool, relu, conv(10->20, 5x5), pool, relu, linear(320->10)."""

    def __init__(self):
        super().__init__()
        # TODO: conv1, conv2, pooling and fc as listed in the module docstring.
        raise NotImplementedError("CourseNet.__init__")

    def forward(self, x):
        # TODO: (N, 1, 28, 28) -> (N, 10)
        raise NotImplementedError("CourseNet.forward")


class DeeperNet(nn.Module):
    """Exactly 3 Conv2d, 3 ReLU, 3 MaxPool2d and 3 Linear layers; (N, 1, 28, 28) -> (N, 10) logits."""

    def __init__(self):
        super().__init__()
        # TODO: create the layers (write down the shape after each one).
        raise NotImplementedError("DeeperNet.__init__")

    def forward(self, x):
        # TODO: (N, 1, 28, 28) -> (N, 10)
        raise NotImplementedError("DeeperNet.forward")


def count_parameters(model):
    """The number of trainable parameters of ``model``."""
    # TODO
    raise NotImplementedError("count_parameters")


def train_epoch(model, loader, optimizer, device):
    """Train ``model`` for one pass over ``loader``; return the mean loss per sample."""
    # TODO: model.train(); for each batch: move it to device, zero_grad, forward, loss,
    # backward, step; add up loss.item() * batch size.
    raise NotImplementedError("train_epoch")


def evaluate(model, loader, device):
    """The accuracy of ``model`` on ``loader``: correct predictions / number of samples."""
    # TODO: model.eval(), torch.no_grad(), count the correct predictions.
    raise NotImplementedError("evaluate")


def compare(models, train_loader, test_loader, epochs, device, lr=LEARNING_RATE, momentum=MOMENTUM):
    """Train every model of ``models`` and return ``{name: [test accuracy after each epoch]}``."""
    # TODO: one SGD optimizer per model; train_epoch then evaluate, epochs times.
    raise NotImplementedError("compare")


if __name__ == "__main__":
    from torch.utils.data import DataLoader, TensorDataset

    from pttutor.datasets import mnist

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    # With the full data set: mnist.tensors("train", download=True) for training and
    # mnist.tensors("test") for testing. The shared course data has only the 10k test
    # images, so here we train on 8,000 of them and test on the other 2,000.
    images, labels = mnist.tensors("test")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train_idx, test_idx = order[:8000], order[8000:]
    train_loader = DataLoader(TensorDataset(images[train_idx], labels[train_idx]), batch_size=BATCH_SIZE,
                              shuffle=True)
    test_loader = DataLoader(TensorDataset(images[test_idx], labels[test_idx]), batch_size=BATCH_SIZE)
    torch.manual_seed(0)
    models = {"course CNN": CourseNet(), "deeper CNN": DeeperNet()}
    started = time.perf_counter()
    results = compare(models, train_loader, test_loader, EPOCHS, device)
    for name, accuracies in results.items():
        print(f"{name:12s} {count_parameters(models[name]):7d} parameters  "
              f"accuracy {100 * accuracies[-1]:.2f} % after {EPOCHS} epochs (best {100 * max(accuracies):.2f} %)")
    print(f"{time.perf_counter() - started:.0f} s on {device}")
