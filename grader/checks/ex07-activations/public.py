"""Public checks for ex07-activations: students run these locally."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost, type_names

pytestmark = pytest.mark.public

RTOL, ATOL = 1e-4, 1e-5
FUNCTIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "leaky_relu": F.leaky_relu,
             "elu": F.elu, "softplus": F.softplus}
CLASSES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
           "softplus": "Softplus"}
LAYERS = (("linear1", 8, 6), ("linear2", 6, 4), ("linear3", 4, 1))
OUTPUT_RULE = ("BCELoss needs probabilities, 0 <= p <= 1, because it takes log(p) and log(1 - p): keep "
               "torch.sigmoid(self.linear3(x)) on the output layer, whatever the hidden activation")


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _one_thread(worker):
    """Small models run on one thread, here and in the worker: on a busy machine torch's intra-op
    threads spin and wait for each other, and a tiny network trains ten times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    worker.import_module("torch").set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _call(what, fn, *args, **kwargs):
    """Call into the student's code; an exception it raises names the call that raised it."""
    try:
        return fn(*args, **kwargs)
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        if not exc.kind:
            raise
        message = f"{what} raised {exc}"
        if "between 0 and 1" in exc.message:
            message += f"\nThe network's output is not a probability. {OUTPUT_RULE}"
        raise expect.CheckFailed(message) from None


def _data(rng, n):
    """``n`` samples of 8 features in [-1, 1] (like the course data) with learnable 0/1 labels."""
    x = rng.uniform(-1.0, 1.0, size=(n, 8))
    w = rng.normal(size=8)
    y = (x @ w + 0.3 * rng.normal(size=n) > 0.2).astype(np.float64)[:, None]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def _random_state(rng, scale=0.7):
    return {f"{name}.{part}": torch.tensor(rng.normal(scale=scale, size=(o, i) if part == "weight" else (o,)),
                                           dtype=torch.float32)
            for name, i, o in LAYERS for part in ("weight", "bias")}


def _initial_states(worker, seed, count, reseed=True):
    """The weights of ``count`` networks built in the worker (on its device) after torch.manual_seed(seed):
    re-seeded before each network, or seeded once before the first."""
    torch_w = worker.import_module("torch")
    nn_w = worker.import_module("torch.nn")
    if not reseed:
        torch_w.manual_seed(seed)
    states = []
    for _ in range(count):
        if reseed:
            torch_w.manual_seed(seed)
        state = {}
        for name, i, o in LAYERS:
            layer = nn_w.Linear(i, o)
            state[f"{name}.weight"] = layer.weight.detach().clone()
            state[f"{name}.bias"] = layer.bias.detach().clone()
        states.append(state)
    return states


def _ref_net(ref, name, state):
    net = ref.DiabetesNet(name)
    net.load_state_dict(state)
    return net


def _student_net(sub, name, state, device):
    model = _call(f"DiabetesNet({name!r})", sub.DiabetesNet, name)
    expect.that("torch.nn.modules.module.Module" in type_names(model),
                f"DiabetesNet({name!r}) should build an nn.Module; got {expect.describe(model)}")
    _call(f"DiabetesNet({name!r}).load_state_dict(weights of linear1 (8 -> 6), linear2 (6 -> 4), linear3 (4 -> 1))",
          model.load_state_dict, state)
    _call("model.to(device)", model.to, device)
    return model


def _hidden_pre_output(name, state, x):
    """linear3's output (before the output activation) of the network with hidden activation ``name``."""
    act = FUNCTIONS[name]
    h = act(x @ state["linear1.weight"].T + state["linear1.bias"])
    h = act(h @ state["linear2.weight"].T + state["linear2.bias"])
    return h @ state["linear3.weight"].T + state["linear3.bias"]


