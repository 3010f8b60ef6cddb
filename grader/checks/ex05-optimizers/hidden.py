"""Hidden checks for ex05-optimizers: randomized comparisons with the reference and the classic mistakes."""

import numpy as np
import pytest
import torch

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost, type_names

pytestmark = pytest.mark.hidden

RTOL, ATOL = 1e-4, 1e-5


# ----------------------------------------------------------------------------- helpers


def _call(what, fn, *args, **kwargs):
    """Call into the student's code; an exception it raises names the call that raised it."""
    try:
        return fn(*args, **kwargs)
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        if not exc.kind:
            raise
        raise expect.CheckFailed(f"{what} raised {exc}") from None


def _seeded_reference_model(ref, seed):
    torch.manual_seed(seed)
    return ref.LinearModel()


def _student_model(sub, ref_model, device):
    """A student's LinearModel holding exactly the reference model's weights."""
    model = _call("LinearModel()", sub.LinearModel)
    expect.that("torch.nn.modules.module.Module" in type_names(model),
                f"LinearModel() should build an nn.Module; got {expect.describe(model)}")
    _call("model.load_state_dict(weights of nn.Linear(1, 1) in self.linear)",
          model.load_state_dict, ref_model.state_dict())
    _call("model.to(device)", model.to, device)
    return model


def _variant_curve(ref, state, name, lr, x, y, epochs, *, zero_grad=True, after_step=False,
                   reduction="sum", default_lr=False):
    """The curve a training loop with one known mistake gives, computed here, trusted."""
    model = ref.LinearModel()
    model.load_state_dict(state)
    if default_lr:
        optimizer = getattr(torch.optim, name)(model.parameters())
    else:
        optimizer = ref.make_optimizer(name, model.parameters(), lr=lr)
    criterion = torch.nn.MSELoss(reduction=reduction)

    def closure():
        if zero_grad:
            optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss

    losses = []
    for _ in range(epochs):
        loss = optimizer.step(closure)
        if after_step:
            with torch.no_grad():
                loss = criterion(model(x), y)
        losses.append(loss.item())
    return losses


def _train_mistakes(ref, state, name, lr, x, y, epochs):
    """Known training-loop mistakes and (lazily) the curves they give."""
    return {
        f"the lr argument is ignored: make_optimizer({name!r}, params, lr={lr}) builds the optimizer with "
        f"{name}'s default learning rate":
            lambda: _variant_curve(ref, state, name, lr, x, y, epochs, default_lr=True),
        "the gradients are never zeroed, so they add up from step to step: call "
        "optimizer.zero_grad() before loss.backward()":
            lambda: _variant_curve(ref, state, name, lr, x, y, epochs, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before "
        "the step of epoch e (the value optimizer.step(closure) returns)":
            lambda: _variant_curve(ref, state, name, lr, x, y, epochs, after_step=True),
        "the loss is MSELoss() with the default reduction='mean'; the course uses "
        "MSELoss(reduction='sum')":
            lambda: _variant_curve(ref, state, name, lr, x, y, epochs, reduction="mean"),
    }


def _expect_curve(got, expected, what, mistakes, loose):
    """``got`` matches ``expected``; on a mismatch, name the mistake that explains it, if any."""
    try:
        expect.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose)
    except expect.CheckFailed:
        expect.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose,
                     mistakes={text: make() for text, make in mistakes.items()})
        raise


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_sgd_reaches_course_fit(sub, ref, device):
    """1000 epochs of SGD (lr 0.01) from torch.manual_seed(0) reach w close to 2, b close to 0 (course)"""
    model = _student_model(sub, _seeded_reference_model(ref, 0), device)
    opt = _call("make_optimizer('SGD', model.parameters(), lr=0.01)", sub.make_optimizer, "SGD",
                model.parameters(), lr=0.01)
    _call("train(model, SGD optimizer, x_data, y_data, 1000)", sub.train, model, opt, ref.x_data, ref.y_data, 1000)
    w = expect.number(model.linear.weight, "model.linear.weight")
    b = expect.number(model.linear.bias, "model.linear.bias")
    expect.that(abs(w - 2.0) < 0.05 and abs(b) < 0.1,
                f"after 1000 epochs of SGD (lr 0.01) the model should be close to w = 2, b = 0 (the course's "
                f"result); got w = {w:.4g}, b = {b:.4g}")


