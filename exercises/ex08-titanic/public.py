"""Public checks for ex08-titanic: students run these locally.

Every check writes small CSV files in Kaggle's Titanic schema (quoted names with commas,
missing Age, Cabin, Embarked and Fare) into a temporary folder; the real files are not needed.
Each check judges one part: TitanicModel, train and predict run on data and models built inside
the worker (not on the student's dataset), and write_submission is judged given the student's own
TitanicDataset and predict, which their own checks judge.
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
@pytest.mark.judges("TitanicDataset")
def test_dataset_items(sub, tmp_path, rng):
    """TitanicDataset has one item per passenger: (float32 features, float32 label of shape (1,))"""
    rows = helpers.passengers(rng, 40, nan_age=0.2, nan_embarked=1)
    path = helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS)
    ds = helpers.dataset(sub, path, rows, whole=True)
    width = None
    for i in range(len(rows)):
        x, y = helpers.labelled_item(ds, i, strict=True)
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
@pytest.mark.judges("TitanicDataset")
def test_no_missing_values(sub, tmp_path, rng):
    """no NaN in the features of train.csv (missing Age, Embarked) or test.csv (missing Age, Fare)"""
    rows = helpers.passengers(rng, 60, nan_age=0.2, nan_embarked=2)
    train = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
    for i, row in enumerate(helpers.passenger_rows(train, rows, "train_set")):
        x, _ = helpers.labelled_item(train, i, "train_set")
        helpers.expect_finite(x, row, f"train_set[{i}]")
    stats = check.call("train_set.stats", getattr, train, "stats")
    test_rows = helpers.passengers(rng, 30, first_id=892, nan_age=0.25, nan_fare=1, labelled=False)
    test = helpers.dataset(sub, helpers.write_csv(tmp_path / "test.csv", test_rows, helpers.TEST_COLUMNS),
                           test_rows, stats=stats, what="TitanicDataset(test.csv, stats=train_set.stats)")
    for i, row in enumerate(helpers.passenger_rows(test, test_rows, "test_set")):
        item = check.call(f"test_set[{i}]", lambda: test[i])
        if type(item) in (tuple, list):
            raise check.CheckFailed(f"test_set[{i}] should be the features tensor alone (test.csv has no "
                                     f"Survived column); got {check.describe(item)}")
        helpers.expect_finite(helpers.features_of(item, f"test_set[{i}]"), row, f"test_set[{i}]")


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
@pytest.mark.judges("TitanicDataset", "<module>")
def test_dataloader_num_workers(sub, worker, tmp_path, rng, device):
    """DataLoader(num_workers=2) over TitanicDataset gives the same batches, and the file imports without training"""
    rows = helpers.passengers(rng, 30, nan_age=0.2)
    with cpu_tensors(worker, device):
        ds = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
        n = check.call("len(dataset)", len, ds)
        data = worker.import_module("torch.utils.data")
        plain = check.call("iterating DataLoader(dataset, batch_size=8)", list, data.DataLoader(ds, batch_size=8))
        check.that(len(plain) == math.ceil(n / 8) and all(type(b) is list and len(b) == 2 for b in plain),
                    f"DataLoader(dataset, batch_size=8) over {n} passengers should give {math.ceil(n / 8)} batches "
                    f"of [features, labels]")
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
@pytest.mark.judges("TitanicDataset")
def test_features_are_learnable(sub, tmp_path, rng):
    """TitanicDataset's features let a logistic regression (SGD, lr 0.1) learn who survives: informative and scaled"""
    rows = helpers.passengers(rng, 192, nan_age=0.2, nan_embarked=2)
    ds = helpers.dataset(sub, helpers.write_csv(tmp_path / "train.csv", rows, helpers.TRAIN_COLUMNS), rows)
    items = [helpers.labelled_item(ds, i) for i in range(check.call("len(dataset)", len, ds))]
    check.that(len(items) > 0 and len({x.shape for x, _ in items}) == 1,
                "the dataset's items should all have the same number of features")
    x = np.array([x for x, _ in items])
    labels = np.array([label for _, label in items])
    history, accuracy = helpers.learns(x, labels)
    check.that(all(math.isfinite(v) for v in history) and history[-1] < 0.9 * history[0],
                f"a logistic regression trained on the dataset's features with SGD (lr 0.1, as in the course) does "
                f"not learn: its loss goes from {history[0]:.4g} to {history[-1]:.4g}. Scale Age and Fare (e.g. "
                f"standardise them with the training mean and standard deviation): raw values such as a Fare of "
                f"200 make SGD diverge")
    majority = max(labels.mean(), 1 - labels.mean())
    check.that(accuracy >= majority + 0.08,
                f"a logistic regression trained on the dataset's features is right on {accuracy:.1%} of the "
                f"passengers; predicting the majority class alone gives {majority:.1%}. Are Sex and Pclass among "
                f"the features, and are Age and Fare scaled?")


