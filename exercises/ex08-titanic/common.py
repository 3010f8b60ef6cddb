"""Helpers shared by the public and hidden checks of ex08-titanic: small CSV files in Kaggle's
Titanic schema (quoted names with commas, missing Age, Cabin, Embarked and Fare), calls into the
student's code, and the checks of a dataset's items and of a submission file."""

import csv

import numpy as np
import torch

from pttutor.grader import check

TRAIN_COLUMNS = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch",
                 "Ticket", "Fare", "Cabin", "Embarked"]
TEST_COLUMNS = [c for c in TRAIN_COLUMNS if c != "Survived"]
SURNAMES = ["Braund", "Cumings", "Heikkinen", "Futrelle", "Allen", "Moran", "McCarthy", "Palsson",
            "Johnson", "Nasser", "Sandstrom", "Bonnell", "Saundercock", "Andersson", "Vestrom"]
FIRST = ["Owen Harris", "John Bradley", "Laina", "Jacques Heath", "William Henry", "James",
         "Timothy J", "Gosta Leonard", "Oscar W", "Nicholas", "Marguerite Rut", "Elizabeth"]


def passengers(rng, n, *, first_id=1, nan_age=0.2, nan_embarked=0, nan_fare=0, labelled=True):
    """``n`` passengers as dicts of raw values (None where the CSV cell is empty).

    Survival follows the real data's pattern (women and first-class passengers survive more
    often), so that a correct pipeline learns it within a few epochs.
    """
    rows = []
    for k in range(n):
        pclass = int(rng.choice([1, 2, 3], p=[0.25, 0.2, 0.55]))
        female = bool(rng.random() < 0.38)
        age = float(round(rng.uniform(0.4, 75.0) * 2) / 2) if rng.random() > 0.1 else float(rng.integers(1, 12))
        fare = {1: 30.0, 2: 14.0, 3: 7.0}[pclass] * float(np.exp(rng.normal(0.3, 0.5)))
        title = ("Mrs." if rng.random() < 0.6 else "Miss.") if female else ("Master." if age < 12 else "Mr.")
        row = {
            "PassengerId": first_id + k,
            "Pclass": pclass,
            "Name": f"{SURNAMES[rng.integers(len(SURNAMES))]}, {title} {FIRST[rng.integers(len(FIRST))]}",
            "Sex": "female" if female else "male",
            "Age": age,
            "SibSp": int(rng.choice([0, 0, 0, 1, 1, 2, 4])),
            "Parch": int(rng.choice([0, 0, 0, 0, 1, 2])),
            "Ticket": str(rng.choice(["A/5 ", "PC ", "STON/O2. ", "", ""])) + str(int(rng.integers(1000, 400000))),
            "Fare": round(fare, 4),
            "Cabin": f"{'ABCDEF'[rng.integers(6)]}{rng.integers(1, 130)}" if rng.random() < 0.25 else None,
            "Embarked": str(rng.choice(["S", "C", "Q"], p=[0.72, 0.19, 0.09])),
        }
        if labelled:
            p = (0.95 if pclass < 3 else 0.6) if female else (0.45 if age < 10 else 0.3 if pclass == 1 else 0.08)
            row["Survived"] = int(rng.random() < p)
        rows.append(row)
    for key, share in (("Age", nan_age),):
        for i in rng.choice(n, size=int(round(share * n)), replace=False):
            rows[i][key] = None
    for key, count in (("Embarked", nan_embarked), ("Fare", nan_fare)):
        for i in rng.choice(n, size=count, replace=False):
            rows[i][key] = None
    return rows


def _cell(value):
    if value is None:
        return ""
    if type(value) is float:
        return f"{value:g}" if value == round(value, 1) else repr(value)
    return str(value)


def write_csv(path, rows, columns):
    """Write rows as Kaggle does: minimal quoting (names with commas in quotes), empty cells for NaN."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow([_cell(row.get(c)) for c in columns])
    return str(path)


def call_or_fail(fn, message):
    """Call into the student's code; an exception it raises fails the check with ``message(exc)``."""
    try:
        return fn()
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        raise check.CheckFailed(message(exc)) from None


