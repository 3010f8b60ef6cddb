"""Hidden checks for ex05-optimizers: randomized comparisons with the reference and the classic mistakes."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_sgd_reaches_course_fit(sub, ref, device):
    """1000 epochs of SGD (lr 0.01) from torch.manual_seed(0) reach w close to 2, b close to 0 (course)"""
    model = helpers.student_model(sub, helpers.seeded_reference_model(ref, 0), device)
    opt = check.call("make_optimizer('SGD', model.parameters(), lr=0.01)", sub.make_optimizer, "SGD",
                       model.parameters(), lr=0.01)
    check.call("train(model, SGD optimizer, x_data, y_data, 1000)", sub.train, model, opt, ref.x_data, ref.y_data,
                 1000)
    w = check.number(model.linear.weight, "model.linear.weight")
    b = check.number(model.linear.bias, "model.linear.bias")
    check.that(abs(w - 2.0) < 0.05 and abs(b) < 0.1,
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
        model = helpers.student_model(sub, ref_model, device)
        opt = check.call(f"make_optimizer({name!r}, model.parameters(), lr={lr})", sub.make_optimizer, name,
                           model.parameters(), lr=lr)
        got = check.call(f"train(model, {name} optimizer, x, y, {epochs})", sub.train, model, opt, x, y, epochs)
        expected_model = ref.LinearModel()
        expected_model.load_state_dict(state)
        expected = ref.train(expected_model, ref.make_optimizer(name, expected_model.parameters(), lr=lr),
                             x, y, epochs)
        mistakes = {
            **helpers.train_mistakes(ref, state, name, lr, x, y, epochs),
            "train ignores the x and y it is given and trains on the course's x_data, y_data":
                lambda: helpers.variant_curve(ref, state, name, lr, ref.x_data, ref.y_data, epochs),
        }
        helpers.expect_curve(got, expected, f"the {name} loss curve ({epochs} epochs, lr {lr}, {n} random samples)",
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
    got = check.call(f"compare_optimizers(epochs={epochs}, lr={lr}, seed={seed})", sub.compare_optimizers,
                       epochs=epochs, lr=lr, seed=seed)
    check.that(type(got) is dict, f"compare_optimizers should return a dict {{name: losses}}; got {check.describe(got)}")
    missing = [name for name in ref.OPTIMIZERS if name not in got]
    check.that(not missing, f"compare_optimizers leaves out {missing}: train with every name in OPTIMIZERS")
    for name in ref.OPTIMIZERS:
        curve = check.as_array(got[name], f"the curve of {name}")
        check.that(curve.shape == (epochs,),
                    f"the curve of {name} should hold one loss per epoch ({epochs}); got shape {curve.shape}")
    firsts = [float(check.as_array(got[name], f"the curve of {name}")[0]) for name in ref.OPTIMIZERS]
    initial_model = helpers.seeded_reference_model(ref, seed)
    state = initial_model.state_dict()
    with torch.no_grad():
        initial = ref.criterion(initial_model(ref.x_data), ref.y_data).item()
    what = (f"the first loss of each curve, in the order {list(ref.OPTIMIZERS)} (every model must start from the "
            f"weights of torch.manual_seed({seed}); LinearModel())")
    try:
        check.close(firsts, [initial] * len(firsts), what, rtol=helpers.RTOL, atol=helpers.ATOL)
    except check.CheckFailed:
        check.close(firsts, [initial] * len(firsts), what, rtol=helpers.RTOL, atol=helpers.ATOL, mistakes={
            "torch.manual_seed(seed) is called once, not right before building each model, so the "
            "optimizers start from different weights": _first_losses_seeded_once(ref, seed),
            "the seed argument is ignored (the models start from torch.manual_seed(0))":
                [ref.criterion(helpers.seeded_reference_model(ref, 0)(ref.x_data), ref.y_data).item()] * len(firsts),
            "one model is trained by all the optimizers in turn; each optimizer needs a fresh LinearModel":
                _first_losses_one_shared_model(ref, seed, epochs, lr),
            "the loss is MSELoss() with the default reduction='mean'; the course uses MSELoss(reduction='sum')":
                [initial / len(ref.x_data)] * len(firsts),
            "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step of "
            "epoch e (the value optimizer.step(closure) returns)":
                [helpers.variant_curve(ref, state, name, lr, ref.x_data, ref.y_data, 1, after_step=True)[0]
                 for name in ref.OPTIMIZERS],
        })
        raise
    expected = ref.compare_optimizers(epochs=epochs, lr=lr, seed=seed)
    for name in ref.OPTIMIZERS:
        helpers.expect_curve(got[name], expected[name], f"the {name} curve of compare_optimizers(epochs={epochs}, "
                             f"lr={lr}, seed={seed})",
                             helpers.train_mistakes(ref, state, name, lr, ref.x_data, ref.y_data, epochs), loose=False)


@pytest.mark.points(1)
def test_plot_losses_given_curves(sub, ref, rng):
    """plot_losses draws exactly the curves it is given (any names, any lengths), each labelled"""
    names = [str(n) for n in rng.choice(ref.OPTIMIZERS, size=int(rng.integers(2, 5)), replace=False)]
    curves = {name: [float(v) for v in np.abs(rng.normal(size=int(rng.integers(5, 30)))) * 10] for name in names}
    fig = check.call(f"plot_losses(curves with the names {names})", sub.plot_losses, curves)
    check.that("matplotlib.figure.Figure" in check.type_names(fig),
                f"plot_losses should return a matplotlib Figure; got {check.describe(fig)}")
    axes = list(fig.axes)
    lines = [line for ax in axes for line in ax.get_lines()]
    labels = [str(line.get_label()) for line in lines]
    for name, curve in curves.items():
        ydata = [check.as_array(line.get_ydata(), f"the data of the line {name!r}")
                 for line, label in zip(lines, labels) if label == name]
        check.that(any(y.shape == (len(curve),) and np.allclose(y, curve, rtol=1e-6) for y in ydata),
                    f"with curves for {names} only, no line labelled {name!r} shows curves[{name!r}] "
                    f"({len(curve)} values): plot each entry of the dict you are given, with label=name")
    legends = [ax.get_legend() for ax in axes] + list(fig.legends)
    legend_texts = [str(text.get_text()) for legend in legends if legend is not None for text in legend.get_texts()]
    missing = [name for name in curves if name not in legend_texts]
    check.that(not missing, "the figure has no legend: call ax.legend() after plotting" if not legend_texts
                else f"the legend does not show {missing}")
