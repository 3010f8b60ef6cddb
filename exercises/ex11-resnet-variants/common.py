"""Helpers shared by the public and hidden checks of ex11-resnet-variants.

Each unit is judged on its own: the check builds the student's class directly (the class
names are fixed in the stub), never through ``make_unit``; the weights come from a fresh
reference unit with batch-norm statistics and affine parameters drawn at grading time, so
that batch norm matters. The outputs that the usual mistakes give are computed here with
``torch.nn.functional`` from the same weights, so the messages can name the mistake.

The second half holds helpers that the checks of ex11-densenet, ex12-rnn-hello and both ex13
exercises load from here too: loading weights by the stub's names (extra registrations
allowed), inputs drawn from the check's ``rng``, stand-in modules, recorders that answer for
the helpers a part calls (``calls_recorded``), gradients checked by finite differences, and
trusted training losses. They belong with the engine's ``pttutor.grader.check``.
"""

import contextlib
import copy

import torch
import torch.nn.functional as F

from pttutor.grader import check

CLASSES = {
    "course": "ResidualBlock",
    "original": "OriginalUnit",
    "constant_scaling": "ConstantScalingUnit",
    "exclusive_gating": "ExclusiveGatingUnit",
    "shortcut_only_gating": "ShortcutOnlyGatingUnit",
    "conv_shortcut": "ConvShortcutUnit",
    "dropout_shortcut": "DropoutShortcutUnit",
    "bn_after_addition": "BNAfterAdditionUnit",
    "relu_before_addition": "ReLUBeforeAdditionUnit",
    "relu_only_preactivation": "ReLUOnlyPreActivationUnit",
    "full_preactivation": "FullPreActivationUnit",
}
SHORTCUT_VARIANTS = ["original", "constant_scaling", "exclusive_gating", "shortcut_only_gating",
                     "conv_shortcut", "dropout_shortcut"]
ACTIVATION_VARIANTS = ["bn_after_addition", "relu_before_addition", "relu_only_preactivation",
                       "full_preactivation"]
NAMES = list(CLASSES)
NOTHING_AFTER_ADDITION = {"relu_before_addition", "relu_only_preactivation", "full_preactivation"}


def unit_call(name, channels):
    """How a message names the construction of a unit: ``OriginalUnit(4)``."""
    return f"{CLASSES[name]}({channels})"


def reference_state(ref, name, channels, rng):
    """The weights of a fresh reference unit, with batch-norm statistics and affine parameters drawn from ``rng``."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    return random_batch_norm(getattr(ref, CLASSES[name])(channels).state_dict(), rng)


def branch_end(name):
    """The parameters of the last layer of the residual branch."""
    if name == "course":
        return ["conv2.weight", "conv2.bias"]
    if name in ("bn_after_addition", "full_preactivation"):
        return ["conv2.weight"]
    return ["bn2.weight", "bn2.bias"]


def zero_branch(state, name):
    """A copy of ``state`` with the last layer of the residual branch zeroed, so that F(x) = 0."""
    zeroed = dict(state)
    for key in branch_end(name):
        zeroed[key] = torch.zeros_like(state[key])
    return zeroed


def reference_output(ref, name, channels, state, x):
    """What the reference unit with the weights ``state`` outputs for ``x`` in eval mode."""
    return output_with(getattr(ref, CLASSES[name])(channels), state, x)


def student_unit(sub, name, channels, state):
    """The student's class for ``name`` built directly (not through make_unit), weights loaded, in eval mode."""
    what = unit_call(name, channels)
    unit = check.call(what, getattr(sub, CLASSES[name]), channels)
    load_layers(unit, state, what)
    unit.eval()
    return unit


# ---------------------------------------------------------------- helpers the checks of other exercises use too
# (ex11-densenet, ex12-rnn-hello, ex13-name-classifier, ex13-sentiment load them from here)


def normal(rng, *shape):
    """A float32 tensor of standard normal numbers drawn from ``rng``, not from torch's generator: building
    the reference's modules draws from torch's, and the student kit replays the reference without building
    them, so inputs drawn from torch's generator after them would differ there."""
    return torch.from_numpy(rng.normal(size=shape)).float()


def random_batch_norm(state, rng):
    """A copy of ``state`` with every batch norm's statistics and affine parameters drawn from ``rng``."""
    state = {k: v.clone() for k, v in state.items()}
    draw = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    for prefix in [k.removesuffix("running_mean") for k in state if k.endswith("running_mean")]:
        shape = state[prefix + "running_mean"].shape
        state[prefix + "running_mean"] = torch.randn(shape, generator=draw) * 0.5
        state[prefix + "running_var"] = torch.rand(shape, generator=draw) * 1.5 + 0.5
        if prefix + "weight" in state:
            state[prefix + "weight"] = torch.rand(shape, generator=draw) + 0.5
            state[prefix + "bias"] = torch.randn(shape, generator=draw) * 0.3
    return state


