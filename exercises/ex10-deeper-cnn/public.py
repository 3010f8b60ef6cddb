"""Public checks for ex10-deeper-cnn: students run these locally.

The data are small synthetic images made here at grading time: each class is a bright
square at its own place (jittered by a few pixels) on noise, learnable in a second. Loaders
are built inside the worker over the tensors sent, without shuffling, so that the
reference can replay exactly the same batches. The checks pass the ``device`` fixture to
the student's functions: the same checks run on a CPU and on a GPU. Each check judges one
part: train_epoch, evaluate and count_parameters run on models built inside the worker from
torch.nn, and compare is judged given the student's own train_epoch and evaluate.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

COURSE_LAYERS = ("it should have the layers conv1 = Conv2d(1, 10, 5), conv2 = Conv2d(10, 20, 5), "
                 "pooling = MaxPool2d(2), fc = Linear(320, 10)")


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("CourseNet")
def test_course_cnn(sub, ref, worker, device):
    """CourseNet is the lecture's CNN: with the same weights, the same output as the course's"""
    tol = check.full_precision(worker, device)
    model = check.call("CourseNet()", sub.CourseNet)
    layers = {"conv1": torch.nn.Conv2d(1, 10, 5), "conv2": torch.nn.Conv2d(10, 20, 5), "fc": torch.nn.Linear(320, 10)}
    state = {f"{name}.{k}": v.detach().clone() for name, layer in layers.items() for k, v in layer.state_dict().items()}
    helpers.load_by_names(model, state, "CourseNet()", COURSE_LAYERS)
    check.call("model.to(device)", model.to, device)
    check.call("model.eval()", model.eval)
    ref_model = ref.CourseNet()
    ref_model.load_state_dict(state)
    ref_model.eval()
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        expected = ref_model(x)
    h = F.relu(F.max_pool2d(F.conv2d(x, state["conv1.weight"], state["conv1.bias"]), 2))
    h = F.max_pool2d(F.conv2d(h, state["conv2.weight"], state["conv2.bias"]), 2)
    no_second_relu = F.linear(h.flatten(1), state["fc.weight"], state["fc.bias"])
    check.close(check.call("CourseNet()(x)", model, x), expected, "CourseNet's output for 3 images", **tol, mistakes={
        "the second block has no ReLU: conv2 -> pooling -> relu": no_second_relu})


@pytest.mark.points(1)
@pytest.mark.judges("count_parameters")
def test_count_parameters(sub, ref, worker):
    """count_parameters counts the trainable numbers of a model: frozen ones not, shared ones once"""
    nn_w = worker.import_module("torch.nn")

    def frozen(nn):
        model = nn.Sequential(nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 3))
        model[0].requires_grad_(False)
        return model

    def shared(nn):
        layer = nn.Linear(5, 5)
        return nn.Sequential(layer, nn.ReLU(), layer)

    cases = (("a small CNN", helpers.small_cnn), ("an MLP whose first Linear(10, 6) is frozen", frozen),
             ("a Sequential that uses one Linear(5, 5) twice", shared))
    for kind, build in cases:
        local = build(torch.nn)
        params = list(local.parameters())
        per_module = sum(p.numel() for m in local.modules() for p in m.parameters(recurse=False) if p.requires_grad)
        got = check.call(f"count_parameters({kind})", sub.count_parameters, build(nn_w))
        check.that(type(got) is int or (type(got) is torch.Tensor and got.dim() == 0 and not got.is_floating_point()),
                    f"count_parameters({kind}) should return an int; got {check.describe(got)}")
        check.close(got, ref.count_parameters(local), f"count_parameters({kind})", mistakes={
            "it counts the parameter tensors, not the numbers in them: add up p.numel()": len(params),
            "it counts frozen parameters too; count only those with p.requires_grad":
                sum(p.numel() for p in params),
            "a layer used twice is counted twice: count model.parameters(), which lists each parameter once":
                per_module,
        })


@pytest.mark.points(1)
@pytest.mark.judges("DeeperNet")
def test_deeper_cnn_layers(sub, worker, device, rng):
    """DeeperNet has exactly 3 Conv2d, 3 ReLU, 3 MaxPool2d, 3 Linear layers and maps (N, 1, 28, 28) to (N, 10)"""
    worker.seed(0)
    model = check.call("DeeperNet()", sub.DeeperNet)
    counts = helpers.layer_counts(model, rng)
    check.that(counts == dict.fromkeys(helpers.KINDS, 3),
                "DeeperNet should have exactly 3 of each of Conv2d, ReLU, MaxPool2d and Linear in model.modules(); "
                f"it has {', '.join(f'{v} {k}' for k, v in counts.items())} (each layer recognised by what it "
                "computes). F.relu in forward is not a layer (use nn.ReLU), and one layer used three times counts "
                "once (make three).")
    check.call("model.eval()", model.eval)
    for n in (5, 1):
        out = check.call(f"DeeperNet()(x) for x of shape ({n}, 1, 28, 28)", model, torch.randn(n, 1, 28, 28))
        check.that(type(out) is torch.Tensor and tuple(out.shape) == (n, 10),
                    f"DeeperNet should map a batch of {n} images (shape ({n}, 1, 28, 28)) to logits of shape "
                    f"({n}, 10); got {check.describe(out)}")
        if n == 5:
            logits = out.double()
            rows_sum_to_one = torch.allclose(logits.sum(dim=1), torch.ones(n, dtype=torch.float64))
            check.that(not (logits.min() >= 0 and rows_sum_to_one),
                        "DeeperNet returns probabilities (a softmax); return the last Linear layer's output: "
                        "CrossEntropyLoss applies log-softmax itself")
            check.that(bool(logits.min() < 0),
                        "DeeperNet's 50 outputs for 5 random images are all >= 0: is there a ReLU after the last "
                        "Linear layer? Logits must be able to be negative")


@pytest.mark.points(1)
@pytest.mark.judges("train_epoch")
def test_train_epoch_matches_reference(sub, ref, worker, device, rng):
    """one epoch of train_epoch gives the reference's weights and mean loss per sample (last batch smaller)"""
    tol = check.full_precision(worker, device)
    x, y = helpers.blobs(rng, 70, classes=4, size=8)  # batches of 16, 16, 16, 16 and 6
    lr, momentum = float(rng.uniform(0.05, 0.15)), 0.5
    torch.manual_seed(int(rng.integers(1 << 30)))
    start = helpers.small_cnn(torch.nn)

    def trusted(zero_grad=True):
        model = helpers.local_copy(start, helpers.small_cnn)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        batches = helpers.local_epoch(model, helpers.local_loader(x, y, 16), optimizer, zero_grad=zero_grad)
        return model.state_dict(), batches

    copy = helpers.local_copy(start, helpers.small_cnn)
    expected_loss = ref.train_epoch(copy, helpers.local_loader(x, y, 16),
                                    torch.optim.SGD(copy.parameters(), lr=lr, momentum=momentum), "cpu")
    expected_state, batches = trusted()
    no_zero_state, _ = trusted(zero_grad=False)
    per_batch = [loss for loss, _ in batches]

    model = helpers.worker_copy(worker, start, helpers.small_cnn)
    model.to(device)
    optimizer = worker.import_module("torch.optim").SGD(model.parameters(), lr=lr, momentum=momentum)
    loss = check.call("train_epoch(model, loader, optimizer, device)", sub.train_epoch, model,
                      helpers.worker_loader(worker, x, y, 16), optimizer, device)
    state = check.call("model.state_dict()", model.state_dict)
    for key in expected_state:
        check.close(state[key], expected_state[key], f"the weights {key} after one epoch", **tol, mistakes={
            "the gradients add up from batch to batch: call optimizer.zero_grad() before loss.backward()":
                no_zero_state[key]})
    loss = check.number(loss, "what train_epoch returned (the epoch's mean loss per sample)")
    check.that(math.isfinite(loss), f"train_epoch returned {loss}; it should return the epoch's mean loss")
    check.close(loss, expected_loss, "the mean loss train_epoch returned (70 samples, last batch of 6)", **tol,
                 mistakes={
                     "it is the mean of the per-batch losses; weight each batch by its size and divide by the "
                     "number of samples (the last batch has only 6)": sum(per_batch) / len(per_batch),
                     "it is the sum of the per-batch losses; return the mean loss per sample": sum(per_batch),
                     "it is the last batch's loss; return the mean over the epoch": per_batch[-1],
                 })


