"""Public checks for ex07-activations: students run these locally.

Each check judges one part. The checks of train and accuracy run them on a network built inside the
worker from torch.nn (not on the student's DiabetesNet); the checks of DiabetesNet build it with the
stub's make_activation standing in for the student's; compare_activations accepts what is right given
the student's own DiabetesNet, train and accuracy, which their own checks judge.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("make_activation")
def test_make_activation(sub, ref):
    """make_activation gives the module of each name in ACTIVATIONS and rejects other names"""
    t = torch.linspace(-4.0, 4.0, 17)
    for name in ref.ACTIVATIONS:
        module = helpers.call(f"make_activation({name!r})", sub.make_activation, name)
        params = helpers.call(f"make_activation({name!r}).parameters()", lambda: list(module.parameters()))
        check.that(params == [], f"make_activation({name!r}) should return a new activation module without "
                                 f"parameters (nn.{helpers.CLASSES[name]}()); it has {len(params)} parameters")
        got = helpers.call(f"make_activation({name!r})(t)", module, t)
        check.close(got, helpers.FUNCTIONS[name](t), f"make_activation({name!r}) applied to linspace(-4, 4, 17)",
                     rtol=1e-5, atol=1e-6, mistakes={
                         "that is ReLU; leaky_relu keeps a small slope (0.01) for negative inputs": torch.relu(t),
                     } if name == "leaky_relu" else None)
    try:
        sub.make_activation("swish")
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        check.that(exc.kind == "ValueError", f"make_activation('swish') should raise ValueError for a name "
                                              f"it does not know; it raised {exc.kind}")
    else:
        raise check.CheckFailed("make_activation('swish') should raise ValueError for a name that is not in "
                                 "ACTIVATIONS; it returned something instead")


@pytest.mark.points(1)
@pytest.mark.judges("DiabetesNet")
def test_network_layers_and_forward(sub, ref, rng, device, worker, request):
    """DiabetesNet has linear1 (8 -> 6), linear2 (6 -> 4), linear3 (4 -> 1) and applies the activation after the first two"""
    check.stand_ins(request, worker, sub, make_activation=helpers.MAKE_ACTIVATION)
    name = "tanh"
    model = helpers.call(f"DiabetesNet({name!r})", sub.DiabetesNet, name)
    params = helpers.call("model.parameters()", lambda: list(model.parameters()))
    shapes = sorted(tuple(p.shape) if type(p) is torch.Tensor else () for p in params)
    wanted = sorted([(6, 8), (6,), (4, 6), (4,), (1, 4), (1,)])
    check.that(shapes == wanted, f"DiabetesNet should hold exactly the weights and biases of Linear(8, 6), "
                                  f"Linear(6, 4) and Linear(4, 1); its parameters have the shapes {shapes}")
    state = helpers.random_state(rng)
    model = helpers.student_net(sub, name, state, device)
    x = torch.tensor(rng.uniform(-1, 1, size=(9, 8)), dtype=torch.float32)
    with torch.no_grad():
        expected = helpers.ref_net(ref, name, state)(x)
    got = helpers.call("model(x) for x of shape (9, 8)", model, x)
    check.that(type(got) is torch.Tensor and tuple(got.shape) == (9, 1),
                f"model(x) for x of shape (9, 8) should be a tensor of shape (9, 1); got {check.describe(got)}")
    pre = helpers.hidden_pre_output(name, state, x)
    # The output layer is judged (and a wrong one named) by test_output_layer_stays_sigmoid.
    helpers.expect_output(got, expected, "DiabetesNet('tanh')(x)", {
        helpers.HIDDEN_SIGMOID: torch.sigmoid(helpers.hidden_pre_output("sigmoid", state, x))},
        loose=device == "cuda", accepted=list(
            helpers.output_mistakes(name, pre).values()))


@pytest.mark.points(1)
@pytest.mark.judges("DiabetesNet")
def test_output_layer_stays_sigmoid(sub, ref, rng, device, worker, request):
    """with ReLU in the hidden layers the output layer is still a sigmoid (BCELoss needs probabilities)"""
    check.stand_ins(request, worker, sub, make_activation=helpers.MAKE_ACTIVATION)
    name = "relu"
    state = helpers.random_state(rng)
    x = torch.tensor(rng.uniform(-1, 1, size=(16, 8)), dtype=torch.float32)
    # Make linear3's outputs spread over both signs and well past 1.
    pre = helpers.hidden_pre_output(name, state, x)
    spread = float(pre.max() - pre.min()) or 1.0
    state["linear3.weight"] = state["linear3.weight"] * (8.0 / spread)
    state["linear3.bias"] = state["linear3.bias"] - float(helpers.hidden_pre_output(name, state, x).median())
    model = helpers.student_net(sub, name, state, device)
    with torch.no_grad():
        expected = helpers.ref_net(ref, name, state)(x)
    got = helpers.call("model(x)", model, x)
    # Hidden layers that ignore the activation are named by test_network_layers_and_forward.
    sigmoid_hidden = torch.sigmoid(helpers.hidden_pre_output("sigmoid", state, x))
    helpers.expect_output(got, expected, "DiabetesNet('relu')(x)",
                          helpers.output_mistakes(name, helpers.hidden_pre_output(name, state, x)),
                          loose=device == "cuda", accepted=[sigmoid_hidden])


@pytest.mark.points(1)
@pytest.mark.judges("train", "<module>")
def test_train_course_settings(sub, ref, rng, worker, device):
    """train gives the reference's loss curve (BCELoss, SGD lr 0.1), one float per epoch before each step"""
    name, epochs, lr = "sigmoid", 10, 0.1
    x, y = helpers.data(rng, 48)
    state = helpers.initial_states(worker, 0, 1)[0]
    model = helpers.worker_net(worker, name, state, device)
    what = f"train's losses ({epochs} epochs, lr {lr}, a sigmoid network built from torch.nn)"
    got = helpers.call(f"train(model, x, y, {epochs})", sub.train, model, x, y, epochs)
    helpers.curve_of_floats(got, epochs, what)
    expected = ref.train(helpers.local_net(name, state), x, y, epochs, lr)
    mistakes = {text: curve for text, (curve, _) in helpers.train_mistakes(name, state, x, y, epochs, lr).items()}
    check.close(got, expected, what, rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda",
                 mistakes=mistakes)


