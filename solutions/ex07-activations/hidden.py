"""Hidden checks for ex07-activations: randomized comparisons with the reference and the classic mistakes."""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_train_random(sub, ref, rng, device):
    """train agrees with the reference on random data, weights, learning rate and activations"""
    for name in ("relu", "tanh"):
        x, y = helpers.data(rng, int(rng.integers(30, 60)))
        epochs, lr = int(rng.integers(6, 12)), round(float(rng.uniform(0.2, 0.6)), 3)
        state = helpers.random_state(rng)
        model = helpers.student_net(sub, name, state, device)
        got = helpers.call(f"train(model, x, y, {epochs}, lr={lr})", sub.train, model, x, y, epochs, lr=lr)
        expected_model = helpers.ref_net(ref, name, state)
        expected = ref.train(expected_model, x, y, epochs, lr)
        mistakes = helpers.train_mistakes(ref, name, state, x, y, epochs, lr)
        mistakes[f"the lr argument is ignored: train(..., lr={lr}) trains with lr 0.1"] = \
            lambda: helpers.variant_curve(ref, name, state, x, y, epochs, 0.1)
        helpers.expect_curve(got, expected,
                             f"train's losses ({name} network, {epochs} epochs, lr {lr}, random data)",
                             mistakes, loose=device == "cuda", lazy=True)
        weight = helpers.call("model.linear1.weight", lambda: model.linear1.weight)
        check.close(weight, expected_model.linear1.weight.detach(), f"linear1.weight after train ({name})",
                     rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda")


@pytest.mark.points(1)
def test_accuracy_random(sub, ref, rng, device):
    """accuracy is the fraction of samples whose prediction (p >= 0.5) equals the label"""
    name = "tanh"
    x, _ = helpers.data(rng, 50)
    state = helpers.random_state(rng)
    state["linear3.bias"] = state["linear3.bias"] - float(helpers.hidden_pre_output(name, state, x).median())
    y = torch.tensor(rng.integers(0, 2, size=(50, 1)), dtype=torch.float32)
    model = helpers.student_net(sub, name, state, device)
    got = helpers.call("accuracy(model, x, y)", sub.accuracy, model, x, y)
    check.that(type(got) is float, f"accuracy should return a Python float (use .item()); got {check.describe(got)}")
    expected_model = helpers.ref_net(ref, name, state)
    expected = ref.accuracy(expected_model, x, y)
    with torch.no_grad():
        p = torch.sigmoid(helpers.hidden_pre_output(name, state, x))
    n = len(y)
    check.close(got, expected, "accuracy(model, x, y) on 50 random samples", rtol=1e-6, atol=1e-6, mistakes={
        "that is a percentage; return the fraction between 0 and 1": 100 * expected,
        "that is the number of correct predictions; divide by the number of samples": expected * n,
        "the predictions come from argmax(dim=1), which is always 0 for a single output column: threshold "
        "the probability instead, (p >= 0.5)": float((y == 0).float().mean()),
        "the probabilities are compared with the labels without a threshold at 0.5": float((p == y).float().mean()),
        "the predictions are inverted: class 1 where p >= 0.5": 1 - expected,
    })


@pytest.mark.points(2)
def test_compare_random(sub, ref, rng, worker, device):
    """compare_activations agrees with the reference for random names, seed, epochs and learning rate"""
    names = tuple(str(n) for n in rng.permutation(list(ref.ACTIVATIONS))[:4])
    seed, epochs, lr = int(rng.integers(1, 10_000)), int(rng.integers(4, 8)), round(float(rng.uniform(0.2, 0.8)), 3)
    x, y = helpers.data(rng, 40)
    call = f"compare_activations(x, y, names={names}, epochs={epochs}, lr={lr}, seed={seed})"
    got = helpers.call(call, sub.compare_activations, x, y, names=names, epochs=epochs, lr=lr, seed=seed)
    helpers.expect_results(got, names, epochs)
    same = helpers.initial_states(worker, seed, len(names))
    for i, name in enumerate(names):
        expected_model = helpers.ref_net(ref, name, same[i])
        expected = ref.train(expected_model, x, y, epochs, lr)
        mistakes = {
            "the networks do not all start from the same initial weights: torch.manual_seed(seed) is called "
            "once, so each network draws different random weights. Call it right before building each network":
                lambda: ref.train(
                    helpers.ref_net(ref, name, helpers.initial_states(worker, seed, len(names), reseed=False)[i]),
                    x, y, epochs, lr),
            "the seed argument is ignored (the networks start from the weights of seed 0): call "
            "torch.manual_seed(seed) with the seed given":
                lambda: ref.train(helpers.ref_net(ref, name, helpers.initial_states(worker, 0, 1)[0]),
                                  x, y, epochs, lr),
            f"the lr argument is ignored: compare_activations(..., lr={lr}) trains with lr 0.1":
                lambda: ref.train(helpers.ref_net(ref, name, same[i]), x, y, epochs, 0.1),
        }
        helpers.expect_curve(got[name]["losses"], expected, f"results[{name!r}]['losses'] ({call})", mistakes,
                             loose=device == "cuda", lazy=True)
        check.close(got[name]["accuracy"], ref.accuracy(expected_model, x, y), f"results[{name!r}]['accuracy'], "
                     f"the accuracy on (x, y) after training", rtol=1e-6, atol=1e-6)


@pytest.mark.points(1)
def test_output_layer_sigmoid_every_activation(sub, ref, rng, device):
    """the output layer is a sigmoid for every hidden activation, even with large weights"""
    x = torch.tensor(rng.uniform(-1, 1, size=(24, 8)), dtype=torch.float32)
    for name in ref.ACTIVATIONS:
        state = helpers.random_state(rng, scale=1.5)
        pre = helpers.hidden_pre_output(name, state, x)
        state["linear3.weight"] = state["linear3.weight"] * (12.0 / (float(pre.max() - pre.min()) or 1.0))
        state["linear3.bias"] = state["linear3.bias"] - float(helpers.hidden_pre_output(name, state, x).median())
        model = helpers.student_net(sub, name, state, device)
        with torch.no_grad():
            expected = helpers.ref_net(ref, name, state)(x)
        got = helpers.call(f"DiabetesNet({name!r})(x)", model, x)
        helpers.expect_output(got, expected, f"DiabetesNet({name!r})(x)",
                              helpers.output_mistakes(name, helpers.hidden_pre_output(name, state, x)),
                              loose=device == "cuda")
