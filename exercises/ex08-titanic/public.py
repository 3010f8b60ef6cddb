"""Public checks for ex08-titanic: students run these locally.

Every check writes small CSV files in Kaggle's Titanic schema (quoted names with commas,
missing Age, Cabin, Embarked and Fare) into a temporary folder; the real files are not needed.
"""

import contextlib
import math

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_dataset_items(sub, tmp_path, rng):
    """TitanicDataset has one item per passenger: (float32 features, float32 label of shape (1,))"""
    rows = helpers.passengers(rng, 40, nan_age=0.2, nan_embarked=1)
    path = helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS)
    ds = helpers.dataset(sub, path, rows)
    width = None
    for i in range(len(rows)):
        x, y = helpers.labelled_item(ds, i)
        if width is None:
            width = x.shape[0]
        check.that(x.shape[0] == width, f"dataset[{i}] has {x.shape[0]} features, dataset[0] has {width}")
        check.that(y == rows[i]["Survived"],
                    f"the label of dataset[{i}] is {y:g}, but passenger {rows[i]['PassengerId']} (row {i}) has "
                    f"Survived = {rows[i]['Survived']}: keep the rows in file order")
    ids = check.call("dataset.passenger_ids", getattr, ds, "passenger_ids")
    check.that(type(ids) in (list, tuple) or type(ids) in (np.ndarray, torch.Tensor),
                f"dataset.passenger_ids should be a list of int; got {check.describe(ids)}")
    check.close(ids, [r["PassengerId"] for r in rows], "dataset.passenger_ids (in file order)")


@pytest.mark.points(1)
def test_no_missing_values(sub, tmp_path, rng):
    """no NaN in the features of train.csv (missing Age, Embarked) or test.csv (missing Age, Fare)"""
    rows = helpers.passengers(rng, 60, nan_age=0.2, nan_embarked=2)
    train = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
    width = None
    for i, row in enumerate(rows):
        x, _ = helpers.labelled_item(train, i, "train_set")
        width = width or x.shape[0]
        helpers.expect_finite(x, row, f"train_set[{i}]")
    stats = check.call("train_set.stats", getattr, train, "stats")
    test_rows = helpers.passengers(rng, 30, first_id=892, nan_age=0.25, nan_fare=1, labelled=False)
    test = helpers.dataset(sub, helpers.write_csv(tmp_path / "test.csv", test_rows, helpers.TEST_COLUMNS),
                           test_rows, stats=stats, what="TitanicDataset(test.csv, stats=train_set.stats)")
    for i, row in enumerate(test_rows):
        item = check.call(f"test_set[{i}]", lambda: test[i])
        if type(item) in (tuple, list):
            raise check.CheckFailed(f"test_set[{i}] should be the features tensor alone (test.csv has no "
                                     f"Survived column); got {check.describe(item)}")
        x = helpers.features_of(item, f"test_set[{i}]", width)
        helpers.expect_finite(x, row, f"test_set[{i}]")


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
    rows = helpers.passengers(rng, 30, nan_age=0.2)
    with cpu_tensors(worker, device):
        ds = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
        data = worker.import_module("torch.utils.data")
        plain = check.call("iterating DataLoader(dataset, batch_size=8)", list, data.DataLoader(ds, batch_size=8))
        check.that(len(plain) == 4 and all(type(b) is list and len(b) == 2 for b in plain),
                    "DataLoader(dataset, batch_size=8) over 30 passengers should give 4 batches of [features, labels]")
        loader = data.DataLoader(ds, batch_size=8, num_workers=2)
        batches = helpers.call_or_fail(lambda: list(loader), lambda exc: (
            f"iterating DataLoader(dataset, batch_size=8, num_workers=2) failed ({exc.kind}: {exc.message}). "
            f"The worker processes call your __getitem__: it must only index what __init__ prepared"))
    check.that(len(batches) == len(plain), f"with num_workers=2 the DataLoader gave {len(batches)} batches, "
                                            f"with num_workers=0 {len(plain)}")
    for k, (got, want) in enumerate(zip(batches, plain)):
        check.close(got[0], want[0], f"the features of batch {k} with num_workers=2")
        check.close(got[1], want[1], f"the labels of batch {k} with num_workers=2")
    if worker.level != "full":
        raise check.CheckFailed(
            "your file's top-level code did not run to the end when it was imported (see the notes), so "
            "only its definitions were graded. With num_workers > 0, every worker process on Windows and "
            "macOS imports your file again: put the training, and anything that reads the real data "
            "files, under if __name__ == \"__main__\": (in a notebook, in such a block too)")


