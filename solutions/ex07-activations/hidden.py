"""Hidden checks for ex07-activations: randomized comparisons with the reference and edge cases.

Each hidden check judges an aspect the public checks do not: a mistake a public check names (and
charges) passes here, so that one mistake costs one check.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("train", "<module>")
def test_train_random(sub, ref, rng, worker, device):
    """train uses the lr it is given and updates the model in place, on random data, weights and activations"""
    loose = device == "cuda"
    for name in ("relu", "tanh"):
        x, y = helpers.data(rng, int(rng.integers(30, 60)))
        epochs, lr = int(rng.integers(6, 12)), round(float(rng.uniform(0.2, 0.6)), 3)
        state = helpers.random_state(rng)
        model = helpers.worker_net(worker, name, state, device)
        what = f"train's losses ({name} network, {epochs} epochs, lr {lr}, random data)"
        got = helpers.call(f"train(model, x, y, {epochs}, lr={lr})", sub.train, model, x, y, epochs, lr=lr)
        helpers.curve_of_floats(got, epochs, what)
        expected_model = helpers.local_net(name, state)
        expected = ref.train(expected_model, x, y, epochs, lr)
        final = helpers.sequential_state(expected_model.state_dict())
        if not helpers.matches(got, expected, loose):
            # The mistakes test_train_course_settings names are charged there.
            named = [run for run in helpers.train_mistakes(name, state, x, y, epochs, lr).values()
                     if helpers.matches(got, run[0], loose)]
            if not named:
                check.close(got, expected, what, rtol=helpers.RTOL, atol=helpers.ATOL, loose=loose, mistakes={
                    f"the lr argument is ignored: train(..., lr={lr}) trains with lr 0.1":
                        helpers.variant_curve(name, state, x, y, epochs, 0.1)[0]})
            final = named[0][1] if named else final
        weights = helpers.sequential_state(helpers.call("model.state_dict()", model.state_dict))
        check.close(weights["linear1.weight"], final["linear1.weight"],
                     f"the first layer's weights after train ({name}): train updates the model it is given",
                     rtol=helpers.RTOL, atol=helpers.ATOL, loose=loose)


@pytest.mark.points(1)
@pytest.mark.judges("accuracy")
def test_accuracy_random(sub, ref, rng, worker, device):
    """accuracy on one sample, on all-right and all-wrong predictions, and on random models"""
    name = "relu"
    for n, labels in ((1, "random"), (25, "right"), (25, "wrong"), (int(rng.integers(30, 80)), "random")):
        x, _ = helpers.data(rng, n)
        state = helpers.random_state(rng)
        pre = helpers.hidden_pre_output(name, state, x)
        state["linear3.bias"] = state["linear3.bias"] + (helpers.clear_threshold(pre) if n > 1 else
                                                         -float(pre[0, 0]) + float(rng.choice([-1.0, 1.0])))
        local = helpers.local_net(name, state)
        with torch.no_grad():
            predicted = (local(x) >= 0.5).float()
        y = {"right": predicted, "wrong": 1 - predicted,
             "random": torch.tensor(rng.integers(0, 2, size=(n, 1)), dtype=torch.float32)}[labels]
        model = helpers.worker_net(worker, name, state, device)
        what = f"accuracy(model, x, y) for {n} samples ({labels} labels)"
        got = helpers.call(what, sub.accuracy, model, x, y)
        check.that(type(got) is float, f"accuracy should return a Python float; got {check.describe(got)}")
        expected = ref.accuracy(local, x, y)
        mistakes = helpers.accuracy_mistakes(local, x, y, expected)
        if any(abs(got - value) < 1e-6 for value in mistakes.values()):
            continue  # named and charged by test_accuracy_threshold
        check.close(got, expected, what, rtol=1e-6, atol=1e-6)


@pytest.mark.points(1)
@pytest.mark.judges("compare_activations", uses=["DiabetesNet", "train", "accuracy", "make_activation"])
def test_compare_random(sub, ref, rng, worker, device):
    """compare_activations uses the names, seed, epochs and learning rate it is given"""
    names = tuple(str(n) for n in rng.permutation(list(ref.ACTIVATIONS))[:4])
    seed, epochs, lr = int(rng.integers(1, 10_000)), int(rng.integers(4, 8)), round(float(rng.uniform(0.2, 0.8)), 3)
    x, y = helpers.data(rng, 40)
    what = f"compare_activations(x, y, names={names}, epochs={epochs}, lr={lr}, seed={seed})"
    got, own = helpers.run_compare(worker, sub, x, y, what, names=names, epochs=epochs, lr=lr,
                                   seed=seed)
    if got is None:
        return  # it fails inside the student's own DiabetesNet, train or accuracy, whose checks charge that
    # Entries for names not asked for are named and charged by test_compare_same_initial_weights.
    helpers.expect_results(got, names, epochs, extra_keys=True)
    same = helpers.initial_states(worker, seed, len(names))
    seeded_once = helpers.initial_states(worker, seed, len(names), reseed=False)
    for i, name in enumerate(names):
        # Seeding once (named by test_compare_same_initial_weights) is charged there.
        drifted_model = helpers.ref_net(ref, name, seeded_once[i])
        drifted = ref.train(drifted_model, x, y, epochs, lr)
        if helpers.matches(got[name]["losses"], drifted, device == "cuda"):
            continue
        expected_model = helpers.ref_net(ref, name, same[i])
        expected = ref.train(expected_model, x, y, epochs, lr)
        helpers.expect_compare(got, name, expected, ref.accuracy(expected_model, x, y), own, what, {
            "the seed argument is ignored (the networks start from the weights of seed 0): call "
            "torch.manual_seed(seed) with the seed given":
                ref.train(helpers.ref_net(ref, name, helpers.initial_states(worker, 0, 1)[0]), x, y, epochs, lr),
            f"the lr argument is ignored: compare_activations(..., lr={lr}) trains with lr 0.1":
                ref.train(helpers.ref_net(ref, name, same[i]), x, y, epochs, 0.1),
        }, loose=device == "cuda")


@pytest.mark.points(1)
@pytest.mark.judges("DiabetesNet")
def test_output_layer_sigmoid_every_activation(sub, ref, rng, device, worker, request):
    """DiabetesNet computes the reference's output for every hidden activation, even with large weights"""
    check.stand_ins(request, worker, sub, make_activation=helpers.MAKE_ACTIVATION)
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
        # A wrong output layer and hidden layers that ignore the activation are named and charged by
        # the public checks of DiabetesNet.
        named = [torch.sigmoid(helpers.hidden_pre_output("sigmoid", state, x))]
        named += list(helpers.output_mistakes(name, helpers.hidden_pre_output(name, state, x)).values())
        helpers.expect_output(got, expected, f"DiabetesNet({name!r})(x)", {}, loose=device == "cuda",
                              accepted=named)
