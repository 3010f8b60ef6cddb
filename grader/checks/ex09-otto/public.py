"""Public checks for ex09-otto: students run these locally.

The checks write small files in Kaggle's Otto schema (``id, feat_1..feat_93, target`` with
integer counts, rows sorted by class, the header quoted in some files) into a temporary
folder; the real files are not needed.
"""

import csv
import gzip
import math

import numpy as np
import pytest
import torch

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost, type_names

pytestmark = pytest.mark.public

N_FEATURES, N_CLASSES = 93, 9
CLASSES = [f"Class_{k}" for k in range(1, N_CLASSES + 1)]
FEATURES = [f"feat_{i}" for i in range(1, N_FEATURES + 1)]
# Otto's class sizes (61,878 rows) divided by about 100: Class_2 and Class_6 dominate.
OTTO_SHARES = np.array([1929, 16122, 8004, 2691, 2739, 14135, 2839, 8464, 4955]) / 61878


# ----------------------------------------------------------------------------- data


def _rates():
    """Per-class Poisson rates of the 93 counts: mostly zeros, a few typical features per class."""
    pattern = np.random.default_rng(2015)
    rates = np.full((N_CLASSES, N_FEATURES), 0.08)
    for k in range(N_CLASSES):
        rates[k, pattern.choice(N_FEATURES, size=10, replace=False)] = pattern.uniform(1.0, 4.0, size=10)
    return rates


RATES = _rates()


def products(rng, sizes, first_id=1):
    """``(ids, counts, labels)`` with ``sizes[k]`` products of class k, sorted by class (as Kaggle's file)."""
    labels = np.repeat(np.arange(N_CLASSES), sizes)
    counts = rng.poisson(RATES[labels]).astype(np.int64)
    ids = np.arange(first_id, first_id + len(labels), dtype=np.int64)
    return ids, counts, labels


def write_otto(path, ids, counts, labels=None, *, quoted=False, gz=False):
    """Write an Otto CSV: optionally the header and the labels in double quotes, optionally gzipped."""
    header = ["id", *FEATURES] + (["target"] if labels is not None else [])
    q = (lambda s: f'"{s}"') if quoted else (lambda s: s)
    lines = [",".join(q(h) for h in header)]
    for k in range(len(ids)):
        cells = [str(int(ids[k]))] + [str(int(c)) for c in counts[k]]
        if labels is not None:
            cells.append(q(CLASSES[int(labels[k])]))
        lines.append(",".join(cells))
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return str(path)


def sizes_like_otto(total):
    return np.maximum(np.round(OTTO_SHARES * total).astype(int), 2)


# ----------------------------------------------------------------------------- helpers


def _call(what, fn, *args, **kwargs):
    """Call into the student's code; an exception it raises names the call that raised it."""
    try:
        return fn(*args, **kwargs)
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        if not exc.kind:
            raise
        raise expect.CheckFailed(f"{what} raised {exc}") from None


def int_tensor(value, what, length=None):
    expect.that(type(value) is torch.Tensor, f"{what} should be an int64 tensor; got {expect.describe(value)}")
    expect.that(value.dtype == torch.int64,
                f"{what} should be int64 (CrossEntropyLoss wants class indices as a LongTensor); "
                f"got {str(value.dtype)[6:]}")
    expect.that(value.dim() == 1, f"{what} should be 1-D; got shape {tuple(value.shape)}")
    if length is not None:
        expect.that(value.shape[0] == length, f"{what} should have {length} entries; got {value.shape[0]}")
    return value.numpy()


def features_tensor(value, what, rows):
    expect.that(type(value) is torch.Tensor, f"{what} should be a float32 tensor; got {expect.describe(value)}")
    if tuple(value.shape) == (rows, N_FEATURES + 1):
        raise expect.CheckFailed(f"{what} has 94 columns: the id column was kept; the features are "
                                 f"feat_1 .. feat_93 only")
    if tuple(value.shape) == (rows, N_FEATURES + 2):
        raise expect.CheckFailed(f"{what} has 95 columns: the id and target columns were kept")
    expect.that(tuple(value.shape) == (rows, N_FEATURES),
                f"{what} should have shape ({rows}, {N_FEATURES}); got {tuple(value.shape)}")
    expect.that(value.dtype == torch.float32,
                f"{what} should be float32 (nn.Linear's weights are float32); got {str(value.dtype)[6:]}")
    return value.double().numpy()