def _output_mistakes(name, pre):
    """What a network gives whose output layer is not a sigmoid, and why that is wrong."""
    if name == "sigmoid":
        wrong = {}
    elif name == "relu":
        wrong = {("the output layer applies ReLU (the hidden activation) instead of a sigmoid. ReLU gives values "
                  "above 1, where BCELoss raises an error, and exactly 0 for every negative input, where "
                  "log(0) = -inf: BCELoss clamps that loss at 100 and no gradient flows back, so the network "
                  f"stops learning. {OUTPUT_RULE}"): torch.relu(pre)}
    elif name == "tanh":
        wrong = {("the output layer applies tanh (the hidden activation) instead of a sigmoid: tanh gives values "
                  f"in (-1, 1), and a negative 'probability' makes log(p) undefined. {OUTPUT_RULE}"): torch.tanh(pre)}
    else:
        wrong = {(f"the output layer applies {name} (the hidden activation) instead of a sigmoid: {name} is "
                  f"unbounded above, so it gives values above 1, where BCELoss raises an error. {OUTPUT_RULE}"):
                 FUNCTIONS[name](pre)}
    wrong[f"the output layer has no activation: linear3's raw output is not a probability. {OUTPUT_RULE}"] = pre
    return wrong


def _expect_output(got, expected, what, mistakes, loose):
    """The network's output: a named mistake first, then any value outside [0, 1], then the values."""
    values = expect.as_array(got, what)
    target = expect.as_array(expected, "the expected output")
    for text, wrong in mistakes.items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if values.shape == wrong.shape and np.allclose(values, wrong, rtol=RTOL, atol=ATOL) \
                and not np.allclose(values, target, rtol=RTOL, atol=ATOL):
            raise expect.CheckFailed(f"{what} is wrong: {text}")
    if values.size and (values.min() < 0 or values.max() > 1):
        raise expect.CheckFailed(f"{what} has values from {values.min():.3g} to {values.max():.3g}, outside [0, 1]. "
                                 f"{OUTPUT_RULE}")
    expect.close(values, target, what, rtol=RTOL, atol=ATOL, loose=loose)


def _variant_curve(ref, name, state, x, y, epochs, lr, *, reduction="mean", zero_grad=True, after_step=False):
    """The curve a training loop with one known mistake gives, computed here, trusted."""
    model = _ref_net(ref, name, state)
    # A list comprehension, not model.parameters() itself: list() would first ask the recorded
    # reference of the student kit for a len() that was never recorded.
    optimizer = torch.optim.SGD([p for p in model.parameters()], lr=lr)
    criterion = torch.nn.BCELoss(reduction=reduction)
    losses = []
    for _ in range(epochs):
        if zero_grad:
            optimizer.zero_grad()
        value = criterion(model(x), y)
        value.backward()
        optimizer.step()
        if after_step:
            with torch.no_grad():
                value = criterion(model(x), y)
        losses.append(value.item())
    return losses


def _train_mistakes(ref, name, state, x, y, epochs, lr):
    return {
        "the loss is summed over the samples; the course's BCELoss() takes their mean":
            lambda: _variant_curve(ref, name, state, x, y, epochs, lr, reduction="sum"),
        "the gradients are never zeroed, so they add up from step to step: call optimizer.zero_grad() "
        "before loss.backward()":
            lambda: _variant_curve(ref, name, state, x, y, epochs, lr, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step "
        "of epoch e":
            lambda: _variant_curve(ref, name, state, x, y, epochs, lr, after_step=True),
    }


def _expect_curve(got, expected, what, mistakes, loose):
    expect.that(type(got) is list, f"{what} should be a list of floats; got {expect.describe(got)}")
    expect.that(len(got) == len(expected), f"{what} should have one loss per epoch ({len(expected)}); "
                                            f"got {len(got)}")
    for value in got:
        expect.that(type(value) is float, f"{what} should hold Python floats (append loss.item(), not the loss "
                                          f"tensor); got {expect.describe(value)}")
    # The mistakes' curves are computed every time (not only on a mismatch), so that the student
    # kit, which replays the reference's recorded answers, can name them too.
    expect.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose,
                 mistakes={text: make() for text, make in mistakes.items()})