@pytest.mark.points(1)
@pytest.mark.judges("evaluate")
def test_evaluate_accuracy(sub, ref, worker, device, rng):
    """evaluate returns correct predictions / number of samples, also when the last batch is smaller"""
    tol = check.full_precision(worker, device)
    torch.manual_seed(2)
    local = helpers.small_cnn(torch.nn).eval()
    x = torch.randn(400, 1, 8, 8)
    with torch.no_grad():
        logits = local(x)
    top2 = logits.topk(2, dim=1).values
    x = x[(top2[:, 0] - top2[:, 1]) > 0.02][:37]  # clear predictions, so the device cannot flip one
    with torch.no_grad():
        predicted = local(x).argmax(dim=1)
    # batches of 16, 16 and 5: half right in the full batches, all right in the last one
    right = np.array([i % 2 == 0 for i in range(32)] + [True] * 5)
    y = torch.where(torch.from_numpy(right), predicted, (predicted + 1) % 4)
    model = helpers.worker_copy(worker, local, helpers.small_cnn)
    model.to(device)
    got = check.call("evaluate(model, loader, device)", sub.evaluate, model, helpers.worker_loader(worker, x, y, 16),
                     device)
    expected = ref.evaluate(local, helpers.local_loader(x, y, 16), "cpu")
    check.close(got, expected, "evaluate on 37 samples in batches of 16, 16 and 5", **tol, mistakes={
        "it is the mean of the per-batch accuracies; divide the correct predictions by the number of samples":
            (0.5 + 0.5 + 1.0) / 3,
        "it divides by number of batches * batch size (48); the last batch has only 5 samples": 21 / 48,
        "it divides by the number of batches; divide by the number of samples": 21 / 3,
        "it is the number of correct predictions; divide by the number of samples": 21,
        "it is the last batch's accuracy only": 1.0,
    })


