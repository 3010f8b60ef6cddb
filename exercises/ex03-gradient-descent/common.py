"""Helpers shared by the public and hidden checks of ex03-gradient-descent: the stub's formulas as
stand-ins for the functions a check does not judge, what gradient_descent and sgd returned, and
the two algorithms replayed in plain floats with the students' usual mistakes."""

import numpy as np

from pttutor.grader import check

X = [1.0, 2.0, 3.0]  # the course data
Y = [2.0, 4.0, 6.0]

# The stub's formulas, built inside the worker while a check judges a function that calls them.
FORWARD = "lambda x, w: x * w"
COST = ("(lambda np: lambda xs, ys, w: float(np.mean((np.asarray(xs, dtype=float) * w"
        " - np.asarray(ys, dtype=float)) ** 2)))(__import__('numpy'))")
GRADIENT = ("(lambda np: lambda xs, ys, w: float(np.mean(2 * np.asarray(xs, dtype=float)"
            " * (np.asarray(xs, dtype=float) * w - np.asarray(ys, dtype=float)))))(__import__('numpy'))")
SGD_GRADIENT = "lambda x, y, w: 2 * x * (x * w - y)"

NO_CLIPPING = ("Do not clip, cap or normalise the learning rate, the step or the gradient: with too large a "
               "learning rate, w must really diverge.")


def run(fn, call, length, *args, **kwargs):
    """Call the student's gradient_descent or sgd; return (w, history) with student-facing messages
    (``length``: the number of epochs, one loss each)."""
    result = check.call(call, fn, *args, **kwargs)
    check.that(type(result) in (tuple, list) and len(result) == 2,
               f"{call} should return a pair (w, loss_history); got {check.describe(result)}")
    w = check.number(result[0], f"the w returned by {call}")
    history = check.as_array(result[1], f"the loss_history returned by {call}").reshape(-1)
    check.that(history.shape == (length,), f"the loss_history returned by {call} should hold one number per "
                                           f"epoch ({length}); got {check.describe(result[1])}")
    return w, history


def judge_runs(sub, ref, name, runs, mistakes, explosion):
    """Judge the student's gradient_descent or sgd (``name``) on each run (xs, ys, w0, lr, epochs, data)
    against the reference, naming the usual ``mistakes``; with lr=1.0, w must explode (to ``explosion``)."""
    for xs, ys, w0, lr, epochs, data in runs:
        call = f"{name}(xs, ys, w0={w0:.4g}, lr={lr:.4g}, epochs={epochs}) on {data}"
        w, history = run(getattr(sub, name), call, epochs, xs, ys, w0=w0, lr=lr, epochs=epochs)
        ref_w, ref_history = getattr(ref, name)(xs, ys, w0, lr, epochs)
        w_mistakes, h_mistakes = mistakes(xs, ys, w0, lr, epochs)
        if lr == 1.0:
            check.that(not abs(w) < 1e3, f"after {call}, w should have exploded ({explosion}); got w = {w:.6g}. "
                                         + NO_CLIPPING)
        check.close(history, ref_history, f"the loss_history of {call}", mistakes=h_mistakes)
        check.close(w, ref_w, f"the w returned by {call}", mistakes=w_mistakes)
        if lr == 0.01 and epochs == 100:
            check.that(round(4 * w, 2) == 8.00, f"after {call}, forward(4, w) should be 8.00; got {4 * w:.4f}")