def _expect_results(got, names, epochs):
    """compare_activations' result has exactly ``names`` as keys, each with a loss curve and an accuracy."""
    expect.that(type(got) is dict, f"compare_activations should return a dict {{name: {{'losses': [...], "
                                   f"'accuracy': float}}}}; got {expect.describe(got)}")
    keys = list(got)
    expect.that(sorted(map(str, keys)) == sorted(names),
                f"compare_activations(x, y, names={tuple(names)}) should return one entry per name given, and "
                f"only those; got the keys {keys}")
    for name in names:
        entry = got[name]
        expect.that(type(entry) is dict and "losses" in entry and "accuracy" in entry,
                    f"results[{name!r}] should be a dict with the keys 'losses' and 'accuracy'; got "
                    f"{expect.describe(entry)}")
        expect.that(type(entry["accuracy"]) is float,
                    f"results[{name!r}]['accuracy'] should be a Python float; got {expect.describe(entry['accuracy'])}")
        losses = entry["losses"]
        expect.that(type(losses) is list and len(losses) == epochs,
                    f"results[{name!r}]['losses'] should be a list of {epochs} losses; got {expect.describe(losses)}")


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_make_activation(sub, ref):
    """make_activation gives the module of each name in ACTIVATIONS and rejects other names"""
    t = torch.linspace(-4.0, 4.0, 17)
    for name in ref.ACTIVATIONS:
        module = _call(f"make_activation({name!r})", sub.make_activation, name)
        kinds = type_names(module)
        expect.that("torch.nn.modules.module.Module" in kinds,
                    f"make_activation({name!r}) should return an nn module (nn.{CLASSES[name]}()); got "
                    f"{expect.describe(module)}")
        got = _call(f"make_activation({name!r})(t)", module, t)
        expect.close(got, FUNCTIONS[name](t), f"make_activation({name!r}) applied to linspace(-4, 4, 17)",
                     rtol=1e-5, atol=1e-6, mistakes={
                         "that is ReLU; leaky_relu keeps a small slope (0.01) for negative inputs": torch.relu(t),
                     } if name == "leaky_relu" else None)
    try:
        sub.make_activation("swish")
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        expect.that(exc.kind == "ValueError", f"make_activation('swish') should raise ValueError for a name "
                                              f"it does not know; it raised {exc.kind}")
    else:
        raise expect.CheckFailed("make_activation('swish') should raise ValueError for a name that is not in "
                                 "ACTIVATIONS; it returned something instead")


@pytest.mark.points(1)
def test_network_layers_and_forward(sub, ref, rng, device):
    """DiabetesNet has linear1 (8 -> 6), linear2 (6 -> 4), linear3 (4 -> 1) and computes the reference's forward"""
    name = "tanh"
    model = _call(f"DiabetesNet({name!r})", sub.DiabetesNet, name)
    expect.that("torch.nn.modules.module.Module" in type_names(model),
                f"DiabetesNet({name!r}) should build an nn.Module; got {expect.describe(model)}")
    params = list(iter(_call("model.parameters()", model.parameters)))
    shapes = sorted(tuple(p.shape) for p in params)
    wanted = sorted([(6, 8), (6,), (4, 6), (4,), (1, 4), (1,)])
    expect.that(shapes == wanted, f"DiabetesNet should hold exactly the weights and biases of Linear(8, 6), "
                                  f"Linear(6, 4) and Linear(4, 1); its parameters have the shapes {shapes}")
    state = _random_state(rng)
    model = _student_net(sub, name, state, device)
    x = torch.tensor(rng.uniform(-1, 1, size=(9, 8)), dtype=torch.float32)
    with torch.no_grad():
        expected = _ref_net(ref, name, state)(x)
    got = _call("model(x) for x of shape (9, 8)", model, x)
    expect.that(type(got) is torch.Tensor and tuple(got.shape) == (9, 1),
                f"model(x) for x of shape (9, 8) should be a tensor of shape (9, 1); got {expect.describe(got)}")
    sigmoid_hidden = torch.sigmoid(_hidden_pre_output("sigmoid", state, x))
    _expect_output(got, expected, "DiabetesNet('tanh')(x)", {
        **_output_mistakes(name, _hidden_pre_output(name, state, x)),
        "the hidden layers use a sigmoid whatever the activation asked for; DiabetesNet('tanh') applies tanh "
        "after linear1 and linear2": sigmoid_hidden,
    }, loose=device == "cuda")


