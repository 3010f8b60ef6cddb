"""Lecture 9, exercise 9-1: ``CrossEntropyLoss`` equals ``LogSoftmax`` followed by ``NLLLoss``.

The course asks what the difference is between ``CrossEntropyLoss`` and ``NLLLoss``. Show
that ``CrossEntropyLoss(z, y) == NLLLoss(LogSoftmax(z), y)``, and write both losses by
hand. Implement the five functions below; run ``pttutor-grade check`` to see how you are
doing.

Conventions: ``z`` is a float tensor of logits of shape ``(N, C)`` (one row per sample, one
column per class, not yet normalised); ``y`` is an int64 tensor of shape ``(N,)`` holding
the class index of every sample (``0 <= y[i] < C``), *not* a one-hot matrix. Every loss is
the *mean* over the N samples (the default ``reduction="mean"`` of torch's losses) and is
returned as a 0-dim tensor that autograd can differentiate (do not call ``.item()``).

- ``log_softmax(z)``: by hand, the log of the softmax of every row, shape ``(N, C)``:
  ``z - logsumexp(z)`` row by row, where ``logsumexp`` is computed stably by subtracting
  the row maximum ``m`` first: ``logsumexp(z) = m + log(sum(exp(z - m)))``. It must give
  finite, correct values for logits of 1000 (``exp(1000)`` is ``inf`` in floating point, and
  ``log(softmax(z))`` takes the log of probabilities that underflow to 0).
- ``nll_loss(log_probs, y)``: by hand, the mean over the rows of ``-log_probs[i, y[i]]``.
- ``cross_entropy(z, y)``: by hand, ``nll_loss(log_softmax(z), y)``.
- ``torch_cross_entropy(z, y)``: ``nn.CrossEntropyLoss()(z, y)``.
- ``torch_nll_of_log_softmax(z, y)``: ``nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)``.

Use only basic tensor operations (``max``, ``exp``, ``log``, ``sum``, indexing) in the three
hand-written functions, not ``torch.log_softmax``, ``torch.logsumexp`` or ``F.cross_entropy``.

Facts to check yourself against (course): with ``Y = [2, 0, 1]``, ``Y_PRED1`` gives 0.4966
and ``Y_PRED2`` gives 1.2389; the single sample ``Z_SINGLE``, ``Y_SINGLE`` gives 0.9729.
"""

import torch
from torch import nn

# The course's examples: three samples of three classes, and a single sample.
Y = torch.tensor([2, 0, 1])
Y_PRED1 = torch.tensor([[0.1, 0.2, 0.9],
                        [1.1, 0.1, 0.2],
                        [0.2, 2.1, 0.1]])
Y_PRED2 = torch.tensor([[0.8, 0.2, 0.3],
                        [0.2, 0.3, 0.5],
                        [0.2, 0.2, 0.5]])
Z_SINGLE = torch.tensor([[0.2, 0.1, -0.1]])
Y_SINGLE = torch.tensor([0])


def log_softmax(z):
    """The log of the softmax of every row of the ``(N, C)`` logits ``z``, shape ``(N, C)``."""
    # TODO: subtract the row maximum, then subtract the log of the row sums of exp.
    raise NotImplementedError("log_softmax")


def nll_loss(log_probs, y):
    """The mean over the batch of ``-log_probs[i, y[i]]``; ``y`` holds class indices (int64)."""
    # TODO: pick the log-probability of each row's class, negate, average.
    raise NotImplementedError("nll_loss")


def cross_entropy(z, y):
    """The cross-entropy of the logits ``z`` for the classes ``y``."""
    # TODO: combine the two functions above.
    raise NotImplementedError("cross_entropy")


def torch_cross_entropy(z, y):
    """``nn.CrossEntropyLoss()(z, y)``."""
    # TODO: one line with torch's module.
    raise NotImplementedError("torch_cross_entropy")


def torch_nll_of_log_softmax(z, y):
    """``nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)``."""
    # TODO: one line with torch's modules.
    raise NotImplementedError("torch_nll_of_log_softmax")


if __name__ == "__main__":
    for name, z, y in (("Y_pred1", Y_PRED1, Y), ("Y_pred2", Y_PRED2, Y), ("single", Z_SINGLE, Y_SINGLE)):
        print(f"{name:8s} by hand {cross_entropy(z, y).item():.4f}   CrossEntropyLoss "
              f"{torch_cross_entropy(z, y).item():.4f}   NLLLoss(LogSoftmax) {torch_nll_of_log_softmax(z, y).item():.4f}")
    big = torch.tensor([[1000.0, 0.0, -1000.0]])
    print("logits of 1000:", cross_entropy(big, torch.tensor([2])).item())
