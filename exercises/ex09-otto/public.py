"""Public checks for ex09-otto: students run these locally.

The checks write small files in Kaggle's Otto schema (``id, feat_1..feat_93, target`` with
integer counts, rows sorted by class, the header quoted in some files) into a temporary
folder; the real files are not needed.
"""

import math

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_encode_labels(sub, rng):
    """encode_labels maps Class_k to k - 1 and refuses unknown labels with ValueError"""
    codes = np.concatenate([np.arange(helpers.N_CLASSES), rng.integers(0, helpers.N_CLASSES, size=11)])
    rng.shuffle(codes)
    targets = [helpers.CLASSES[k] for k in codes]
    got = check.call("encode_labels(targets)", sub.encode_labels, targets)
    values = helpers.int_tensor(got, "encode_labels(targets)", len(targets))
    check.close(values, codes, "encode_labels(['Class_3', ...])", mistakes={
        "Class_k was mapped to k; CrossEntropyLoss wants the classes numbered 0 .. 8: Class_k -> k - 1": codes + 1})
    for bad in ("Class_10", "class_3", "Class_0"):
        try:
            result = sub.encode_labels(["Class_1", bad])
        except (check.SubmissionTimeout, check.WorkerLost):
            raise
        except check.SubmissionError as exc:
            check.that(exc.kind == "ValueError",
                        f"encode_labels(['Class_1', {bad!r}]) should raise ValueError; it raised {exc.kind}")
            continue
        raise check.CheckFailed(f"encode_labels(['Class_1', {bad!r}]) should raise ValueError ({bad!r} is not one "
                                 f"of Class_1 .. Class_9); it returned {check.describe(result)}")


@pytest.mark.points(1)
def test_read_train(sub, tmp_path, rng):
    """read_train gives ids, 93 float32 counts and labels, for an unquoted and a quoted header"""
    ids, counts, labels = helpers.products(rng, rng.integers(2, 6, size=helpers.N_CLASSES))
    for quoted in (False, True):
        kind = "quoted" if quoted else "unquoted"
        path = helpers.write_otto(tmp_path / f"train_{kind}.csv", ids, counts, labels, quoted=quoted)
        what = f"read_train(train.csv with a{'' if quoted else 'n'} {kind} header)"
        result = check.call(what, sub.read_train, path)
        check.that(type(result) in (tuple, list) and len(result) == 3,
                    f"{what} should return (ids, features, labels); got {check.describe(result)}")
        check.close(helpers.int_tensor(result[0], f"the ids of {what}", len(ids)), ids, f"the ids of {what}")
        check.close(helpers.features_tensor(result[1], f"the features of {what}", len(ids)), counts,
                     f"the features of {what}")
        check.close(helpers.int_tensor(result[2], f"the labels of {what}", len(ids)), labels, f"the labels of {what}",
                     mistakes={"Class_k was mapped to k; use k - 1": labels + 1})


@pytest.mark.points(1)
def test_stratified_split(sub):
    """stratified_split shuffles and keeps every class's share in both parts (the rows are sorted by class)"""
    labels = np.repeat(np.arange(helpers.N_CLASSES), helpers.sizes_like_otto(600))
    train, val = helpers.check_split(sub, labels, 0.2, 0)
    again = helpers.check_split(sub, labels, 0.2, 0)
    check.that(np.array_equal(again[1], val),
                "stratified_split(labels, seed=0) gave two different splits: use the seed (e.g. "
                "np.random.default_rng(seed) or a torch.Generator seeded with it)")
    other = helpers.check_split(sub, labels, 0.2, 1)
    check.that(not np.array_equal(other[1], val),
                "stratified_split gives the same split for seed=0 and seed=1: the seed argument is ignored")


@pytest.mark.points(1)
def test_probabilities_and_log_loss(sub, ref, worker, rng, device):
    """predict_proba gives softmax rows that sum to 1; log_loss clips, rescales and averages like Kaggle"""
    _, counts, labels = helpers.products(rng, np.full(helpers.N_CLASSES, 3))
    x = torch.tensor(counts, dtype=torch.float32)
    model, trusted = helpers.worker_linear(worker, int(rng.integers(1000)), device)
    got = check.call("predict_proba(model, features)", sub.predict_proba, model, x)
    check.that(type(got) is torch.Tensor, f"predict_proba should return a tensor; got {check.describe(got)}")
    with torch.no_grad():
        logits = trusted(x)
    check.close(got, ref.predict_proba(trusted, x), "predict_proba(model, features)", rtol=1e-4, atol=1e-6,
                 loose=device == "cuda", mistakes={
                     "these are the logits: apply torch.softmax(logits, dim=1)": logits,
                     "the softmax runs over dim=0 (the batch): each row must sum to 1, use dim=1":
                         torch.softmax(logits, dim=0),
                     "these are log-probabilities (log_softmax); use softmax": torch.log_softmax(logits, dim=1)})

    uniform = np.full((len(labels), helpers.N_CLASSES), 1.0 / helpers.N_CLASSES)
    cases = [
        ("a uniform guess (1/9 everywhere) must give log(9) = 2.197", uniform, labels),
        ("the true class has probability 0: it is clipped to 1e-15, so the loss is -log(1e-15) = 34.54",
         np.eye(helpers.N_CLASSES)[(labels + 1) % helpers.N_CLASSES], labels),
        ("the rows sum to 2: they must be rescaled to sum to 1 (the loss is log(2))",
         np.eye(helpers.N_CLASSES)[labels] + np.eye(helpers.N_CLASSES)[(labels + 3) % helpers.N_CLASSES], labels),
    ]
    for text, probabilities, y in cases:
        expected = ref.log_loss(torch.tensor(y), torch.tensor(probabilities))
        value = check.call("log_loss(labels, probabilities)", sub.log_loss, torch.tensor(y),
                             torch.tensor(probabilities))
        check.that(type(value) is float, f"log_loss should return a Python float; got {check.describe(value)}")
        p = np.asarray(probabilities, dtype=float)
        picked = p[np.arange(len(y)), y]
        mistakes = {}
        with np.errstate(divide="ignore"):
            mistakes["the probabilities are not clipped to [1e-15, 1 - 1e-15], so a zero gives an infinite loss"] = \
                float(-np.mean(np.log(picked)))
        clipped = np.clip(p, 1e-15, 1 - 1e-15)
        mistakes["the rows are not rescaled to sum to 1 after clipping"] = \
            float(-np.mean(np.log(clipped[np.arange(len(y)), y])))
        mistakes["that is the sum over the rows; the metric is the mean"] = expected * len(y)
        mistakes["log10 was used; the metric uses the natural logarithm"] = expected / math.log(10)
        check.close(value, expected, f"log_loss for the case where {text}", rtol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
def test_submission(sub, tmp_path, rng):
    """write_submission writes id,Class_1,...,Class_9 and one line of probabilities per id"""
    n = 12
    ids = torch.arange(1, n + 1)
    probabilities = torch.tensor(rng.dirichlet(np.ones(helpers.N_CLASSES), size=n), dtype=torch.float32)
    out = tmp_path / "submission.csv"
    check.call("write_submission(ids, probabilities, 'submission.csv')", sub.write_submission, ids, probabilities,
                 str(out))
    helpers.read_submission(out, ids.numpy(), probabilities.double().numpy())
