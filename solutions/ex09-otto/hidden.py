"""Hidden checks for ex09-otto: the exact metric, random splits, the exact training loop, an
OttoNet that learns, and gzipped files with arbitrary ids.

The checks write small files in Kaggle's Otto schema into a temporary folder; the real files are
not needed.
"""

import math

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


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
    check.close(got, expected, f"log_loss on {n} random rows", rtol=1e-6, mistakes=mistakes)


@pytest.mark.points(1)
def test_split_random(sub, rng):
    """stratified_split on random class sizes and fractions: complete, shuffled, stratified, seeded"""
    sizes = rng.integers(8, 80, size=helpers.N_CLASSES)
    sizes[rng.integers(helpers.N_CLASSES)] = int(rng.integers(1, 4))  # a rare class
    labels = np.repeat(np.arange(helpers.N_CLASSES), sizes)
    fraction = float(rng.choice([0.1, 0.25, 0.3]))
    seeds = [int(s) for s in rng.integers(0, 10_000, size=2)]
    splits = [helpers.check_split(sub, labels, fraction, seed) for seed in seeds]
    check.that(not np.array_equal(splits[0][1], splits[1][1]),
                f"stratified_split gives the same split for seed={seeds[0]} and seed={seeds[1]}: use the seed")
    # Labels in another order (not sorted by class): the split must follow the labels, not positions.
    order = rng.permutation(len(labels))
    helpers.check_split(sub, labels[order], fraction, seeds[0],
                        what=f"stratified_split(labels in random order, val_fraction={fraction}, seed={seeds[0]})")


@pytest.mark.points(1)
def test_train_matches_reference(sub, ref, worker, rng, device):
    """train runs Adam with CrossEntropyLoss on the logits and records the mean batch loss per epoch"""
    n, batch, epochs, lr = 64, 16, 3, float(rng.choice([0.01, 0.02]))
    _, counts, labels = helpers.products(rng, np.full(helpers.N_CLASSES, 8))
    order = rng.permutation(len(labels))[:n]
    x = torch.log1p(torch.tensor(counts[order], dtype=torch.float32))
    y = torch.tensor(labels[order], dtype=torch.int64)
    seed = int(rng.integers(1000))
    model, trusted = helpers.worker_linear(worker, seed, device, hidden=12)
    state = {k: v.clone() for k, v in trusted.state_dict().items()}
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=batch)
    what = f"train(model, DataLoader(TensorDataset(x, y), batch_size={batch}), epochs={epochs}, lr={lr})"
    history = check.call(what, sub.train, model, loader, epochs=epochs, lr=lr)
    check.that(type(history) is list and len(history) == epochs,
                f"{what} should return a list of {epochs} floats; got {check.describe(history)}")
    for value in history:
        check.that(type(value) is float, f"train's history should hold Python floats (loss.item()); "
                                          f"got {check.describe(value)}")
    expected = ref.train(trusted, torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                                              batch_size=batch), epochs=epochs, lr=lr)
    final = {k: v.clone() for k, v in trusted.state_dict().items()}
    loose = device == "cuda"
    try:
        check.close(history, expected, f"the history of {what}", rtol=1e-4, atol=1e-6, loose=loose)
    except check.CheckFailed:
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
        mistakes = {text: _variant_train(trusted, state, x, y, batch, epochs, lr, **options)
                    for text, options in variants.items()}
        mistakes["the lr argument is ignored (the history matches Adam's default lr=0.001)"] = \
            _variant_train(trusted, state, x, y, batch, epochs, 1e-3)
        check.close(history, expected, f"the history of {what}", rtol=1e-4, atol=1e-6, loose=loose,
                     mistakes=mistakes)
        raise
    weights = check.call("model.state_dict()", model.state_dict)
    for name, value in final.items():
        check.close(weights.get(name) if type(weights) is dict else None, value,
                     f"the weights {name} after {what}", rtol=1e-4, atol=1e-6, loose=loose)