@pytest.mark.points(1)
@pytest.mark.judges("evaluate")
def test_evaluate_eval_mode_no_grad(sub, worker, device, rng, tmp_path):
    """evaluate calls model.eval() and runs the model under torch.no_grad(), on every sample once"""
    x, y = helpers.blobs(rng, 50, classes=4, size=8)
    probe = helpers.probe(worker, tmp_path, device, "train")
    accuracy = check.number(check.call("evaluate(probe, loader, device)", sub.evaluate, probe,
                                       helpers.worker_loader(worker, x, y, 16), device), "evaluate's result")
    check.that(0.0 <= accuracy <= 1.0, f"evaluate should return an accuracy between 0 and 1; got {accuracy}")
    calls = probe.calls
    check.that(len(calls) > 0, "evaluate never called the model")
    check.that(not any(training for training, _, _, _ in calls),
                "the model was in training mode while evaluate ran it: call model.eval() first "
                "(dropout and batch norm behave differently in training mode)")
    check.that(not any(grad for _, grad, _, _ in calls),
                "the model ran with gradient tracking on: evaluate inside `with torch.no_grad():` "
                "(it saves memory and time)")
    seen = sum(n for _, _, _, n in calls)
    check.that(seen == 50, f"evaluate ran the model on {seen} samples; the loader holds 50 (each once)")


@pytest.mark.points(1)
@pytest.mark.judges("compare", uses=["train_epoch", "evaluate"])
def test_compare_records_test_accuracy(sub, ref, worker, device, rng):
    """compare trains each model with its own optimizer and records the test accuracy after every epoch"""
    helpers.judge_compare(sub, ref, worker, device, rng, epochs=2, lr=0.1, momentum=0.5, names_mistakes=True)