@pytest.mark.points(2)
def test_train_every_optimizer_random(sub, ref, rng, device):
    """train and make_optimizer agree with the reference for all eight optimizers on random data, weights and lr"""
    n = int(rng.integers(4, 7))
    x_np = rng.uniform(-1.0, 2.0, size=(n, 1))
    y_np = rng.uniform(-2, 3) * x_np + rng.uniform(-1, 1) + rng.normal(scale=0.2, size=(n, 1))
    x = torch.tensor(x_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.float32)
    lr = round(float(rng.uniform(0.015, 0.03)), 4)
    ref_model = ref.LinearModel()
    with torch.no_grad():
        ref_model.linear.weight.fill_(float(rng.normal()))
        ref_model.linear.bias.fill_(float(rng.normal()))
    state = ref_model.state_dict()
    for name in ref.OPTIMIZERS:
        epochs = 4 if name == "LBFGS" else 10
        model = _student_model(sub, ref_model, device)
        opt = _call(f"make_optimizer({name!r}, model.parameters(), lr={lr})", sub.make_optimizer, name,
                    model.parameters(), lr=lr)
        got = _call(f"train(model, {name} optimizer, x, y, {epochs})", sub.train, model, opt, x, y, epochs)
        expected_model = ref.LinearModel()
        expected_model.load_state_dict(state)
        expected = ref.train(expected_model, ref.make_optimizer(name, expected_model.parameters(), lr=lr),
                             x, y, epochs)
        mistakes = {
            **_train_mistakes(ref, state, name, lr, x, y, epochs),
            "train ignores the x and y it is given and trains on the course's x_data, y_data":
                lambda: _variant_curve(ref, state, name, lr, ref.x_data, ref.y_data, epochs),
        }
        _expect_curve(got, expected, f"the {name} loss curve ({epochs} epochs, lr {lr}, {n} random samples)",
                      mistakes, loose=device == "cuda")


def _first_losses_seeded_once(ref, seed):
    """Initial losses when torch.manual_seed(seed) is called once and then the eight models are built."""
    torch.manual_seed(seed)
    models = [ref.LinearModel() for _ in ref.OPTIMIZERS]
    with torch.no_grad():
        return [ref.criterion(model(ref.x_data), ref.y_data).item() for model in models]


def _first_losses_one_shared_model(ref, seed, epochs, lr):
    """Initial losses when one model is trained by every optimizer in turn."""
    torch.manual_seed(seed)
    model = ref.LinearModel()
    firsts = []
    for name in ref.OPTIMIZERS:
        firsts.append(ref.train(model, ref.make_optimizer(name, model.parameters(), lr=lr),
                                ref.x_data, ref.y_data, epochs)[0])
    return firsts


