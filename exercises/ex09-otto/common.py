"""Helpers shared by the public and hidden checks of ex09-otto: small files in Kaggle's Otto schema,
calls into the student's code, the checks of tensors, splits and submission files, and models built
inside the worker with a trusted twin."""

import csv
import gzip
import math

import numpy as np
import torch

from pttutor.grader import check

N_FEATURES, N_CLASSES = 93, 9
CLASSES = [f"Class_{k}" for k in range(1, N_CLASSES + 1)]
FEATURES = [f"feat_{i}" for i in range(1, N_FEATURES + 1)]
# Otto's class sizes (61,878 rows) divided by about 100: Class_2 and Class_6 dominate.
OTTO_SHARES = np.array([1929, 16122, 8004, 2691, 2739, 14135, 2839, 8464, 4955]) / 61878


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


def int_tensor(value, what, length=None):
    check.that(type(value) is torch.Tensor, f"{what} should be an int64 tensor; got {check.describe(value)}")
    check.that(value.dtype == torch.int64,
                f"{what} should be int64 (CrossEntropyLoss wants class indices as a LongTensor); "
                f"got {str(value.dtype)[6:]}")
    check.that(value.dim() == 1, f"{what} should be 1-D; got shape {tuple(value.shape)}")
    if length is not None:
        check.that(value.shape[0] == length, f"{what} should have {length} entries; got {value.shape[0]}")
    return value.numpy()


def features_tensor(value, what, rows):
    check.that(type(value) is torch.Tensor, f"{what} should be a float32 tensor; got {check.describe(value)}")
    if tuple(value.shape) == (rows, N_FEATURES + 1):
        raise check.CheckFailed(f"{what} has 94 columns: the id column was kept; the features are "
                                 f"feat_1 .. feat_93 only")
    if tuple(value.shape) == (rows, N_FEATURES + 2):
        raise check.CheckFailed(f"{what} has 95 columns: the id and target columns were kept")
    check.that(tuple(value.shape) == (rows, N_FEATURES),
                f"{what} should have shape ({rows}, {N_FEATURES}); got {tuple(value.shape)}")
    check.that(value.dtype == torch.float32,
                f"{what} should be float32 (nn.Linear's weights are float32); got {str(value.dtype)[6:]}")
    return value.double().numpy()


def check_split(sub, labels, val_fraction, seed, what=None, charged_elsewhere=()):
    """The student's split of ``labels`` is complete, of the right size, shuffled and stratified; returns
    (train, val). ``charged_elsewhere``: the kinds of problems ("shuffle", "stratify", "blocks") that pass
    here because the check that names them charges them."""
    what = what or f"stratified_split(labels, val_fraction={val_fraction}, seed={seed})"
    result = check.call(what, sub.stratified_split, torch.tensor(labels), val_fraction=val_fraction, seed=seed)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"{what} should return (train_idx, val_idx); got {check.describe(result)}")
    train = np.sort(int_tensor(result[0], f"train_idx of {what}"))
    val = np.sort(int_tensor(result[1], f"val_idx of {what}"))
    n = len(labels)
    both = np.concatenate([train, val])
    check.that(len(both) == n and np.array_equal(np.sort(both), np.arange(n)),
                f"train_idx and val_idx of {what} should hold every row index 0 .. {n - 1} exactly once "
                f"between them; they hold {len(both)} indices, {len(np.unique(both))} distinct")
    counts = np.bincount(labels, minlength=N_CLASSES)
    expected_val = sum(int(round(val_fraction * c)) for c in counts)
    check.that(abs(len(val) - expected_val) <= N_CLASSES,
                f"val_idx of {what} should hold about {expected_val} rows (round(val_fraction * size) of each class); "
                f"it holds {len(val)}: use the val_fraction given")
    for kind, problem in split_problems(labels, val, val_fraction):
        if kind not in charged_elsewhere:
            raise check.CheckFailed(problem)
    return train, val