@pytest.mark.points(1)
def test_train_reduces_loss(sub, worker, tmp_path, rng):
    """training TitanicModel with train() through a shuffling DataLoader reduces the loss and learns"""
    rows = helpers.passengers(rng, 192, nan_age=0.2, nan_embarked=2)
    ds = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
    x0, _ = helpers.labelled_item(ds, 0)
    worker.seed(0)
    model = check.call(f"TitanicModel({x0.shape[0]})", sub.TitanicModel, x0.shape[0])
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"TitanicModel(n_features) should build an nn.Module; got {check.describe(model)}")
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(ds, batch_size=16, shuffle=True)
    epochs = 20
    history = check.call(f"train(model, DataLoader(dataset, batch_size=16, shuffle=True), epochs={epochs}, lr=0.1)",
                           sub.train, model, loader, epochs=epochs, lr=0.1)
    check.that(type(history) is list and len(history) == epochs,
                f"train(..., epochs={epochs}) should return a list of {epochs} floats; got {check.describe(history)}")
    for value in history:
        check.that(type(value) is float, f"train's history should hold Python floats (loss.item()); "
                                          f"got {check.describe(value)}")
    check.that(all(math.isfinite(v) for v in history),
                f"the loss became nan or infinite ({history[-1]}): are Age and Fare scaled? Large raw values "
                f"(Fare up to 500) make SGD diverge")
    check.that(history[-1] < 0.9 * history[0],
                f"the loss did not go down: {history[0]:.4f} in the first epoch, {history[-1]:.4f} in the last. "
                f"Check that train zeroes the gradients, calls backward() and optimizer.step() for every batch, "
                f"and that the features are scaled")
    everything = data.DataLoader(ds, batch_size=len(rows))
    (x, y), = check.call("iterating DataLoader(dataset, batch_size=len(dataset))", list, everything)
    check.call("model.eval()", model.eval)
    probabilities = check.call("model(features)", model, x)
    got = check.as_array(probabilities, "model(features)")
    check.that(got.shape == (len(rows), 1),
                f"model(features) for {len(rows)} passengers should have shape ({len(rows)}, 1); got {got.shape}")
    check.that(bool(np.all((got >= 0) & (got <= 1))),
                "model(features) should give probabilities between 0 and 1: end forward() with a sigmoid")
    labels = np.array([r["Survived"] for r in rows])
    accuracy = float(np.mean((got[:, 0] >= 0.5) == labels))
    majority = max(labels.mean(), 1 - labels.mean())
    check.that(accuracy >= majority + 0.08,
                f"after {epochs} epochs the model is right on {accuracy:.1%} of its training passengers; "
                f"predicting the majority class alone gives {majority:.1%}. The model does not learn: are Sex "
                f"and Pclass among the features, and are Age and Fare scaled?")


@pytest.mark.points(1)
def test_submission(sub, worker, tmp_path, rng):
    """write_submission writes PassengerId,Survived for every test passenger, as integers 0 or 1"""
    rows = helpers.passengers(rng, 80, nan_age=0.2, nan_embarked=2)
    train = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
    x0, _ = helpers.labelled_item(train, 0, "train_set")
    test_rows = helpers.passengers(rng, 50, first_id=892, nan_age=0.2, nan_fare=1, labelled=False)
    stats = check.call("train_set.stats", getattr, train, "stats")
    test = helpers.dataset(sub, helpers.write_csv(tmp_path / "test.csv", test_rows, helpers.TEST_COLUMNS),
                           test_rows, stats=stats, what="TitanicDataset(test.csv, stats=train_set.stats)")
    worker.seed(1)
    model = check.call(f"TitanicModel({x0.shape[0]})", sub.TitanicModel, x0.shape[0])
    out = tmp_path / "submission.csv"
    check.call("write_submission(model, test_set, 'submission.csv')", sub.write_submission, model, test, str(out))
    helpers.check_submission(out, test_rows)
