"""Helpers shared by the public and hidden checks of ex05-optimizers.

A check of one part never runs the student's other parts: the models, optimizers, loss and
closures it needs are built inside the worker from torch itself (``linear``, ``optimizer``,
``steps``), and while compare_optimizers is judged, the stub's LinearModel, make_optimizer and
criterion stand in for the student's (``stand_ins``). Expected curves come from the reference;
the curves of the usual mistakes are computed here with torch alone, so that the student kit,
which has no reference, still names them.
"""

import torch

from pttutor.grader import check

RTOL, ATOL = 1e-4, 1e-5

# The stub's parts, built inside the worker while a check judges a part that uses them.
CRITERION = "__import__('torch').nn.MSELoss(reduction='sum')"
# A model like the stub's LinearModel: its only layer is called linear.
LINEAR_MODEL = ("lambda: __import__('torch').nn.Sequential("
                "__import__('collections').OrderedDict(linear=__import__('torch').nn.Linear(1, 1)))")
MAKE_OPTIMIZER = "lambda name, params, lr=0.01: getattr(__import__('torch').optim, name)(params, lr=lr)"
# One training step's closure (zero the gradients, the loss, backward, return the loss), for optimizer.step.
CLOSURE = ("lambda optimizer, model, criterion, x, y: "
           "(optimizer.zero_grad(), (loss := criterion(model(x), y)).backward(), loss)[-1]")

CLOSURE_ADVICE = ("LBFGS re-evaluates the loss several times per step: define closure() that zeroes the gradients, "
                  "computes the loss, calls backward() and returns the loss, then call optimizer.step(closure)")


def linear(worker, weights):
    """A model like LinearModel (one nn.Linear(1, 1) called linear) built inside the worker, on its
    device, holding ``weights`` = (w, b)."""
    model = worker.import_module("builtins").eval(LINEAR_MODEL)()
    w, b = weights
    model.load_state_dict({"linear.weight": torch.tensor([[w]]), "linear.bias": torch.tensor([b])})
    return model


def weights_of(model):
    """(w, b) of a model built by ``linear``, or of an nn.Linear(1, 1)."""
    state = model.state_dict()
    return [float(state[key].reshape(())) for key in sorted(state, key=lambda k: not k.endswith("weight"))]


def seeded_weights(worker, seed):
    """(w, b) of the nn.Linear(1, 1) built right after torch.manual_seed(seed), in the worker."""
    worker.import_module("torch").manual_seed(seed)
    return weights_of(worker.import_module("torch.nn").Linear(1, 1))


def optimizer(worker, name, layer, lr):
    """torch.optim.<name> over the layer's parameters, built inside the worker."""
    return getattr(worker.import_module("torch.optim"), name)(layer.parameters(), lr=lr)


def steps(worker, opt, layer, x, y, n, what):
    """``n`` steps of ``opt`` with the course's closure, run inside the worker; the losses they return."""
    closure = worker.import_module("functools").partial(
        worker.import_module("builtins").eval(CLOSURE), opt, layer, worker.import_module("builtins").eval(CRITERION),
        x, y)
    return [check.number(check.call(what, opt.step, closure), f"the loss {what} returned") for _ in range(n)]


def expected_curve(ref, weights, name, lr, x, y, epochs):
    """The reference's curve (its LinearModel, make_optimizer and train) from ``weights``, and its model."""
    model = ref.LinearModel()
    w, b = weights
    model.load_state_dict({"linear.weight": torch.tensor([[w]]), "linear.bias": torch.tensor([b])})
    return ref.train(model, ref.make_optimizer(name, model.parameters(), lr=lr), x, y, epochs), model


def variant_curve(weights, name, lr, x, y, epochs, *, zero_grad=True, after_step=False, reduction="sum",
                  default_lr=False, model=None, **options):
    """The curve of a training loop with one known mistake, computed here with torch alone
    (``options``: hyperparameters other than the defaults)."""
    if model is None:
        model = torch.nn.Linear(1, 1)
        with torch.no_grad():
            model.weight.fill_(weights[0])
            model.bias.fill_(weights[1])
    opt = getattr(torch.optim, name)(model.parameters(), **({} if default_lr else {"lr": lr}), **options)
    criterion = torch.nn.MSELoss(reduction=reduction)

    def closure():
        if zero_grad:
            opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss

    losses = []
    for _ in range(epochs):
        loss = opt.step(closure)
        if after_step:
            with torch.no_grad():
                loss = criterion(model(x), y)
        losses.append(loss.item())
    return losses


def train_mistakes(weights, name, lr, x, y, epochs, course_x, course_y):
    """Known training-loop mistakes and (lazily) the curves they give."""
    return {
        "the gradients are never zeroed, so they add up from step to step: call "
        "optimizer.zero_grad() before loss.backward()":
            lambda: variant_curve(weights, name, lr, x, y, epochs, zero_grad=False),
        "each loss is recorded after the optimizer's step; losses[e] must be the loss before "
        "the step of epoch e (the value optimizer.step(closure) returns)":
            lambda: variant_curve(weights, name, lr, x, y, epochs, after_step=True),
        "the loss is MSELoss() with the default reduction='mean'; the course uses "
        "MSELoss(reduction='sum')":
            lambda: variant_curve(weights, name, lr, x, y, epochs, reduction="mean"),
        "train ignores the x and y it is given and trains on the course's x_data, y_data":
            lambda: variant_curve(weights, name, lr, course_x, course_y, epochs),
    }


def expect_curve(got, expected, what, mistakes, loose):
    """``got`` matches ``expected``; on a mismatch, name the mistake that explains it, if any."""
    try:
        check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose)
    except check.CheckFailed:
        check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=loose,
                    mistakes={text: make() for text, make in mistakes.items()})
        raise


def train_curve(sub, worker, name, weights, lr, x, y, epochs, what):
    """The student's train on an nn.Linear(1, 1) and a torch.optim.<name> built inside the worker."""
    layer = linear(worker, weights)
    try:
        return check.as_array(sub.train(layer, optimizer(worker, name, layer, lr), x, y, epochs), what), layer
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        if not exc.kind:
            raise
        if name == "LBFGS" and exc.kind == "TypeError" and "closure" in exc.message:
            raise check.CheckFailed(f"{what} steps LBFGS without a closure (optimizer.step() raised TypeError: "
                                    f"{exc.message}). {CLOSURE_ADVICE}") from None
        advice = ("\ntrain gets the model as an argument: use model(x) and model.parameters(), nothing that only "
                  "LinearModel has" if exc.kind == "AttributeError" else "")
        raise check.CheckFailed(f"{what} raised {exc}{advice}") from None


def lines_and_legend(fig, what):
    """The (label, y data) of every line in the figure, and the texts of its legends."""
    try:
        axes = list(fig.axes)
    except (check.SubmissionError, TypeError, AttributeError):
        raise check.CheckFailed(f"{what} should return the matplotlib Figure; got {check.describe(fig)}") from None
    lines = [(str(line.get_label()), check.as_array(line.get_ydata(), "the data of a line").reshape(-1))
             for ax in axes for line in ax.get_lines()]
    legends = [ax.get_legend() for ax in axes] + list(fig.legends)
    return lines, [str(text.get_text()) for legend in legends if legend is not None for text in legend.get_texts()]
