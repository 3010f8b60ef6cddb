# fails: torch_losses_agree
"""Lecture 9, exercise 9-1: ``CrossEntropyLoss`` equals ``LogSoftmax`` followed by ``NLLLoss`` (reference solution).

For logits ``z`` (one row per sample) the softmax turns each row into probabilities,
``p[i, k] = exp(z[i, k]) / sum_j exp(z[i, j])``, and the cross-entropy of a sample whose
class is ``y[i]`` is ``-log p[i, y[i]]``. Taking the log first gives

    log p[i, k] = z[i, k] - logsumexp(z[i, :]),

and ``logsumexp`` is computed stably by pulling out the row maximum ``m``:
``logsumexp(z) = m + log(sum_j exp(z[j] - m))``: every exponent is then at most 0, so
nothing overflows, and the log is taken of a sum that is at least 1, so nothing underflows
to ``log(0)``. ``NLLLoss`` only picks ``-log p[i, y[i]]`` and averages it over the batch, so
``CrossEntropyLoss(z, y) == NLLLoss(LogSoftmax(z), y)``: the former is the latter in one step.
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
    row_max = z.max(dim=1, keepdim=True).values
    shifted = z - row_max  # every entry <= 0, the largest exactly 0
    log_sum_exp = torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    return shifted - log_sum_exp


def nll_loss(log_probs, y):
    """The mean over the batch of ``-log_probs[i, y[i]]``; ``y`` holds class indices (int64)."""
    rows = torch.arange(log_probs.shape[0], device=log_probs.device)
    return -log_probs[rows, y].mean()


def cross_entropy(z, y):
    """The cross-entropy of the logits ``z`` for the classes ``y``: ``nll_loss(log_softmax(z), y)``."""
    return nll_loss(log_softmax(z), y)


def torch_cross_entropy(z, y):
    """``nn.CrossEntropyLoss()(z, y)``: softmax, log and NLL in one module."""
    return nn.CrossEntropyLoss()(z, y)


def torch_nll_of_log_softmax(z, y):
    """``nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)``: the same loss in two steps."""
    return nn.NLLLoss()(nn.LogSoftmax(dim=0)(z), y)


if __name__ == "__main__":
    for name, z, y in (("Y_pred1", Y_PRED1, Y), ("Y_pred2", Y_PRED2, Y), ("single", Z_SINGLE, Y_SINGLE)):
        print(f"{name:8s} by hand {cross_entropy(z, y).item():.4f}   CrossEntropyLoss "
              f"{torch_cross_entropy(z, y).item():.4f}   NLLLoss(LogSoftmax) {torch_nll_of_log_softmax(z, y).item():.4f}")
    big = torch.tensor([[1000.0, 0.0, -1000.0]])
    print("logits of 1000:", cross_entropy(big, torch.tensor([2])).item())
