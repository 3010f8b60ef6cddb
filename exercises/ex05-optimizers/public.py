"""Public checks for ex05-optimizers: students run these locally.

Each check judges one part and builds what else it needs inside the worker: train gets an
nn.Linear(1, 1) and a torch.optim optimizer made there, make_optimizer is stepped with a closure
made there, and compare_optimizers runs with the stub's LinearModel and make_optimizer standing
in for the student's. A mistake in one part therefore costs that part's points only.
"""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


def _random_data(rng):
    n = int(rng.integers(4, 7))
    x = rng.uniform(-1.0, 2.0, size=(n, 1))
    y = rng.uniform(-2, 3) * x + rng.uniform(-1, 1) + rng.normal(scale=0.2, size=(n, 1))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


@pytest.mark.points(1)
@pytest.mark.judges("LinearModel")
def test_linear_model(sub, ref, rng, device):
    """LinearModel holds the weight and bias of one nn.Linear(1, 1) and computes w * x + b"""
    model = check.call("LinearModel()", sub.LinearModel)
    try:
        shapes = sorted(tuple(p.shape) for p in check.call("LinearModel().parameters()", model.parameters))
    except (AttributeError, TypeError):
        raise check.CheckFailed(f"LinearModel() should build an nn.Module; got {check.describe(model)}") from None
    check.that(shapes == [(1,), (1, 1)], f"LinearModel should hold exactly the weight (1, 1) and the bias (1,) of "
                                         f"nn.Linear(1, 1); its parameters have the shapes {shapes}")
    w, b = float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2))
    state = check.call("LinearModel().state_dict()", model.state_dict)
    # The weights are set by shape, whatever the student named the layer (or however often it is registered).
    mine = {key: torch.full(tuple(value.shape), w if tuple(value.shape) == (1, 1) else b)
            for key, value in state.items() if type(value) is torch.Tensor and tuple(value.shape) in ((1, 1), (1,))}
    check.call("model.load_state_dict(w and b, by shape)", model.load_state_dict, {**state, **mine})
    ref_model = ref.LinearModel()
    ref_model.load_state_dict({"linear.weight": torch.tensor([[w]]), "linear.bias": torch.tensor([b])})
    x = torch.tensor(rng.uniform(-3, 3, size=(5, 1)), dtype=torch.float32)
    check.close(check.call("model(x)", model, x), ref_model(x).detach(),
                f"LinearModel()(x) for x of shape (5, 1), with w = {w:.3g}, b = {b:.3g}", loose=device != "cpu",
                mistakes={"it returns x itself: forward must return self.linear(x)": x})


@pytest.mark.points(1)
@pytest.mark.timeout(60)  # the first optimizers a process builds import much of torch
@pytest.mark.judges("make_optimizer")
def test_make_optimizer(sub, ref, rng, worker, device):
    """make_optimizer builds each of the eight torch.optim optimizers with the given lr (judged by its steps)"""
    x, y = _random_data(rng)
    weights = [float(v) for v in rng.normal(size=2)]
    lr = round(float(rng.uniform(0.02, 0.05)), 4)
    for name in ref.OPTIMIZERS:
        n = 3 if name == "LBFGS" else 6
        call = f"make_optimizer({name!r}, params, lr={lr})"
        layer = helpers.linear(worker, weights)
        opt = check.call(call, sub.make_optimizer, name, layer.parameters(), lr=lr)
        got = helpers.steps(worker, opt, layer, x, y, n, f"the step of {call}")
        expected, ref_model = helpers.expected_curve(ref, weights, name, lr, x, y, n)
        what = f"the losses of {n} steps of {call} (each step with a closure, from the same weights)"
        others = {f"it steps like torch.optim.{other}, not torch.optim.{name}":
                  lambda other=other: helpers.variant_curve(weights, other, lr, x, y, n)
                  for other in ref.OPTIMIZERS if other != name}
        if name == "SGD":
            others.update({f"it uses momentum={m}: keep every hyperparameter but lr at its default (momentum=0)":
                           lambda m=m: helpers.variant_curve(weights, name, lr, x, y, n, momentum=m) for m in (0.5, 0.9)})
        helpers.expect_curve(got, expected, what, {
            f"the lr argument is ignored: torch.optim.{name}(params) takes its default learning rate; pass lr=lr":
                lambda: helpers.variant_curve(weights, name, lr, x, y, n, default_lr=True), **others},
            loose=device != "cpu")
        check.close(helpers.weights_of(layer), [ref_model.linear.weight.item(), ref_model.linear.bias.item()],
                    f"(w, b) after {n} steps of {call}", rtol=helpers.RTOL, atol=helpers.ATOL, loose=device != "cpu")