def check_split(sub, labels, val_fraction, seed, what=None):
    """The student's split of ``labels`` is complete, shuffled and stratified; returns (train, val)."""
    what = what or f"stratified_split(labels, val_fraction={val_fraction}, seed={seed})"
    result = _call(what, sub.stratified_split, torch.tensor(labels), val_fraction=val_fraction, seed=seed)
    expect.that(type(result) in (tuple, list) and len(result) == 2,
                f"{what} should return (train_idx, val_idx); got {expect.describe(result)}")
    train = np.sort(int_tensor(result[0], f"train_idx of {what}"))
    val = np.sort(int_tensor(result[1], f"val_idx of {what}"))
    n = len(labels)
    both = np.concatenate([train, val])
    expect.that(len(both) == n and np.array_equal(np.sort(both), np.arange(n)),
                f"train_idx and val_idx of {what} should hold every row index 0 .. {n - 1} exactly once "
                f"between them; they hold {len(both)} indices, {len(np.unique(both))} distinct")
    counts = np.bincount(labels, minlength=N_CLASSES)
    in_val = np.bincount(labels[val], minlength=N_CLASSES)
    n_val = int(round(val_fraction * n))
    if len(val) and (np.array_equal(val, np.arange(n - len(val), n)) or np.array_equal(val, np.arange(len(val)))):
        present = [CLASSES[k] for k in np.flatnonzero(in_val)]
        raise expect.CheckFailed(
            f"the split is not shuffled: val_idx is a block of consecutive rows, and as the rows are sorted by "
            f"class it holds {', '.join(present)} only. Shuffle (per class) before splitting")
    for k in range(N_CLASSES):
        if counts[k] and abs(in_val[k] - val_fraction * counts[k]) > 1:
            raise expect.CheckFailed(
                f"the split is not stratified: {CLASSES[k]} has {counts[k]} rows and {in_val[k]} of them in "
                f"val_idx; with val_fraction={val_fraction} that should be about {val_fraction * counts[k]:.1f}. "
                f"Split each class separately (round(val_fraction * its size) of its rows to validation)")
    expect.that(abs(len(val) - n_val) <= N_CLASSES,
                f"val_idx should hold about {n_val} rows; it holds {len(val)}")
    blocky = 0
    for k in range(N_CLASSES):
        members = np.flatnonzero(labels == k)
        chosen = np.flatnonzero(np.isin(members, val))
        if 2 <= len(chosen) < len(members) - 1 and (
                np.array_equal(chosen, np.arange(len(chosen)))
                or np.array_equal(chosen, np.arange(len(members) - len(chosen), len(members)))):
            blocky += 1
    expect.that(blocky < 3,
                "within each class, val_idx takes the first (or last) rows of that class: shuffle each "
                "class's rows (with the seed) before taking its validation share")
    return train, val


def worker_linear(worker, seed, device, hidden=None):
    """A model built inside the worker (not the student's OttoNet) and its trusted twin."""
    torch.manual_seed(seed)
    sizes = [N_FEATURES] + ([hidden] if hidden else []) + [N_CLASSES]
    layers = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if k < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    trusted = torch.nn.Sequential(*layers)
    nn = worker.import_module("torch.nn")
    remote_layers = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        remote_layers.append(nn.Linear(a, b))
        if k < len(sizes) - 2:
            remote_layers.append(nn.ReLU())
    model = nn.Sequential(*remote_layers)
    model.load_state_dict(trusted.state_dict())
    model.to(device)
    return model, trusted