def dataset(sub, path, rows, stats=None, what="TitanicDataset(train.csv)", whole=False):
    """The student's TitanicDataset over ``path``. ``whole``: it has one item per row of the file (only
    the check of the items judges that; the others work with the rows the dataset has)."""
    ds = check.call(what, sub.TitanicDataset, path) if stats is None else \
        check.call(what, sub.TitanicDataset, path, stats=stats)
    n = check.call(f"len({what})", len, ds)
    if whole:
        with_age = sum(r["Age"] is not None for r in rows)
        if n == with_age and with_age != len(rows):
            raise check.CheckFailed(
                f"len({what}) is {n}, the number of rows that have an Age; the file has {len(rows)} "
                f"passengers. Dropping rows with missing values (dropna) loses passengers: fill the "
                f"missing Age (e.g. with the training median) instead")
        check.that(n == len(rows), f"len({what}) should be {len(rows)}, the number of passengers in the file; "
                                   f"got {n}")
    return ds


def features_of(item, what, width=None, float32=False):
    """Check one features tensor and return it as a float64 array. ``float32``: judge the dtype too
    (only the check of the items does; the others take any floating dtype)."""
    check.that(type(item) is torch.Tensor,
                f"{what} should be a float32 tensor of features; got {check.describe(item)}")
    check.that(item.dtype == torch.float32 or (item.is_floating_point() and not float32),
                f"{what} should be float32 (nn.Linear's weights are float32); got {str(item.dtype)[6:]}: "
                f"build it with torch.tensor(..., dtype=torch.float32) or .float()")
    check.that(item.dim() == 1 and item.shape[0] > 0,
                f"{what} should be a 1-D tensor of shape (n_features,); got shape {tuple(item.shape)}")
    if width is not None:
        check.that(item.shape[0] == width,
                    f"{what} has {item.shape[0]} features, but the training items have {width}: encode every "
                    f"file the same way (pd.get_dummies only makes columns for the values present in that file)")
    return item.detach().double().numpy()


def labelled_item(ds, i, what="dataset", strict=False):
    """``(features, label)`` of ``ds[i]``. ``strict``: judge the dtypes and the label's shape (1,) too
    (only the check of the items does)."""
    item = check.call(f"{what}[{i}]", lambda: ds[i])
    check.that(type(item) in (tuple, list) and len(item) == 2,
                f"{what}[{i}] should be a pair (features, label) for a file with a Survived column; "
                f"got {check.describe(item)}")
    x, y = item
    x = features_of(x, f"the features of {what}[{i}]", float32=strict)
    check.that(type(y) is torch.Tensor and y.numel() == 1,
                f"the label of {what}[{i}] should be a float32 tensor of shape (1,); got {check.describe(y)}")
    if strict:
        check.that(y.dtype == torch.float32, f"the label of {what}[{i}] should be float32 (BCELoss wants float "
                                             f"targets); got {str(y.dtype)[6:]}")
        check.that(tuple(y.shape) == (1,),
                    f"the label of {what}[{i}] should have shape (1,) so that a batch of labels is (batch, 1) like "
                    f"the model's output; got shape {tuple(y.shape)}" + (
                        " (use .view(-1, 1) on the label column or torch.tensor([label]))" if y.dim() == 0 else ""))
    return x, float(y.reshape(-1)[0])


def passenger_rows(ds, rows, what):
    """The CSV row of each item of ``ds`` (by its passenger_ids where they name rows of the file, else by
    position), so that a dataset that dropped rows is still judged on the rows it has."""
    ids = check.call(f"{what}.passenger_ids", getattr, ds, "passenger_ids")
    by_id = {r["PassengerId"]: r for r in rows}
    try:
        ids = [int(i) for i in (ids.tolist() if type(ids) in (torch.Tensor, np.ndarray) else ids)]
    except (TypeError, ValueError):
        ids = []
    n = check.call(f"len({what})", len, ds)
    if len(ids) == n and all(i in by_id for i in ids):
        return [by_id[i] for i in ids]
    return rows[:n]


def missing_fields(row):
    return [k for k in ("Age", "Fare", "Embarked") if row[k] is None]


def expect_finite(x, row, what):
    if not np.all(np.isfinite(x)):
        column = int(np.flatnonzero(~np.isfinite(x))[0])
        kind = "NaN" if np.isnan(x[column]) else "an infinite value"
        missing = missing_fields(row)
        why = (f"; this passenger has no {' and no '.join(missing)} in the CSV: fill missing values in __init__ "
               f"(Age and Fare with a training statistic such as the median, Embarked with the most common port)"
               if missing else "")
        raise check.CheckFailed(f"{what} has {kind} in feature {column}{why}")