@pytest.mark.points(3)
@pytest.mark.judges("train", uses=["<module>"])
def test_train(sub, ref, rng, worker, request, device):
    """train gives the reference's loss curve, recorded before each step: SGD and LBFGS on the course data,
    all eight optimizers on random data"""
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION)
    torch.manual_seed(0)
    start = helpers.weights_of(torch.nn.Linear(1, 1))  # what LinearModel() holds after torch.manual_seed(0)
    x, y = _random_data(rng)
    lr = round(float(rng.uniform(0.015, 0.03)), 4)
    weights = [float(v) for v in rng.normal(size=2)]
    runs = [("SGD", start, 0.01, ref.x_data, ref.y_data, 10, "the course data, from torch.manual_seed(0)"),
            ("LBFGS", start, 0.1, ref.x_data, ref.y_data, 5, "the course data, from torch.manual_seed(0)")]
    runs += [(name, weights, lr, x, y, 4 if name == "LBFGS" else 10, f"{len(x)} random samples")
             for name in ref.OPTIMIZERS]
    for name, w, rate, xs, ys, epochs, data in runs:
        call = f"train(model, {name} optimizer with lr={rate}, x, y, {epochs})"
        got, _ = helpers.train_curve(sub, worker, name, w, rate, xs, ys, epochs, call)
        expected, _ = helpers.expected_curve(ref, w, name, rate, xs, ys, epochs)
        helpers.expect_curve(got, expected, f"the loss curve of {call} on {data}",
                             helpers.train_mistakes(w, name, rate, xs, ys, epochs, ref.x_data, ref.y_data),
                             loose=device != "cpu")


@pytest.mark.points(1)
@pytest.mark.judges("train", "<module>")
def test_train_course_loss_and_floats(sub, worker, request):
    """train returns a list of Python floats, and trains with the module's criterion, MSELoss(reduction='sum')"""
    weights, call = helpers.seeded_weights(worker, 0), "train(model, SGD optimizer with lr=0.01, x_data, y_data, 5)"
    layer = helpers.linear(worker, weights)
    got = check.call(call, sub.train, layer, helpers.optimizer(worker, "SGD", layer, 0.01), sub.x_data, sub.y_data, 5)
    check.that(type(got) is list and all(type(v) is float for v in got),
               f"{call} should return a list of Python floats (append loss.item(), not the loss tensor, which keeps "
               f"the whole graph alive); got {check.describe(got)}"
               + (f" holding {check.describe(got[0])}" if type(got) in (list, tuple) and got else ""))
    check.that(np.ptp(got) > 0, f"{call} gives the same loss {got[0]} at every epoch: the model should learn")
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION)
    summed, _ = helpers.train_curve(sub, worker, "SGD", weights, 0.01, sub.x_data, sub.y_data, 5, call)
    check.that(np.allclose(got, summed, rtol=1e-6, atol=1e-7),
               f"{call} gives {got}, but {summed.tolist()} with criterion = nn.MSELoss(reduction='sum'): keep the "
               f"module's criterion as the course has it, nn.MSELoss(reduction='sum')")


def _initial_loss(weights):
    """The summed squared error on the course data of the model y = w * x + b."""
    w, b = weights
    return float(sum((w * x + b - 2 * x) ** 2 for x in (1.0, 2.0, 3.0)))


