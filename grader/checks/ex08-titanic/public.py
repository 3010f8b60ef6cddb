"""Public checks for ex08-titanic: students run these locally.

Every check writes small CSV files in Kaggle's Titanic schema (quoted names with commas,
missing Age, Cabin, Embarked and Fare) into a temporary folder; the real files are not needed.
"""

import contextlib
import csv
import math

import numpy as np
import pytest
import torch

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost, type_names

pytestmark = pytest.mark.public

TRAIN_COLUMNS = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch",
                 "Ticket", "Fare", "Cabin", "Embarked"]
TEST_COLUMNS = [c for c in TRAIN_COLUMNS if c != "Survived"]
SURNAMES = ["Braund", "Cumings", "Heikkinen", "Futrelle", "Allen", "Moran", "McCarthy", "Palsson",
            "Johnson", "Nasser", "Sandstrom", "Bonnell", "Saundercock", "Andersson", "Vestrom"]
FIRST = ["Owen Harris", "John Bradley", "Laina", "Jacques Heath", "William Henry", "James",
         "Timothy J", "Gosta Leonard", "Oscar W", "Nicholas", "Marguerite Rut", "Elizabeth"]


# ----------------------------------------------------------------------------- data


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


def dataset(sub, path, rows, stats=None, what="TitanicDataset(train.csv)"):
    """The student's TitanicDataset over ``path``, checked to be a Dataset with one item per row."""
    ds = _call(what, sub.TitanicDataset, path) if stats is None else \
        _call(what, sub.TitanicDataset, path, stats=stats)
    expect.that("torch.utils.data.dataset.Dataset" in type_names(ds),
                f"{what} should be a torch.utils.data.Dataset (class TitanicDataset(Dataset)); "
                f"got {expect.describe(ds)}")
    n = _call(f"len({what})", len, ds)
    with_age = sum(r["Age"] is not None for r in rows)
    if n == with_age and with_age != len(rows):
        raise expect.CheckFailed(
            f"len({what}) is {n}, the number of rows that have an Age; the file has {len(rows)} "
            f"passengers. Dropping rows with missing values (dropna) loses passengers: fill the "
            f"missing Age (e.g. with the training median) instead")
    expect.that(n == len(rows), f"len({what}) should be {len(rows)}, the number of passengers in the file; got {n}")
    return ds


def features_of(item, what, width=None):
    """Check one features tensor and return it as a float64 array."""
    expect.that(type(item) is torch.Tensor,
                f"{what} should be a float32 tensor of features; got {expect.describe(item)}")
    expect.that(item.dtype == torch.float32,
                f"{what} should be float32 (nn.Linear's weights are float32); got {str(item.dtype)[6:]}: "
                f"build it with torch.tensor(..., dtype=torch.float32) or .float()")
    expect.that(item.dim() == 1 and item.shape[0] > 0,
                f"{what} should be a 1-D tensor of shape (n_features,); got shape {tuple(item.shape)}")
    if width is not None:
        expect.that(item.shape[0] == width,
                    f"{what} has {item.shape[0]} features, but the training items have {width}: encode every "
                    f"file the same way (pd.get_dummies only makes columns for the values present in that file)")
    return item.detach().double().numpy()


