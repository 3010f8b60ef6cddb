"""Helpers shared by the public and hidden checks of ex05-optimizers: calls into the student's code,
models with the reference's weights, and the loss curves of the usual training-loop mistakes."""

import torch

from pttutor.grader import check

RTOL, ATOL = 1e-4, 1e-5


def seeded_reference_model(ref, seed):
    torch.manual_seed(seed)
    return ref.LinearModel()


def student_model(sub, ref_model, device):
    """A student's LinearModel holding exactly the reference model's weights."""
    model = check.call("LinearModel()", sub.LinearModel)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"LinearModel() should build an nn.Module; got {check.describe(model)}")
    check.call("model.load_state_dict(weights of nn.Linear(1, 1) in self.linear)",
         model.load_state_dict, ref_model.state_dict())
    check.call("model.to(device)", model.to, device)
    return model


def variant_curve(ref, state, name, lr, x, y, epochs, *, zero_grad=True, after_step=False,
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


def train_mistakes(ref, state, name, lr, x, y, epochs):
    """Known training-loop mistakes and (lazily) the curves they give."""
    return {
        f"the lr argument is ignored: make_optimizer({name!r}, params, lr={lr}) builds the optimizer with "
        f"{name}'s default learning rate":
            lambda: variant_curve(ref, state, name, lr, x, y, epochs, default_lr=True),
        "the gradients are never zeroed, so they add up from step to step: call "
        "optimizer.zero_grad() before loss.backward()":
            lambda: variant_curve(ref, state, name, lr, x, y, epochs, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before "
        "the step of epoch e (the value optimizer.step(closure) returns)":
            lambda: variant_curve(ref, state, name, lr, x, y, epochs, after_step=True),
        "the loss is MSELoss() with the default reduction='mean'; the course uses "
        "MSELoss(reduction='sum')":
            lambda: variant_curve(ref, state, name, lr, x, y, epochs, reduction="mean"),
    }


def expect_curve(got, expected, what, mistakes, loose):
    """``got`` matches ``expected``; on a mismatch, name the mistake that explains it, if any."""
    try:
        check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose)
    except check.CheckFailed:
        check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose,
                     mistakes={text: make() for text, make in mistakes.items()})
        raise