def read_submission(path, ids, probabilities):
    """The file has Otto's header and one line per id (in order) with its probabilities."""
    expect.that(path.is_file(), "write_submission did not create the file at the path it was given")
    with open(path, newline="", encoding="utf-8") as f:
        lines = [line for line in csv.reader(f) if line]
    expect.that(len(lines) >= 1, "the submission file is empty")
    header = [h.strip() for h in lines[0]]
    wanted = ["id", *CLASSES]
    if header[:1] == [""] and header[1:] == wanted:
        raise expect.CheckFailed("the submission has an extra first column without a name: that is the "
                                 "DataFrame's index; write it with to_csv(path, index=False)")
    if header == CLASSES:
        raise expect.CheckFailed("the submission's header lacks the id column: id,Class_1,...,Class_9")
    expect.that(header == wanted, f"the submission's header should be id,Class_1,...,Class_9; got {','.join(lines[0])[:200]}")
    body = lines[1:]
    expect.that(len(body) == len(ids), f"the submission should have one line per id ({len(ids)}); it has {len(body)}")
    got_ids, values = [], []
    for k, line in enumerate(body, start=2):
        expect.that(len(line) == 10, f"line {k} of the submission should have 10 values; it has {len(line)}")
        try:
            got_ids.append(float(line[0]))
            values.append([float(v) for v in line[1:]])
        except ValueError:
            raise expect.CheckFailed(f"line {k} of the submission holds something that is not a number: "
                                     f"{','.join(line)[:120]}") from None
    got_ids = np.array(got_ids)
    expect.that(bool(np.all(got_ids == np.round(got_ids))),
                "the submission's ids should be integers (write the int64 ids, not floats)")
    if not np.array_equal(got_ids, np.asarray(ids)):
        hint = (" (the first column holds the row numbers 0, 1, 2, ...: write the ids read from test.csv)"
                if np.array_equal(got_ids, np.arange(len(ids))) else "")
        raise expect.CheckFailed(f"the submission's ids should be the given ids, in the given order{hint}")
    values = np.array(values)
    expect.close(values, probabilities, "the submission's probabilities", rtol=1e-3, atol=1e-4)
    return values


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_encode_labels(sub, rng):
    """encode_labels maps Class_k to k - 1 and refuses unknown labels with ValueError"""
    codes = np.concatenate([np.arange(N_CLASSES), rng.integers(0, N_CLASSES, size=11)])
    rng.shuffle(codes)
    targets = [CLASSES[k] for k in codes]
    got = _call("encode_labels(targets)", sub.encode_labels, targets)
    values = int_tensor(got, "encode_labels(targets)", len(targets))
    expect.close(values, codes, "encode_labels(['Class_3', ...])", mistakes={
        "Class_k was mapped to k; CrossEntropyLoss wants the classes numbered 0 .. 8: Class_k -> k - 1": codes + 1})
    for bad in ("Class_10", "class_3", "Class_0"):
        try:
            result = sub.encode_labels(["Class_1", bad])
        except (SubmissionTimeout, WorkerLost):
            raise
        except SubmissionError as exc:
            expect.that(exc.kind == "ValueError",
                        f"encode_labels(['Class_1', {bad!r}]) should raise ValueError; it raised {exc.kind}")
            continue
        raise expect.CheckFailed(f"encode_labels(['Class_1', {bad!r}]) should raise ValueError ({bad!r} is not one "
                                 f"of Class_1 .. Class_9); it returned {expect.describe(result)}")


@pytest.mark.points(1)
def test_read_train(sub, tmp_path, rng):
    """read_train gives ids, 93 float32 counts and labels, for an unquoted and a quoted header"""
    ids, counts, labels = products(rng, rng.integers(2, 6, size=N_CLASSES))
    for quoted in (False, True):
        kind = "quoted" if quoted else "unquoted"
        path = write_otto(tmp_path / f"train_{kind}.csv", ids, counts, labels, quoted=quoted)
        what = f"read_train(train.csv with a{'' if quoted else 'n'} {kind} header)"
        result = _call(what, sub.read_train, path)
        expect.that(type(result) in (tuple, list) and len(result) == 3,
                    f"{what} should return (ids, features, labels); got {expect.describe(result)}")
        expect.close(int_tensor(result[0], f"the ids of {what}", len(ids)), ids, f"the ids of {what}")
        expect.close(features_tensor(result[1], f"the features of {what}", len(ids)), counts,
                     f"the features of {what}")
        expect.close(int_tensor(result[2], f"the labels of {what}", len(ids)), labels, f"the labels of {what}",
                     mistakes={"Class_k was mapped to k; use k - 1": labels + 1})


