"""Helpers shared by the public and hidden checks of ex06-logistic.

A check of one part never runs the student's other parts: the models and the loss it needs
are built inside the worker from torch itself (``model``), and while fit or plot_probability is
judged, the stub's LogisticRegressionModel, criterion or probability_curve stand in for the
student's (``stand_ins``). Expected
values come from the reference; the curves of the usual mistakes are computed here with torch
alone, so that the student kit, which has no reference, still names them.
"""

import numpy as np
import torch

from pttutor.grader import check

RTOL, ATOL = 1e-4, 1e-5

# The stub's parts, built inside the worker while a check judges a part that uses them: a model
# like LogisticRegressionModel (its layer is called linear, then a sigmoid) and the course's loss.
MODEL = ("lambda: __import__('torch').nn.Sequential(__import__('collections').OrderedDict("
         "linear=__import__('torch').nn.Linear(1, 1), sigmoid=__import__('torch').nn.Sigmoid()))")
CRITERION = "__import__('torch').nn.BCELoss(reduction='sum')"
PROBABILITY_CURVE = ("lambda model, x_values: model(__import__('torch').tensor(__import__('numpy').asarray("
                     "x_values, dtype='float32')).reshape(-1, 1)).detach().reshape(-1).cpu().numpy()")


def call(what, fn, *args, **kwargs):
    """Call into the student's code (see ``check.call``), explaining the usual cause of one error."""
    return check.call(what, fn, *args, explain=_explain, **kwargs)


def _explain(exc):
    if "between 0 and 1" in exc.message:
        return ("BCELoss takes probabilities: LogisticRegressionModel's forward must return "
                "torch.sigmoid(self.linear(x)), not the raw w * x + b")
    return ""


def state(weights):
    """The state_dict of a model like LogisticRegressionModel holding ``weights`` = (w, b)."""
    w, b = weights
    return {"linear.weight": torch.tensor([[float(w)]]), "linear.bias": torch.tensor([float(b)])}


def model(worker, weights):
    """A model like LogisticRegressionModel built inside the worker (on its device), holding ``weights``."""
    built = worker.import_module("builtins").eval(MODEL)()
    built.load_state_dict(state(weights))
    return built


def reference_model(ref, weights):
    """The reference's LogisticRegressionModel holding ``weights``."""
    built = ref.LogisticRegressionModel()
    built.load_state_dict(state(weights))
    return built


def seeded_weights(seed):
    """(w, b) of the nn.Linear(1, 1) built right after torch.manual_seed(seed), here (on the CPU)."""
    torch.manual_seed(seed)
    layer = torch.nn.Linear(1, 1)
    return [layer.weight.item(), layer.bias.item()]


def weights_of(model, what):
    """(w, b) of a model: the parameters shaped (1, 1) and (1,), found in its state_dict by shape,
    whatever the layer is called (or however often it is registered)."""
    try:
        items = check.call(f"{what}.state_dict()", model.state_dict).items()
    except AttributeError:
        raise check.CheckFailed(f"{what} should be the trained model; got {check.describe(model)}") from None
    found = {}
    for key, value in items:
        if type(value) is torch.Tensor and tuple(value.shape) in ((1, 1), (1,)):
            found.setdefault(tuple(value.shape), float(value.reshape(())))
    check.that(len(found) == 2, f"{what} should hold the weight (1, 1) and the bias (1,) of one nn.Linear(1, 1); "
                                f"its state_dict holds {sorted(found) or 'neither'}")
    return [found[(1, 1)], found[(1,)]]


def variant_curve(weights, x, y, epochs, lr, *, reduction="sum", zero_grad=True, after_step=False, loss="bce",
                  sigmoid=True):
    """The curve of a training loop with one known mistake, computed here with torch alone
    (None where that mistake makes BCELoss raise)."""
    layer = torch.nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(weights[0])
        layer.bias.fill_(weights[1])
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    criterion = (torch.nn.BCELoss if loss == "bce" else torch.nn.MSELoss)(reduction=reduction)

    def forward(inputs):
        return torch.sigmoid(layer(inputs)) if sigmoid else layer(inputs)

    losses = []
    for _ in range(epochs):
        if zero_grad:
            optimizer.zero_grad()
        try:
            value = criterion(forward(x), y)
        except RuntimeError:
            return None
        value.backward()
        optimizer.step()
        if after_step:
            with torch.no_grad():
                value = criterion(forward(x), y)
        losses.append(value.item())
    return losses


def train_mistakes(weights, x, y, epochs, lr, course_x, course_y):
    """The curves of the usual training-loop mistakes (computed now, so that the kit names them too)."""
    variants = {
        "the loss is BCELoss() with the default reduction='mean'; the course sums: BCELoss(reduction='sum')":
            variant_curve(weights, x, y, epochs, lr, reduction="mean"),
        "the loss is MSELoss (lecture 5's loss); logistic regression uses the binary cross-entropy, "
        "BCELoss(reduction='sum')": variant_curve(weights, x, y, epochs, lr, loss="mse"),
        "the gradients are never zeroed, so they add up from step to step: call optimizer.zero_grad() "
        "before loss.backward()": variant_curve(weights, x, y, epochs, lr, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before the step "
        "of epoch e": variant_curve(weights, x, y, epochs, lr, after_step=True),
        f"the lr argument is ignored: train(..., lr={lr}) trains with lr 0.01": variant_curve(weights, x, y, epochs, 0.01),
        "train ignores the x and y it is given and trains on the course's x_data, y_data":
            variant_curve(weights, course_x, course_y, epochs, lr),
    }
    return {text: curve for text, curve in variants.items() if curve is not None}


def fit_expected(sub, ref, worker, seed, epochs, lr):
    """What fit(seed, epochs, lr) must give: the weights the student's own train (judged by its own checks)
    gives a model like LogisticRegressionModel built right after torch.manual_seed(seed); where that train
    leaves the model as it is, the weights the reference's train gives it."""
    own = fit_by_own_train(sub, worker, seed, epochs, lr)
    worker.import_module("torch").manual_seed(seed)
    start = weights_of(worker.import_module("builtins").eval(MODEL)(), "the model")
    if not np.allclose(own, start):
        return own
    trained = reference_model(ref, start)
    ref.train(trained, ref.x_data, ref.y_data, epochs, lr)
    return [trained.linear.weight.item(), trained.linear.bias.item()]


def fit_by_own_train(sub, worker, seed, epochs, lr):
    """The weights fit(seed, epochs, lr) must give with the student's own train (judged by its own
    checks): a model like LogisticRegressionModel built right after torch.manual_seed(seed)."""
    worker.import_module("torch").manual_seed(seed)
    built = worker.import_module("builtins").eval(MODEL)()
    call(f"train(model, x_data, y_data, {epochs}, lr={lr})", sub.train, built, sub.x_data, sub.y_data, epochs, lr)
    return weights_of(built, "the model")
