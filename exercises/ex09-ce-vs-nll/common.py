"""Helpers shared by the public and hidden checks of ex09-ce-vs-nll: calls into the student's code,
values that must be finite, the values of the usual mistakes in a cross-entropy, and the verdict on
cross_entropy, judged with the stub's log_softmax and nll_loss standing in for the student's (it is
judged on combining them; their own checks judge them)."""

import numpy as np
import torch
import torch.nn.functional as F

from pttutor.grader import check


# The stub's formulas, standing in for the student's log_softmax and nll_loss while cross_entropy is judged.
LOG_SOFTMAX = "lambda z: z - z.logsumexp(dim=1, keepdim=True)"
NLL_LOSS = "lambda log_probs, y: -log_probs[__import__('torch').arange(len(y)), y].mean()"


def call(what, fn, *args, **kwargs):
    """Call into the student's code (see ``check.call``), explaining the usual cause of one error."""
    return check.call(what, fn, *args, explain=_explain, **kwargs)


def _explain(exc):
    if "must match the size" in exc.message or "one_hot" in exc.message:
        return ("y holds one class index per sample, shape (N,), not one-hot rows: pick "
                "log_probs[torch.arange(N), y]")
    if "shape mismatch" in exc.message:
        return "the row indices must be torch.arange(N) for the N rows of this batch, whatever N is"
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


def log_softmax_mistakes(z):
    """What the usual log_softmax mistakes give on the logits ``z``: {mistake: values}."""
    return {
        "it normalises over the samples (dim=0); softmax is taken over each row's classes (dim=1)":
            F.log_softmax(z, dim=0),
        "that is the softmax itself; take its log: z - logsumexp(z)": F.softmax(z, dim=1),
        "the logsumexp is taken over the whole batch; take it per row (dim=1, keepdim=True)":
            z - torch.logsumexp(z.reshape(-1), dim=0),
        "only the maximum is subtracted; also subtract log(sum(exp(z - max))) of each row":
            z - z.max(dim=1, keepdim=True).values,
    }


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
    """What multiplying by y as if it were one-hot rows gives (only possible for a square batch or one row)."""
    n, c = log_probs.shape
    if n not in (c, 1):
        return {}
    return {"y is treated as a one-hot row: y holds one class index per sample, so pick "
            "log_probs[torch.arange(N), y] instead of multiplying by y": -(y * log_probs).sum(dim=1).mean()}


def as_floats(mistakes):
    """``mistakes`` with their values as floats, leaving out the nan ones."""
    return {text: float(value) for text, value in mistakes.items() if not np.isnan(float(value))}


def nll_mistakes(log_probs, y):
    """Values that the usual NLL mistakes give on (log_probs, y)."""
    rows = torch.arange(log_probs.shape[0])
    return as_floats({
        "the losses are summed over the batch; the loss is their mean (reduction='mean')":
            -log_probs[rows, y].sum(),
        "the minus sign is missing: the loss is -log_probs[i, y[i]], averaged": log_probs[rows, y].mean(),
        **indexing_mistakes(log_probs, y),
        "nll_loss applies a log_softmax again; its input already holds log-probabilities":
            F.cross_entropy(log_probs, y),
        **one_hot_mistake(log_probs, y),
    })


def loss_mistakes(z, y):
    """Values that the usual cross-entropy mistakes give on the logits ``z``."""
    mistakes = nll_mistakes(F.log_softmax(z, dim=1), y)
    del mistakes["nll_loss applies a log_softmax again; its input already holds log-probabilities"]
    mistakes.update(as_floats(softmax_mistakes(z, y)))
    mistakes["the raw logits go into the NLL; apply log_softmax (nn.LogSoftmax(dim=1)) first"] = float(F.nll_loss(z, y))
    return mistakes


def close_unless_named(got, expected, what, named, **tolerance):
    """``got`` equals ``expected``, or it is the value of a mistake in ``named``: another check names
    that mistake and charges it, so this one, which judges another aspect, lets it pass."""
    values = check.as_array(got, what)
    for wrong in (check.as_array(v, "a mistake's value") for v in named.values()):
        if values.shape == wrong.shape and np.allclose(values, wrong, **tolerance):
            return
    check.close(values, expected, what, **tolerance)


def judge_cross_entropy(sub, z, y, what, expected=None, charged_elsewhere=False, **tolerance):
    """The student's cross_entropy(z, y) is the expected loss (by default torch's). ``charged_elsewhere``:
    the usual mistakes pass, as the check that names them charges them."""
    value = check.number(call(what, sub.cross_entropy, z, y), what)
    expected = float(F.cross_entropy(z, y)) if expected is None else expected
    if charged_elsewhere:
        close_unless_named(value, expected, what, loss_mistakes(z, y), **tolerance)
        return
    check.close(value, expected, what, **tolerance, mistakes=loss_mistakes(z, y))