@pytest.mark.points(1)
@pytest.mark.judges("accuracy")
def test_accuracy_threshold(sub, ref, rng, worker, device):
    """accuracy is the fraction of samples whose prediction (p >= 0.5) equals the label"""
    name, n = "tanh", 60
    x, _ = helpers.data(rng, n)
    state = helpers.random_state(rng)
    state["linear3.bias"] = state["linear3.bias"] + helpers.clear_threshold(helpers.hidden_pre_output(name, state, x))
    y = torch.tensor(rng.integers(0, 2, size=(n, 1)), dtype=torch.float32)
    model = helpers.worker_net(worker, name, state, device)
    got = helpers.call("accuracy(model, x, y)", sub.accuracy, model, x, y)
    check.that(type(got) is float, f"accuracy should return a Python float (use .item()); got {check.describe(got)}")
    local = helpers.local_net(name, state)
    expected = ref.accuracy(local, x, y)
    check.close(got, expected, f"accuracy(model, x, y) on {n} samples", rtol=1e-6, atol=1e-6,
                 mistakes=helpers.accuracy_mistakes(local, x, y, expected))


@pytest.mark.points(1)
@pytest.mark.judges("compare_activations", uses=["DiabetesNet", "train", "accuracy", "make_activation"])
def test_compare_same_initial_weights(sub, ref, rng, worker, device):
    """compare_activations starts every activation from the same initial weights (seeded before each network)"""
    names, epochs = ("sigmoid", "tanh", "relu"), 3
    x, y = helpers.data(rng, 40)
    what = f"compare_activations(x, y, names={names}, epochs={epochs})"
    got, own = helpers.run_compare(worker, sub, x, y, what, names=names, epochs=epochs)
    if got is None:
        return  # it fails inside the student's own DiabetesNet, train or accuracy, whose checks charge that
    helpers.expect_results(got, names, epochs)
    same = helpers.initial_states(worker, 0, len(names))
    seeded_once = helpers.initial_states(worker, 0, len(names), reseed=False)
    for i, name in enumerate(names):
        expected_model = helpers.ref_net(ref, name, same[i])
        expected = ref.train(expected_model, x, y, epochs, 0.1)
        drifted = ref.train(helpers.ref_net(ref, name, seeded_once[i]), x, y, epochs, 0.1)
        helpers.expect_compare(got, name, expected, ref.accuracy(expected_model, x, y), own, what, {
            "the networks do not all start from the same initial weights: torch.manual_seed(seed) is called "
            "once, so each network draws different random weights. Call it right before building each network, "
            "so that the comparison shows the activations, not the luck of the initialisation": drifted,
        }, loose=device == "cuda", unseeded=True)
