"""Public checks for ex05-optimizers: students run these locally."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- helpers


def _same(got, want):
    """Plain hyperparameter values are equal (numbers within rounding, tuples element by element)."""
    if type(want) in (int, float) and type(got) in (int, float):
        return abs(got - want) <= 1e-12 * max(abs(want), 1.0)
    if type(want) in (tuple, list) and type(got) in (tuple, list):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want))
    return type(got) is type(want) and got == want


def _fresh_optimizer_params(worker):
    """Parameters of a layer built inside the worker, independent of the student's LinearModel."""
    return worker.import_module("torch.nn").Linear(1, 1).parameters()


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_linear_model(sub, ref, rng, device):
    """LinearModel holds nn.Linear(1, 1) in self.linear and computes w * x + b"""
    model = check.call("LinearModel()", sub.LinearModel)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"LinearModel() should build an nn.Module; got {check.describe(model)}")
    try:
        layer = model.linear
    except check.SubmissionError:
        raise check.CheckFailed("LinearModel has no attribute `linear`: create the layer as "
                                 "self.linear = nn.Linear(1, 1)") from None
    check.that("torch.nn.modules.linear.Linear" in check.type_names(layer),
                f"self.linear should be nn.Linear(1, 1); got {check.describe(layer)}")
    params = list(iter(check.call("model.parameters()", model.parameters)))
    check.that(len(params) == 2, f"LinearModel should have exactly 2 parameters (the weight and the bias "
                                  f"of nn.Linear(1, 1)); it has {len(params)}")
    ref_model = ref.LinearModel()
    with torch.no_grad():
        ref_model.linear.weight.fill_(float(rng.uniform(-2, 2)))
        ref_model.linear.bias.fill_(float(rng.uniform(-2, 2)))
    check.call("model.load_state_dict(weights of nn.Linear(1, 1) in self.linear)",
                 model.load_state_dict, ref_model.state_dict())
    check.call("model.to(device)", model.to, device)
    x = torch.tensor(rng.uniform(-3, 3, size=(5, 1)), dtype=torch.float32)
    with torch.no_grad():
        expected = ref_model(x)
    check.close(check.call("model(x)", model, x), expected, "model(x) for x of shape (5, 1)",
                 loose=device == "cuda")


@pytest.mark.points(1)
def test_make_optimizer(sub, ref, worker):
    """make_optimizer builds each of the eight torch.optim optimizers with the given lr"""
    lr = 0.05
    for name in ref.OPTIMIZERS:
        opt = check.call(f"make_optimizer({name!r}, params, lr={lr})", sub.make_optimizer, name,
                           _fresh_optimizer_params(worker), lr=lr)
        wanted = check.type_names(getattr(torch.optim, name)(torch.nn.Linear(1, 1).parameters()))[0]
        check.that(wanted in check.type_names(opt),
                    f"make_optimizer({name!r}, ...) should return torch.optim.{name}; got {check.describe(opt)}")
        groups = opt.param_groups
        check.that(type(groups) is list and len(groups) == 1 and type(groups[0]) is dict,
                    f"make_optimizer({name!r}, ...) should build the optimizer over one group of parameters")
        default = getattr(torch.optim, name)(torch.nn.Linear(1, 1).parameters()).defaults["lr"]
        got = groups[0].get("lr")
        check.that(type(got) in (int, float), f"the lr of make_optimizer({name!r}, ..., lr={lr}) should be a "
                                                f"number; got {check.describe(got)}")
        check.close(got, lr, f"the lr of make_optimizer({name!r}, ..., lr={lr})", mistakes={
            f"the lr argument is ignored ({default} is {name}'s default): pass lr=lr": default})
        wanted_group = getattr(torch.optim, name)(torch.nn.Linear(1, 1).parameters(), lr=lr).param_groups[0]
        for key, want in wanted_group.items():
            if key in ("params", "lr"):
                continue
            value = groups[0].get(key, "<missing>")
            check.that(_same(value, want), f"make_optimizer({name!r}, ...) sets {key}={value!r}; keep every "
                                            f"hyperparameter but lr at its default ({key}={want!r})")