@pytest.mark.points(1)
def test_stratified_split(sub):
    """stratified_split shuffles and keeps every class's share in both parts (the rows are sorted by class)"""
    labels = np.repeat(np.arange(N_CLASSES), sizes_like_otto(600))
    train, val = check_split(sub, labels, 0.2, 0)
    again = check_split(sub, labels, 0.2, 0)
    expect.that(np.array_equal(again[1], val),
                "stratified_split(labels, seed=0) gave two different splits: use the seed (e.g. "
                "np.random.default_rng(seed) or a torch.Generator seeded with it)")
    other = check_split(sub, labels, 0.2, 1)
    expect.that(not np.array_equal(other[1], val),
                "stratified_split gives the same split for seed=0 and seed=1: the seed argument is ignored")


@pytest.mark.points(1)
def test_probabilities_and_log_loss(sub, ref, worker, rng, device):
    """predict_proba gives softmax rows that sum to 1; log_loss clips, rescales and averages like Kaggle"""
    _, counts, labels = products(rng, np.full(N_CLASSES, 3))
    x = torch.tensor(counts, dtype=torch.float32)
    model, trusted = worker_linear(worker, int(rng.integers(1000)), device)
    got = _call("predict_proba(model, features)", sub.predict_proba, model, x)
    expect.that(type(got) is torch.Tensor, f"predict_proba should return a tensor; got {expect.describe(got)}")
    with torch.no_grad():
        logits = trusted(x)
    expect.close(got, ref.predict_proba(trusted, x), "predict_proba(model, features)", rtol=1e-4, atol=1e-6,
                 loose=device == "cuda", mistakes={
                     "these are the logits: apply torch.softmax(logits, dim=1)": logits,
                     "the softmax runs over dim=0 (the batch): each row must sum to 1, use dim=1":
                         torch.softmax(logits, dim=0),
                     "these are log-probabilities (log_softmax); use softmax": torch.log_softmax(logits, dim=1)})

    uniform = np.full((len(labels), N_CLASSES), 1.0 / N_CLASSES)
    cases = [
        ("a uniform guess (1/9 everywhere) must give log(9) = 2.197", uniform, labels),
        ("the true class has probability 0: it is clipped to 1e-15, so the loss is -log(1e-15) = 34.54",
         np.eye(N_CLASSES)[(labels + 1) % N_CLASSES], labels),
        ("the rows sum to 2: they must be rescaled to sum to 1 (the loss is log(2))",
         np.eye(N_CLASSES)[labels] + np.eye(N_CLASSES)[(labels + 3) % N_CLASSES], labels),
    ]
    for text, probabilities, y in cases:
        expected = ref.log_loss(torch.tensor(y), torch.tensor(probabilities))
        value = _call("log_loss(labels, probabilities)", sub.log_loss, torch.tensor(y), torch.tensor(probabilities))
        expect.that(type(value) is float, f"log_loss should return a Python float; got {expect.describe(value)}")
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
        expect.close(value, expected, f"log_loss for the case where {text}", rtol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
def test_submission(sub, tmp_path, rng):
    """write_submission writes id,Class_1,...,Class_9 and one line of probabilities per id"""
    n = 12
    ids = torch.arange(1, n + 1)
    probabilities = torch.tensor(rng.dirichlet(np.ones(N_CLASSES), size=n), dtype=torch.float32)
    out = tmp_path / "submission.csv"
    _call("write_submission(ids, probabilities, 'submission.csv')", sub.write_submission, ids, probabilities, str(out))
    read_submission(out, ids.numpy(), probabilities.double().numpy())
