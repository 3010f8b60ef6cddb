"""Hidden checks for ex09-otto: the exact metric, random splits, the exact training loop, an
OttoNet that learns, and gzipped files with arbitrary ids.

The checks write small files in Kaggle's Otto schema into a temporary folder; the real files are
not needed.
"""

import contextlib
import csv
import gzip
import math

import numpy as np
import pytest
import torch

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost, type_names

pytestmark = pytest.mark.hidden

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


@contextlib.contextmanager
def one_thread(worker):
    """Run small models on one thread, here and in the worker.

    On a busy machine, torch's intra-op threads spin and wait for each other: training a small
    MLP for a hundred steps can take seconds instead of a fraction of one.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    worker.import_module("torch").set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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


# ----------------------------------------------------------------------------- trusted variants


def _variant_train(trusted, state, x, y, batch, epochs, lr, *, zero_grad=True, record="mean",
                   optimizer="Adam", softmax_first=False):
    """The loss history that a training loop with one known mistake gives."""
    model = trusted
    model.load_state_dict(state)
    model.zero_grad(set_to_none=True)  # no gradients left over from an earlier run
    criterion = torch.nn.CrossEntropyLoss()
    opt = getattr(torch.optim, optimizer)(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        losses = []
        for start in range(0, len(x), batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            if zero_grad:
                opt.zero_grad()
            out = model(xb)
            if softmax_first:
                out = torch.softmax(out, dim=1)
            loss = criterion(out, yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        history.append({"mean": sum(losses) / len(losses), "last": losses[-1], "sum": sum(losses)}[record])
    return history


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_log_loss_exact(sub, ref, rng):
    """log_loss equals the competition's metric on random probabilities with zeros and unnormalised rows"""
    n = int(rng.integers(30, 60))
    labels = rng.integers(0, N_CLASSES, size=n)
    p = rng.dirichlet(np.full(N_CLASSES, 0.7), size=n)
    p[rng.random((n, N_CLASSES)) < 0.2] = 0.0
    p[: n // 4, :] *= rng.uniform(0.3, 3.0, size=(n // 4, 1))  # rows that do not sum to 1
    p[n // 4, :] = 0.0
    p[n // 4, labels[n // 4]] = 1.0  # a certain, right answer: clipped to 1 - 1e-15
    p[n // 4 + 1, labels[n // 4 + 1]] = 0.0  # a certain, wrong answer
    p[n // 4 + 1, (labels[n // 4 + 1] + 1) % N_CLASSES] = 1.0
    expected = ref.log_loss(torch.tensor(labels), torch.tensor(p))
    got = _call("log_loss(labels, probabilities)", sub.log_loss, torch.tensor(labels), torch.tensor(p))
    expect.that(type(got) is float, f"log_loss should return a Python float; got {expect.describe(got)}")
    rows = np.arange(n)

    def metric(q, log=np.log, mean=True):
        with np.errstate(divide="ignore"):
            values = -log(q[rows, labels])
        return float(values.mean() if mean else values.sum())

    clipped = np.clip(p, 1e-15, 1 - 1e-15)
    rescaled_then_clipped = np.clip(p / np.maximum(p.sum(axis=1, keepdims=True), 1e-300), 1e-15, 1 - 1e-15)
    eps7 = np.clip(p, 1e-7, 1 - 1e-7)
    mistakes = {
        "the probabilities are not clipped to [1e-15, 1 - 1e-15], so a zero gives an infinite loss": metric(p),
        "the rows are not rescaled to sum to 1 after clipping": metric(clipped),
        "the rows are rescaled before clipping; the metric clips first, then rescales":
            metric(rescaled_then_clipped),
        "the clipping bound is 1e-7; the competition uses 1e-15":
            metric(eps7 / eps7.sum(axis=1, keepdims=True)),
        "that is the sum over the rows; the metric is the mean": expected * n,
        "log10 was used; the metric uses the natural logarithm": expected / math.log(10),
        "log2 was used; the metric uses the natural logarithm": expected / math.log(2),
    }
    expect.close(got, expected, f"log_loss on {n} random rows", rtol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
def test_split_random(sub, rng):
    """stratified_split on random class sizes and fractions: complete, shuffled, stratified, seeded"""
    sizes = rng.integers(8, 80, size=N_CLASSES)
    sizes[rng.integers(N_CLASSES)] = int(rng.integers(1, 4))  # a rare class
    labels = np.repeat(np.arange(N_CLASSES), sizes)
    fraction = float(rng.choice([0.1, 0.25, 0.3]))
    seeds = [int(s) for s in rng.integers(0, 10_000, size=2)]
    splits = [check_split(sub, labels, fraction, seed) for seed in seeds]
    expect.that(not np.array_equal(splits[0][1], splits[1][1]),
                f"stratified_split gives the same split for seed={seeds[0]} and seed={seeds[1]}: use the seed")
    # Labels in another order (not sorted by class): the split must follow the labels, not positions.
    order = rng.permutation(len(labels))
    check_split(sub, labels[order], fraction, seeds[0],
                what=f"stratified_split(labels in random order, val_fraction={fraction}, seed={seeds[0]})")


@pytest.mark.points(1)
def test_train_matches_reference(sub, ref, worker, rng, device):
    """train runs Adam with CrossEntropyLoss on the logits and records the mean batch loss per epoch"""
    n, batch, epochs, lr = 64, 16, 3, float(rng.choice([0.01, 0.02]))
    _, counts, labels = products(rng, np.full(N_CLASSES, 8))
    order = rng.permutation(len(labels))[:n]
    x = torch.log1p(torch.tensor(counts[order], dtype=torch.float32))
    y = torch.tensor(labels[order], dtype=torch.int64)
    seed = int(rng.integers(1000))
    model, trusted = worker_linear(worker, seed, device, hidden=12)
    state = {k: v.clone() for k, v in trusted.state_dict().items()}
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=batch)
    what = f"train(model, DataLoader(TensorDataset(x, y), batch_size={batch}), epochs={epochs}, lr={lr})"
    with one_thread(worker):
        history = _call(what, sub.train, model, loader, epochs=epochs, lr=lr)
    expect.that(type(history) is list and len(history) == epochs,
                f"{what} should return a list of {epochs} floats; got {expect.describe(history)}")
    for value in history:
        expect.that(type(value) is float, f"train's history should hold Python floats (loss.item()); "
                                          f"got {expect.describe(value)}")
    with one_thread(worker):
        expected = ref.train(trusted, torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                                                  batch_size=batch), epochs=epochs, lr=lr)
    final = {k: v.clone() for k, v in trusted.state_dict().items()}
    loose = device == "cuda"
    try:
        expect.close(history, expected, f"the history of {what}", rtol=1e-4, atol=1e-6, loose=loose)
    except expect.CheckFailed:
        variants = {
            "the model's logits go through a softmax before CrossEntropyLoss, which applies log-softmax itself: "
            "pass the logits": dict(softmax_first=True),
            "the gradients are never zeroed: call optimizer.zero_grad() before loss.backward()": dict(zero_grad=False),
            "the optimizer is SGD; the exercise asks for torch.optim.Adam(model.parameters(), lr=lr)":
                dict(optimizer="SGD"),
            "history[e] is the loss of the last batch; it should be the mean of the epoch's batch losses":
                dict(record="last"),
            "history[e] is the sum of the batch losses; divide by the number of batches": dict(record="sum"),
        }
        with one_thread(worker):
            mistakes = {text: _variant_train(trusted, state, x, y, batch, epochs, lr, **options)
                        for text, options in variants.items()}
            mistakes["the lr argument is ignored (the history matches Adam's default lr=0.001)"] = \
                _variant_train(trusted, state, x, y, batch, epochs, 1e-3)
        expect.close(history, expected, f"the history of {what}", rtol=1e-4, atol=1e-6, loose=loose,
                     mistakes=mistakes)
        raise
    weights = _call("model.state_dict()", model.state_dict)
    for name, value in final.items():
        expect.close(weights.get(name) if type(weights) is dict else None, value,
                     f"the weights {name} after {what}", rtol=1e-4, atol=1e-6, loose=loose)


@pytest.mark.points(1)
def test_otto_net_learns(sub, ref, worker, rng, device):
    """OttoNet returns 9 logits per product and learns the classes when trained with train()"""
    ids, counts, labels = products(rng, sizes_like_otto(700))
    x = torch.tensor(counts, dtype=torch.float32)
    y = torch.tensor(labels, dtype=torch.int64)
    train_idx, val_idx = ref.stratified_split(y, val_fraction=0.25, seed=0)
    worker.seed(0)
    model = _call("OttoNet()", sub.OttoNet)
    expect.that("torch.nn.modules.module.Module" in type_names(model),
                f"OttoNet() should build an nn.Module; got {expect.describe(model)}")
    _call("model.to(device)", model.to, device)
    _call("model.eval()", model.eval)
    out = _call("model(features)", model, x[:20])
    expect.that(type(out) is torch.Tensor and tuple(out.shape) == (20, N_CLASSES),
                f"OttoNet()(x) for x of shape (20, 93) should give logits of shape (20, 9); got {expect.describe(out)}")
    values = out.detach().double().numpy()
    expect.that(bool(np.all(np.isfinite(values))), "OttoNet's output holds nan or inf (are the counts scaled sensibly?)")
    if np.allclose(values.sum(axis=1), 1.0, atol=1e-4) and values.min() >= 0:
        raise expect.CheckFailed("OttoNet's outputs are probabilities (each row sums to 1): the model ends with a "
                                 "softmax. CrossEntropyLoss applies log-softmax itself, so return the logits and "
                                 "apply softmax only in predict_proba")
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(data.TensorDataset(x[train_idx], y[train_idx]), batch_size=32, shuffle=True)
    epochs = 6
    with one_thread(worker):
        history = _call(f"train(OttoNet(), loader, epochs={epochs}, lr=1e-3)", sub.train, model, loader,
                        epochs=epochs, lr=1e-3)
    expect.that(type(history) is list and len(history) == epochs and all(type(v) is float for v in history),
                f"train should return a list of {epochs} floats; got {expect.describe(history)}")
    _call("model.eval()", model.eval)
    logits = _call("model(validation features)", model, x[val_idx])
    expect.that(type(logits) is torch.Tensor and tuple(logits.shape) == (len(val_idx), N_CLASSES),
                f"model(x) should give logits of shape ({len(val_idx)}, 9); got {expect.describe(logits)}")
    probabilities = torch.softmax(logits.detach().double(), dim=1)
    score = ref.log_loss(y[val_idx], probabilities)
    prior = np.bincount(labels[train_idx.numpy()], minlength=N_CLASSES) / len(train_idx)
    baseline = ref.log_loss(y[val_idx], torch.tensor(prior).repeat(len(val_idx), 1))
    expect.that(score < 0.6 * baseline,
                f"after {epochs} epochs OttoNet's validation log loss is {score:.3f}; the class prior alone gives "
                f"{baseline:.3f}. The model does not learn: check the architecture (ReLU between the layers, "
                f"log(1 + x) or another scaling of the counts) and the training loop")


@pytest.mark.points(1)
def test_read_test_and_submission_random(sub, tmp_path, rng):
    """read_test and read_train read gzipped files; write_submission keeps any ids in their order"""
    n = int(rng.integers(15, 30))
    ids = np.sort(rng.choice(np.arange(1, 200_000), size=n, replace=False))
    rng.shuffle(ids)
    counts = rng.poisson(RATES[rng.integers(0, N_CLASSES, size=n)])
    path = write_otto(tmp_path / "test.csv.gz", ids, counts, gz=True, quoted=bool(rng.integers(2)))
    result = _call("read_test('test.csv.gz')", sub.read_test, path)
    expect.that(type(result) in (tuple, list) and len(result) == 2,
                f"read_test should return (ids, features); got {expect.describe(result)}")
    expect.close(int_tensor(result[0], "the ids of read_test('test.csv.gz')", n), ids,
                 "the ids of read_test('test.csv.gz') (in file order)")
    expect.close(features_tensor(result[1], "the features of read_test('test.csv.gz')", n), counts,
                 "the features of read_test('test.csv.gz')")
    train_ids, train_counts, labels = products(rng, rng.integers(1, 4, size=N_CLASSES))
    path = write_otto(tmp_path / "train.csv.gz", train_ids, train_counts, labels, gz=True, quoted=True)
    result = _call("read_train('train.csv.gz')", sub.read_train, path)
    expect.that(type(result) in (tuple, list) and len(result) == 3,
                f"read_train should return (ids, features, labels); got {expect.describe(result)}")
    expect.close(int_tensor(result[2], "the labels of read_train('train.csv.gz')", len(labels)), labels,
                 "the labels of read_train('train.csv.gz', quoted header and labels)")
    probabilities = torch.tensor(rng.dirichlet(np.ones(N_CLASSES), size=n), dtype=torch.float32)
    out = tmp_path / "submission.csv"
    _call("write_submission(ids, probabilities, 'submission.csv')", sub.write_submission,
          torch.tensor(ids), probabilities, str(out))
    read_submission(out, ids, probabilities.double().numpy())
