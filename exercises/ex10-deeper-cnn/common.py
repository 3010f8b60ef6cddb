"""Helpers shared by the public and hidden checks of ex10-deeper-cnn: small synthetic images,
loaders and models inside the worker and here, trusted training and evaluation here, the kinds
of a network's layers judged by what each layer computes, and code the checks run inside the
worker (a probe model that records how it is called, and a trusted training loop)."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from pttutor.grader import check

WORKER_SOURCE = '''
import torch
from torch import nn


class Probe(nn.Module):
    """A linear classifier that records, at every forward: training mode, grad mode, device, batch size."""

    def __init__(self, features, classes):
        super().__init__()
        self.linear = nn.Linear(features, classes)
        self.calls = []

    def forward(self, x):
        self.calls.append((bool(self.training), bool(torch.is_grad_enabled()), str(x.device), int(x.shape[0])))
        return self.linear(torch.flatten(x, 1))


def fit(model, x, y, epochs, batch_size, lr, seed, optimizer="Adam", loss="CrossEntropyLoss"):
    """``optimizer`` (a torch.optim class name) and ``loss`` (an nn loss name) on shuffled mini-batches
    of (x, y); the mean loss of every epoch."""
    generator = torch.Generator(device="cpu").manual_seed(seed)
    optimizer = getattr(torch.optim, optimizer)(model.parameters(), lr=lr)
    criterion = getattr(nn, loss)()
    history = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for index in torch.randperm(len(x), generator=generator, device="cpu").split(batch_size):
            index = index.to(x.device)
            optimizer.zero_grad()
            loss = criterion(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        history.append(total / len(x))
    model.eval()
    return history


def predict(model, x, batch_size=256):
    """The model's outputs for x in eval mode, without gradients."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(part) for part in x.split(batch_size)])