def conv(x, s, name, padding=1, stride=1):
    """The convolution ``name`` of the weights ``s`` applied to ``x``."""
    return F.conv2d(x, s[f"{name}.weight"], s.get(f"{name}.bias"), stride=stride, padding=padding)


def batch_norm(x, s, name):
    """The batch norm ``name`` of the weights ``s`` applied to ``x`` in eval mode."""
    return F.batch_norm(x, s[f"{name}.running_mean"], s[f"{name}.running_var"], s.get(f"{name}.weight"),
                        s.get(f"{name}.bias"), False, 0.0, 1e-5)


def output_with(module, state, *inputs):
    """What the reference's ``module`` outputs for ``inputs`` with the weights ``state``, in eval mode."""
    module.load_state_dict(state)
    module.eval()
    with torch.no_grad():
        return module(*inputs)


def gradient_matches_outputs(worker, module, x, what, seed, step=1e-6):
    """autograd's gradient of ``module`` (float64, in the worker) with respect to its input agrees with
    central finite differences of the module's own outputs along random directions.

    This judges only that the gradient reaches the input intact (nothing detached, nothing
    changed in place), whatever the module computes. ``seed`` is set before every call, so a
    module with randomness is one function.
    """
    worker.seed(seed)
    v = torch.randn(check.as_array(module(x), f"the output of {what}").shape, dtype=torch.float64)
    worker.seed(seed)
    result = check.call(f"torch.autograd.functional.vjp({what}, x, v)",
                        worker.import_module("torch.autograd.functional").vjp, module, x, v)
    check.that(type(result) is tuple and len(result) == 2,
               f"autograd could not differentiate {what}; got {check.describe(result)}")
    grad = check.as_array(result[1], f"the gradient of {what} with respect to its input")
    check.that(grad.shape == tuple(x.shape) and abs(grad).max() > 0,
               f"no gradient reaches the input of {what}: do not detach x or use x.data")
    for _ in range(2):
        d = torch.randn(x.shape, dtype=torch.float64)
        worker.seed(seed)
        ahead = check.as_array(module(x + step * d), f"the output of {what}")
        worker.seed(seed)
        behind = check.as_array(module(x - step * d), f"the output of {what}")
        numeric = float((v.numpy() * (ahead - behind)).sum() / (2 * step))
        autograd = float((grad * d.numpy()).sum())
        check.that(abs(numeric - autograd) <= 1e-4 * (1 + abs(numeric)),
                   f"the gradient autograd computes through {what} does not match its own outputs: along a random "
                   f"direction its outputs change by {numeric:.6g}, the gradient says {autograd:.6g}. Is part of "
                   "the path to the input detached (x.detach(), x.data) or is x modified in place?")


def answer_key(value):
    """How a recorder recognises an argument: ``repr`` of it (of the list of its items, for a list or tuple)."""
    return repr(list(value)) if type(value) in (list, tuple) else repr(value)


class ByArgument(dict):
    """Answers a recorder gives by one argument of the call (``position``); see ``calls_recorded``."""

    def __init__(self, answers, position=0):
        super().__init__((answer_key(argument), answer) for argument, answer in answers)
        self.position = position


KEY = "lambda args, kwargs, p: (lambda a: repr(list(a)) if type(a) in (list, tuple) else repr(a))(" \
      "(list(args) + list(kwargs.values()))[p])"


@contextlib.contextmanager
def calls_recorded(worker, sub, *names, returns=None):
    """While active, the student's module-level classes or functions ``names`` are replaced, in the worker,
    by recorders: each call is written down as ``[args, kwargs]`` and answered with ``returns[name]`` (a value
    the check computed, sent to the worker), or else with a new ``nn.Identity()``.

    A ``ByArgument`` answer depends on one argument of the call; a call with another argument
    goes to the student's own function. A part that the stub makes call or build other parts (a
    network building its blocks, a model running ``run_cell``) is then judged on its own: by
    what it makes of trusted answers or stand-ins, and by the arguments it passes. Yields
    ``calls(name)``, the calls recorded so far.
    """
    builtins = worker.import_module("builtins")
    namespace = worker.import_module("types").SimpleNamespace
    returns = returns or {}
    originals = {}
    for name in names:
        try:
            originals[name] = getattr(sub, name)
        except check.SubmissionError:
            originals[name] = None
    log = namespace(**{name: [] for name in names})
    scope = {"log": log, "nn": worker.import_module("torch.nn"), "key": builtins.eval(KEY),
             "out": namespace(**{name: dict(v) if isinstance(v, ByArgument) else v for name, v in returns.items()}),
             "own": namespace(**{name: f for name, f in originals.items() if f is not None})}
    for name in names:
        answer = f"out.{name}" if name in returns else "nn.Identity()"
        if isinstance(returns.get(name), ByArgument):
            answer = (f"(out.{name}[k] if (k := key(args, kwargs, {returns[name].position})) in out.{name} "
                      f"else own.{name}(*args, **kwargs))")
        recorder = builtins.eval(f"lambda *args, **kwargs: (log.{name}.append([list(args), kwargs]), {answer})[1]",
                                 scope)
        setattr(sub, name, recorder)
    try:
        yield lambda name: getattr(log, name)
    finally:
        for name, original in originals.items():
            if original is None:
                builtins.delattr(sub, name)
            else:
                setattr(sub, name, original)


