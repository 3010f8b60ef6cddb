"""Hidden checks for ex06-logistic: randomized comparisons with the reference and the classic mistakes."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- helpers


def _weights(model, what):
    return [check.number(model.linear.weight, f"{what}.linear.weight"),
            check.number(model.linear.bias, f"{what}.linear.bias")]


def _ref_weights(model):
    return [model.linear.weight.item(), model.linear.bias.item()]


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(2)
def test_train_random(sub, ref, rng, device):
    """train agrees with the reference on random data, initial weights and learning rate"""
    n = int(rng.integers(5, 9))
    x_np = np.sort(rng.uniform(-2.0, 4.0, size=(n, 1)), axis=0)
    y_np = (x_np > np.median(x_np)).astype(np.float64)
    flip = int(rng.integers(0, n))
    y_np[flip] = 1 - y_np[flip]  # not separable, so the weights stay moderate
    x = torch.tensor(x_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.float32)
    epochs, lr = int(rng.integers(12, 20)), round(float(rng.uniform(0.03, 0.08)), 4)
    state = helpers.reference_model(ref, float(rng.normal()), float(rng.normal())).state_dict()
    model = helpers.student_model(sub, state, device)
    got = helpers.call(f"train(model, x, y, {epochs}, lr={lr})", sub.train, model, x, y, epochs, lr=lr)
    check.that(type(got) is list and len(got) == epochs and all(type(v) is float for v in got),
                f"train should return a list of {epochs} Python floats; got {check.describe(got)}")
    expected_model = ref.LogisticRegressionModel()
    expected_model.load_state_dict(state)
    expected = ref.train(expected_model, x, y, epochs, lr)
    what = f"the loss curve ({epochs} epochs, lr {lr}, {n} random samples)"
    try:
        check.close(got, expected, what, rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda")
    except check.CheckFailed:
        mistakes = {
            "train ignores the x and y it is given and trains on the course's x_data, y_data":
                helpers.variant_curve(ref, state, ref.x_data, ref.y_data, epochs, lr),
            f"the lr argument is ignored: train(..., lr={lr}) trains with lr 0.01":
                helpers.variant_curve(ref, state, x, y, epochs, 0.01),
            "the loss is BCELoss() with the default reduction='mean'; the course sums: "
            "BCELoss(reduction='sum')":
                helpers.variant_curve(ref, state, x, y, epochs, lr, reduction="mean"),
            "the loss is MSELoss; logistic regression uses the binary cross-entropy, BCELoss(reduction='sum')":
                helpers.variant_curve(ref, state, x, y, epochs, lr, loss="mse"),
            "the gradients are never zeroed, so they add up from step to step: call optimizer.zero_grad() "
            "before loss.backward()":
                helpers.variant_curve(ref, state, x, y, epochs, lr, zero_grad=False),
            "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step "
            "of epoch e":
                helpers.variant_curve(ref, state, x, y, epochs, lr, after_step=True),
            "the model returns the raw w * x + b: BCELoss needs probabilities, so forward must return "
            "torch.sigmoid(self.linear(x))":
                helpers.variant_curve(ref, state, x, y, epochs, lr, sigmoid=False),
        }
        check.close(got, expected, what, rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda",
                     mistakes={text: value for text, value in mistakes.items() if value is not None})
        raise
    check.close(_weights(model, "model"), _ref_weights(expected_model), "(w, b) after train",
                 rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda")


@pytest.mark.points(1)
def test_probability_curve_random(sub, ref, rng, device):
    """probability_curve gives the probabilities as a flat array of the same length, without gradients"""
    w, b = float(rng.uniform(0.5, 2.5)) * rng.choice([-1, 1]), float(rng.uniform(-3, 3))
    expected_model = helpers.reference_model(ref, w, b)
    model = helpers.student_model(sub, expected_model.state_dict(), device)
    n = int(rng.integers(7, 40))
    x_values = np.sort(rng.uniform(-5, 10, size=n))
    got = helpers.call(f"probability_curve(model, x_values of length {n})", sub.probability_curve, model, x_values)
    if type(got) is torch.Tensor:
        check.that(not got.requires_grad, "probability_curve returns a tensor that still requires grad: "
                                           "evaluate the model under torch.no_grad() and return .numpy()")
    expected = ref.probability_curve(expected_model, x_values)
    with torch.no_grad():
        logits = expected_model.linear(torch.tensor(x_values, dtype=torch.float32).reshape(-1, 1))
    check.close(got, expected, f"probability_curve(model, x_values) with w = {w:.3g}, b = {b:.3g}",
                 rtol=1e-5, atol=1e-6, loose=device == "cuda", mistakes={
                     "it has shape (n, 1); flatten it to one probability per x: .reshape(-1)": expected[:, None],
                     "those are the raw w * x + b, not probabilities: the model must end with a sigmoid":
                         logits.reshape(-1).numpy(),
                 })


@pytest.mark.points(1)
def test_decision_boundary_random(sub, ref, rng, device):
    """decision_boundary gives the x where w * x + b = 0 for random weights"""
    for _ in range(3):
        w = float(rng.uniform(0.4, 3.0)) * float(rng.choice([-1, 1]))
        b = float(rng.uniform(-4, 4))
        expected_model = helpers.reference_model(ref, w, b)
        model = helpers.student_model(sub, expected_model.state_dict(), device)
        got = helpers.call("decision_boundary(model)", sub.decision_boundary, model)
        expected = ref.decision_boundary(expected_model)
        w32, b32 = _ref_weights(expected_model)
        check.close(check.number(got, "decision_boundary(model)"), expected,
                     f"decision_boundary for w = {w:.4g}, b = {b:.4g}", rtol=1e-5, atol=1e-6, mistakes={
                         "the sign is wrong: w * x + b = 0 gives x = -b / w": b32 / w32,
                         "w and b are swapped: w * x + b = 0 gives x = -b / w": -w32 / b32,
                     })


@pytest.mark.points(1)
def test_fit_uses_its_arguments(sub, ref, rng, worker, device):
    """fit(seed, epochs, lr) seeds right before building the model and trains as asked"""
    seed, epochs, lr = int(rng.integers(1, 1000)), int(rng.integers(30, 60)), round(float(rng.uniform(0.05, 0.2)), 3)
    model = helpers.call(f"fit(seed={seed}, epochs={epochs}, lr={lr})", sub.fit, seed=seed, epochs=epochs, lr=lr)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"fit() should return the trained model; got {check.describe(model)}")
    got = _weights(model, "fit(...)")
    check.close(got, helpers.fit_reference(ref, worker, seed, epochs, lr),
                 f"(w, b) after fit(seed={seed}, epochs={epochs}, lr={lr})", rtol=1e-3, atol=1e-5,
                 loose=device == "cuda", mistakes={
                     "fit ignores its seed argument (the weights are those of seed 0): call "
                     "torch.manual_seed(seed) right before building the model":
                         helpers.fit_reference(ref, worker, 0, epochs, lr),
                     "fit ignores its epochs and lr arguments (it always trains 1000 epochs with lr 0.01)":
                         helpers.fit_reference(ref, worker, seed),
                 })
