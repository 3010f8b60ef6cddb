"""Public checks for ex06-logistic: students run these locally."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

COURSE_BOUNDARY = 2.5


# ----------------------------------------------------------------------------- helpers


def _train_mistakes(ref, state, x, y, epochs, lr):
    """Known training-loop mistakes and (lazily) the curves they give."""
    return {
        "the loss is BCELoss() with the default reduction='mean'; the course sums: BCELoss(reduction='sum')":
            lambda: helpers.variant_curve(ref, state, x, y, epochs, lr, reduction="mean"),
        "the loss is MSELoss (lecture 5's loss); logistic regression uses the binary cross-entropy, "
        "BCELoss(reduction='sum')":
            lambda: helpers.variant_curve(ref, state, x, y, epochs, lr, loss="mse"),
        "the gradients are never zeroed, so they add up from step to step: call optimizer.zero_grad() "
        "before loss.backward()":
            lambda: helpers.variant_curve(ref, state, x, y, epochs, lr, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step "
        "of epoch e":
            lambda: helpers.variant_curve(ref, state, x, y, epochs, lr, after_step=True),
        "the model returns the raw w * x + b: BCELoss needs probabilities, so forward must return "
        "torch.sigmoid(self.linear(x))":
            lambda: helpers.variant_curve(ref, state, x, y, epochs, lr, sigmoid=False),
    }


def _expect_curve(got, expected, what, mistakes, loose):
    """``got`` matches ``expected``; on a mismatch, name the mistake that explains it, if any."""
    check.that(type(got) is list, f"train should return a list of floats; got {check.describe(got)}")
    check.that(len(got) == len(expected), f"train should return one loss per epoch ({len(expected)}); "
                                            f"got {len(got)}")
    for value in got:
        check.that(type(value) is float,
                    f"train's losses should be Python floats (append loss.item(), not the loss tensor); "
                    f"got {check.describe(value)}")
    # The mistakes' curves are computed every time (not only on a mismatch), so that the student
    # kit, which replays the reference's recorded answers, can name them too.
    named = {text: value for text, make in mistakes.items() if (value := make()) is not None}
    check.close(got, expected, what, rtol=helpers.RTOL, atol=helpers.ATOL, loose=loose, mistakes=named)


# ----------------------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_model_is_linear_then_sigmoid(sub, ref, rng, device):
    """LogisticRegressionModel holds nn.Linear(1, 1) in self.linear and returns sigmoid(w * x + b)"""
    model = helpers.call("LogisticRegressionModel()", sub.LogisticRegressionModel)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"LogisticRegressionModel() should build an nn.Module; got {check.describe(model)}")
    try:
        layer = model.linear
    except check.SubmissionError:
        raise check.CheckFailed("LogisticRegressionModel has no attribute `linear`: create the layer as "
                                 "self.linear = nn.Linear(1, 1)") from None
    check.that("torch.nn.modules.linear.Linear" in check.type_names(layer),
                f"self.linear should be nn.Linear(1, 1); got {check.describe(layer)}")
    params = list(iter(helpers.call("model.parameters()", model.parameters)))
    check.that(len(params) == 2, f"LogisticRegressionModel should have exactly 2 parameters (the weight and "
                                  f"the bias of nn.Linear(1, 1)); it has {len(params)}")
    w, b = float(rng.uniform(1.0, 2.0)), float(rng.uniform(-4.0, -2.0))
    state = helpers.reference_model(ref, w, b).state_dict()
    helpers.call("model.load_state_dict(weights of nn.Linear(1, 1) in self.linear)", model.load_state_dict, state)
    helpers.call("model.to(device)", model.to, device)
    x = torch.tensor([[-1.0], [0.5], [2.0], [4.0], [7.0]])
    expected_model = ref.LogisticRegressionModel()
    expected_model.load_state_dict(state)
    with torch.no_grad():
        expected = expected_model(x)
        logits = expected_model.linear(x)
    check.close(helpers.call("model(x)", model, x), expected, f"model(x) with w = {w:.3g}, b = {b:.3g}",
                 loose=device == "cuda", mistakes={
                     "forward returns the raw w * x + b; a logistic regression model returns "
                     "torch.sigmoid(self.linear(x)), a probability in (0, 1)": logits,
                     "forward returns 1 - sigmoid(w * x + b), the probability of the label 0": 1 - expected,
                 })


@pytest.mark.points(2)
def test_train_course_data(sub, ref, device):
    """train gives the course's loss curve (BCELoss summed, SGD lr 0.01), one float per epoch before each step"""
    epochs, lr = 20, 0.01
    torch.manual_seed(0)
    state = ref.LogisticRegressionModel().state_dict()
    model = helpers.student_model(sub, state, device)
    got = helpers.call(f"train(model, x_data, y_data, {epochs})", sub.train, model, ref.x_data, ref.y_data, epochs)
    expected_model = ref.LogisticRegressionModel()
    expected_model.load_state_dict(state)
    expected = ref.train(expected_model, ref.x_data, ref.y_data, epochs, lr)
    _expect_curve(got, expected, f"the loss curve ({epochs} epochs, lr {lr}, from torch.manual_seed(0))",
                  _train_mistakes(ref, state, ref.x_data, ref.y_data, epochs, lr), loose=device == "cuda")
    w = check.number(model.linear.weight, "model.linear.weight after training")
    check.close(w, expected_model.linear.weight.item(), f"model.linear.weight after {epochs} epochs",
                 rtol=helpers.RTOL, atol=helpers.ATOL, loose=device == "cuda")