@pytest.mark.points(1)
@pytest.mark.judges("TitanicModel")
def test_titanic_model(sub, worker, tmp_path, rng, device):
    """TitanicModel(n_features) gives survival probabilities of shape (batch, 1) and can learn (trained by the check)"""
    width, n = int(rng.integers(7, 13)), 192
    x = torch.tensor(rng.normal(size=(n, width)), dtype=torch.float32)
    y = ((x[:, 0] + 0.7 * x[:, 1] - 0.5 * x[:, 2] + 0.3 * torch.tensor(rng.normal(size=n))) > 0.3).float().view(-1, 1)
    worker.seed(0)
    model = check.call(f"TitanicModel({width})", sub.TitanicModel, width)
    check.call("model.to(device)", model.to, device)
    tools = helpers.worker_tools(worker, tmp_path)
    out = check.call(f"TitanicModel({width})(x) for x of shape (8, {width})", tools.predict, model, x[:8])
    check.that(type(out) is torch.Tensor and tuple(out.shape) == (8, 1),
                f"TitanicModel({width}) should map a batch of shape (8, {width}) to probabilities of shape (8, 1); "
                f"got {check.describe(out)}")
    values = out.double().numpy()
    check.that(bool(np.all((values >= 0) & (values <= 1))),
                f"TitanicModel's outputs should be probabilities between 0 and 1 (end forward() with a sigmoid); "
                f"got values from {values.min():.3g} to {values.max():.3g}")
    epochs = 30
    check.call(f"training TitanicModel({width}) (SGD, lr 0.1, BCELoss, batches of 16, {epochs} epochs)", tools.fit,
               model, x, y, epochs, 16, 0.1, 0, "SGD", "BCELoss")
    p = check.as_array(check.call(f"TitanicModel({width})(x) after training", tools.predict, model, x), "the output")
    accuracy = float(np.mean((p.reshape(-1) >= 0.5) == y.view(-1).numpy().astype(bool)))
    majority = max(float(y.mean()), 1 - float(y.mean()))
    check.that(accuracy >= majority + 0.1,
                f"after {epochs} epochs of SGD TitanicModel({width}) is right on {accuracy:.1%} of its training "
                f"samples; the majority class alone gives {majority:.1%}. The model does not learn: check its "
                f"layers (a hidden layer with ReLU, or a single Linear layer, then a sigmoid)")


