"""Hidden checks for ex09-otto: the exact metric on hard cases and random splits.

Each hidden check judges an aspect the public checks do not: a mistake a public check names (and
charges) passes here, so that one mistake costs one check.
"""

import math

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("log_loss")
def test_log_loss_exact(sub, ref, rng):
    """log_loss equals the competition's metric on random rows with zeros, certain answers and other sums"""
    n = int(rng.integers(30, 60))
    labels = rng.integers(0, helpers.N_CLASSES, size=n)
    p = rng.dirichlet(np.full(helpers.N_CLASSES, 0.7), size=n)
    p[rng.random((n, helpers.N_CLASSES)) < 0.2] = 0.0
    p[: n // 4, :] *= rng.uniform(0.3, 3.0, size=(n // 4, 1))  # rows that do not sum to 1
    p[n // 4, :] = 0.0
    p[n // 4, labels[n // 4]] = 1.0  # a certain, right answer: clipped to 1 - 1e-15
    p[n // 4 + 1, labels[n // 4 + 1]] = 0.0  # a certain, wrong answer
    p[n // 4 + 1, (labels[n // 4 + 1] + 1) % helpers.N_CLASSES] = 1.0
    expected = ref.log_loss(torch.tensor(labels), torch.tensor(p))
    got = check.call("log_loss(labels, probabilities)", sub.log_loss, torch.tensor(labels), torch.tensor(p))
    check.that(type(got) is float, f"log_loss should return a Python float; got {check.describe(got)}")
    named = helpers.log_loss_mistakes(labels, p, expected)
    if any(np.isclose(got, value, rtol=1e-6) or (math.isinf(got) and got == value) for value in named.values()):
        return  # named and charged by test_log_loss
    rows = np.arange(n)
    rescaled_then_clipped = np.clip(p / np.maximum(p.sum(axis=1, keepdims=True), 1e-300), 1e-15, 1 - 1e-15)
    check.close(got, expected, f"log_loss on {n} random rows", rtol=1e-6, mistakes={
        "the rows are rescaled before clipping; the metric clips first, then rescales":
            float(-np.mean(np.log(rescaled_then_clipped[rows, labels]))),
        "log2 was used; the metric uses the natural logarithm": expected / math.log(2),
    })


@pytest.mark.points(1)
@pytest.mark.judges("stratified_split")
def test_split_random(sub, rng):
    """stratified_split on random class sizes (a rare class too), other fractions and labels in any order"""
    sizes = rng.integers(8, 80, size=helpers.N_CLASSES)
    sizes[rng.integers(helpers.N_CLASSES)] = int(rng.integers(1, 4))  # a rare class
    labels = np.repeat(np.arange(helpers.N_CLASSES), sizes)
    # Unshuffled, unstratified and blocky splits, and an ignored seed, are named and charged by
    # test_stratified_split; this check judges the fraction, a rare class and the labels' order.
    named = ("shuffle", "stratify", "blocks")
    seed = int(rng.integers(0, 10_000))
    for fraction in (0.1, 0.3):
        helpers.check_split(sub, labels, fraction, seed, charged_elsewhere=named)
    _, val = helpers.check_split(sub, labels, 0.25, seed, charged_elsewhere=named)
    unstratified = {kind for kind, _ in helpers.split_problems(labels, val, 0.25)} & {"stratify"}
    order = rng.permutation(len(labels))
    helpers.check_split(sub, labels[order], 0.25, seed, charged_elsewhere=("shuffle", "blocks", *unstratified),
                        what=f"stratified_split(labels in random order, val_fraction=0.25, seed={seed})")