@pytest.mark.points(1)
def test_output_layer_stays_sigmoid(sub, ref, rng, device):
    """with ReLU in the hidden layers the output layer is still a sigmoid (BCELoss needs probabilities)"""
    name = "relu"
    state = _random_state(rng)
    x = torch.tensor(rng.uniform(-1, 1, size=(16, 8)), dtype=torch.float32)
    # Make linear3's outputs spread over both signs and well past 1.
    pre = _hidden_pre_output(name, state, x)
    spread = float(pre.max() - pre.min()) or 1.0
    state["linear3.weight"] = state["linear3.weight"] * (8.0 / spread)
    state["linear3.bias"] = state["linear3.bias"] - float(_hidden_pre_output(name, state, x).median())
    model = _student_net(sub, name, state, device)
    with torch.no_grad():
        expected = _ref_net(ref, name, state)(x)
    got = _call("model(x)", model, x)
    _expect_output(got, expected, "DiabetesNet('relu')(x)",
                   _output_mistakes(name, _hidden_pre_output(name, state, x)), loose=device == "cuda")


@pytest.mark.points(1)
def test_train_course_settings(sub, ref, rng, worker, device):
    """train gives the reference's loss curve (BCELoss, SGD lr 0.1), one float per epoch before each step"""
    name, epochs, lr = "sigmoid", 10, 0.1
    x, y = _data(rng, 48)
    state = _initial_states(worker, 0, 1)[0]
    model = _student_net(sub, name, state, device)
    got = _call(f"train(model, x, y, {epochs})", sub.train, model, x, y, epochs)
    expected = ref.train(_ref_net(ref, name, state), x, y, epochs, lr)
    _expect_curve(got, expected, f"train's losses ({epochs} epochs, lr {lr}, sigmoid network)",
                  _train_mistakes(ref, name, state, x, y, epochs, lr), loose=device == "cuda")


@pytest.mark.points(1)
def test_compare_same_initial_weights(sub, ref, rng, worker, device):
    """compare_activations starts every activation from the same initial weights (seeded before each network)"""
    names, epochs = ("sigmoid", "tanh", "relu"), 3
    x, y = _data(rng, 40)
    got = _call(f"compare_activations(x, y, names={names}, epochs={epochs})", sub.compare_activations, x, y,
                names=names, epochs=epochs)
    _expect_results(got, names, epochs)
    same = _initial_states(worker, 0, len(names))
    seeded_once = _initial_states(worker, 0, len(names), reseed=False)
    for i, name in enumerate(names):
        expected = ref.train(_ref_net(ref, name, same[i]), x, y, epochs, 0.1)
        drifted = ref.train(_ref_net(ref, name, seeded_once[i]), x, y, epochs, 0.1)
        start = expect.number(got[name]["losses"][0], f"results[{name!r}]['losses'][0]")
        what = f"the initial loss of {name!r} (results[{name!r}]['losses'][0])"
        mistakes = {
            "the networks do not all start from the same initial weights: torch.manual_seed(seed) is called "
            "once, so each network draws different random weights. Call it right before building each network, "
            "so that the comparison shows the activations, not the luck of the initialisation": drifted[0],
            f"it is {len(x)} times the mean: the losses are summed; the course's BCELoss() takes their mean":
                expected[0] * len(x),
        }
        if not any(np.isclose(start, value, rtol=1e-3, atol=1e-4) for value in [expected[0], *mistakes.values()]):
            raise expect.CheckFailed(
                f"{what} is {start:.6g}, but the network built right after torch.manual_seed(0) starts at "
                f"{expected[0]:.6g}: every network must start from the same initial weights. Call "
                f"torch.manual_seed(seed) right before each DiabetesNet(name), and create linear1, linear2 and "
                f"linear3 in this order")
        expect.close(start, expected[0], what, rtol=RTOL, atol=ATOL, loose=device == "cuda", mistakes=mistakes)
        expect.close(got[name]["losses"], expected, f"results[{name!r}]['losses']", rtol=RTOL, atol=ATOL,
                     loose=device == "cuda")