@pytest.mark.points(1)
def test_otto_net_learns(sub, ref, worker, rng, device):
    """OttoNet returns 9 logits per product and learns the classes when trained with train()"""
    ids, counts, labels = helpers.products(rng, helpers.sizes_like_otto(700))
    x = torch.tensor(counts, dtype=torch.float32)
    y = torch.tensor(labels, dtype=torch.int64)
    train_idx, val_idx = ref.stratified_split(y, val_fraction=0.25, seed=0)
    worker.seed(0)
    model = check.call("OttoNet()", sub.OttoNet)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"OttoNet() should build an nn.Module; got {check.describe(model)}")
    check.call("model.to(device)", model.to, device)
    check.call("model.eval()", model.eval)
    out = check.call("model(features)", model, x[:20])
    check.that(type(out) is torch.Tensor and tuple(out.shape) == (20, helpers.N_CLASSES),
                f"OttoNet()(x) for x of shape (20, 93) should give logits of shape (20, 9); got {check.describe(out)}")
    values = out.detach().double().numpy()
    check.that(bool(np.all(np.isfinite(values))), "OttoNet's output holds nan or inf (are the counts scaled sensibly?)")
    if np.allclose(values.sum(axis=1), 1.0, atol=1e-4) and values.min() >= 0:
        raise check.CheckFailed("OttoNet's outputs are probabilities (each row sums to 1): the model ends with a "
                                 "softmax. CrossEntropyLoss applies log-softmax itself, so return the logits and "
                                 "apply softmax only in predict_proba")
    data = worker.import_module("torch.utils.data")
    loader = data.DataLoader(data.TensorDataset(x[train_idx], y[train_idx]), batch_size=32, shuffle=True)
    epochs = 6
    history = check.call(f"train(OttoNet(), loader, epochs={epochs}, lr=1e-3)", sub.train, model, loader,
                           epochs=epochs, lr=1e-3)
    check.that(type(history) is list and len(history) == epochs and all(type(v) is float for v in history),
                f"train should return a list of {epochs} floats; got {check.describe(history)}")
    check.call("model.eval()", model.eval)
    logits = check.call("model(validation features)", model, x[val_idx])
    check.that(type(logits) is torch.Tensor and tuple(logits.shape) == (len(val_idx), helpers.N_CLASSES),
                f"model(x) should give logits of shape ({len(val_idx)}, 9); got {check.describe(logits)}")
    probabilities = torch.softmax(logits.detach().double(), dim=1)
    score = ref.log_loss(y[val_idx], probabilities)
    prior = np.bincount(labels[train_idx.numpy()], minlength=helpers.N_CLASSES) / len(train_idx)
    baseline = ref.log_loss(y[val_idx], torch.tensor(prior).repeat(len(val_idx), 1))
    check.that(score < 0.6 * baseline,
                f"after {epochs} epochs OttoNet's validation log loss is {score:.3f}; the class prior alone gives "
                f"{baseline:.3f}. The model does not learn: check the architecture (ReLU between the layers, "
                f"log(1 + x) or another scaling of the counts) and the training loop")


@pytest.mark.points(1)
def test_read_test_and_submission_random(sub, tmp_path, rng):
    """read_test and read_train read gzipped files; write_submission keeps any ids in their order"""
    n = int(rng.integers(15, 30))
    ids = np.sort(rng.choice(np.arange(1, 200_000), size=n, replace=False))
    rng.shuffle(ids)
    counts = rng.poisson(helpers.RATES[rng.integers(0, helpers.N_CLASSES, size=n)])
    path = helpers.write_otto(tmp_path / "test.csv.gz", ids, counts, gz=True, quoted=bool(rng.integers(2)))
    result = check.call("read_test('test.csv.gz')", sub.read_test, path)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"read_test should return (ids, features); got {check.describe(result)}")
    check.close(helpers.int_tensor(result[0], "the ids of read_test('test.csv.gz')", n), ids,
                 "the ids of read_test('test.csv.gz') (in file order)")
    check.close(helpers.features_tensor(result[1], "the features of read_test('test.csv.gz')", n), counts,
                 "the features of read_test('test.csv.gz')")
    train_ids, train_counts, labels = helpers.products(rng, rng.integers(1, 4, size=helpers.N_CLASSES))
    path = helpers.write_otto(tmp_path / "train.csv.gz", train_ids, train_counts, labels, gz=True, quoted=True)
    result = check.call("read_train('train.csv.gz')", sub.read_train, path)
    check.that(type(result) in (tuple, list) and len(result) == 3,
                f"read_train should return (ids, features, labels); got {check.describe(result)}")
    check.close(helpers.int_tensor(result[2], "the labels of read_train('train.csv.gz')", len(labels)), labels,
                 "the labels of read_train('train.csv.gz', quoted header and labels)")
    probabilities = torch.tensor(rng.dirichlet(np.ones(helpers.N_CLASSES), size=n), dtype=torch.float32)
    out = tmp_path / "submission.csv"
    check.call("write_submission(ids, probabilities, 'submission.csv')", sub.write_submission,
                 torch.tensor(ids), probabilities, str(out))
    helpers.read_submission(out, ids, probabilities.double().numpy())
