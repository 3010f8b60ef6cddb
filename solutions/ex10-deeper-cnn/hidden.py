"""Hidden checks for ex10-deeper-cnn: comparisons with the reference from the same weights on
the same batches, the training-mode and device conventions, and the usual mistakes.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


def small_mlp(nn, classes=4):
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, classes))


def train_without_zero_grad(model, loader, optimizer):
    """The classic mistake, replayed: gradients add up from batch to batch."""
    criterion = torch.nn.CrossEntropyLoss()
    model.train()
    for inputs, targets in loader:
        criterion(model(inputs), targets).backward()
        optimizer.step()


def batch_losses(model, loader, optimizer):
    """One correct epoch that also returns every batch's mean loss."""
    criterion = torch.nn.CrossEntropyLoss()
    model.train()
    losses = []
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# ---------------------------------------------------------------- checks


@pytest.mark.points(2)
def test_train_epoch_matches_reference(sub, ref, worker, device, rng):
    """one epoch of train_epoch from the reference's weights gives the reference's weights and mean loss"""
    tol = check.full_precision(worker, device)
    x, y = helpers.blobs(rng, 70, classes=4, size=8)  # batches of 16, 16, 16, 16 and 6
    lr, momentum = float(rng.uniform(0.05, 0.15)), 0.5
    torch.manual_seed(int(rng.integers(1 << 30)))
    start = helpers.small_cnn(torch.nn)

    def local_run(train):
        model = helpers.small_cnn(torch.nn)
        model.load_state_dict(start.state_dict())
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        result = train(model, helpers.local_loader(x, y, 16), optimizer)
        return model.state_dict(), result

    expected_state, expected_loss = local_run(lambda m, dl, opt: ref.train_epoch(m, dl, opt, "cpu"))
    no_zero_state, _ = local_run(train_without_zero_grad)
    _, per_batch = local_run(batch_losses)

    model = helpers.worker_copy(worker, start, helpers.small_cnn)
    model.to(device)
    optimizer = worker.import_module("torch.optim").SGD(model.parameters(), lr=lr, momentum=momentum)
    loss = sub.train_epoch(model, helpers.worker_loader(worker, x, y, 16), optimizer, device)
    state = model.state_dict()
    for key in expected_state:
        check.close(state[key], expected_state[key], f"the weights {key} after one epoch", **tol, mistakes={
            "the gradients add up from batch to batch: call optimizer.zero_grad() before loss.backward()":
                no_zero_state[key]})
    check.close(loss, expected_loss, "the mean loss train_epoch returned (70 samples, last batch of 6)", **tol,
                 mistakes={
                     "it is the mean of the per-batch losses; weight each batch by its size and divide by the "
                     "number of samples (the last batch has only 6)": sum(per_batch) / len(per_batch),
                     "it is the sum of the per-batch losses; return the mean loss per sample": sum(per_batch),
                     "it is the last batch's loss; return the mean over the epoch": per_batch[-1],
                 })


@pytest.mark.points(1)
def test_train_epoch_mode_and_device(sub, worker, device, rng, tmp_path):
    """train_epoch calls model.train(), keeps gradients on and gives the model batches on the device"""
    x, y = helpers.blobs(rng, 40, classes=4, size=8)
    probe = helpers.probe(worker, tmp_path, device, "eval")  # as evaluate leaves it
    before = probe.state_dict()
    optimizer = worker.import_module("torch.optim").SGD(probe.parameters(), lr=0.1)
    sub.train_epoch(probe, helpers.worker_loader(worker, x, y, 16), optimizer, device)
    calls = probe.calls
    check.that(len(calls) == 3 and sum(n for *_, n in calls) == 40,
                f"train_epoch should run the model once per batch (3 batches, 40 samples); it ran it {len(calls)} "
                f"times on {sum(n for *_, n in calls)} samples")
    check.that(all(training for training, *_ in calls),
                "the model was left in eval mode during training: call model.train() at the start of train_epoch "
                "(evaluate puts it in eval mode)")
    check.that(all(grad for _, grad, *_ in calls), "training ran with gradient tracking turned off")
    where = sorted({d for _, _, d, _ in calls})
    check.that(all(d.startswith(device) for d in where),
                f"the batches reached the model on {where}, not on {device}: move them with .to(device)")
    after = probe.state_dict()
    check.that(any(not torch.equal(after[k], before[k]) for k in before),
                "the weights did not change: call optimizer.step() after loss.backward()")


