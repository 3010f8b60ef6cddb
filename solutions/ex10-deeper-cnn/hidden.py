"""Hidden checks for ex10-deeper-cnn: the training-mode and device conventions, a DeeperNet that
learns (trained by the check's own loop, not the student's), and compare with other settings.

Each hidden check judges an aspect the public checks do not: a mistake a public check names (and
charges) passes here, so that one mistake costs one check.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("train_epoch")
def test_train_epoch_mode_and_device(sub, worker, device, rng, tmp_path):
    """train_epoch calls model.train(), keeps gradients on and gives the model batches on the device"""
    x, y = helpers.blobs(rng, 40, classes=4, size=8)
    probe = helpers.probe(worker, tmp_path, device, "eval")  # as evaluate leaves it
    before = probe.state_dict()
    optimizer = worker.import_module("torch.optim").SGD(probe.parameters(), lr=0.1)
    check.call("train_epoch(probe, loader, optimizer, device)", sub.train_epoch, probe,
               helpers.worker_loader(worker, x, y, 16), optimizer, device)
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
@pytest.mark.judges("DeeperNet")
def test_deeper_cnn_learns(sub, worker, device, rng, tmp_path):
    """DeeperNet, trained by the check's own loop for three epochs, recognises synthetic 28x28 digit-like images"""
    x, y = helpers.blobs(rng, 384, classes=10, size=28)
    x_test, y_test = helpers.blobs(rng, 200, classes=10, size=28)
    worker.seed(0)
    model = check.call("DeeperNet()", sub.DeeperNet)
    check.call("model.to(device)", model.to, device)
    tools = helpers.worker_tools(worker, tmp_path)
    first = check.call("DeeperNet()(x) for x of shape (5, 1, 28, 28)", tools.predict, model, torch.randn(5, 1, 28, 28))
    if type(first) is torch.Tensor and first.numel() and float(first.min()) >= 0:
        return  # outputs that cannot be negative are no logits: named and charged by test_deeper_cnn_layers
    losses = check.call("training DeeperNet() (Adam, lr 3e-3, batches of 32, 3 epochs)", tools.fit, model, x, y, 3, 32,
                        3e-3, 0)
    logits = check.call("DeeperNet()(test images)", tools.predict, model, x_test)
    check.that(type(logits) is torch.Tensor and tuple(logits.shape) == (200, 10),
                f"DeeperNet should give logits of shape (200, 10) for 200 images; got {check.describe(logits)}")
    accuracy = helpers.trained_accuracy(logits, y_test)
    check.that(losses[-1] < losses[0],
                f"DeeperNet's training loss did not go down with Adam(lr=3e-3): {[round(v, 3) for v in losses]}")
    check.that(accuracy >= 0.7,
                f"DeeperNet reached only {100 * accuracy:.0f} % on held-out synthetic images after three epochs "
                f"(the reference reaches more than 90 %). Return logits (no softmax or ReLU after the last layer) "
                f"and check the flattening.")


@pytest.mark.points(1)
@pytest.mark.judges("compare", uses=["train_epoch", "evaluate"])
def test_compare_other_settings(sub, ref, worker, device, rng):
    """compare uses the number of epochs, the learning rate and the momentum it is given"""
    epochs, lr, momentum = int(rng.integers(1, 4)), round(float(rng.uniform(0.03, 0.2)), 3), 0.9
    helpers.judge_compare(sub, ref, worker, device, rng, epochs=epochs, lr=lr, momentum=momentum,
                          names_mistakes=False)
