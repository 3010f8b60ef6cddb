"""Public checks for ex10-deeper-cnn: students run these locally.

The data are small synthetic images made here at grading time: each class is a bright
square at its own place (jittered by a few pixels) on noise, learnable in a second. Loaders
are built inside the worker over the tensors sent, without shuffling, so that the
reference can replay exactly the same batches. The checks pass the ``device`` fixture to
the student's functions: the same checks run on a CPU and on a GPU.
"""

import math

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

LAYERS = {
    "Conv2d": "torch.nn.modules.conv.Conv2d",
    "ReLU": "torch.nn.modules.activation.ReLU",
    "MaxPool2d": "torch.nn.modules.pooling.MaxPool2d",
    "Linear": "torch.nn.modules.linear.Linear",
}


# ---------------------------------------------------------------- helpers



def layer_counts(model):
    names = [check.type_names(m) for m in list(model.modules())]
    return {short: sum(full in n for n in names) for short, full in LAYERS.items()}


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_course_cnn(sub, ref, worker, device):
    """CourseNet is the lecture's CNN: same layers, same output as the course's with the same weights"""
    tol = check.full_precision(worker, device)
    model = sub.CourseNet()
    ref_model = ref.CourseNet().eval()
    check.same_layout(model, ref_model.state_dict(), "CourseNet",
                      "it should have the layers conv1 = Conv2d(1, 10, 5), conv2 = Conv2d(10, 20, 5), "
                      "pooling = MaxPool2d(2), fc = Linear(320, 10)")
    model.load_state_dict(ref_model.state_dict())
    model.eval()
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        expected = ref_model(x)
        no_second_relu = ref_model.fc(ref_model.pooling(ref_model.conv2(
            torch.relu(ref_model.pooling(ref_model.conv1(x))))).flatten(1))
    check.close(model(x), expected, "CourseNet's output for 3 images", **tol, mistakes={
        "the second block has no ReLU: conv2 -> pooling -> relu": no_second_relu})
    check.close(sub.count_parameters(model), ref.count_parameters(ref_model),
                 "count_parameters(CourseNet())", mistakes={"it counts the layers, not the numbers in them": 4})


@pytest.mark.points(1)
def test_deeper_cnn_layers(sub, ref, worker, device):
    """DeeperNet has exactly 3 Conv2d, 3 ReLU, 3 MaxPool2d, 3 Linear layers and maps (N, 1, 28, 28) to (N, 10)"""
    worker.seed(0)
    model = sub.DeeperNet()
    counts = layer_counts(model)
    check.that(counts == {k: 3 for k in LAYERS},
                "DeeperNet should have exactly 3 of each of Conv2d, ReLU, MaxPool2d and Linear in model.modules(); "
                f"it has {', '.join(f'{v} {k}' for k, v in counts.items())}. F.relu in forward is not a layer "
                "(use nn.ReLU), and one layer used three times counts once (make three).")
    model.eval()
    for n in (5, 1):
        out = model(torch.randn(n, 1, 28, 28))
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
def test_train_epoch_lowers_loss(sub, worker, device, rng):
    """train_epoch trains: over three epochs the loss it returns goes down"""
    x, y = helpers.blobs(rng, 96, classes=4, size=8)
    torch.manual_seed(1)
    local = helpers.small_cnn(torch.nn)
    model = helpers.worker_copy(worker, local, helpers.small_cnn)
    model.to(device)
    optim = worker.import_module("torch.optim")
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    loader = helpers.worker_loader(worker, x, y, 16)
    before = local.state_dict()
    losses = [check.number(sub.train_epoch(model, loader, optimizer, device),
                            f"what train_epoch returned in epoch {e + 1}") for e in range(3)]
    check.that(all(math.isfinite(v) and v > 0 for v in losses),
                f"train_epoch should return the epoch's mean loss, a positive number; got {losses}")
    after = model.state_dict()
    check.that(any(not torch.equal(after[k], before[k]) for k in before),
                "the model's weights did not change: call loss.backward() and optimizer.step() for every batch")
    check.that(losses[0] < 1.5 * math.log(4),
                f"the first epoch's mean loss {losses[0]:.3g} is far above log(4) = 1.39, the loss of a guess: "
                "return the mean loss per sample, not a sum")
    check.that(losses[2] < losses[0],
                f"the loss did not go down over three epochs: {[round(v, 4) for v in losses]}")


@pytest.mark.points(1)
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
    predicted = local(x).argmax(dim=1)
    # batches of 16, 16 and 5: half right in the full batches, all right in the last one
    right = np.array([i % 2 == 0 for i in range(32)] + [True] * 5)
    y = torch.where(torch.from_numpy(right), predicted, (predicted + 1) % 4)
    model = helpers.worker_copy(worker, local, helpers.small_cnn)
    model.to(device)
    got = sub.evaluate(model, helpers.worker_loader(worker, x, y, 16), device)
    expected = ref.evaluate(local, helpers.local_loader(x, y, 16), "cpu")
    assert expected == 21 / 37
    check.close(got, expected, "evaluate on 37 samples in batches of 16, 16 and 5", **tol, mistakes={
        "it is the mean of the per-batch accuracies; divide the correct predictions by the number of samples":
            (0.5 + 0.5 + 1.0) / 3,
        "it divides by number of batches * batch size (48); the last batch has only 5 samples": 21 / 48,
        "it divides by the number of batches; divide by the number of samples": 21 / 3,
        "it is the number of correct predictions; divide by the number of samples": 21,
        "it is the last batch's accuracy only": 1.0,
    })


@pytest.mark.points(1)
def test_evaluate_eval_mode_no_grad(sub, worker, device, rng, tmp_path):
    """evaluate calls model.eval() and runs the model under torch.no_grad(), on every sample once"""
    x, y = helpers.blobs(rng, 50, classes=4, size=8)
    probe = helpers.probe(worker, tmp_path, device, "train")
    accuracy = check.number(sub.evaluate(probe, helpers.worker_loader(worker, x, y, 16), device), "evaluate's result")
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