@pytest.mark.points(1)
@pytest.mark.timeout(40)
def test_deeper_cnn_learns(sub, worker, device, rng):
    """DeeperNet, trained with train_epoch for three epochs, recognises synthetic 28x28 digits-like images"""
    x, y = helpers.blobs(rng, 384, classes=10, size=28)
    x_test, y_test = helpers.blobs(rng, 200, classes=10, size=28)
    worker.seed(0)
    model = sub.DeeperNet()
    model.to(device)
    optimizer = worker.import_module("torch.optim").Adam(model.parameters(), lr=3e-3)
    loader = helpers.worker_loader(worker, x, y, 32)
    test_loader = helpers.worker_loader(worker, x_test, y_test, 100)
    losses, accuracies = [], []
    for epoch in range(3):
        losses.append(check.number(sub.train_epoch(model, loader, optimizer, device), "train_epoch's result"))
        accuracies.append(check.number(sub.evaluate(model, test_loader, device), "evaluate's result"))
    check.that(losses[-1] < losses[0],
                f"DeeperNet's training loss did not go down with Adam(lr=3e-3): {[round(v, 3) for v in losses]}")
    check.that(max(accuracies) >= 0.7,
                f"DeeperNet reached only {100 * max(accuracies):.0f} % on held-out synthetic images after three "
                f"epochs (the reference reaches more than 90 %): accuracies {[round(a, 3) for a in accuracies]}. "
                "Return logits (no softmax or ReLU after the last layer) and check the flattening.")


@pytest.mark.points(1)
def test_compare_matches_reference(sub, ref, worker, device, rng):
    """compare trains each model with its own optimizer and records the test accuracy after every epoch"""
    check.full_precision(worker, device)
    x, y = helpers.blobs(rng, 64, classes=4, size=8)
    x_test, y_test = helpers.blobs(rng, 48, classes=4, size=8)
    y_test = torch.where(torch.arange(48) % 3 == 0, (y_test + 1) % 4, y_test)  # a harder test set
    torch.manual_seed(int(rng.integers(1 << 30)))
    starts = {"cnn": (helpers.small_cnn, helpers.small_cnn(torch.nn)), "mlp": (small_mlp, small_mlp(torch.nn))}
    epochs, lr, momentum = 2, 0.1, 0.5

    def local_models():
        models = {}
        for name, (build, start) in starts.items():
            models[name] = build(torch.nn)
            models[name].load_state_dict(start.state_dict())
        return models

    train_dl, test_dl = helpers.local_loader(x, y, 16), helpers.local_loader(x_test, y_test, 16)
    expected = ref.compare(local_models(), train_dl, test_dl, epochs, "cpu", lr=lr, momentum=momentum)
    on_train = ref.compare(local_models(), train_dl, train_dl, epochs, "cpu", lr=lr, momentum=momentum)
    shared = local_models()
    shared_optimizer = torch.optim.SGD(shared["cnn"].parameters(), lr=lr, momentum=momentum)
    untrained_mlp = []
    for _ in range(epochs):
        ref.train_epoch(shared["mlp"], train_dl, shared_optimizer, "cpu")
        untrained_mlp.append(ref.evaluate(shared["mlp"], test_dl, "cpu"))

    models = {name: helpers.worker_copy(worker, start, build) for name, (build, start) in starts.items()}
    got = sub.compare(models, helpers.worker_loader(worker, x, y, 16),
                      helpers.worker_loader(worker, x_test, y_test, 16), epochs, device, lr=lr, momentum=momentum)
    check.that(type(got) is dict and sorted(map(str, got)) == ["cnn", "mlp"],
                "compare should return a dict with one entry per model name ('cnn', 'mlp'); "
                f"got {check.describe(got)}")
    atol = 1e-9 if device == "cpu" else 1.01 / 48  # on a GPU one borderline prediction may flip
    for name in ("cnn", "mlp"):
        history = check.as_array(got[name], f"compare(...)['{name}']")
        check.that(history.shape == (epochs,),
                    f"compare(...)['{name}'] should hold one accuracy per epoch ({epochs}); "
                    f"got {check.describe(got[name])}")
        mistakes = {"it is the accuracy on the training loader; record evaluate on test_loader": on_train[name]}
        if name == "mlp":
            mistakes["this model was never trained: give every model its own optimizer over its own "
                     "parameters"] = untrained_mlp
        check.close(history, expected[name], f"the test accuracies of model '{name}'", rtol=0, atol=atol,
                     mistakes=mistakes)