@pytest.mark.points(1)
@pytest.mark.judges("train")
def test_train_matches_reference(sub, ref, worker, rng, device):
    """train runs mini-batch SGD with BCELoss over the loader and records the mean batch loss per epoch"""
    sizes = [int(rng.integers(4, 8)), int(rng.integers(3, 6)), 1]
    n, batch, epochs, lr = 48, 8, 4, float(rng.choice([0.3, 0.5]))
    x = torch.tensor(rng.normal(size=(n, sizes[0])), dtype=torch.float32)
    y = torch.tensor(rng.random((n, 1)) < 1 / (1 + np.exp(-x[:, :1].numpy() * 2)), dtype=torch.float32)
    trusted = helpers.trusted_model(sizes, int(rng.integers(1000)))
    model = helpers.worker_model(worker, trusted.state_dict(), sizes)
    model.to(device)
    helpers.otto_helpers().judge_loader_train(sub, ref, worker, device, model, trusted, x, y, batch, epochs, lr, {
        "the gradients are never zeroed, so they add up from batch to batch: call optimizer.zero_grad() "
        "before loss.backward()": dict(zero_grad=False),
        "history[e] is the loss of the last batch of epoch e; it should be the mean of the epoch's batch "
        "losses": dict(record="last"),
        "history[e] is the sum of the batch losses; divide by the number of batches": dict(record="sum"),
        "the loss is BCELoss(reduction='sum'); use nn.BCELoss() (the mean over the batch)": dict(reduction="sum"),
        "the lr argument is ignored: build the optimizer with SGD(model.parameters(), lr=lr) (the history "
        "matches lr=0.01)": dict(lr=0.01),
        "the weights never change: call optimizer.step() after loss.backward()": dict(step=False),
        "the optimizer is Adam; the exercise asks for torch.optim.SGD(model.parameters(), lr=lr)":
            dict(optimizer="Adam"),
    }, loss="BCELoss", optimizer="SGD")


@pytest.mark.points(1)
@pytest.mark.judges("predict")
def test_predict(sub, worker, rng, device):
    """predict gives one 0/1 int64 prediction per item, in order, for datasets with and without labels"""
    width, n = 6, int(rng.integers(45, 75))
    x = torch.tensor(rng.normal(size=(n, width)), dtype=torch.float32)
    trusted = helpers.trusted_model([width, 1], int(rng.integers(1000)))
    with torch.no_grad():
        trusted[0].bias.fill_(helpers.clear_bias(x @ trusted[0].weight.T))
        want = (trusted(x).view(-1) >= 0.5).long().numpy()
    model = helpers.worker_model(worker, trusted.state_dict(), [width, 1])
    model.to(device)
    data = worker.import_module("torch.utils.data")
    labelled = data.TensorDataset(x, torch.zeros(n, 1))
    for what, ds, kwargs in ((f"predict(model, dataset without labels of {n} items)", x, {}),
                             (f"predict(model, dataset with labels of {n} items, batch_size=16)", labelled,
                              {"batch_size": 16})):
        got = check.call(what, sub.predict, model, ds, **kwargs)
        check.that(type(got) is torch.Tensor, f"{what} should return an int64 tensor; got {check.describe(got)}")
        check.that(tuple(got.shape) == (n,),
                    f"{what} should have shape ({n},), one prediction per item; got {tuple(got.shape)}"
                    + (": flatten it with .view(-1)" if tuple(got.shape) == (n, 1) else ""))
        values = got.double().numpy()
        check.that(bool(np.all((values == 0) | (values == 1))),
                    f"{what} should hold 0 and 1 only (threshold the probability at 0.5); got values such as "
                    f"{values[(values != 0) & (values != 1)][:3].tolist()}")
        check.that(got.dtype == torch.int64, f"{what} should be an int64 tensor (.long()); got {str(got.dtype)[6:]}")
        wrong = np.flatnonzero(values != want)
        check.that(wrong.size == 0,
                    f"{what} disagrees with the model on {wrong.size} of {n} items (first: item {wrong[:1].tolist()}); "
                    f"predict 1 where model(x) >= 0.5, in dataset order (no shuffling)")


@pytest.mark.points(1)
@pytest.mark.judges("write_submission", uses=["TitanicDataset", "predict"])
def test_submission(sub, worker, tmp_path, rng, device):
    """write_submission writes PassengerId,Survived for every passenger of the test dataset, as integers 0 or 1"""
    helpers.judge_submission(sub, worker, tmp_path, rng, device, 50)