def check_submission(path, ids):
    """The submission file has the header, every id of ``ids`` once, in order, and 0/1 integers; returns
    its Survived values."""
    check.that(path.is_file(), "write_submission did not create the file at the path it was given")
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    check.that(len(lines) >= 1, "the submission file is empty")
    header = [h.strip() for h in lines[0]]
    if header and header[0] == "" and header[1:] == ["PassengerId", "Survived"]:
        raise check.CheckFailed("the submission has an extra first column without a name: that is the "
                                 "DataFrame's index; write it with to_csv(path, index=False)")
    check.that(header == ["PassengerId", "Survived"],
                f"the submission's header should be exactly PassengerId,Survived; got {','.join(lines[0])}")
    body = [line for line in lines[1:] if line]
    check.that(len(body) == len(ids), f"the submission should have one line per passenger of the test dataset "
                                       f"({len(ids)}); it has {len(body)}")
    got_ids, survived = [], []
    for k, line in enumerate(body, start=2):
        check.that(len(line) == 2, f"line {k} of the submission should have 2 values; it has {len(line)}")
        pid, value = line[0].strip(), line[1].strip()
        check.that(pid.isdigit(), f"line {k}: PassengerId should be an integer; got {pid!r}")
        if value not in ("0", "1"):
            hint = ""
            if value in ("True", "False"):
                hint = ": convert the booleans to int"
            elif value.replace(".", "", 1).isdigit():
                hint = (": write the integer 0 or 1, not a float (predictions as int64, e.g. .long())"
                        if value in ("0.0", "1.0") else ": write the prediction 0 or 1, not a probability")
            raise check.CheckFailed(f"line {k}: Survived should be the integer 0 or 1; got {value!r}{hint}")
        got_ids.append(int(pid))
        survived.append(int(value))
    check.that(sorted(got_ids) == sorted(ids) and len(set(got_ids)) == len(ids),
                "the submission's PassengerIds should be exactly the test dataset's passenger_ids, each once; "
                f"missing {sorted(set(ids) - set(got_ids))[:5]}, unexpected {sorted(set(got_ids) - set(ids))[:5]}")
    check.that(got_ids == list(ids), "the submission's PassengerIds should be in the test dataset's order")
    return np.array(survived)


# ----------------------------------------------------------------------------- models and training, trusted


def trusted_model(sizes, seed):
    """Linear layers of ``sizes`` with ReLU between them and a sigmoid at the end."""
    torch.manual_seed(seed)
    return _mlp(torch.nn, sizes)


def _mlp(nn, sizes):
    layers = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        layers.append(nn.ReLU() if k < len(sizes) - 2 else nn.Sigmoid())
    return nn.Sequential(*layers)


def worker_model(worker, state, sizes):
    """The same network built inside the worker from torch.nn (not the student's TitanicModel)."""
    model = _mlp(worker.import_module("torch.nn"), sizes)
    model.load_state_dict(state)
    return model


def otto_helpers():
    """ex09-otto's check helpers, whose train check (judge_loader_train) this exercise shares: train differs
    only in the loss and the optimizer."""
    return check.common(__file__, "ex09-otto")


