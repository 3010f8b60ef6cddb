"""Public checks for ex06-logistic: students run these locally.

Each check judges one part and builds what else it needs inside the worker: train,
probability_curve, decision_boundary and plot_probability get a model like
LogisticRegressionModel made there, plot_probability runs with the stub's probability_curve, and
fit with the stub's LogisticRegressionModel and criterion standing in for the student's; fit is
compared with what the student's own train gives. A mistake in one part therefore costs that
part's points only.
"""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

HOURS = np.linspace(0, 10, 200)


@pytest.mark.points(1)
@pytest.mark.judges("LogisticRegressionModel")
def test_model_is_linear_then_sigmoid(sub, ref, rng, device):
    """LogisticRegressionModel holds one nn.Linear(1, 1) and returns sigmoid(w * x + b)"""
    model = helpers.call("LogisticRegressionModel()", sub.LogisticRegressionModel)
    try:
        shapes = sorted(tuple(p.shape) for p in helpers.call("LogisticRegressionModel().parameters()",
                                                             model.parameters))
    except (AttributeError, TypeError):
        raise check.CheckFailed(f"LogisticRegressionModel() should build an nn.Module; got {check.describe(model)}") \
            from None
    check.that(shapes == [(1,), (1, 1)], f"LogisticRegressionModel should hold exactly the weight (1, 1) and the bias "
                                         f"(1,) of one nn.Linear(1, 1); its parameters have the shapes {shapes}")
    w, b = float(rng.uniform(1.0, 2.0)), float(rng.uniform(-4.0, -2.0))
    state = helpers.call("LogisticRegressionModel().state_dict()", model.state_dict)
    # The weights are set by shape, whatever the layer is called (or however often it is registered).
    mine = {key: torch.full(tuple(value.shape), w if tuple(value.shape) == (1, 1) else b)
            for key, value in state.items() if type(value) is torch.Tensor and tuple(value.shape) in ((1, 1), (1,))}
    helpers.call("model.load_state_dict(w and b, by shape)", model.load_state_dict, {**state, **mine})
    x = torch.tensor([[-1.0], [0.5], [2.0], [4.0], [7.0]])
    expected = helpers.reference_model(ref, (w, b))(x).detach()
    logits = w * x + b
    check.close(helpers.call("model(x)", model, x), expected, f"model(x) with w = {w:.3g}, b = {b:.3g}",
                loose=device != "cpu", mistakes={
                    "forward returns the raw w * x + b; a logistic regression model returns "
                    "torch.sigmoid(self.linear(x)), a probability in (0, 1)": logits,
                    "forward returns 1 - sigmoid(w * x + b), the probability of the label 0": 1 - expected,
                })


@pytest.mark.points(2)
@pytest.mark.judges("train", uses=["<module>"])
def test_train(sub, ref, rng, worker, request, device):
    """train gives the reference's loss curve and weights: the course data (lr 0.01 by default), random data and lr"""
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION)
    n = int(rng.integers(5, 9))
    x_np = np.sort(rng.uniform(-2.0, 4.0, size=(n, 1)), axis=0)
    y_np = (x_np > np.median(x_np)).astype(np.float64)
    flip = int(rng.integers(0, n))
    y_np[flip] = 1 - y_np[flip]  # not separable, so the weights stay moderate
    x, y = torch.tensor(x_np, dtype=torch.float32), torch.tensor(y_np, dtype=torch.float32)
    runs = [(helpers.seeded_weights(0), ref.x_data, ref.y_data, 20, None, "the course data, from torch.manual_seed(0)"),
            ([float(v) for v in rng.normal(size=2)], x, y, int(rng.integers(12, 20)),
             round(float(rng.uniform(0.03, 0.08)), 4), f"{n} random samples")]
    for weights, xs, ys, epochs, lr, data in runs:
        call = f"train(model, x, y, {epochs}" + (f", lr={lr})" if lr else ")")
        model = helpers.model(worker, weights)
        got = helpers.call(call, sub.train, model, xs, ys, epochs, **({"lr": lr} if lr else {}))
        got = check.as_array(got, f"what {call} returned")
        expected_model = helpers.reference_model(ref, weights)
        expected = ref.train(expected_model, xs, ys, epochs, lr or 0.01)
        check.close(got, expected, f"the loss curve of {call} on {data}", rtol=helpers.RTOL, atol=helpers.ATOL,
                    loose=device != "cpu",
                    mistakes=helpers.train_mistakes(weights, xs, ys, epochs, lr or 0.01, ref.x_data, ref.y_data))
        check.close(helpers.weights_of(model, "the model"),
                    [expected_model.linear.weight.item(), expected_model.linear.bias.item()],
                    f"(w, b) after {call} on {data}", rtol=helpers.RTOL, atol=helpers.ATOL, loose=device != "cpu")


@pytest.mark.points(1)
@pytest.mark.judges("train", "<module>")
def test_train_course_loss_and_floats(sub, worker, request):
    """train returns a list of Python floats, and trains with the module's criterion, BCELoss(reduction='sum')"""
    weights, call = helpers.seeded_weights(0), "train(model, x_data, y_data, 5)"
    got = helpers.call(call, sub.train, helpers.model(worker, weights), sub.x_data, sub.y_data, 5)
    check.that(type(got) is list and all(type(v) is float for v in got),
               f"{call} should return a list of Python floats (append loss.item(), not the loss tensor); got "
               f"{check.describe(got)}" + (f" holding {check.describe(got[0])}" if type(got) in (list, tuple) and got
                                           else ""))
    check.that(np.ptp(got) > 0, f"{call} gives the same loss {got[0]} at every epoch: the model should learn")
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION)
    summed = helpers.call(call, sub.train, helpers.model(worker, weights), sub.x_data, sub.y_data, 5)
    check.that(np.allclose(got, check.as_array(summed, "train's losses"), rtol=1e-6, atol=1e-7),
               f"{call} gives {got}, but {summed} with criterion = nn.BCELoss(reduction='sum'): keep the module's "
               f"criterion as the course has it, nn.BCELoss(reduction='sum')")