def split_problems(labels, val, val_fraction):
    """What is wrong with a complete split of the right size: [(kind, message)]."""
    n = len(labels)
    counts = np.bincount(labels, minlength=N_CLASSES)
    in_val = np.bincount(labels[val], minlength=N_CLASSES)
    out = []
    if len(val) and (np.array_equal(val, np.arange(n - len(val), n)) or np.array_equal(val, np.arange(len(val)))):
        present = [CLASSES[k] for k in np.flatnonzero(in_val)]
        out.append(("shuffle", f"the split is not shuffled: val_idx is a block of consecutive rows, and as the rows "
                               f"are sorted by class it holds {', '.join(present)} only. Shuffle (per class) before "
                               f"splitting"))
    for k in range(N_CLASSES):
        if counts[k] and abs(in_val[k] - val_fraction * counts[k]) > 1:
            out.append(("stratify", f"the split is not stratified: {CLASSES[k]} has {counts[k]} rows and {in_val[k]} "
                                    f"of them in val_idx; with val_fraction={val_fraction} that should be about "
                                    f"{val_fraction * counts[k]:.1f}. Split each class separately "
                                    f"(round(val_fraction * its size) of its rows to validation)"))
            break
    blocky = 0
    for k in range(N_CLASSES):
        members = np.flatnonzero(labels == k)
        chosen = np.flatnonzero(np.isin(members, val))
        if 2 <= len(chosen) < len(members) - 1 and (
                np.array_equal(chosen, np.arange(len(chosen)))
                or np.array_equal(chosen, np.arange(len(members) - len(chosen), len(members)))):
            blocky += 1
    if blocky >= 3:
        out.append(("blocks", "within each class, val_idx takes the first (or last) rows of that class: shuffle each "
                              "class's rows (with the seed) before taking its validation share"))
    return out


def own_labels(sub, targets):
    """What the student's own encode_labels gives for ``targets`` (None where it fails): read_train's
    labels come from it, so read_train is judged given it."""
    try:
        return int_tensor(sub.encode_labels(list(targets)), "encode_labels(targets)")
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except (check.SubmissionError, check.CheckFailed):
        return None


def expect_labels(got, labels, sub, what):
    """read_train's labels: the reference's, or what the student's own encode_labels gives."""
    values = int_tensor(got, what, len(labels))
    if np.array_equal(values, labels):
        return
    own = own_labels(sub, [CLASSES[k] for k in labels])
    if own is not None and np.array_equal(values, own):
        return
    check.close(values, labels, what, mistakes={"Class_k was mapped to k; use k - 1": labels + 1})


def worker_tools(worker, tmp_path):
    """The checks' own code run inside the worker (a trusted training loop, ``fit``, and ``predict``):
    for now in ex10-deeper-cnn's helpers, until the engine offers it to every exercise."""
    cnn = check.common(__file__, "ex10-deeper-cnn")
    return cnn.worker_tools(worker, tmp_path)


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
    check.that(path.is_file(), "write_submission did not create the file at the path it was given")
    with open(path, newline="", encoding="utf-8") as f:
        lines = [line for line in csv.reader(f) if line]
    check.that(len(lines) >= 1, "the submission file is empty")
    header = [h.strip() for h in lines[0]]
    wanted = ["id", *CLASSES]
    if header[:1] == [""] and header[1:] == wanted:
        raise check.CheckFailed("the submission has an extra first column without a name: that is the "
                                 "DataFrame's index; write it with to_csv(path, index=False)")
    if header == CLASSES:
        raise check.CheckFailed("the submission's header lacks the id column: id,Class_1,...,Class_9")
    check.that(header == wanted, f"the submission's header should be id,Class_1,...,Class_9; got {','.join(lines[0])[:200]}")
    body = lines[1:]
    check.that(len(body) == len(ids), f"the submission should have one line per id ({len(ids)}); it has {len(body)}")
    got_ids, values = [], []
    for k, line in enumerate(body, start=2):
        check.that(len(line) == 10, f"line {k} of the submission should have 10 values; it has {len(line)}")
        try:
            got_ids.append(float(line[0]))
            values.append([float(v) for v in line[1:]])
        except ValueError:
            raise check.CheckFailed(f"line {k} of the submission holds something that is not a number: "
                                     f"{','.join(line)[:120]}") from None
    got_ids = np.array(got_ids)
    check.that(bool(np.all(got_ids == np.round(got_ids))),
                "the submission's ids should be integers (write the int64 ids, not floats)")
    if not np.array_equal(got_ids, np.asarray(ids)):
        hint = (" (the first column holds the row numbers 0, 1, 2, ...: write the ids read from test.csv)"
                if np.array_equal(got_ids, np.arange(len(ids))) else "")
        raise check.CheckFailed(f"the submission's ids should be the given ids, in the given order{hint}")
    values = np.array(values)
    check.close(values, probabilities, "the submission's probabilities", rtol=1e-3, atol=1e-4)
    return values


