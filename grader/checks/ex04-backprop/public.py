"""Public checks for ex04-backprop: students run these locally."""

import contextlib
import itertools
import math

import numpy as np
import pytest
import torch

from pttutor.grader import expect
from pttutor.grader.remote import SubmissionError, SubmissionTimeout, WorkerLost

pytestmark = pytest.mark.public

XS = [1.0, 2.0, 3.0]
YS = [2.0, 4.0, 6.0]
COURSE = {"w1": 0.2404, "w2": 0.9267, "b": 0.9914, "forward(4)": 8.544}

NO_GRAD = ("update each parameter in place inside `with torch.no_grad():` (`w1 -= lr * w1.grad`), "
           "or through .data (`w1.data -= lr * w1.grad`), so that the update is not recorded by autograd")


def _why(message, in_train):
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
def _explained(call, in_train=False):
    """Turn a known autograd error raised by the student's code into a message naming its cause."""
    try:
        yield
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        why = _why(exc.message, in_train)
        if why is None:
            raise
        raise expect.CheckFailed(f"{call} raised {exc}\nThe usual cause is {why}") from None


def _replay(xs, ys, w1, w2, b, lr, epochs, zeroed=("w1", "w2", "b"), record="before",
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


def _train_mistakes(xs, ys, w1, w2, b, lr, epochs, part):
    """What the usual mistakes in train produce: part 0 gives (w1, w2, b), part 1 loss_history."""
    def run(**changes):
        args = dict(xs=xs, ys=ys, w1=w1, w2=w2, b=b, lr=lr, epochs=epochs)
        args.update(changes)
        return _replay(**args)[part]

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


def _floats(result, what, n):
    expect.that(type(result) in (tuple, list) and len(result) == n,
                f"{what} should return a tuple of {n}; got {expect.describe(result)}")
    for value in result:
        expect.that(type(value) is float,
                    f"{what} should return Python floats (use .item() on a tensor); got {expect.describe(value)}")
    return list(result)


@pytest.mark.points(1)
def test_forward_and_loss(sub, ref):
    """forward and loss compute w1*x**2 + w2*x + b and its squared error, for numbers and tensors"""
    expect.close(sub.forward(3.0, 1.0, 1.0, 1.0), ref.forward(3.0, 1.0, 1.0, 1.0), "forward(3, w1=1, w2=1, b=1)")
    expect.close(sub.forward(2.0, 0.5, -1.0, 2.0), ref.forward(2.0, 0.5, -1.0, 2.0),
                 "forward(2, w1=0.5, w2=-1, b=2)",
                 mistakes={"w1 and w2 are swapped: w1 multiplies x**2, w2 multiplies x":
                           ref.forward(2.0, -1.0, 0.5, 2.0)})
    x = torch.tensor([1.0, 2.0, 3.0, -1.5])
    expect.close(sub.forward(x, 0.5, -1.0, 2.0), ref.forward(x, 0.5, -1.0, 2.0),
                 "forward(tensor([1, 2, 3, -1.5]), 0.5, -1, 2)")
    expect.close(sub.loss(3.0, 6.0, 1.0, 1.0, 1.0), ref.loss(3.0, 6.0, 1.0, 1.0, 1.0),
                 "loss(x=3, y=6, w1=1, w2=1, b=1)",
                 mistakes={"the error is not squared: the loss is (y_hat - y) ** 2": 7.0})
    w1 = torch.tensor(0.5, requires_grad=True)
    got = sub.loss(2.0, 1.0, w1, torch.tensor(-1.0), torch.tensor(2.0))
    expect.that(type(got) is torch.Tensor,
                f"loss called with tensors should return a tensor (autograd needs it); got {expect.describe(got)}")
    expect.that(got.requires_grad,
                "loss called with a tensor that requires grad returned a tensor that does not: do not turn "
                "the loss into a number (float(), .item()) or detach it inside loss, or backward() cannot reach w1")
    expect.close(got, ref.loss(2.0, 1.0, 0.5, -1.0, 2.0), "loss(2, 1, tensor(0.5), tensor(-1), tensor(2))")


@pytest.mark.points(1)
def test_gradients_by_hand(sub, ref):
    """gradients_by_hand gives the chain-rule gradients (126, 42, 14) at x=3, y=6, w1=w2=b=1"""
    got = _floats(sub.gradients_by_hand(3.0, 6.0, 1.0, 1.0, 1.0), "gradients_by_hand", 3)
    expected = ref.gradients_by_hand(3.0, 6.0, 1.0, 1.0, 1.0)  # error = 13 - 6 = 7
    expect.close(got, expected, "(dw1, dw2, db) at x=3, y=6, w1=w2=b=1", mistakes={
        "the factor 2 from d(error**2)/d(y_hat) = 2 * error is missing": [63.0, 21.0, 7.0],
        "dw1 uses x instead of x**2 (dy_hat/dw1 = x**2)": [42.0, 42.0, 14.0],
        "dw1 uses 2*x, the derivative of x**2 with respect to x, but dy_hat/dw1 = x**2": [84.0, 42.0, 14.0],
        "the sign is flipped: d(y_hat - y)**2 / d(y_hat) = 2 * (y_hat - y), not 2 * (y - y_hat)":
            [-126.0, -42.0, -14.0],
    })
    expect.close(sub.gradients_by_hand(2.0, 4.0, 1.0, 1.0, 1.0), [24.0, 12.0, 6.0],
                 "(dw1, dw2, db) at x=2, y=4, w1=w2=b=1")


@pytest.mark.points(1)
def test_gradients_autograd(sub, ref, device):
    """gradients_autograd returns the gradients autograd computes, as floats, equal to the chain rule's"""
    previous = [0.0, 0.0, 0.0]
    for x, y in ((3.0, 6.0), (2.0, 4.0)):
        with _explained(f"gradients_autograd({x:g}, {y:g}, 1.0, 1.0, 1.0)"):
            result = sub.gradients_autograd(x, y, 1.0, 1.0, 1.0)
        got = _floats(result, "gradients_autograd", 3)
        expected = ref.gradients_autograd(x, y, 1.0, 1.0, 1.0)
        expect.close(got, expected, f"(dw1, dw2, db) at x={x:g}, y={y:g}, w1=w2=b=1",
                     rtol=1e-4, atol=1e-5, loose=device != "cpu", mistakes={
                         "the loss is not squared: backward() must start from (y_hat - y) ** 2": [x * x, x, 1.0],
                         "it is the sum of this call's gradients and the previous call's: .grad accumulates "
                         "across calls; make fresh tensors with requires_grad=True in each call":
                             [a + e for a, e in zip(previous, expected)],
                     })
        previous = got


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_train_course_facts(sub, ref, device):
    """train from w1=w2=b=1 (lr 0.01, 100 epochs) gives w1=0.2404, w2=0.9267, b=0.9914, forward(4)=8.544"""
    with _explained("train(x_data, y_data, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)", in_train=True):
        result = sub.train(XS, YS, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)
    expect.that(type(result) in (tuple, list) and len(result) == 4,
                f"train should return (w1, w2, b, loss_history); got {expect.describe(result)}")
    params = _floats(result[:3], "train's w1, w2, b", 3)
    history = result[3]
    expect.that(type(history) is list and len(history) == 100,
                f"loss_history should be a list of 100 floats, one per epoch; got {expect.describe(history)}")
    expect.that(all(type(v) is float for v in history),
                "loss_history should hold Python floats: append l.item(), not the tensor l; "
                f"its first element is {expect.describe(history[0])}")
    if not all(math.isfinite(v) for v in params):
        raise expect.CheckFailed(
            f"train diverged: w1, w2, b = {params}. On this data lr=0.01 converges, so the steps were too large; "
            "the usual cause is gradients that are never zeroed: backward() adds to .grad, so each step uses the "
            "sum of all gradients so far. Call w1.grad.zero_() (and the same for w2 and b) after every update.")
    *expected_params, expected_history = ref.train(XS, YS, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)
    expect.close(params, expected_params, "(w1, w2, b) after training", rtol=1e-3, atol=1e-4, loose=device != "cpu",
                 mistakes=_train_mistakes(XS, YS, 1.0, 1.0, 1.0, 0.01, 100, 0))
    for name, value in zip(("w1", "w2", "b"), params):
        expect.close(value, COURSE[name], f"{name} after training (course value {COURSE[name]})", rtol=0.0, atol=1e-3)
    expect.close(sub.forward(4.0, *params), COURSE["forward(4)"], "forward(4) after training (course value 8.544)",
                 rtol=0.0, atol=1e-3)
    expect.close(history, expected_history, "loss_history", rtol=1e-3, atol=1e-6, loose=device != "cpu",
                 mistakes=_train_mistakes(XS, YS, 1.0, 1.0, 1.0, 0.01, 100, 1))
