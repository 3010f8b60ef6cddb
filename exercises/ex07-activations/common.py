"""Helpers shared by the public and hidden checks of ex07-activations: calls into the student's code,
random data and weights, networks with given weights (the student's DiabetesNet, or one built inside
the worker from torch.nn for the checks of the other parts), what a network without a sigmoid output
gives, and the loss curves of the usual training-loop mistakes."""

import numpy as np
import torch
import torch.nn.functional as F

from pttutor.grader import check

RTOL, ATOL = 1e-4, 1e-5
FUNCTIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "leaky_relu": F.leaky_relu,
             "elu": F.elu, "softplus": F.softplus}
CLASSES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
           "softplus": "Softplus"}
# The stub's make_activation, standing in for the student's while DiabetesNet is judged.
MAKE_ACTIVATION = f"lambda name: getattr(__import__('torch').nn, {CLASSES!r}[name])()"
LAYERS = (("linear1", 8, 6), ("linear2", 6, 4), ("linear3", 4, 1))
OUTPUT_RULE = ("BCELoss needs probabilities, 0 <= p <= 1, because it takes log(p) and log(1 - p): keep "
               "torch.sigmoid(self.linear3(x)) on the output layer, whatever the hidden activation")
HIDDEN_SIGMOID = ("the hidden layers use a sigmoid whatever the activation asked for; DiabetesNet(name) applies "
                  "the activation of that name after linear1 and linear2")


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
    """The student's DiabetesNet(name) with the weights ``state``, loaded by the names the stub fixes
    (a layer that is also registered elsewhere, e.g. inside an nn.Sequential, keeps its weights)."""
    model = call(f"DiabetesNet({name!r})", sub.DiabetesNet, name)
    what = f"DiabetesNet({name!r})"
    result = call(f"{what}.load_state_dict(weights of linear1 (8 -> 6), linear2 (6 -> 4), linear3 (4 -> 1))",
                  model.load_state_dict, state, strict=False)
    unknown = result[1] if type(result) in (tuple, list) and len(result) == 2 else []
    missing = sorted(k for k in unknown if k in state)
    check.that(not missing, f"{what} has no {', '.join(missing)}: the network's layers must be self.linear1 = "
                            f"nn.Linear(8, 6), self.linear2 = nn.Linear(6, 4) and self.linear3 = nn.Linear(4, 1)")
    call("model.to(device)", model.to, device)
    return model


def _sequential(nn, name, state):
    """8 -> 6 -> 4 -> 1 with activation ``name`` and a sigmoid output, as an nn.Sequential of ``nn``."""
    act = getattr(nn, CLASSES[name])
    model = nn.Sequential(nn.Linear(8, 6), act(), nn.Linear(6, 4), act(), nn.Linear(4, 1), nn.Sigmoid())
    model.load_state_dict({f"{2 * k}.{key.split('.')[1]}": value for k, (layer, _, _) in enumerate(LAYERS)
                           for key, value in state.items() if key.startswith(layer + ".")})
    return model


def worker_net(worker, name, state, device):
    """A network like DiabetesNet(name) built inside the worker from torch.nn (not the student's class)."""
    model = _sequential(worker.import_module("torch.nn"), name, state)
    model.to(device)
    return model


def local_net(name, state):
    """The trusted twin of ``worker_net``."""
    return _sequential(torch.nn, name, state)


def sequential_state(got):
    """The weights of a ``worker_net`` under DiabetesNet's names."""
    return {f"{layer}.{part}": got[f"{2 * k}.{part}"] for k, (layer, _, _) in enumerate(LAYERS)
            for part in ("weight", "bias")}


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


def expect_output(got, expected, what, mistakes, loose, accepted=()):
    """The network's output: one of ``accepted`` (what is right given the student's own make_activation,
    or a mistake another check names and charges) passes; else a named mistake, then any value outside
    [0, 1], then the values."""
    values = check.as_array(got, what)
    target = check.as_array(expected, "the expected output")
    rtol, atol = (max(RTOL, 1e-3), max(ATOL, 1e-4)) if loose else (RTOL, ATOL)
    for fine in accepted:
        fine = check.as_array(fine, "an accepted output")
        if values.shape == fine.shape and np.allclose(values, fine, rtol=rtol, atol=atol):
            return
    for text, wrong in mistakes.items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if values.shape == wrong.shape and np.allclose(values, wrong, rtol=rtol, atol=atol) \
                and not np.allclose(values, target, rtol=rtol, atol=atol):
            raise check.CheckFailed(f"{what} is wrong: {text}")
    if values.size and (values.min() < 0 or values.max() > 1):
        raise check.CheckFailed(f"{what} has values from {values.min():.3g} to {values.max():.3g}, outside [0, 1]. "
                                 f"{OUTPUT_RULE}")
    check.close(values, target, what, rtol=RTOL, atol=ATOL, loose=loose)


def variant_curve(name, state, x, y, epochs, lr, *, reduction="mean", zero_grad=True, after_step=False):
    """The curve (and the final weights) that a training loop with one known mistake gives, computed
    here, trusted."""
    model = local_net(name, state)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
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
    return losses, sequential_state(model.state_dict())


