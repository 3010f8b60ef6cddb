"""Helpers shared by the public and hidden checks of ex06-logistic: calls into the student's code,
models with given weights, the loss curves of the usual training-loop mistakes, and what fit must give."""

import torch

from pttutor.grader import check

RTOL, ATOL = 1e-4, 1e-5


def call(what, fn, *args, **kwargs):
    """Call into the student's code (see ``check.call``), explaining the usual cause of one error."""
    return check.call(what, fn, *args, explain=_explain, **kwargs)


def _explain(exc):
    if "between 0 and 1" in exc.message:
        return ("BCELoss takes probabilities: the model's forward must return "
                "torch.sigmoid(self.linear(x)), not the raw w * x + b")
    return ""


def student_model(sub, state, device):
    """A student's LogisticRegressionModel holding exactly the weights ``state``."""
    model = call("LogisticRegressionModel()", sub.LogisticRegressionModel)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"LogisticRegressionModel() should build an nn.Module; got {check.describe(model)}")
    call("model.load_state_dict(weights of nn.Linear(1, 1) in self.linear)", model.load_state_dict, state)
    call("model.to(device)", model.to, device)
    return model


def reference_model(ref, w, b):
    model = ref.LogisticRegressionModel()
    with torch.no_grad():
        model.linear.weight.fill_(w)
        model.linear.bias.fill_(b)
    return model


def variant_curve(ref, state, x, y, epochs, lr, *, reduction="sum", zero_grad=True, after_step=False,
                  loss="bce", sigmoid=True):
    """The curve a training loop with one known mistake gives, computed here, trusted
    (None where that mistake makes BCELoss raise)."""
    model = ref.LogisticRegressionModel()
    model.load_state_dict(state)
    # A list comprehension, not model.parameters() itself: list() would first ask the recorded
    # reference of the student kit for a len() that was never recorded.
    optimizer = torch.optim.SGD([p for p in model.parameters()], lr=lr)
    criterion = (torch.nn.BCELoss if loss == "bce" else torch.nn.MSELoss)(reduction=reduction)
    forward = model if sigmoid else model.linear
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


def fit_reference(ref, worker, seed, epochs=1000, lr=0.01):
    """What fit(seed, epochs, lr) must give: the weights nn.Linear(1, 1) gets right after
    torch.manual_seed(seed) in the worker (on its device), trained here by the reference."""
    worker.import_module("torch").manual_seed(seed)
    layer = worker.import_module("torch.nn").Linear(1, 1)
    state = {"linear.weight": layer.weight.detach().clone(), "linear.bias": layer.bias.detach().clone()}
    model = ref.LogisticRegressionModel()
    model.load_state_dict(state)
    ref.train(model, ref.x_data, ref.y_data, epochs, lr)
    return [model.linear.weight.item(), model.linear.bias.item()]