@pytest.mark.points(1)
def test_train_sgd(sub, ref, device):
    """train with SGD gives the course's loss curve, one float per epoch, recorded before each step"""
    epochs, lr = 10, 0.01
    ref_model = helpers.seeded_reference_model(ref, 0)
    state = ref_model.state_dict()
    model = helpers.student_model(sub, ref_model, device)
    opt = check.call("make_optimizer('SGD', model.parameters(), lr=0.01)", sub.make_optimizer, "SGD",
                       model.parameters(), lr=lr)
    got = check.call("train(model, optimizer, x_data, y_data, 10)", sub.train, model, opt, ref.x_data,
                       ref.y_data, epochs)
    check.that(type(got) is list, f"train should return a list of floats; got {check.describe(got)}")
    check.that(len(got) == epochs, f"train should return one loss per epoch ({epochs}); got {len(got)}")
    for value in got:
        check.that(type(value) is float,
                    f"train's losses should be Python floats (append loss.item(), not the loss tensor, "
                    f"which keeps the whole graph alive); got {check.describe(value)}")
    expected_model = ref.LinearModel()
    expected_model.load_state_dict(state)
    expected = ref.train(expected_model, ref.make_optimizer("SGD", expected_model.parameters(), lr=lr),
                         ref.x_data, ref.y_data, epochs)
    helpers.expect_curve(got, expected, "the SGD loss curve (10 epochs, lr 0.01, from torch.manual_seed(0))",
                         helpers.train_mistakes(ref, state, "SGD", lr, ref.x_data, ref.y_data, epochs),
                         loose=device == "cuda")


@pytest.mark.points(1)
def test_train_lbfgs_with_closure(sub, ref, device):
    """train works with LBFGS, which must be stepped with a closure"""
    epochs, lr = 5, 0.1
    ref_model = helpers.seeded_reference_model(ref, 0)
    state = ref_model.state_dict()
    model = helpers.student_model(sub, ref_model, device)
    try:
        opt = sub.make_optimizer("LBFGS", model.parameters(), lr=lr)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        raise check.CheckFailed(f"make_optimizer('LBFGS', ...) raised {exc}. LBFGS is one of the eight "
                                 f"optimizers: torch.optim.LBFGS(params, lr=lr)") from None
    check.that("torch.optim.lbfgs.LBFGS" in check.type_names(opt),
                f"make_optimizer('LBFGS', ...) should return torch.optim.LBFGS; got {check.describe(opt)}")
    try:
        got = sub.train(model, opt, ref.x_data, ref.y_data, epochs)
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        if exc.kind == "TypeError" and "closure" in exc.message:
            raise check.CheckFailed(
                "train steps LBFGS without a closure (optimizer.step() raised TypeError: "
                f"{exc.message}). LBFGS re-evaluates the loss several times per step: define "
                "closure() that zeroes the gradients, computes the loss, calls backward() and returns "
                "the loss, then call optimizer.step(closure)") from None
        raise check.CheckFailed(f"train(model, LBFGS optimizer, x_data, y_data, {epochs}) raised {exc}") from None
    expected_model = ref.LinearModel()
    expected_model.load_state_dict(state)
    expected = ref.train(expected_model, ref.make_optimizer("LBFGS", expected_model.parameters(), lr=lr),
                         ref.x_data, ref.y_data, epochs)
    helpers.expect_curve(got, expected, f"the LBFGS loss curve ({epochs} epochs, lr {lr}, from torch.manual_seed(0))",
                         helpers.train_mistakes(ref, state, "LBFGS", lr, ref.x_data, ref.y_data, epochs),
                         loose=device == "cuda")


@pytest.mark.points(1)
def test_plot_losses(sub, ref, rng):
    """plot_losses draws one line per optimizer, labelled with its name, and a legend"""
    curves = {name: [float(v) for v in np.geomspace(rng.uniform(20, 50), rng.uniform(0.01, 5), 12)]
              for name in ref.OPTIMIZERS}
    fig = check.call("plot_losses(curves)", sub.plot_losses, curves)
    check.that("matplotlib.figure.Figure" in check.type_names(fig),
                f"plot_losses should return a matplotlib Figure; got {check.describe(fig)}")
    axes = list(fig.axes)
    lines = [line for ax in axes for line in ax.get_lines()]
    labels = [str(line.get_label()) for line in lines]
    legends = [ax.get_legend() for ax in axes] + list(fig.legends)
    legend_texts = [str(text.get_text()) for legend in legends if legend is not None for text in legend.get_texts()]
    for name, curve in curves.items():
        labelled = [line for line, label in zip(lines, labels) if label == name]
        if not labelled:
            hint = (" (the legend shows it, but the line itself carries no such label)"
                    if name in legend_texts else "")
            raise check.CheckFailed(f"the figure has {len(lines)} line(s) and none is labelled {name!r}{hint}: "
                                     f"plot every curve with ax.plot(..., label=name)")
        ydata = [check.as_array(line.get_ydata(), f"the data of the line {name!r}") for line in labelled]
        check.that(any(y.shape == (len(curve),) and np.allclose(y, curve, rtol=1e-6) for y in ydata),
                    f"the line labelled {name!r} does not show curves[{name!r}] (the loss of each epoch)")
    missing = [name for name in curves if name not in legend_texts]
    check.that(not missing, "the figure has no legend: call ax.legend() after plotting" if not legend_texts
                else f"the legend does not show {missing}")
