"""Helpers shared by the public and hidden checks of ex07-activations: calls into the student's code,
random data and weights, networks with given weights, what a network without a sigmoid output gives,
and the loss curves of the usual training-loop mistakes."""

import numpy as np
import torch
import torch.nn.functional as F

from pttutor.grader import check

RTOL, ATOL = 1e-4, 1e-5
FUNCTIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "leaky_relu": F.leaky_relu,
             "elu": F.elu, "softplus": F.softplus}
CLASSES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
           "softplus": "Softplus"}
LAYERS = (("linear1", 8, 6), ("linear2", 6, 4), ("linear3", 4, 1))
OUTPUT_RULE = ("BCELoss needs probabilities, 0 <= p <= 1, because it takes log(p) and log(1 - p): keep "
               "torch.sigmoid(self.linear3(x)) on the output layer, whatever the hidden activation")


def call(what, fn, *args, **kwargs):
    """Call into the student's code (see ``check.call``), explaining the usual cause of one error."""
    return check.call(what, fn, *args, explain=_explain, **kwargs)


def _explain(exc):
    if "between 0 and 1" in exc.message:
        return f"The network's output is not a probability. {OUTPUT_RULE}"
    return ""


def data(rng, n):
    """``n`` samples of 8 features in [-1, 1] (like the course data) with learnable 0/1 labels."""
    x = rng.uniform(-1.0, 1.0, size=(n, 8))
    w = rng.normal(size=8)
    y = (x @ w + 0.3 * rng.normal(size=n) > 0.2).astype(np.float64)[:, None]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def random_state(rng, scale=0.7):
    return {f"{name}.{part}": torch.tensor(rng.normal(scale=scale, size=(o, i) if part == "weight" else (o,)),
                                           dtype=torch.float32)
            for name, i, o in LAYERS for part in ("weight", "bias")}


def initial_states(worker, seed, count, reseed=True):
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


def ref_net(ref, name, state):
    net = ref.DiabetesNet(name)
    net.load_state_dict(state)
    return net


def student_net(sub, name, state, device):
    model = call(f"DiabetesNet({name!r})", sub.DiabetesNet, name)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"DiabetesNet({name!r}) should build an nn.Module; got {check.describe(model)}")
    call(f"DiabetesNet({name!r}).load_state_dict(weights of linear1 (8 -> 6), linear2 (6 -> 4), linear3 (4 -> 1))",
         model.load_state_dict, state)
    call("model.to(device)", model.to, device)
    return model


def hidden_pre_output(name, state, x):
    """linear3's output (before the output activation) of the network with hidden activation ``name``."""
    act = FUNCTIONS[name]
    h = act(x @ state["linear1.weight"].T + state["linear1.bias"])
    h = act(h @ state["linear2.weight"].T + state["linear2.bias"])
    return h @ state["linear3.weight"].T + state["linear3.bias"]


def output_mistakes(name, pre):
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


def expect_output(got, expected, what, mistakes, loose):
    """The network's output: a named mistake first, then any value outside [0, 1], then the values."""
    values = check.as_array(got, what)
    target = check.as_array(expected, "the expected output")
    for text, wrong in mistakes.items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if values.shape == wrong.shape and np.allclose(values, wrong, rtol=RTOL, atol=ATOL) \
                and not np.allclose(values, target, rtol=RTOL, atol=ATOL):
            raise check.CheckFailed(f"{what} is wrong: {text}")
    if values.size and (values.min() < 0 or values.max() > 1):
        raise check.CheckFailed(f"{what} has values from {values.min():.3g} to {values.max():.3g}, outside [0, 1]. "
                                 f"{OUTPUT_RULE}")
    check.close(values, target, what, rtol=RTOL, atol=ATOL, loose=loose)


def variant_curve(ref, name, state, x, y, epochs, lr, *, reduction="mean", zero_grad=True, after_step=False):
    """The curve a training loop with one known mistake gives, computed here, trusted."""
    model = ref_net(ref, name, state)
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


def train_mistakes(ref, name, state, x, y, epochs, lr):
    return {
        "the loss is summed over the samples; the course's BCELoss() takes their mean":
            lambda: variant_curve(ref, name, state, x, y, epochs, lr, reduction="sum"),
        "the gradients are never zeroed, so they add up from step to step: call optimizer.zero_grad() "
        "before loss.backward()":
            lambda: variant_curve(ref, name, state, x, y, epochs, lr, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step "
        "of epoch e":
            lambda: variant_curve(ref, name, state, x, y, epochs, lr, after_step=True),
    }


def expect_curve(got, expected, what, mistakes, loose, lazy=False):
    """``got`` is a list of one float per epoch that matches ``expected``; on a mismatch, name the mistake
    that explains it, if any. ``lazy``: compute the mistakes' curves only on a mismatch, which is faster
    but needs the reference itself (the student kit only replays the answers recorded eagerly)."""
    check.that(type(got) is list, f"{what} should be a list of floats; got {check.describe(got)}")
    check.that(len(got) == len(expected), f"{what} should have one loss per epoch ({len(expected)}); "
                                            f"got {len(got)}")
    for value in got:
        check.that(type(value) is float, f"{what} should hold Python floats (append loss.item(), not the loss "
                                          f"tensor); got {check.describe(value)}")
    if lazy:
        try:
            check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose)
        except check.CheckFailed:
            check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose,
                         mistakes={text: make() for text, make in mistakes.items()})
            raise
        return
    # The mistakes' curves are computed every time (not only on a mismatch), so that the student
    # kit, which replays the reference's recorded answers, can name them too.
    check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose,
                 mistakes={text: make() for text, make in mistakes.items()})


def expect_results(got, names, epochs):
    """compare_activations' result has exactly ``names`` as keys, each with a loss curve and an accuracy."""
    check.that(type(got) is dict, f"compare_activations should return a dict {{name: {{'losses': [...], "
                                   f"'accuracy': float}}}}; got {check.describe(got)}")
    keys = list(got)
    check.that(sorted(map(str, keys)) == sorted(names),
                f"compare_activations(x, y, names={tuple(names)}) should return one entry per name given, and "
                f"only those; got the keys {keys}")
    for name in names:
        entry = got[name]
        check.that(type(entry) is dict and "losses" in entry and "accuracy" in entry,
                    f"results[{name!r}] should be a dict with the keys 'losses' and 'accuracy'; got "
                    f"{check.describe(entry)}")
        check.that(type(entry["accuracy"]) is float,
                    f"results[{name!r}]['accuracy'] should be a Python float; got {check.describe(entry['accuracy'])}")
        losses = entry["losses"]
        check.that(type(losses) is list and len(losses) == epochs,
                    f"results[{name!r}]['losses'] should be a list of {epochs} losses; got {check.describe(losses)}")