@pytest.mark.points(1)
@pytest.mark.judges("compare_optimizers", uses=["LinearModel", "make_optimizer", "train"])
def test_compare_optimizers(sub, ref, rng, worker, request):
    """compare_optimizers returns all eight curves, each trained by train from the weights of torch.manual_seed(seed)"""
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION, LinearModel=helpers.LINEAR_MODEL,
                      make_optimizer=helpers.MAKE_OPTIMIZER)
    epochs, lr, seed = int(rng.integers(4, 8)), round(float(rng.uniform(0.015, 0.03)), 4), int(rng.integers(1, 10_000))
    call = f"compare_optimizers(epochs={epochs}, lr={lr}, seed={seed})"
    got = check.call(call, sub.compare_optimizers, epochs=epochs, lr=lr, seed=seed)
    check.that(type(got) is dict, f"{call} should return a dict {{name: losses}}; got {check.describe(got)}")
    names = list(ref.OPTIMIZERS)
    missing = [name for name in names if name not in got]
    check.that(not missing, f"compare_optimizers leaves out {missing}: train with every name in OPTIMIZERS")
    curves = {name: check.as_array(got[name], f"the curve of {name}").reshape(-1) for name in names}
    for name, curve in curves.items():
        check.that(curve.shape == (epochs,), f"the curve of {name} should hold one loss per epoch ({epochs}); "
                                             f"got shape {curve.shape}")
    worker.import_module("torch").manual_seed(seed)
    seeded_once = [helpers.weights_of(worker.import_module("torch.nn").Linear(1, 1)) for _ in names]
    weights = helpers.seeded_weights(worker, seed)
    shared = torch.nn.Linear(1, 1)  # one model trained by every optimizer in turn
    with torch.no_grad():
        shared.weight.fill_(weights[0])
        shared.bias.fill_(weights[1])
    # train is judged by its own checks: each curve must be the one your own train gives from those weights.
    targets = {name: helpers.train_curve(sub, worker, name, weights, lr, ref.x_data, ref.y_data, epochs,
                                         f"train(model, {name} optimizer, x_data, y_data, {epochs})")[0]
               for name in names}
    moved = helpers.train_curve(sub, worker, "SGD", [weights[0] + 0.5, weights[1] - 0.5], lr, ref.x_data, ref.y_data,
                                epochs, f"train(model, SGD optimizer, x_data, y_data, {epochs})")[0]
    if np.allclose(moved, targets["SGD"]):  # your train gives the same curve for any model: the reference's, then
        targets = {name: np.asarray(helpers.expected_curve(ref, weights, name, lr, ref.x_data, ref.y_data, epochs)[0])
                   for name in names}
    check.close([float(curves[name][0]) for name in names], [float(targets[name][0]) for name in names],
                f"the first loss of each curve, in the order {names} (every model must start from the weights of "
                f"torch.manual_seed({seed}); LinearModel())", rtol=helpers.RTOL, atol=helpers.ATOL, mistakes={
                    "torch.manual_seed(seed) is called once, not right before building each model, so the "
                    "optimizers start from different weights":
                        [_initial_loss(start) for start in seeded_once],
                    "the seed argument is ignored (the models start from torch.manual_seed(0))":
                        [_initial_loss(helpers.seeded_weights(worker, 0))] * len(names),
                    "one model is trained by all the optimizers in turn; each optimizer needs a fresh LinearModel":
                        [helpers.variant_curve(None, name, lr, ref.x_data, ref.y_data, epochs, model=shared)[0]
                         for name in names],
                })
    for name in names:
        check.close(curves[name], targets[name], f"the {name} curve of {call}", rtol=helpers.RTOL, atol=helpers.ATOL)


@pytest.mark.points(1)
@pytest.mark.judges("plot_losses")
def test_plot_losses(sub, ref, rng):
    """plot_losses draws one line per optimizer, labelled with its name, and a legend"""
    curves = {name: [float(v) for v in np.geomspace(rng.uniform(20, 50), rng.uniform(0.01, 5), 12)]
              for name in ref.OPTIMIZERS}
    fig = check.call("plot_losses(curves)", sub.plot_losses, curves)
    lines, legend_texts = helpers.lines_and_legend(fig, "plot_losses(curves)")
    for name, curve in curves.items():
        labelled = [ydata for label, ydata in lines if label == name]
        if not labelled:
            hint = " (the legend shows it, but the line itself carries no such label)" if name in legend_texts else ""
            raise check.CheckFailed(f"the figure has {len(lines)} line(s) and none is labelled {name!r}{hint}: "
                                    f"plot every curve with ax.plot(..., label=name)")
        check.that(any(y.shape == (len(curve),) and np.allclose(y, curve, rtol=1e-6) for y in labelled),
                   f"the line labelled {name!r} does not show curves[{name!r}] (the loss of each epoch)")
    missing = [name for name in curves if name not in legend_texts]
    check.that(not missing, "the figure has no legend: call ax.legend() after plotting" if not legend_texts
               else f"the legend does not show {missing}")