@pytest.mark.points(1)
@pytest.mark.judges("fit", uses=["LogisticRegressionModel", "train"])
def test_fit(sub, ref, worker, request):
    """fit() seeds, builds the model right after and trains it 1000 epochs with lr 0.01 on the course data"""
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION, LogisticRegressionModel=helpers.MODEL)
    got = helpers.weights_of(helpers.call("fit()", sub.fit), "the model fit() returns")
    expected = helpers.fit_expected(sub, ref, worker, 0, 1000, 0.01)
    if not np.allclose(got, expected, rtol=1e-3, atol=1e-4):
        check.close(got, expected, "(w, b) of the model fit() returns", rtol=1e-3, atol=1e-4, mistakes={
            "fit trains only 100 epochs; the course needs 1000 (with 100 the curve is far too flat)":
                helpers.fit_expected(sub, ref, worker, 0, 100, 0.01),
            "fit does not call torch.manual_seed(0) right before building the model":
                helpers.fit_expected(sub, ref, worker, 1, 1000, 0.01),
        })


@pytest.mark.points(1)
@pytest.mark.judges("probability_curve")
def test_probability_curve(sub, ref, rng, worker, device):
    """probability_curve gives the model's probability at every x, as a flat array of the same length"""
    for x_values in (HOURS, np.sort(rng.uniform(-5, 10, size=int(rng.integers(7, 40))))):
        weights = (float(rng.uniform(0.5, 2.5)) * float(rng.choice([-1, 1])), float(rng.uniform(-3, 3)))
        call = f"probability_curve(model, x_values) for {len(x_values)} values, w = {weights[0]:.3g}, b = {weights[1]:.3g}"
        got = helpers.call(call, sub.probability_curve, helpers.model(worker, weights), x_values)
        expected = ref.probability_curve(helpers.reference_model(ref, weights), x_values)
        logits = weights[0] * x_values + weights[1]
        check.close(got, expected, call, rtol=1e-5, atol=1e-6, loose=device != "cpu", mistakes={
            "it has shape (n, 1); flatten it to one probability per x: .reshape(-1)": expected[:, None],
            "those are the raw w * x + b, not probabilities: the model must end with a sigmoid": logits,
        })


@pytest.mark.points(1)
@pytest.mark.judges("decision_boundary")
def test_decision_boundary(sub, ref, rng, worker):
    """decision_boundary gives the x where w * x + b = 0, for weights of either sign"""
    for _ in range(3):
        w = float(rng.uniform(0.4, 3.0)) * float(rng.choice([-1, 1]))
        b = float(rng.uniform(-4, 4))
        got = helpers.call("decision_boundary(model)", sub.decision_boundary, helpers.model(worker, (w, b)))
        expected = ref.decision_boundary(helpers.reference_model(ref, (w, b)))
        w32, b32 = (float(v) for v in torch.tensor([w, b], dtype=torch.float32))
        check.close(check.number(got, "decision_boundary(model)"), expected,
                    f"decision_boundary for w = {w:.4g}, b = {b:.4g}", rtol=1e-5, atol=1e-6, mistakes={
                        "the sign is wrong: w * x + b = 0 gives x = -b / w": b32 / w32,
                        "w and b are swapped: w * x + b = 0 gives x = -b / w": -w32 / b32,
                    })


@pytest.mark.points(1)
@pytest.mark.judges("plot_probability", uses=["probability_curve"])
def test_plot_probability(sub, ref, worker, request):
    """plot_probability draws the curve over linspace(0, 10, 200), the 0.5 line and the axis labels"""
    check.stand_ins(request, worker, sub, probability_curve=helpers.PROBABILITY_CURVE)
    model = helpers.model(worker, (1.5, -3.0))
    fig = helpers.call("plot_probability(model)", sub.plot_probability, model)
    try:
        axes = list(fig.axes)
    except (check.SubmissionError, TypeError, AttributeError):
        raise check.CheckFailed(f"plot_probability should return the matplotlib Figure; got {check.describe(fig)}") \
            from None
    check.that(axes, "the figure has no axes")
    curve = ref.probability_curve(helpers.reference_model(ref, (1.5, -3.0)), HOURS)
    found_curve = found_half = False
    for line in [line for ax in axes for line in ax.get_lines()]:
        xs = check.as_array(line.get_xdata(), "a line's x data").reshape(-1)
        ys = check.as_array(line.get_ydata(), "a line's y data").reshape(-1)
        if xs.shape == ys.shape == (200,) and np.allclose(xs, HOURS):
            found_curve |= bool(np.allclose(ys, curve, atol=1e-4))
        found_half |= ys.size >= 2 and xs.size == ys.size and np.allclose(ys, 0.5)  # ax.axhline(0.5) included
    check.that(found_curve, "none of the figure's lines is the model's probability over np.linspace(0, 10, 200) "
                            "(200 points from x = 0 to 10)")
    check.that(found_half, "the figure has no horizontal line at 0.5: ax.plot([0, 10], [0.5, 0.5]) or ax.axhline(0.5)")
    labels = [(str(ax.get_xlabel()).lower(), str(ax.get_ylabel()).lower()) for ax in axes]
    check.that(any("hour" in x and ("probab" in y or "pass" in y) for x, y in labels),
               f"label the axes 'Hours' and 'Probability of Pass'; got {labels[0]}")
