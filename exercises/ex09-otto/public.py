"""Public checks for ex09-otto: students run these locally.

The checks write small files in Kaggle's Otto schema (``id, feat_1..feat_93, target`` with
integer counts, rows sorted by class, the header quoted in some files, gzipped in others) into
a temporary folder; the real files are not needed. Each check judges one part: train,
predict_proba and OttoNet run on models and loops built inside the worker from torch.nn, and
read_train's labels are judged given the student's own encode_labels.
"""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("encode_labels")
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
@pytest.mark.judges("read_train", "read_test", uses=["encode_labels"])
def test_read_train_and_test(sub, tmp_path, rng):
    """read_train and read_test give the ids, the 93 counts as float32 and the labels, plain, quoted or gzipped"""
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
        helpers.expect_labels(result[2], labels, sub, f"the labels of {what}")
    n = int(rng.integers(15, 30))
    test_ids = rng.choice(np.arange(1, 200_000), size=n, replace=False)  # any ids, in any order
    test_counts = rng.poisson(helpers.RATES[rng.integers(0, helpers.N_CLASSES, size=n)])
    path = helpers.write_otto(tmp_path / "test.csv.gz", test_ids, test_counts, gz=True, quoted=True)
    result = check.call("read_test('test.csv.gz')", sub.read_test, path)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"read_test should return (ids, features); got {check.describe(result)}")
    check.close(helpers.int_tensor(result[0], "the ids of read_test('test.csv.gz')", n), test_ids,
                 "the ids of read_test('test.csv.gz') (in file order)")
    check.close(helpers.features_tensor(result[1], "the features of read_test('test.csv.gz')", n), test_counts,
                 "the features of read_test('test.csv.gz')")


@pytest.mark.points(1)
@pytest.mark.judges("stratified_split")
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
@pytest.mark.judges("OttoNet")
def test_otto_net_learns(sub, ref, worker, rng, device, tmp_path):
    """OttoNet returns 9 logits per product and learns the classes (trained by the check's own loop)"""
    ids, counts, labels = helpers.products(rng, helpers.sizes_like_otto(700))
    x = torch.tensor(counts, dtype=torch.float32)
    y = torch.tensor(labels, dtype=torch.int64)
    train_idx, val_idx = ref.stratified_split(y, val_fraction=0.25, seed=0)
    worker.seed(0)
    model = check.call("OttoNet()", sub.OttoNet)
    check.call("model.to(device)", model.to, device)
    tools = helpers.worker_tools(worker, tmp_path)
    out = check.call("OttoNet()(x) for x of shape (20, 93)", tools.predict, model, x[:20])
    check.that(type(out) is torch.Tensor and tuple(out.shape) == (20, helpers.N_CLASSES),
                f"OttoNet()(x) for x of shape (20, 93) should give logits of shape (20, 9); got {check.describe(out)}")
    values = out.detach().double().numpy()
    check.that(bool(np.all(np.isfinite(values))), "OttoNet's output holds nan or inf (are the counts scaled sensibly?)")
    if np.allclose(values.sum(axis=1), 1.0, atol=1e-4) and values.min() >= 0:
        raise check.CheckFailed("OttoNet's outputs are probabilities (each row sums to 1): the model ends with a "
                                 "softmax. CrossEntropyLoss applies log-softmax itself, so return the logits and "
                                 "apply softmax only in predict_proba")
    epochs = 6
    check.call(f"training OttoNet() (Adam, lr 1e-3, batches of 32, {epochs} epochs)", tools.fit, model,
               x[train_idx], y[train_idx], epochs, 32, 1e-3, 0)
    logits = check.call("OttoNet()(validation features)", tools.predict, model, x[val_idx])
    check.that(type(logits) is torch.Tensor and tuple(logits.shape) == (len(val_idx), helpers.N_CLASSES),
                f"OttoNet()(x) should give logits of shape ({len(val_idx)}, 9); got {check.describe(logits)}")
    # The student's outputs go to a trusted metric here, not to the reference (the student kit
    # replays the reference's answers to known questions only).
    score = helpers.metric(labels[val_idx.numpy()], torch.softmax(logits.detach().double(), dim=1).numpy())
    prior = np.bincount(labels[train_idx.numpy()], minlength=helpers.N_CLASSES) / len(train_idx)
    baseline = helpers.metric(labels[val_idx.numpy()], np.tile(prior, (len(val_idx), 1)))
    check.that(score < 0.6 * baseline,
                f"after {epochs} epochs OttoNet's validation log loss is {score:.3f}; the class prior alone gives "
                f"{baseline:.3f}. The model does not learn: check the architecture (ReLU between the layers, "
                f"log(1 + x) or another scaling of the counts)")


