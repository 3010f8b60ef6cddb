"""Helpers shared by the public and hidden checks of ex09-ce-vs-nll: calls into the student's code,
values that must be finite, and the values of the usual mistakes in a cross-entropy."""

import numpy as np
import torch
import torch.nn.functional as F

from pttutor.grader import check


def call(what, fn, *args, **kwargs):
    """Call into the student's code (see ``check.call``), explaining the usual cause of one error."""
    return check.call(what, fn, *args, explain=_explain, **kwargs)


def _explain(exc):
    if "must match the size" in exc.message or "one_hot" in exc.message:
        return ("y holds one class index per sample, shape (N,), not one-hot rows: pick "
                "log_probs[torch.arange(N), y]")
    return ""


def finite(got, what):
    """``got`` as an array without nan or inf; otherwise say where they come from."""
    values = check.as_array(got, what)
    check.that(not np.isnan(values).any(),
                f"{what} contains nan: exp of a large logit overflows (exp(1000) is inf, and inf / inf is "
                f"nan). Subtract each row's maximum m before exp: logsumexp(z) = m + log(sum(exp(z - m)))")
    check.that(not np.isinf(values).any(),
                f"{what} contains inf: that is log(0), the log of a probability that underflowed to 0. "
                f"Never take log(softmax(z)); compute log_softmax as (z - m) - log(sum(exp(z - m)))")
    return values


def indexing_mistakes(log_probs, y):
    """What picking the wrong entries of ``log_probs`` gives: {mistake: loss}."""
    n, c = log_probs.shape
    return {
        "log_probs[:, y] picks every pair (row i, class y[j]): pick one entry per row, "
        "log_probs[torch.arange(N), y]": -log_probs[:, y].mean(),
        "log_probs[y] picks whole rows: pick one entry per row, log_probs[torch.arange(N), y]":
            -log_probs[y].mean() if int(y.max()) < n else float("nan"),
        "the loss is averaged over all N * C entries of the one-hot product; average over the N samples":
            -(F.one_hot(y, c) * log_probs).mean(),
    }


def softmax_mistakes(z, y):
    """What the loss gives with the softmax misused on the logits ``z``: {mistake: loss}."""
    rows = torch.arange(z.shape[0])
    return {
        "the probabilities (softmax), not their log, go into the NLL: the loss is -log p of the true class":
            -F.softmax(z, dim=1)[rows, y].mean(),
        "the softmax is taken over the samples (dim=0); it must normalise each row, over the classes (dim=1)":
            F.nll_loss(F.log_softmax(z, dim=0), y),
    }


def one_hot_mistake(log_probs, y):
    """What multiplying by y as if it were one-hot rows gives (only possible for a square batch)."""
    n, c = log_probs.shape
    if n != c:
        return {}
    return {"y is treated as a one-hot row: y holds one class index per sample, so pick "
            "log_probs[torch.arange(N), y] instead of multiplying by y": -(y * log_probs).sum(dim=1).mean()}


def as_floats(mistakes):
    """``mistakes`` with their values as floats, leaving out the nan ones."""
    return {text: float(value) for text, value in mistakes.items() if not np.isnan(float(value))}