def train_mistakes(name, state, x, y, epochs, lr):
    """The training-loop mistakes that test_train_course_settings names: {text: (curve, final weights)}."""
    return {
        "the loss is summed over the samples; the course's BCELoss() takes their mean":
            variant_curve(name, state, x, y, epochs, lr, reduction="sum"),
        "the gradients are never zeroed, so they add up from step to step: call optimizer.zero_grad() "
        "before loss.backward()":
            variant_curve(name, state, x, y, epochs, lr, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step "
        "of epoch e":
            variant_curve(name, state, x, y, epochs, lr, after_step=True),
    }


def clear_threshold(pre):
    """A shift for linear3's bias that splits the samples near their middle with no probability close
    to 0.5, so that p >= 0.5 and p > 0.5 give the same predictions (the checks set no ties)."""
    values = np.sort(check.as_array(pre, "linear3's output").reshape(-1))
    low, high = len(values) // 4, 3 * len(values) // 4
    k = low + int(np.argmax(np.diff(values[low:high + 1])))
    return -float(values[k] + values[k + 1]) / 2


def accuracy_mistakes(model, x, y, expected):
    """What the usual accuracy mistakes give for the trusted ``model`` on (x, y): {mistake: value}."""
    with torch.no_grad():
        p = model(x)
    predictions = (p >= 0.5).float()
    return {
        "that is a percentage; return the fraction between 0 and 1": 100 * expected,
        "that is the number of correct predictions; divide by the number of samples": expected * len(y),
        "the predictions come from argmax(dim=1), which is always 0 for a single output column: threshold "
        "the probability instead, (p >= 0.5)": float((y == 0).float().mean()),
        "the probabilities are compared with the labels without a threshold at 0.5": float((p == y).float().mean()),
        "the predictions are inverted: class 1 where p >= 0.5": 1 - expected,
        "predictions of shape (n,) are compared with labels of shape (n, 1), which broadcasts to an (n, n) "
        "table: compare tensors of the same shape": float((predictions.view(-1)[None, :] == y).float().mean()),
    }


def curve_of_floats(got, epochs, what):
    """``got`` is a list of one Python float per epoch."""
    check.that(type(got) is list, f"{what} should be a list of floats; got {check.describe(got)}")
    check.that(len(got) == epochs, f"{what} should have one loss per epoch ({epochs}); got {len(got)}")
    for value in got:
        check.that(type(value) is float, f"{what} should hold Python floats (append loss.item(), not the loss "
                                          f"tensor); got {check.describe(value)}")


def matches(got, expected, loose):
    """Whether ``got`` equals ``expected`` within the checks' tolerance."""
    a, b = check.as_array(got, "got"), check.as_array(expected, "expected")
    rtol, atol = (max(RTOL, 1e-3), max(ATOL, 1e-4)) if loose else (RTOL, ATOL)
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def expect_results(got, names, epochs, extra_keys=False):
    """compare_activations' result has exactly ``names`` as keys (``extra_keys``: at least those), each
    with a loss curve and an accuracy."""
    check.that(type(got) is dict, f"compare_activations should return a dict {{name: {{'losses': [...], "
                                   f"'accuracy': float}}}}; got {check.describe(got)}")
    keys = list(got)
    check.that(set(names) <= set(keys) if extra_keys else sorted(map(str, keys)) == sorted(names),
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


def own_results(worker, sub, x, y, names, epochs, lr, seed):
    """What compare_activations should return given the student's own DiabetesNet, train and accuracy
    (seeded before each network): ({name: {"losses", "accuracy"}}, None), or (None, the error one of
    them raised)."""
    torch_w = worker.import_module("torch")
    out = {}
    try:
        for name in names:
            torch_w.manual_seed(seed)
            model = sub.DiabetesNet(name)
            out[name] = {"losses": sub.train(model, x, y, epochs, lr), "accuracy": sub.accuracy(model, x, y)}
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        return None, exc
    return out, None


def run_compare(worker, sub, x, y, what, **kwargs):
    """(the student's compare_activations(x, y, **kwargs), what its own parts give). The first is None
    where compare_activations raises just what its parts raise: their checks charge that, unless it is
    a part left undone, which the check names."""
    settings = {"epochs": 100, "lr": 0.1, "seed": 0, **kwargs}  # compare_activations' defaults; names is given
    own, error = own_results(worker, sub, x, y, **settings)
    try:
        return sub.compare_activations(x, y, **kwargs), own
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        if error is not None and exc.kind not in ("", "NotImplementedError") \
                and (error.kind, error.message) == (exc.kind, exc.message):
            return None, own
    return call(what, sub.compare_activations, x, y, **kwargs), own


def expect_compare(got, name, expected_losses, expected_accuracy, own, what, mistakes, loose, unseeded=False):
    """One entry of compare_activations' result: the reference's, or the student's own parts' result
    (compare_activations is judged on seeding, building, training and measuring in the right order).
    ``unseeded``: a first loss that matches nothing known is blamed on the initial weights."""
    entry = got[name]
    if own is not None and matches(entry["losses"], own[name]["losses"], loose) \
            and matches(entry["accuracy"], own[name]["accuracy"], loose):
        return
    first = check.number(entry["losses"][0], f"results[{name!r}]['losses'][0]")
    known = [expected_losses[0]] + [curve[0] for curve in mistakes.values()]
    if own is not None:
        known.append(own[name]["losses"][0])
    if unseeded and not any(np.isclose(first, value, rtol=1e-3, atol=1e-4) for value in known):
        raise check.CheckFailed(
            f"the initial loss of {name!r} (results[{name!r}]['losses'][0]) is {first:.6g}, but the network built "
            f"right after torch.manual_seed(seed) starts at {expected_losses[0]:.6g}: every network must start from "
            f"the same initial weights. Call torch.manual_seed(seed) right before each DiabetesNet(name), and "
            f"create linear1, linear2 and linear3 in this order")
    check.close(entry["losses"], expected_losses, f"results[{name!r}]['losses'] ({what})", rtol=RTOL, atol=ATOL,
                 loose=loose, mistakes=mistakes)
    check.close(entry["accuracy"], expected_accuracy, f"results[{name!r}]['accuracy'], the accuracy on (x, y) after "
                 f"training ({what})", rtol=1e-6, atol=1e-6)