def descend(xs, ys, w0, lr, epochs, *, scale=1.0, clip=None, record="before"):
    """Batch gradient descent in plain floats, with a mistake: the gradient times ``scale``,
    clipped to [-clip, clip], or the cost recorded "after" the update."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, history = float(w0), []
    for _ in range(epochs):
        before = float(np.mean((xs * w - ys) ** 2))
        step = scale * float(np.mean(2 * xs * (xs * w - ys)))
        w -= lr * (step if clip is None else float(np.clip(step, -clip, clip)))
        history.append(before if record == "before" else float(np.mean((xs * w - ys) ** 2)))
    return w, history


def stochastic(xs, ys, w0, lr, epochs, *, scale=1.0, record="after", step="sample"):
    """Per-sample SGD in plain floats, with a mistake: the gradient times ``scale``; the loss
    recorded "before" the last update, or the "cost" over all samples; a ``step`` with the "batch"
    gradient for every sample, or one batch step per "epoch"."""
    xs, ys = [float(x) for x in xs], [float(y) for y in ys]
    w, history = float(w0), []
    for _ in range(epochs):
        pairs = list(zip(xs, ys)) if step != "epoch" else [(xs[-1], ys[-1])]
        for x, y in pairs:
            before = (x * w - y) ** 2
            if step == "sample":
                w -= lr * scale * 2 * x * (x * w - y)
            else:
                w -= lr * float(np.mean([2 * a * (a * w - b) for a, b in zip(xs, ys)]))
        after = (xs[-1] * w - ys[-1]) ** 2
        history.append({"before": before, "after": after,
                        "cost": float(np.mean([(a * w - b) ** 2 for a, b in zip(xs, ys)]))}[record])
    return w, history


def descent_mistakes(xs, ys, w0, lr, epochs):
    """The usual gradient_descent mistakes: ({mistake: w}, {mistake: loss_history})."""
    variants = {
        "each entry was recorded after the epoch's update; record the cost at the start of the epoch, "
        "before updating w (loss_history[0] is the cost at w0)": descend(xs, ys, w0, lr, epochs, record="after"),
        "w moves half as fast as it should: the gradient is missing the factor 2":
            descend(xs, ys, w0, lr, epochs, scale=0.5),
        "w moves too fast: the gradient sums over the samples instead of averaging":
            descend(xs, ys, w0, lr, epochs, scale=len(xs)),
        "the gradient is clipped to [-1, 1]. " + NO_CLIPPING: descend(xs, ys, w0, lr, epochs, clip=1.0),
        "the learning rate is capped at 0.1. " + NO_CLIPPING: descend(xs, ys, w0, min(lr, 0.1), epochs),
        "it starts from w = 1.0 instead of the w0 passed in": descend(xs, ys, 1.0, lr, epochs),
        "it uses lr = 0.01 instead of the lr passed in": descend(xs, ys, w0, 0.01, epochs),
        "it ignores the xs and ys passed in and uses the course data x_data, y_data":
            descend(X, Y, w0, lr, epochs),
        "it stops one update short": (descend(xs, ys, w0, lr, epochs - 1)[0], None),
        "it does one update too many": (descend(xs, ys, w0, lr, epochs + 1)[0], None),
    }
    return _split(variants)


def sgd_mistakes(xs, ys, w0, lr, epochs):
    """The usual sgd mistakes: ({mistake: w}, {mistake: loss_history})."""
    batch = "SGD must update w with the gradient of one sample at a time (sgd_gradient), not the batch gradient"
    variants = {
        "each update uses the mean gradient over all samples; " + batch: stochastic(xs, ys, w0, lr, epochs, step="batch"),
        "it takes one batch gradient descent step per epoch; " + batch: stochastic(xs, ys, w0, lr, epochs, step="epoch"),
        "w moves half as fast as it should: sgd_gradient is missing the factor 2":
            stochastic(xs, ys, w0, lr, epochs, scale=0.5),
        "it holds the last sample's loss before its update; compute it after the update":
            stochastic(xs, ys, w0, lr, epochs, record="before"),
        "it holds the cost over all samples; loss_history[e] is the loss of the epoch's last sample only":
            stochastic(xs, ys, w0, lr, epochs, record="cost"),
        "the samples are visited in reverse order; go through them in the order given":
            stochastic(list(xs)[::-1], list(ys)[::-1], w0, lr, epochs),
        "the learning rate is capped at 0.1. " + NO_CLIPPING: stochastic(xs, ys, w0, min(lr, 0.1), epochs),
        "it starts from w = 1.0 instead of the w0 passed in": stochastic(xs, ys, 1.0, lr, epochs),
        "it uses lr = 0.01 instead of the lr passed in": stochastic(xs, ys, w0, 0.01, epochs),
        "it ignores the xs and ys passed in and uses the course data x_data, y_data":
            stochastic(X, Y, w0, lr, epochs),
    }
    return _split(variants)


def _split(variants):
    """{mistake: (w, history)} as two dicts. A variant that equals the right answer (the course data
    for "uses the course data", say) never names a wrong one: check.close skips it."""
    return ({text: w for text, (w, _) in variants.items()},
            {text: h for text, (_, h) in variants.items() if h is not None})