def labelled_item(ds, i, what="dataset"):
    item = _call(f"{what}[{i}]", lambda: ds[i])
    expect.that(type(item) in (tuple, list) and len(item) == 2,
                f"{what}[{i}] should be a pair (features, label) for a file with a Survived column; "
                f"got {expect.describe(item)}")
    x, y = item
    x = features_of(x, f"the features of {what}[{i}]")
    expect.that(type(y) is torch.Tensor,
                f"the label of {what}[{i}] should be a float32 tensor of shape (1,); got {expect.describe(y)}")
    expect.that(y.dtype == torch.float32,
                f"the label of {what}[{i}] should be float32 (BCELoss wants float targets); got {str(y.dtype)[6:]}")
    expect.that(tuple(y.shape) == (1,),
                f"the label of {what}[{i}] should have shape (1,) so that a batch of labels is (batch, 1) like "
                f"the model's output; got shape {tuple(y.shape)}" + (" (use .view(-1, 1) on the label column "
                                                                     "or torch.tensor([label]))" if y.dim() == 0 else ""))
    return x, float(y[0])


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
        raise expect.CheckFailed(f"{what} has {kind} in feature {column}{why}")


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_dataset_items(sub, tmp_path, rng):
    """TitanicDataset has one item per passenger: (float32 features, float32 label of shape (1,))"""
    rows = passengers(rng, 40, nan_age=0.2, nan_embarked=1)
    path = write_csv(tmp_path / "train.csv", rows, TRAIN_COLUMNS)
    ds = dataset(sub, path, rows)
    width = None
    for i in range(len(rows)):
        x, y = labelled_item(ds, i)
        if width is None:
            width = x.shape[0]
        expect.that(x.shape[0] == width, f"dataset[{i}] has {x.shape[0]} features, dataset[0] has {width}")
        expect.that(y == rows[i]["Survived"],
                    f"the label of dataset[{i}] is {y:g}, but passenger {rows[i]['PassengerId']} (row {i}) has "
                    f"Survived = {rows[i]['Survived']}: keep the rows in file order")
    ids = _call("dataset.passenger_ids", getattr, ds, "passenger_ids")
    expect.that(type(ids) in (list, tuple) or type(ids) in (np.ndarray, torch.Tensor),
                f"dataset.passenger_ids should be a list of int; got {expect.describe(ids)}")
    expect.close(ids, [r["PassengerId"] for r in rows], "dataset.passenger_ids (in file order)")


@pytest.mark.points(1)
def test_no_missing_values(sub, tmp_path, rng):
    """no NaN in the features of train.csv (missing Age, Embarked) or test.csv (missing Age, Fare)"""
    rows = passengers(rng, 60, nan_age=0.2, nan_embarked=2)
    train = dataset(sub, write_csv(tmp_path / "train.csv", rows, TRAIN_COLUMNS), rows)
    width = None
    for i, row in enumerate(rows):
        x, _ = labelled_item(train, i, "train_set")
        width = width or x.shape[0]
        expect_finite(x, row, f"train_set[{i}]")
    stats = _call("train_set.stats", getattr, train, "stats")
    test_rows = passengers(rng, 30, first_id=892, nan_age=0.25, nan_fare=1, labelled=False)
    test = dataset(sub, write_csv(tmp_path / "test.csv", test_rows, TEST_COLUMNS), test_rows, stats=stats,
                   what="TitanicDataset(test.csv, stats=train_set.stats)")
    for i, row in enumerate(test_rows):
        item = _call(f"test_set[{i}]", lambda: test[i])
        if type(item) in (tuple, list):
            raise expect.CheckFailed(f"test_set[{i}] should be the features tensor alone (test.csv has no "
                                     f"Survived column); got {expect.describe(item)}")
        x = features_of(item, f"test_set[{i}]", width)
        expect_finite(x, row, f"test_set[{i}]")


@contextlib.contextmanager
def cpu_tensors(worker, device):
    """When grading on CUDA, the worker's default device is CUDA; a forked DataLoader worker process
    cannot use CUDA, so the dataset is built (and read) with CPU as the default device, as a
    real training script does (it moves each batch to the GPU in the training loop)."""
    if not device.startswith("cuda"):
        yield
        return
    torch_w = worker.import_module("torch")
    torch_w.set_default_device("cpu")
    try:
        yield
    finally:
        torch_w.set_default_device(device)