@pytest.mark.points(1)
def test_fit_crosses_half_near_course_value(sub, ref, worker, device):
    """fit() (1000 epochs, SGD lr 0.01, seed 0) puts the 0.5 crossing near x = 2.5 (course)"""
    model = helpers.call("fit()", sub.fit)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"fit() should return the trained model; got {check.describe(model)}")
    curve = check.as_array(helpers.call("probability_curve(fit(), np.linspace(0, 10, 200))", sub.probability_curve,
                                         model, np.linspace(0, 10, 200)), "probability_curve(model, x_values)")
    check.that(curve.shape == (200,), f"probability_curve over np.linspace(0, 10, 200) should give 200 "
                                       f"probabilities in a 1-D array; got shape {curve.shape}")
    hours = np.linspace(0, 10, 200)
    above = np.flatnonzero(curve >= 0.5)
    crossing = float(hours[above[0]]) if above.size else float("inf")
    w = check.number(model.linear.weight, "model.linear.weight")
    b = check.number(model.linear.bias, "model.linear.bias")
    check.close([w, b], helpers.fit_reference(ref, worker, 0), "(w, b) after fit()", rtol=1e-3, atol=1e-4,
                 loose=device == "cuda", mistakes={
                     "fit trains only 100 epochs; the course needs 1000 (with 100 the curve is far too flat)":
                         helpers.fit_reference(ref, worker, 0, epochs=100),
                 })
    check.that(abs(crossing - COURSE_BOUNDARY) < 0.2,
                f"after fit() the probability curve should cross 0.5 near x = {COURSE_BOUNDARY} (course); "
                f"it first reaches 0.5 at x = {crossing:.3g}")


@pytest.mark.points(1)
def test_plot_probability(sub, ref, device):
    """plot_probability draws the curve over linspace(0, 10, 200), the 0.5 line and the axis labels"""
    state = helpers.reference_model(ref, 1.5, -3.0).state_dict()
    model = helpers.student_model(sub, state, device)
    fig = helpers.call("plot_probability(model)", sub.plot_probability, model)
    check.that("matplotlib.figure.Figure" in check.type_names(fig),
                f"plot_probability should return a matplotlib Figure; got {check.describe(fig)}")
    axes = list(fig.axes)
    check.that(len(axes) >= 1, "the figure has no axes")
    lines = [line for ax in axes for line in ax.get_lines()]
    expected_model = ref.LogisticRegressionModel()
    expected_model.load_state_dict(state)
    hours = np.linspace(0, 10, 200)
    curve = ref.probability_curve(expected_model, hours)
    found_curve = found_half = False
    for line in lines:
        xs = check.as_array(line.get_xdata(), "a line's x data")
        ys = check.as_array(line.get_ydata(), "a line's y data")
        if ys.shape == (200,) and xs.shape == (200,) and np.allclose(xs, hours) and np.allclose(ys, curve, atol=1e-4):
            found_curve = True
        if ys.size >= 2 and np.allclose(ys, 0.5) and xs.size == ys.size and xs.max() - xs.min() >= 5:
            found_half = True
    check.that(found_curve, f"none of the {len(lines)} line(s) is the model's probability over "
                             f"np.linspace(0, 10, 200) (200 points from x = 0 to 10)")
    check.that(found_half, "the figure has no horizontal line at 0.5: ax.plot([0, 10], [0.5, 0.5])")
    ax = axes[0]
    labels = (str(ax.get_xlabel()).lower(), str(ax.get_ylabel()).lower())
    check.that("hours" in labels[0] and "probability" in labels[1],
                f"label the axes 'Hours' and 'Probability of Pass'; got {labels}")
