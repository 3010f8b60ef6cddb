"""Helpers shared by the public and hidden checks of ex04-backprop: the stub's formulas as stand-ins
for the functions a check does not judge, the autograd errors explained, and per-sample SGD
replayed in plain floats with the usual training mistakes."""

import contextlib
import itertools

from pttutor.grader import check

# The stub's formulas, built inside the worker while a check judges a function that calls them.
FORWARD = "lambda x, w1, w2, b: w1 * x ** 2 + w2 * x + b"
LOSS = "lambda x, y, w1, w2, b: (w1 * x ** 2 + w2 * x + b - y) ** 2"

def floats(result, what, n):
    """``result`` is a tuple or list of ``n`` Python floats."""
    check.that(type(result) in (tuple, list) and len(result) == n,
               f"{what} should return a tuple of {n}; got {check.describe(result)}")
    for value in result:
        check.that(type(value) is float,
                   f"{what} should return Python floats (use float() or .item()); got {check.describe(value)}")
    return list(result)


def train(sub, call, *args, **kwargs):
    """Call the student's train; return ([w1, w2, b], history), checking the types the stub asks for."""
    with explained(call, in_train=True):
        result = sub.train(*args, **kwargs)
    check.that(type(result) in (tuple, list) and len(result) == 4,
               f"train should return (w1, w2, b, loss_history); got {check.describe(result)}")
    params = floats(result[:3], f"{call} (its w1, w2, b)", 3)
    history = result[3]
    check.that(type(history) is list and all(type(v) is float for v in history),
               f"the loss_history of {call} should be a list of Python floats (append l.item(), not the tensor l); "
               f"got {check.describe(history)}" + (f" holding {check.describe(history[0])}" if history else ""))
    return params, history


NO_GRAD = ("update each parameter in place inside `with torch.no_grad():` (`w1 -= lr * w1.grad`), "
           "or through .data (`w1.data -= lr * w1.grad`), so that the update is not recorded by autograd")


def autograd_cause(message, in_train):
    """The usual cause of an autograd error, in the student's terms (None if unknown)."""
    if "leaf Variable that requires grad" in message:
        return ("an in-place update such as `w1 -= lr * w1.grad` outside torch.no_grad(): autograd refuses "
                "to record an in-place change of a tensor that requires grad. Fix: " + NO_GRAD + ".")
    if "backward through the graph a second time" in message:
        return ("the update was recorded by autograd (no torch.no_grad() or .data), so every new parameter "
                "hangs on the previous sample's graph and backward() runs into it again. Fix: " + NO_GRAD + ".")
    if "NoneType" in message:
        if in_train:
            return ("a .grad that is None: after `w1 = w1 - lr * w1.grad` outside torch.no_grad(), w1 is the "
                    "result of a computation, no longer a leaf tensor, so backward() does not fill its .grad. "
                    "Fix: " + NO_GRAD + ".")
        return ("a .grad that is None: backward() fills .grad only for tensors created with "
                "requires_grad=True; create w1, w2 and b that way.")
    if "does not require grad" in message:
        why = ("backward() found nothing that requires grad: create w1, w2 and b with requires_grad=True")
        if in_train:
            why += (" and keep them; a parameter rebuilt in the update (e.g. from .detach() or torch.tensor(...)) "
                    "loses requires_grad. Fix: " + NO_GRAD)
        return why + "."
    return None


@contextlib.contextmanager
def explained(call, in_train=False):
    """Turn a known autograd error raised by the student's code into a message naming its cause."""
    try:
        yield
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        why = autograd_cause(exc.message, in_train)
        if why is None:
            raise
        raise check.CheckFailed(f"{call} raised {exc}\nThe usual cause is {why}") from None


def replay(xs, ys, w1, w2, b, lr, epochs, zeroed=("w1", "w2", "b"), record="before",
           batch=False, zero_each_epoch=False):
    """Per-sample SGD in plain floats, optionally with one of the students' mistakes.

    ``zeroed``: the parameters whose gradients are zeroed after each update (the others
    accumulate, as with a forgotten ``.grad.zero_()``). ``record``: what goes into the
    history ("before": the last sample's loss before its update, the convention; "after":
    after its update; "mean" / "sum": over the epoch's samples, each before its update;
    "first": the first sample's loss). ``batch``: one update per epoch with the summed
    gradients, instead of one per sample. ``zero_each_epoch``: zero all gradients at the
    end of each epoch only.
    """
    p = {"w1": float(w1), "w2": float(w2), "b": float(b)}
    g = {"w1": 0.0, "w2": 0.0, "b": 0.0}
    history = []
    for _ in range(epochs):
        losses = []
        for x, y in zip(xs, ys):
            error = p["w1"] * x * x + p["w2"] * x + p["b"] - y
            losses.append(error * error)
            g["w1"] += 2 * error * x * x
            g["w2"] += 2 * error * x
            g["b"] += 2 * error
            if not batch:
                for k in p:
                    p[k] -= lr * g[k]
                for k in zeroed:
                    g[k] = 0.0
        if batch:
            for k in p:
                p[k] -= lr * g[k]
                g[k] = 0.0
        if zero_each_epoch:
            for k in g:
                g[k] = 0.0
        last_error = p["w1"] * x * x + p["w2"] * x + p["b"] - y
        after = last_error * last_error
        history.append({"before": losses[-1], "after": after, "mean": sum(losses) / len(losses),
                        "sum": sum(losses), "first": losses[0]}[record])
    return [p["w1"], p["w2"], p["b"]], history


def train_mistakes(xs, ys, w1, w2, b, lr, epochs, part):
    """What the usual mistakes in train produce: part 0 gives (w1, w2, b), part 1 loss_history."""
    def run(**changes):
        args = dict(xs=xs, ys=ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
        args.update(changes)
        return replay(**args)[part]

    mistakes = {}
    for k in (3, 2, 1):
        for kept in itertools.combinations(("w1", "w2", "b"), k):
            which = "the gradients are" if k == 3 else \
                f"{', '.join(f'{name}.grad' for name in kept)} {'is' if k == 1 else 'are'}"
            mistake = (f"{which} never zeroed: backward() adds to .grad, so each step uses the sum of all "
                       "gradients so far; call .grad.zero_() on every parameter after each update")
            mistakes[mistake] = run(zeroed=tuple(n for n in ("w1", "w2", "b") if n not in kept))
    mistakes["the gradients are zeroed only once per epoch instead of after every sample's update"] = \
        run(zeroed=(), zero_each_epoch=True)
    mistakes["it takes one step per epoch: the update must come after every sample (per-sample SGD)"] = \
        run(batch=True)
    mistakes["nothing was learned: the gradients are zeroed before the update (zero them after it), or the "
             "update does not change the parameters"] = run(lr=0.0)
    if [float(x) for x in xs] != [1.0, 2.0, 3.0] or [float(y) for y in ys] != [2.0, 4.0, 6.0]:
        mistakes["it trains on the course data x_data, y_data instead of the xs, ys passed in"] = \
            run(xs=[1.0, 2.0, 3.0], ys=[2.0, 4.0, 6.0])
    if part == 1:
        last = "record l.item() of the epoch's last sample as computed before its update"
        mistakes[f"loss_history[e] holds the loss after the last sample's update; {last}"] = run(record="after")
        mistakes[f"loss_history[e] is the mean over the epoch's samples; {last}"] = run(record="mean")
        mistakes[f"loss_history[e] is the sum over the epoch's samples; {last}"] = run(record="sum")
        mistakes[f"loss_history[e] is the loss of the epoch's first sample; {last}"] = run(record="first")
    return mistakes