@pytest.mark.points(1)
def test_dataloader_num_workers(sub, worker, tmp_path, rng, device):
    """DataLoader(num_workers=2) over TitanicDataset gives the same batches, and the file imports without training"""
    rows = passengers(rng, 30, nan_age=0.2)
    with cpu_tensors(worker, device):
        ds = dataset(sub, write_csv(tmp_path / "train.csv", rows, TRAIN_COLUMNS), rows)
        data = worker.import_module("torch.utils.data")
        plain = _call("iterating DataLoader(dataset, batch_size=8)", list, data.DataLoader(ds, batch_size=8))
        expect.that(len(plain) == 4 and all(type(b) is list and len(b) == 2 for b in plain),
                    "DataLoader(dataset, batch_size=8) over 30 passengers should give 4 batches of [features, labels]")
        loader = data.DataLoader(ds, batch_size=8, num_workers=2)
        try:
            batches = list(loader)
        except (SubmissionTimeout, WorkerLost):
            raise
        except SubmissionError as exc:
            raise expect.CheckFailed(
                f"iterating DataLoader(dataset, batch_size=8, num_workers=2) failed ({exc.kind}: {exc.message}). "
                f"The worker processes call your __getitem__: it must only index what __init__ prepared") from None
    expect.that(len(batches) == len(plain), f"with num_workers=2 the DataLoader gave {len(batches)} batches, "
                                            f"with num_workers=0 {len(plain)}")
    for k, (got, want) in enumerate(zip(batches, plain)):
        expect.close(got[0], want[0], f"the features of batch {k} with num_workers=2")
        expect.close(got[1], want[1], f"the labels of batch {k} with num_workers=2")
    if worker.level != "full":
        raise expect.CheckFailed(
            "your file's top-level code did not run to the end when it was imported (see the notes), so "
            "only its definitions were graded. With num_workers > 0, every worker process on Windows and "
            "macOS imports your file again: put the training, and anything that reads the real data "
            "files, under if __name__ == \"__main__\": (in a notebook, in such a block too)")


@pytest.mark.points(1)
def test_train_reduces_loss(sub, worker, tmp_path, rng):
    """training TitanicModel with train() through a shuffling DataLoader reduces the loss and learns"""
    rows = passengers(rng, 192, nan_age=0.2, nan_embarked=2)
    ds = dataset(sub, write_csv(tmp_path / "train.csv", rows, TRAIN_COLUMNS), rows)
    x0, _ = labelled_item(ds, 0)
    worker.seed(0)
    model = _call(f"TitanicModel({x0.shape[0]})", sub.TitanicModel, x0.shape[0])
    expect.that("torch.nn.modules.module.Module" in type_names(model),
                f"TitanicModel(n_features) should build an nn.Module; got {expect.describe(model)}")
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(ds, batch_size=16, shuffle=True)
    epochs = 20
    with one_thread(worker):
        history = _call(f"train(model, DataLoader(dataset, batch_size=16, shuffle=True), epochs={epochs}, lr=0.1)",
                        sub.train, model, loader, epochs=epochs, lr=0.1)
    expect.that(type(history) is list and len(history) == epochs,
                f"train(..., epochs={epochs}) should return a list of {epochs} floats; got {expect.describe(history)}")
    for value in history:
        expect.that(type(value) is float, f"train's history should hold Python floats (loss.item()); "
                                          f"got {expect.describe(value)}")
    expect.that(all(math.isfinite(v) for v in history),
                f"the loss became nan or infinite ({history[-1]}): are Age and Fare scaled? Large raw values "
                f"(Fare up to 500) make SGD diverge")
    expect.that(history[-1] < 0.9 * history[0],
                f"the loss did not go down: {history[0]:.4f} in the first epoch, {history[-1]:.4f} in the last. "
                f"Check that train zeroes the gradients, calls backward() and optimizer.step() for every batch, "
                f"and that the features are scaled")
    everything = data.DataLoader(ds, batch_size=len(rows))
    (x, y), = _call("iterating DataLoader(dataset, batch_size=len(dataset))", list, everything)
    _call("model.eval()", model.eval)
    probabilities = _call("model(features)", model, x)
    got = expect.as_array(probabilities, "model(features)")
    expect.that(got.shape == (len(rows), 1),
                f"model(features) for {len(rows)} passengers should have shape ({len(rows)}, 1); got {got.shape}")
    expect.that(bool(np.all((got >= 0) & (got <= 1))),
                "model(features) should give probabilities between 0 and 1: end forward() with a sigmoid")
    labels = np.array([r["Survived"] for r in rows])
    accuracy = float(np.mean((got[:, 0] >= 0.5) == labels))
    majority = max(labels.mean(), 1 - labels.mean())
    expect.that(accuracy >= majority + 0.08,
                f"after {epochs} epochs the model is right on {accuracy:.1%} of its training passengers; "
                f"predicting the majority class alone gives {majority:.1%}. The model does not learn: are Sex "
                f"and Pclass among the features, and are Age and Fare scaled?")


