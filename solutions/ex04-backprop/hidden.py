"""Hidden checks for ex04-backprop: integer arguments and the edges of train, each judged against
the student's own answers for ordinary arguments, so that a mistake the public checks charge is
not charged again."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


def _exact_fits(rng):
    """Integer points (x, y, w1, w2, b) where the model fits exactly: every gradient is 0, so that
    gradients left over from an earlier call (judged by the public checks) change nothing here."""
    for _ in range(3):
        x, w1, w2, b = (int(v) for v in rng.integers(-3, 4, size=4))
        yield x, w1 * x * x + w2 * x + b, w1, w2, b


@pytest.mark.points(1)
@pytest.mark.judges("gradients_by_hand", uses=["forward"])
def test_gradients_by_hand_returns_floats(sub, rng, worker, request):
    """gradients_by_hand returns three Python floats, for float and for integer arguments"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    for i, args in enumerate([(3.0, 6.0, 1.0, 1.0, 1.0), *_exact_fits(rng)]):
        call = f"gradients_by_hand({', '.join(map(str, args))})"
        got = helpers.floats(check.call(call, sub.gradients_by_hand, *args), call, 3)
        check.that(i > 0 or any(got), f"{call} gives {got}: away from an exact fit the gradients are not 0")


@pytest.mark.points(1)
@pytest.mark.judges("gradients_autograd", uses=["loss", "forward"])
def test_gradients_autograd_integer_arguments(sub, rng, worker, request):
    """gradients_autograd works for integer arguments too (only float tensors can require grad)"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, loss=helpers.LOSS)
    for args in _exact_fits(rng):
        answers = []
        for kind, values in (("integer", args), ("float", [float(a) for a in args])):
            call = f"gradients_autograd({', '.join(map(str, values))})"
            try:
                result = sub.gradients_autograd(*values)
            except (check.SubmissionTimeout, check.WorkerLost):
                raise
            except check.SubmissionError as exc:
                raise check.CheckFailed(
                    f"{call} raised {exc}" + ("\nOnly floating-point tensors can require grad: make them with "
                                              "torch.tensor(float(w1), requires_grad=True)" if kind == "integer" else "")
                ) from None
            check.that(type(result) in (tuple, list) and len(result) == 3,
                       f"{call} should return a tuple of 3; got {check.describe(result)}")
            answers.append([check.number(v, f"{call}[{i}]") for i, v in enumerate(result)])
        check.that(np.allclose(*answers, rtol=1e-6, atol=1e-9),
                   f"gradients_autograd gives {answers[0]} for integer arguments but {answers[1]} for the same floats")
    with helpers.explained("gradients_autograd(3.0, 6.0, 1.0, 1.0, 1.0)"):
        away = sub.gradients_autograd(3.0, 6.0, 1.0, 1.0, 1.0)
    check.that(type(away) in (tuple, list) and len(away) == 3 and any(check.number(v, "a gradient") for v in away),
               f"gradients_autograd(3.0, 6.0, 1.0, 1.0, 1.0) gives {away}: away from an exact fit the gradients are "
               "not 0")


@pytest.mark.points(1)
@pytest.mark.timeout(30)
@pytest.mark.judges("train", uses=["loss", "forward"])
def test_train_edge_cases(sub, rng, worker, request):
    """train: no epochs, the default arguments, integer data and starting values, and a second call that
    gives the same results as the first"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, loss=helpers.LOSS)
    xs = [float(v) for v in rng.integers(-2, 3, size=4)]
    ys = [float(v) for v in rng.integers(-3, 4, size=4)]
    params, history = helpers.train(sub, "train(xs, ys, w1=0.5, w2=-1.0, b=2.0, epochs=0)", xs, ys, w1=0.5, w2=-1.0,
                                    b=2.0, epochs=0)
    check.that(np.allclose(params, [0.5, -1.0, 2.0]) and history == [],
               f"train(xs, ys, w1=0.5, w2=-1.0, b=2.0, epochs=0) should give back the initial values and an empty "
               f"loss_history; got {params} and {history}")
    call = "train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)"
    explicit = helpers.train(sub, call, xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100)
    check.that(not np.allclose(explicit[0], [1.0, 1.0, 1.0]), f"{call} leaves w1, w2, b at {explicit[0]}")
    for other, args, kwargs in (
            ("train(xs, ys) with the default arguments", (xs, ys), {}),
            ("a second call of " + call, (xs, ys), {"w1": 1.0, "w2": 1.0, "b": 1.0, "lr": 0.01, "epochs": 100}),
            ("train with integer data and starting values", ([int(v) for v in xs], [int(v) for v in ys]),
             {"w1": 1, "w2": 1, "b": 1, "lr": 0.01, "epochs": 100})):
        got = helpers.train(sub, other, *args, **kwargs)
        check.that(np.allclose(got[0], explicit[0], rtol=1e-5, atol=1e-7) and len(got[1]) == len(explicit[1])
                   and np.allclose(got[1], explicit[1], rtol=1e-5, atol=1e-7),
                   f"{other} gives w1, w2, b = {got[0]}, but your {call} gives {explicit[0]}"
                   + ("; the defaults must be w1=w2=b=1.0, lr=0.01, epochs=100" if "default" in other else "")
                   + ("; keep no state between calls: make fresh tensors in every call" if "second" in other else ""))
