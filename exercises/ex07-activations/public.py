"""Public checks for ex07-activations: students run these locally."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_make_activation(sub, ref):
    """make_activation gives the module of each name in ACTIVATIONS and rejects other names"""
    t = torch.linspace(-4.0, 4.0, 17)
    for name in ref.ACTIVATIONS:
        module = helpers.call(f"make_activation({name!r})", sub.make_activation, name)
        kinds = check.type_names(module)
        check.that("torch.nn.modules.module.Module" in kinds,
                    f"make_activation({name!r}) should return an nn module (nn.{helpers.CLASSES[name]}()); got "
                    f"{check.describe(module)}")
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
def test_network_layers_and_forward(sub, ref, rng, device):
    """DiabetesNet has linear1 (8 -> 6), linear2 (6 -> 4), linear3 (4 -> 1) and computes the reference's forward"""
    name = "tanh"
    model = helpers.call(f"DiabetesNet({name!r})", sub.DiabetesNet, name)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"DiabetesNet({name!r}) should build an nn.Module; got {check.describe(model)}")
    params = list(iter(helpers.call("model.parameters()", model.parameters)))
    shapes = sorted(tuple(p.shape) for p in params)
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
    sigmoid_hidden = torch.sigmoid(helpers.hidden_pre_output("sigmoid", state, x))
    helpers.expect_output(got, expected, "DiabetesNet('tanh')(x)", {
               **helpers.output_mistakes(name, helpers.hidden_pre_output(name, state, x)),
               "the hidden layers use a sigmoid whatever the activation asked for; DiabetesNet('tanh') applies tanh "
               "after linear1 and linear2": sigmoid_hidden,
    }, loose=device == "cuda")


@pytest.mark.points(1)
def test_output_layer_stays_sigmoid(sub, ref, rng, device):
    """with ReLU in the hidden layers the output layer is still a sigmoid (BCELoss needs probabilities)"""
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
    helpers.expect_output(got, expected, "DiabetesNet('relu')(x)",
                          helpers.output_mistakes(name, helpers.hidden_pre_output(name, state, x)),
                          loose=device == "cuda")


@pytest.mark.points(1)
def test_train_course_settings(sub, ref, rng, worker, device):
    """train gives the reference's loss curve (BCELoss, SGD lr 0.1), one float per epoch before each step"""
    name, epochs, lr = "sigmoid", 10, 0.1
    x, y = helpers.data(rng, 48)
    state = helpers.initial_states(worker, 0, 1)[0]
    model = helpers.student_net(sub, name, state, device)
    got = helpers.call(f"train(model, x, y, {epochs})", sub.train, model, x, y, epochs)
    expected = ref.train(helpers.ref_net(ref, name, state), x, y, epochs, lr)
    helpers.expect_curve(got, expected, f"train's losses ({epochs} epochs, lr {lr}, sigmoid network)",
                         helpers.train_mistakes(ref, name, state, x, y, epochs, lr), loose=device == "cuda")


@pytest.mark.points(1)
def test_compare_same_initial_weights(sub, ref, rng, worker, device):
    """compare_activations starts every activation from the same initial weights (seeded before each network)"""
    names, epochs = ("sigmoid", "tanh", "relu"), 3
    x, y = helpers.data(rng, 40)
    got = helpers.call(f"compare_activations(x, y, names={names}, epochs={epochs})", sub.compare_activations, x, y,
                       names=names, epochs=epochs)
    helpers.expect_results(got, names, epochs)
    same = helpers.initial_states(worker, 0, len(names))
    seeded_once = helpers.initial_states(worker, 0, len(names), reseed=False)
    for i, name in enumerate(names):
        expected = ref.train(helpers.ref_net(ref, name, same[i]), x, y, epochs, 0.1)
        drifted = ref.train(helpers.ref_net(ref, name, seeded_once[i]), x, y, epochs, 0.1)
        start = check.number(got[name]["losses"][0], f"results[{name!r}]['losses'][0]")
        what = f"the initial loss of {name!r} (results[{name!r}]['losses'][0])"
        mistakes = {
            "the networks do not all start from the same initial weights: torch.manual_seed(seed) is called "
            "once, so each network draws different random weights. Call it right before building each network, "
            "so that the comparison shows the activations, not the luck of the initialisation": drifted[0],
            f"it is {len(x)} times the mean: the losses are summed; the course's BCELoss() takes their mean":
                expected[0] * len(x),
        }
        if not any(np.isclose(start, value, rtol=1e-3, atol=1e-4) for value in [expected[0], *mistakes.values()]):
            raise check.CheckFailed(
                f"{what} is {start:.6g}, but the network built right after torch.manual_seed(0) starts at "
                f"{expected[0]:.6g}: every network must start from the same initial weights. Call "
                f"torch.manual_seed(seed) right before each DiabetesNet(name), and create linear1, linear2 and "
                f"linear3 in this order")
        check.close(start, expected[0], what, rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda",
                     mistakes=mistakes)
        check.close(got[name]["losses"], expected, f"results[{name!r}]['losses']", rtol=helpers.RTOL,
                     atol=helpers.ATOL, loose=device == "cuda")