def learns(x, y, epochs=30, lr=0.1, batch=16):
    """How well a logistic regression trained here with SGD and BCELoss (as in the course) fits the
    features ``x`` (missing values as 0): (the loss of every epoch, the training accuracy)."""
    x = torch.nan_to_num(torch.tensor(x, dtype=torch.float32), nan=0.0, posinf=0.0, neginf=0.0)
    y = torch.tensor(y, dtype=torch.float32).view(-1, 1)
    model = trusted_model([x.shape[1], 1], 0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = torch.nn.BCELoss()
    history = []
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    for _ in range(epochs):
        total = 0.0
        for index in order.split(batch):
            optimizer.zero_grad()
            loss = criterion(model(x[index]).clamp(1e-7, 1 - 1e-7), y[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        history.append(total / len(x))
    with torch.no_grad():
        accuracy = float(((model(x) >= 0.5).float() == y).float().mean())
    return history, accuracy


def worker_tools(worker, tmp_path):
    """The checks' own code run inside the worker (a trusted training loop, ``fit``, and ``predict``):
    for now in ex10-deeper-cnn's helpers, until the engine offers it to every exercise."""
    cnn = check.common(__file__, "ex10-deeper-cnn")
    return cnn.worker_tools(worker, tmp_path)


def clear_bias(logits):
    """A bias that splits ``logits`` near their middle with no probability close to 0.5, so that p >= 0.5
    and p > 0.5 give the same predictions (the checks set no ties)."""
    values = np.sort(np.asarray(logits, dtype=np.float64).reshape(-1))
    low, high = len(values) // 4, max(3 * len(values) // 4, len(values) // 4 + 1)
    k = low + int(np.argmax(np.diff(values[low:high + 1])))
    return -float(values[k] + values[k + 1]) / 2


# ----------------------------------------------------------------------------- write_submission


def judge_submission(sub, worker, tmp_path, rng, device, n):
    """write_submission(model, test_set, path) for the student's own TitanicDataset of a test file with ``n``
    passengers (any ids): one line per passenger of that dataset, in its order, with the model's 0/1
    prediction. Where the student's own predict disagrees with the model, the values are not judged here
    (the check of predict charges that)."""
    train_rows = passengers(rng, 60, nan_age=0.2, nan_embarked=2)
    train = dataset(sub, write_csv(tmp_path / "train.csv", train_rows, TRAIN_COLUMNS), train_rows)
    stats = check.call("TitanicDataset(train.csv).stats", getattr, train, "stats")
    test_rows = passengers(rng, n, first_id=892, nan_age=0.22, nan_fare=1, labelled=False)
    for row, pid in zip(test_rows, rng.choice(np.arange(892, 892 + 3 * n), size=n, replace=False)):
        row["PassengerId"] = int(pid)
    what = "TitanicDataset(test.csv, stats=train_set.stats)"
    test = dataset(sub, write_csv(tmp_path / "test.csv", test_rows, TEST_COLUMNS), test_rows, stats=stats, what=what)
    items = [check.call(f"{what}[{i}]", lambda i=i: test[i]) for i in range(check.call(f"len({what})", len, test))]
    check.that(len(items) > 0 and all(type(item) is torch.Tensor and item.is_floating_point() and item.dim() == 1
                                      for item in items) and len({item.shape for item in items}) == 1,
                f"write_submission is judged on a test dataset of yours, whose items must be feature tensors: "
                f"{what}[0] is {check.describe(items[0]) if items else 'missing'}")
    ids = check.call(f"{what}.passenger_ids", getattr, test, "passenger_ids")
    ids = [int(i) for i in (ids.tolist() if type(ids) is torch.Tensor else ids)] if type(ids) in (
        list, tuple, torch.Tensor) else ids
    check.that(type(ids) is list and len(ids) == len(items),
                f"write_submission is judged on a test dataset of yours, whose passenger_ids must list one id per "
                f"item: {what}.passenger_ids is {check.describe(ids)}")
    x = torch.stack(items).double()
    trusted = trusted_model([x.shape[1], 1], int(rng.integers(1000))).double()
    with torch.no_grad():
        trusted[0].bias.fill_(clear_bias(x @ trusted[0].weight.T))
        want = (trusted(x).view(-1) >= 0.5).long().numpy()
    model = worker_model(worker, trusted.float().state_dict(), [x.shape[1], 1])
    check.call("model.to(device)", model.to, device)
    if items[0].dtype != torch.float32:  # the model takes the features as the student's dataset gives them
        check.call(f"model.to({items[0].dtype})", model.to, items[0].dtype)
    out = tmp_path / "submission.csv"
    check.call("write_submission(model, test_set, 'submission.csv')", sub.write_submission, model, test, str(out))
    survived = check_submission(out, ids)
    wrong = np.flatnonzero(survived != want)
    if wrong.size == 0:
        return
    try:
        own = sub.predict(model, test)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError:
        return  # the student's predict fails on this dataset: its check charges that
    own = np.asarray(own.tolist() if type(own) is torch.Tensor else own, dtype=object).reshape(-1)
    check.that(not (own.shape == want.shape and all(a == b for a, b in zip(own, want))),
                f"the submission's Survived column disagrees with the model on {wrong.size} of {len(ids)} passengers "
                f"(first: PassengerId {ids[int(wrong[0])]}): row k must hold the prediction for the passenger of "
                f"row k, 1 where the model's probability is at least 0.5")