'''


def blobs(rng, n, classes, size, noise=0.5):
    """``n`` images ``(1, size, size)``: class c is a bright square in cell c of a grid, jittered."""
    k = math.ceil(math.sqrt(classes))
    cell = size // k
    side = max(2, cell // 2)
    y = rng.integers(0, classes, size=n)
    x = rng.normal(0.0, noise, size=(n, 1, size, size))
    for i, c in enumerate(y):
        r0 = (c // k) * cell + rng.integers(0, cell - side + 1)
        c0 = (c % k) * cell + rng.integers(0, cell - side + 1)
        x[i, 0, r0:r0 + side, c0:c0 + side] += 2.0
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def small_cnn(nn, classes=4):
    """A tiny CNN for 8x8 images, built from ``nn`` (torch.nn here, or its proxy in the worker)."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, classes))


def small_mlp(nn, classes=4):
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, classes))


def worker_loader(worker, x, y, batch_size):
    data = worker.import_module("torch.utils.data")
    return data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size)


def local_loader(x, y, batch_size):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def worker_copy(worker, local_model, build):
    """The same model inside the worker, with ``local_model``'s weights."""
    model = build(worker.import_module("torch.nn"))
    model.load_state_dict(local_model.state_dict())
    return model


def local_copy(local_model, build):
    model = build(torch.nn)
    model.load_state_dict(local_model.state_dict())
    return model


def local_epoch(model, loader, optimizer, zero_grad=True):
    """One trusted epoch (optionally with the gradients never zeroed): [(batch loss, batch size)]."""
    criterion = torch.nn.CrossEntropyLoss()
    model.train()
    out = []
    for inputs, targets in loader:
        if zero_grad:
            optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        out.append((loss.item(), len(targets)))
    return out


def local_accuracy(model, loader):
    """Trusted accuracy: correct predictions / number of samples."""
    model.eval()
    with torch.no_grad():
        right = sum(int((model(inputs).argmax(dim=1) == targets).sum()) for inputs, targets in loader)
    return right / sum(len(targets) for _, targets in loader)


def worker_tools(worker, tmp_path):
    """The checks' own code (``WORKER_SOURCE``: Probe, fit, predict), imported inside the worker. The
    checks of ex09-otto and ex08-titanic use it too, until the engine offers it to every exercise."""
    path = tmp_path / "pttutor_check_tools.py"
    path.write_text(WORKER_SOURCE, encoding="utf-8")
    util = worker.import_module("importlib.util")
    spec = util.spec_from_file_location("pttutor_check_tools", str(path))
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def probe(worker, tmp_path, device, mode):
    """A ``Probe(64, 4)`` built inside the worker, on ``device``, in ``mode`` ("train" or "eval")."""
    model = worker_tools(worker, tmp_path).Probe(64, 4)
    model.to(device)
    getattr(model, mode)()
    return model


def load_by_names(model, state, what, advice):
    """Load ``state`` into the student's ``model`` by the names the stub fixes. Other names are left
    alone, so a layer also registered elsewhere (inside an nn.Sequential, say) keeps its weights."""
    result = check.call(f"{what}.load_state_dict(...)", model.load_state_dict, state, strict=False)
    unknown = result[1] if type(result) in (tuple, list) and len(result) == 2 else []
    missing = sorted(k for k in unknown if k in state)
    check.that(not missing, f"{what} has no {', '.join(missing[:6])}: {advice}")


# ---------------------------------------------------------------- the kinds of a network's layers

KINDS = ("Conv2d", "ReLU", "MaxPool2d", "Linear")


def _attribute(module, name):
    try:
        return getattr(module, name)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError:
        return None


def _computes(module, x, expected):
    """Whether calling ``module`` on ``x`` gives ``expected``."""
    try:
        got = module(x)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError:
        return False
    return type(got) is torch.Tensor and got.shape == expected.shape and \
        torch.allclose(got.detach().cpu().double(), expected.double(), rtol=1e-3, atol=1e-4)


def layer_kind(module, rng):
    """What one layer (a module without children) computes: "Conv2d", "Linear", "ReLU", "MaxPool2d" or
    None, judged by calling it and comparing with torch's functions, not by its class name."""
    params = dict(check.call("named_parameters()", lambda: list(module.named_parameters(recurse=False))))
    weight, bias = params.get("weight"), params.get("bias")
    if type(weight) is torch.Tensor and weight.dim() == 4:
        groups = _attribute(module, "groups") or 1
        x = torch.tensor(rng.normal(size=(2, weight.shape[1] * groups, 9, 9)), dtype=torch.float32)
        settings = [_attribute(module, k) for k in ("stride", "padding", "dilation")]
        if None in settings or type(groups) is not int:
            return None
        try:
            expected = F.conv2d(x, weight.cpu().float(), None if bias is None else bias.cpu().float(), *settings,
                                groups)
        except (RuntimeError, TypeError, ValueError):
            return None
        return "Conv2d" if _computes(module, x, expected) else None
    if type(weight) is torch.Tensor and weight.dim() == 2:
        x = torch.tensor(rng.normal(size=(3, weight.shape[1])), dtype=torch.float32)
        expected = F.linear(x, weight.cpu().float(), None if bias is None else bias.cpu().float())
        return "Linear" if _computes(module, x, expected) else None
    if params:
        return None
    x = torch.tensor(rng.normal(scale=4.0, size=(1, 2, 8, 8)), dtype=torch.float32)
    if _computes(module, x, torch.relu(x)):
        return "ReLU"
    settings = [_attribute(module, k) for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode")]
    if settings[0] is not None and None not in settings[2:]:
        try:
            expected = F.max_pool2d(x, settings[0], settings[1] or None, *settings[2:])
        except (RuntimeError, TypeError, ValueError):
            return None
        return "MaxPool2d" if _computes(module, x, expected) else None
    return None


def layer_counts(model, rng):
    """How many layers of each kind ``model.modules()`` holds (a layer used twice counts once)."""
    counts = dict.fromkeys(KINDS, 0)
    for module in check.call("model.modules()", lambda: list(model.modules())):
        children = check.call("module.children()", lambda m=module: list(m.children()))
        if children:
            continue
        kind = layer_kind(module, rng)
        if kind is not None:
            counts[kind] += 1
    return counts


def trained_accuracy(logits, y):
    values = check.as_array(logits, "the network's outputs")
    return float(np.mean(values.argmax(axis=1) == y.numpy()))


# ---------------------------------------------------------------- compare

def _local_histories(starts, train_dl, evaluate_on, epochs, lr, momentum, shared=False):
    """Trusted runs of compare: {name: [accuracy after each epoch]}; ``shared``: one optimizer over the
    first model's parameters for every model (a known mistake)."""
    models = {name: local_copy(start, build) for name, (build, start) in starts.items()}
    first = torch.optim.SGD(next(iter(models.values())).parameters(), lr=lr, momentum=momentum)
    out = {}
    for name, model in models.items():
        optimizer = first if shared else torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        out[name] = []
        for _ in range(epochs):
            local_epoch(model, train_dl, optimizer)
            out[name].append(local_accuracy(model, evaluate_on))
    return out


def _own_compare(worker, sub, starts, train, test, epochs, device, lr, momentum):
    """What compare should give with the student's own train_epoch and evaluate, or the error they raise."""
    optim = worker.import_module("torch.optim")
    out = {}
    try:
        for name, (build, start) in starts.items():
            model = worker_copy(worker, start, build)
            model.to(device)
            optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
            out[name] = []
            for _ in range(epochs):
                sub.train_epoch(model, worker_loader(worker, *train, 16), optimizer, device)
                out[name].append(sub.evaluate(model, worker_loader(worker, *test, 16), device))
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        return None, exc
    return out, None


def judge_compare(sub, ref, worker, device, rng, epochs, lr, momentum, names_mistakes):
    """compare on a small CNN and an MLP gives the reference's test accuracies, or those the student's own
    train_epoch and evaluate give (compare is judged on what it does with them). ``names_mistakes``: name
    the usual mistakes of compare; otherwise they pass here (the check that names them charges them)."""
    check.full_precision(worker, device)
    train, test = blobs(rng, 128, classes=4, size=8), blobs(rng, 48, classes=4, size=8)
    test = (test[0], torch.where(torch.arange(48) % 3 == 0, (test[1] + 1) % 4, test[1]))  # a harder test set
    torch.manual_seed(int(rng.integers(1 << 30)))
    starts = {"cnn": (small_cnn, small_cnn(torch.nn)), "mlp": (small_mlp, small_mlp(torch.nn))}
    train_dl, test_dl = local_loader(*train, 16), local_loader(*test, 16)
    expected = ref.compare({name: local_copy(start, build) for name, (build, start) in starts.items()},
                           train_dl, test_dl, epochs, "cpu", lr=lr, momentum=momentum)
    mistakes = {
        "it is the accuracy on the training loader; record evaluate on test_loader":
            _local_histories(starts, train_dl, train_dl, epochs, lr, momentum),
        "a model was trained with another model's optimizer: give every model its own optimizer over its "
        "own parameters": _local_histories(starts, train_dl, test_dl, epochs, lr, momentum, shared=True),
    }
    defaults = _local_histories(starts, train_dl, test_dl, epochs, 0.01, 0.5)
    own, error = _own_compare(worker, sub, starts, train, test, epochs, device, lr, momentum)
    models = {name: worker_copy(worker, start, build) for name, (build, start) in starts.items()}
    what = f"compare(models, train_loader, test_loader, {epochs}, device, lr={lr}, momentum={momentum})"
    try:
        got = sub.compare(models, worker_loader(worker, *train, 16), worker_loader(worker, *test, 16), epochs,
                          device, lr=lr, momentum=momentum)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        if error is not None and exc.kind not in ("", "NotImplementedError") \
                and (exc.kind, exc.message) == (error.kind, error.message):
            return  # it fails inside the student's own train_epoch or evaluate, whose checks charge that
        raise check.CheckFailed(f"{what} raised {exc}") if exc.unfinished_part() in (None, "compare") else \
            check.CheckFailed(f"{what} {check.needs(exc.unfinished_part())}") from None
    check.that(type(got) is dict and sorted(map(str, got)) == ["cnn", "mlp"],
                f"compare should return a dict with one entry per model name ('cnn', 'mlp'); got {check.describe(got)}")
    atol = 1e-9 if device == "cpu" else 1.01 / 48  # on a GPU one borderline prediction may flip
    for name in ("cnn", "mlp"):
        history = check.as_array(got[name], f"compare(...)['{name}']")
        check.that(history.shape == (epochs,), f"compare(...)['{name}'] should hold one accuracy per epoch "
                                               f"({epochs}); got {check.describe(got[name])}")
        accepted = [own[name]] if own is not None else []
        if not names_mistakes:
            accepted += [runs[name] for runs in mistakes.values()]
        if any(np.allclose(history, np.asarray(a, dtype=float), rtol=0, atol=atol) for a in accepted):
            continue
        named = {text: runs[name] for text, runs in mistakes.items()} if names_mistakes else {
            "the lr and momentum arguments are ignored (the accuracies match lr=0.01, momentum=0.5): build each "
            "optimizer with SGD(model.parameters(), lr=lr, momentum=momentum)": defaults[name]}
        check.close(history, expected[name], f"the test accuracies of model '{name}' ({what})", rtol=0, atol=atol,
                     mistakes=named)