@pytest.mark.points(1)
def test_compare_optimizers_same_start(sub, ref, rng):
    """compare_optimizers returns all eight curves, each from the same seeded initial weights"""
    epochs = int(rng.integers(4, 8))
    lr = round(float(rng.uniform(0.015, 0.03)), 4)
    seed = int(rng.integers(1, 10_000))
    got = _call(f"compare_optimizers(epochs={epochs}, lr={lr}, seed={seed})", sub.compare_optimizers,
                epochs=epochs, lr=lr, seed=seed)
    expect.that(type(got) is dict, f"compare_optimizers should return a dict {{name: losses}}; got {expect.describe(got)}")
    missing = [name for name in ref.OPTIMIZERS if name not in got]
    expect.that(not missing, f"compare_optimizers leaves out {missing}: train with every name in OPTIMIZERS")
    for name in ref.OPTIMIZERS:
        curve = expect.as_array(got[name], f"the curve of {name}")
        expect.that(curve.shape == (epochs,),
                    f"the curve of {name} should hold one loss per epoch ({epochs}); got shape {curve.shape}")
    firsts = [float(expect.as_array(got[name], f"the curve of {name}")[0]) for name in ref.OPTIMIZERS]
    initial_model = _seeded_reference_model(ref, seed)
    state = initial_model.state_dict()
    with torch.no_grad():
        initial = ref.criterion(initial_model(ref.x_data), ref.y_data).item()
    what = (f"the first loss of each curve, in the order {list(ref.OPTIMIZERS)} (every model must start from the "
            f"weights of torch.manual_seed({seed}); LinearModel())")
    try:
        expect.close(firsts, [initial] * len(firsts), what, rtol=RTOL, atol=ATOL)
    except expect.CheckFailed:
        expect.close(firsts, [initial] * len(firsts), what, rtol=RTOL, atol=ATOL, mistakes={
            "torch.manual_seed(seed) is called once, not right before building each model, so the "
            "optimizers start from different weights": _first_losses_seeded_once(ref, seed),
            "the seed argument is ignored (the models start from torch.manual_seed(0))":
                [ref.criterion(_seeded_reference_model(ref, 0)(ref.x_data), ref.y_data).item()] * len(firsts),
            "one model is trained by all the optimizers in turn; each optimizer needs a fresh LinearModel":
                _first_losses_one_shared_model(ref, seed, epochs, lr),
            "the loss is MSELoss() with the default reduction='mean'; the course uses MSELoss(reduction='sum')":
                [initial / len(ref.x_data)] * len(firsts),
            "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step of "
            "epoch e (the value optimizer.step(closure) returns)":
                [_variant_curve(ref, state, name, lr, ref.x_data, ref.y_data, 1, after_step=True)[0]
                 for name in ref.OPTIMIZERS],
        })
        raise
    expected = ref.compare_optimizers(epochs=epochs, lr=lr, seed=seed)
    for name in ref.OPTIMIZERS:
        _expect_curve(got[name], expected[name], f"the {name} curve of compare_optimizers(epochs={epochs}, "
                      f"lr={lr}, seed={seed})", _train_mistakes(ref, state, name, lr, ref.x_data, ref.y_data, epochs),
                      loose=False)


@pytest.mark.points(1)
def test_plot_losses_given_curves(sub, ref, rng):
    """plot_losses draws exactly the curves it is given (any names, any lengths), each labelled"""
    names = [str(n) for n in rng.choice(ref.OPTIMIZERS, size=int(rng.integers(2, 5)), replace=False)]
    curves = {name: [float(v) for v in np.abs(rng.normal(size=int(rng.integers(5, 30)))) * 10] for name in names}
    fig = _call(f"plot_losses(curves with the names {names})", sub.plot_losses, curves)
    expect.that("matplotlib.figure.Figure" in type_names(fig),
                f"plot_losses should return a matplotlib Figure; got {expect.describe(fig)}")
    axes = list(fig.axes)
    lines = [line for ax in axes for line in ax.get_lines()]
    labels = [str(line.get_label()) for line in lines]
    for name, curve in curves.items():
        ydata = [expect.as_array(line.get_ydata(), f"the data of the line {name!r}")
                 for line, label in zip(lines, labels) if label == name]
        expect.that(any(y.shape == (len(curve),) and np.allclose(y, curve, rtol=1e-6) for y in ydata),
                    f"with curves for {names} only, no line labelled {name!r} shows curves[{name!r}] "
                    f"({len(curve)} values): plot each entry of the dict you are given, with label=name")
    legends = [ax.get_legend() for ax in axes] + list(fig.legends)
    legend_texts = [str(text.get_text()) for legend in legends if legend is not None for text in legend.get_texts()]
    missing = [name for name in curves if name not in legend_texts]
    expect.that(not missing, "the figure has no legend: call ax.legend() after plotting" if not legend_texts
                else f"the legend does not show {missing}")