class BagOfCodes(torch.nn.Module):
    """A stand-in text classifier: the mean of the embeddings of a row's codes (0 pads), then a linear layer.

    Called as ``model(codes, lengths)`` like the course's classifiers; a row's logits depend only
    on its own codes, whatever the order of the rows.
    """

    def __init__(self, n_codes, dim, n_out):
        super().__init__()
        self.emb = torch.nn.Embedding(n_codes, dim, padding_idx=0)
        self.fc = torch.nn.Linear(dim, n_out)

    def forward(self, codes, lengths):
        return self.fc(self.emb(codes).sum(1) / lengths.unsqueeze(1).to(self.fc.weight.dtype))


def bag_of_codes(worker, n_codes, dim, n_out, rng):
    """A ``BagOfCodes`` built here and its twin built in the worker from torch.nn, with the same weights."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    local = BagOfCodes(n_codes, dim, n_out)
    nn = worker.import_module("torch.nn")
    remote = nn.Module()
    remote.emb = nn.Embedding(n_codes, dim, padding_idx=0)
    remote.fc = nn.Linear(dim, n_out)
    check.call("model.load_state_dict(the check's weights)", remote.load_state_dict, local.state_dict())
    remote.forward = worker.import_module("builtins").eval(
        "lambda codes, lengths: m.fc(m.emb(codes).sum(1) / lengths.unsqueeze(1).to(m.fc.weight.dtype))", {"m": remote})
    return local, remote


def bound_call(call, signature, name, what):
    """A recorded call ``[args, kwargs]`` bound to the stub's ``signature``: a dict of every argument."""
    args, kwargs = call
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise check.CheckFailed(f"{what} calls {name} with arguments it does not take ({exc})") from None
    bound.apply_defaults()
    return dict(bound.arguments)


def trained_losses(model, steps, lr, *, optimizer="Adam", zero_grad=True, default_lr=False, after_step=False):
    """The losses of training a copy of ``model`` here (trusted), one per step of ``steps``, a list of
    ``(inputs, targets)`` with ``inputs`` a tuple: CrossEntropyLoss, the loss taken before the step
    (after it with ``after_step``); the knobs reproduce the usual mistakes."""
    model = copy.deepcopy(model)
    make = getattr(torch.optim, optimizer)
    opt = make(model.parameters()) if default_lr else make(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss()
    losses = []
    for inputs, targets in steps:
        if zero_grad:
            opt.zero_grad()
        loss = criterion(model(*inputs), targets)
        loss.backward()
        opt.step()
        if after_step:
            with torch.no_grad():
                loss = criterion(model(*inputs), targets)
        losses.append(loss.item())
    return losses


def epoch_loss(model, steps, lr, unit):
    """The mean loss per ``unit`` (name, phrase) of one epoch over the batches ``steps`` (trusted), and the
    usual mistakes' values, by description."""
    sizes = [len(targets) for _, targets in steps]

    def per_item(losses):
        return sum(v * n for v, n in zip(losses, sizes)) / sum(sizes)

    right = trained_losses(model, steps, lr)
    return per_item(right), {
        "the gradients are never zeroed: call optimizer.zero_grad() before loss.backward()":
            per_item(trained_losses(model, steps, lr, zero_grad=False)),
        f"the loss is the mean of the batch losses; the stub asks for the mean per {unit} (each batch's loss times "
        f"its size, summed, divided by the number of {unit}s)": sum(right) / len(right),
        f"the loss returned is the last batch's; return the mean per {unit} over the epoch": right[-1]}


def load_layers(model, state, what, advice="keep the layers and names that __init__ creates"):
    """Load ``state`` into the student's model by the stub's layer names.

    The stub's layers must be there with the reference's shapes; layers registered a second
    time under another name (the same module also inside an ``nn.Sequential``, say) are
    allowed: the model is then judged by what it computes.
    """
    got = check.call(f"{what}.state_dict()", model.state_dict)
    check.that(type(got) is dict, f"{what}.state_dict() should be a dict; got {check.describe(got)}")
    missing = sorted(k for k in state if k not in got)
    check.that(not missing, f"{what} does not have the stub's layers: {missing[:6]} are missing; {advice}")
    wrong = [f"{k} has shape {tuple(got[k].shape) if type(got[k]) is torch.Tensor else got[k]!r}, expected "
             f"{tuple(v.shape)}" for k, v in state.items()
             if type(got[k]) is not torch.Tensor or tuple(got[k].shape) != tuple(v.shape)]
    check.that(not wrong, f"{what}: " + "; ".join(wrong[:4]) + f"; {advice}")
    check.call(f"{what}.load_state_dict(the reference's weights)", model.load_state_dict, state, strict=False)
    return model