def variant_train(trusted, state, x, y, batch, epochs, lr, *, loss="CrossEntropyLoss", optimizer="Adam",
                  zero_grad=True, record="mean", reduction="mean", step=True, softmax_first=False):
    """The loss history (and final weights) of a training loop over batches of (x, y) from the weights
    ``state``, right or with one known mistake."""
    model = trusted
    model.load_state_dict(state)
    model.zero_grad(set_to_none=True)  # no gradients left over from an earlier run
    criterion = getattr(torch.nn, loss)(reduction=reduction)
    opt = getattr(torch.optim, optimizer)(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        losses = []
        for start in range(0, len(x), batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            if zero_grad:
                opt.zero_grad()
            out = model(xb)
            value = criterion(torch.softmax(out, dim=1) if softmax_first else out, yb)
            value.backward()
            if step:
                opt.step()
            losses.append(value.item())
        history.append({"mean": sum(losses) / len(losses), "last": losses[-1], "sum": sum(losses)}[record])
    return history, {k: v.clone() for k, v in model.state_dict().items()}


def judge_loader_train(sub, ref, worker, device, model, trusted, x, y, batch, epochs, lr, variants, **setting):
    """``train(model, loader, epochs=epochs, lr=lr)`` over a DataLoader of (x, y) made in the worker gives
    the reference's history and the weights of the right loop (``setting``: its loss and optimizer);
    ``variants`` maps each known mistake to the options of ``variant_train`` that replay it. The student
    kit replays the reference's answers but not its effects, so the weights come from the trusted loop.
    Shared with ex08-titanic, whose train differs only in the loss and the optimizer."""
    state = {k: v.clone() for k, v in trusted.state_dict().items()}
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=batch)
    what = f"train(model, DataLoader(TensorDataset(x, y), batch_size={batch}), epochs={epochs}, lr={lr})"
    history = check.call(what, sub.train, model, loader, epochs=epochs, lr=lr)
    check.that(type(history) is list and len(history) == epochs and all(type(v) is float for v in history),
                f"{what} should return a list of {epochs} Python floats (loss.item()); got {check.describe(history)}")
    expected = ref.train(trusted, torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                                              batch_size=batch), epochs=epochs, lr=lr)
    _, final = variant_train(trusted, state, x, y, batch, epochs, lr, **setting)
    mistakes = {text: variant_train(trusted, state, x, y, batch, epochs, options.get("lr", lr),
                                    **{**setting, **{k: v for k, v in options.items() if k != "lr"}})[0]
                for text, options in variants.items()}
    loose = device == "cuda"
    check.close(history, expected, f"the history of {what}", rtol=1e-4, atol=1e-6, loose=loose, mistakes=mistakes)
    weights = check.call("model.state_dict()", model.state_dict)
    for name, value in final.items():
        check.close(weights.get(name) if type(weights) is dict else None, value,
                     f"the weights {name} after {what}", rtol=1e-4, atol=1e-6, loose=loose)


def metric(labels, p):
    """The competition's log loss, trusted, for values that come from the student's code."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-15, 1 - 1e-15)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def log_loss_mistakes(labels, p, expected):
    """What the usual mistakes in the metric give for ``labels`` and probabilities ``p``: {mistake: value}."""
    rows = np.arange(len(labels))

    def metric(q):
        with np.errstate(divide="ignore"):
            return float(-np.mean(np.log(q[rows, labels])))

    clipped = np.clip(p, 1e-15, 1 - 1e-15)
    eps7 = np.clip(p, 1e-7, 1 - 1e-7)
    return {
        "the probabilities are not clipped to [1e-15, 1 - 1e-15], so a zero gives an infinite loss":
            metric(p / p.sum(axis=1, keepdims=True)),
        "the rows are not rescaled to sum to 1 after clipping": metric(clipped),
        "the clipping bound is 1e-7; the competition uses 1e-15": metric(eps7 / eps7.sum(axis=1, keepdims=True)),
        "that is the sum over the rows; the metric is the mean": expected * len(labels),
        "log10 was used; the metric uses the natural logarithm": expected / math.log(10),
    }