@pytest.mark.points(1)
def test_submission(sub, worker, tmp_path, rng):
    """write_submission writes PassengerId,Survived for every test passenger, as integers 0 or 1"""
    rows = passengers(rng, 80, nan_age=0.2, nan_embarked=2)
    train = dataset(sub, write_csv(tmp_path / "train.csv", rows, TRAIN_COLUMNS), rows)
    x0, _ = labelled_item(train, 0, "train_set")
    test_rows = passengers(rng, 50, first_id=892, nan_age=0.2, nan_fare=1, labelled=False)
    stats = _call("train_set.stats", getattr, train, "stats")
    test = dataset(sub, write_csv(tmp_path / "test.csv", test_rows, TEST_COLUMNS), test_rows, stats=stats,
                   what="TitanicDataset(test.csv, stats=train_set.stats)")
    worker.seed(1)
    model = _call(f"TitanicModel({x0.shape[0]})", sub.TitanicModel, x0.shape[0])
    out = tmp_path / "submission.csv"
    _call("write_submission(model, test_set, 'submission.csv')", sub.write_submission, model, test, str(out))
    check_submission(out, test_rows)


def check_submission(path, test_rows):
    """The submission file has the header, every PassengerId once and 0/1 integers; returns its values."""
    expect.that(path.is_file(), "write_submission did not create the file at the path it was given")
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    expect.that(len(lines) >= 1, "the submission file is empty")
    header = [h.strip() for h in lines[0]]
    if header and header[0] == "" and header[1:] == ["PassengerId", "Survived"]:
        raise expect.CheckFailed("the submission has an extra first column without a name: that is the "
                                 "DataFrame's index; write it with to_csv(path, index=False)")
    expect.that(header == ["PassengerId", "Survived"],
                f"the submission's header should be exactly PassengerId,Survived; got {','.join(lines[0])}")
    body = [line for line in lines[1:] if line]
    ids = [r["PassengerId"] for r in test_rows]
    with_age = sum(r["Age"] is not None for r in test_rows)
    if len(body) == with_age and with_age != len(ids):
        raise expect.CheckFailed(
            f"the submission has {len(body)} rows, the number of test passengers with an Age; it needs all "
            f"{len(ids)}. Rows with a missing Age were dropped: fill missing values instead of dropna()")
    expect.that(len(body) == len(ids), f"the submission should have one line per test passenger ({len(ids)}); "
                                       f"it has {len(body)}")
    got_ids, survived = [], []
    for k, line in enumerate(body, start=2):
        expect.that(len(line) == 2, f"line {k} of the submission should have 2 values; it has {len(line)}")
        pid, value = line[0].strip(), line[1].strip()
        expect.that(pid.isdigit(), f"line {k}: PassengerId should be an integer; got {pid!r}")
        if value not in ("0", "1"):
            hint = ""
            if value in ("True", "False"):
                hint = ": convert the booleans to int"
            elif value.replace(".", "", 1).isdigit():
                hint = (": write the integer 0 or 1, not a float (predictions as int64, e.g. .long())"
                        if value in ("0.0", "1.0") else ": write the prediction 0 or 1, not a probability")
            raise expect.CheckFailed(f"line {k}: Survived should be the integer 0 or 1; got {value!r}{hint}")
        got_ids.append(int(pid))
        survived.append(int(value))
    expect.that(sorted(got_ids) == sorted(ids) and len(set(got_ids)) == len(ids),
                "the submission's PassengerIds should be exactly the test passengers' ids, each once; "
                f"missing {sorted(set(ids) - set(got_ids))[:5]}, unexpected {sorted(set(got_ids) - set(ids))[:5]}")
    expect.that(got_ids == ids, "the submission's PassengerIds should be in the test file's order")
    return np.array(survived)