@pytest.mark.points(1)
@pytest.mark.judges("train")
def test_train_matches_reference(sub, ref, worker, rng, device):
    """train runs Adam with CrossEntropyLoss on the logits and records the mean batch loss per epoch"""
    n, batch, epochs, lr = 64, 16, 3, float(rng.choice([0.01, 0.02]))
    _, counts, labels = helpers.products(rng, np.full(helpers.N_CLASSES, 8))
    order = rng.permutation(len(labels))[:n]
    x = torch.log1p(torch.tensor(counts[order], dtype=torch.float32))
    y = torch.tensor(labels[order], dtype=torch.int64)
    model, trusted = helpers.worker_linear(worker, int(rng.integers(1000)), device, hidden=12)
    helpers.judge_loader_train(sub, ref, worker, device, model, trusted, x, y, batch, epochs, lr, {
        "the model's logits go through a softmax before CrossEntropyLoss, which applies log-softmax itself: "
        "pass the logits": dict(softmax_first=True),
        "the gradients are never zeroed: call optimizer.zero_grad() before loss.backward()": dict(zero_grad=False),
        "the optimizer is SGD; the exercise asks for torch.optim.Adam(model.parameters(), lr=lr)":
            dict(optimizer="SGD"),
        "history[e] is the loss of the last batch; it should be the mean of the epoch's batch losses":
            dict(record="last"),
        "history[e] is the sum of the batch losses; divide by the number of batches": dict(record="sum"),
        "the lr argument is ignored (the history matches Adam's default lr=0.001)": dict(lr=1e-3),
    })


@pytest.mark.points(1)
@pytest.mark.judges("predict_proba")
def test_predict_proba(sub, ref, worker, rng, device):
    """predict_proba gives the softmax of the model's logits, rows that sum to 1, batch by batch"""
    _, counts, _ = helpers.products(rng, np.full(helpers.N_CLASSES, 3))
    x = torch.tensor(counts, dtype=torch.float32)
    model, trusted = helpers.worker_linear(worker, int(rng.integers(1000)), device)
    with torch.no_grad():
        logits = trusted(x)
    expected = ref.predict_proba(trusted, x)
    for what, kwargs in (("predict_proba(model, features)", {}),
                         ("predict_proba(model, features, batch_size=4) (27 rows)", {"batch_size": 4})):
        got = check.call(what, sub.predict_proba, model, x, **kwargs)
        check.that(type(got) is torch.Tensor, f"{what} should return a tensor; got {check.describe(got)}")
        check.close(got, expected, what, rtol=1e-4, atol=1e-6, loose=device == "cuda", mistakes={
            "these are the logits: apply torch.softmax(logits, dim=1)": logits,
            "the softmax runs over dim=0 (the batch): each row must sum to 1, use dim=1": torch.softmax(logits, dim=0),
            "these are log-probabilities (log_softmax); use softmax": torch.log_softmax(logits, dim=1)})


@pytest.mark.points(1)
@pytest.mark.judges("log_loss")
def test_log_loss(sub, ref, rng):
    """log_loss clips to [1e-15, 1 - 1e-15], rescales the rows and averages -log p of the true class"""
    _, _, labels = helpers.products(rng, np.full(helpers.N_CLASSES, 3))
    eye = np.eye(helpers.N_CLASSES)
    cases = [
        ("a uniform guess (1/9 everywhere) must give log(9) = 2.197",
         np.full((len(labels), helpers.N_CLASSES), 1.0 / helpers.N_CLASSES)),
        ("the true class has probability 0: it is clipped to 1e-15, so the loss is -log(1e-15) = 34.54",
         eye[(labels + 1) % helpers.N_CLASSES]),
        ("the rows sum to 2: they must be rescaled to sum to 1 (the loss is log(2))",
         eye[labels] + eye[(labels + 3) % helpers.N_CLASSES]),
        ("random probabilities", rng.dirichlet(np.ones(helpers.N_CLASSES), size=len(labels))),
    ]
    for text, probabilities in cases:
        expected = ref.log_loss(torch.tensor(labels), torch.tensor(probabilities))
        value = check.call("log_loss(labels, probabilities)", sub.log_loss, torch.tensor(labels),
                           torch.tensor(probabilities))
        check.that(type(value) is float, f"log_loss should return a Python float; got {check.describe(value)}")
        check.close(value, expected, f"log_loss for the case where {text}", rtol=1e-6,
                     mistakes=helpers.log_loss_mistakes(labels, probabilities, expected))


@pytest.mark.points(1)
@pytest.mark.judges("write_submission")
def test_submission(sub, tmp_path, rng):
    """write_submission writes id,Class_1,...,Class_9 and one line of probabilities per id, in the given order"""
    n = 12
    ids = torch.tensor(rng.choice(np.arange(1, 200_000), size=n, replace=False))
    probabilities = torch.tensor(rng.dirichlet(np.ones(helpers.N_CLASSES), size=n), dtype=torch.float32)
    out = tmp_path / "submission.csv"
    check.call("write_submission(ids, probabilities, 'submission.csv')", sub.write_submission, ids, probabilities,
               str(out))
    helpers.read_submission(out, ids.numpy(), probabilities.double().numpy())
