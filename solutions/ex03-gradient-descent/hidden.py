"""Hidden checks for ex03-gradient-descent: edge cases and the arguments' defaults, each judged
against the student's own answers for ordinary inputs, so that a mistake the public checks
charge is not charged again."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


def _same(got, want, call, compared, advice):
    """The student's (w, history) for ``call`` equals their own answer for ``compared``."""
    for name, g, w in (("w", got[0], want[0]), ("loss_history", got[1], want[1])):
        same = np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=1e-6, atol=1e-9)
        check.that(same, f"the {name} of {call} differs from your answer for {compared}: {advice}")


def _edge_cases(sub, name, rng):
    """No epochs, the defaults, and lists, tuples, arrays and integers for the data."""
    fn = getattr(sub, name)
    x = rng.integers(-3, 4, size=5)
    y = 2 * x + rng.integers(-2, 3, size=5)
    w, _ = helpers.run(fn, f"{name}(xs, ys, w0=1.0, lr=0.1, epochs=0)", 0, x.astype(float), y.astype(float),
                       w0=1.0, lr=0.1, epochs=0)
    check.close(w, 1.0, f"the w returned by {name}(xs, ys, w0=1.0, lr=0.1, epochs=0) (no epochs: w stays w0)")
    explicit = helpers.run(fn, f"{name}(xs, ys, w0=1.0, lr=0.01, epochs=100)", 100, x.astype(float), y.astype(float),
                           w0=1.0, lr=0.01, epochs=100)
    _same(helpers.run(fn, f"{name}(xs, ys)", 100, x.astype(float), y.astype(float)), explicit, f"{name}(xs, ys)",
          f"{name}(xs, ys, w0=1.0, lr=0.01, epochs=100)", "the defaults must be w0=1.0, lr=0.01, epochs=100")
    arrays = helpers.run(fn, f"{name}(xs, ys, w0=0.5, lr=0.02, epochs=7) with NumPy arrays", 7, x.astype(float),
                         y.astype(float), w0=0.5, lr=0.02, epochs=7)
    check.that(arrays[0] != 0.5 and np.ptp(arrays[1]) > 0,
               f"{name}(xs, ys, w0=0.5, lr=0.02, epochs=7) should move w and its loss; got w = {arrays[0]}")
    for kind, xs, ys in (("lists", [float(v) for v in x], [float(v) for v in y]),
                         ("tuples", tuple(float(v) for v in x), tuple(float(v) for v in y)),
                         ("lists of integers", [int(v) for v in x], [int(v) for v in y]),
                         ("integer arrays", x, y)):
        call = f"{name}(xs, ys, w0=0.5, lr=0.02, epochs=7) with {kind}"
        _same(helpers.run(fn, call, 7, xs, ys, w0=0.5, lr=0.02, epochs=7), arrays, call, "NumPy arrays of floats",
              "xs and ys may be lists, tuples or arrays, of integers or floats")


@pytest.mark.points(1)
@pytest.mark.judges("cost", "gradient", "sgd_gradient", uses=["forward"])
def test_functions_integer_inputs(sub, rng, worker, request):
    """cost, gradient and sgd_gradient give the same numbers for integer data, lists and tuples as for float arrays"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD)
    x = rng.choice([-3, -2, -1, 1, 2, 3], size=5)
    y, w = rng.integers(-5, 6, size=5), float(rng.integers(-2, 3)) + 0.5
    cases = [("cost", (x, y, w)), ("gradient", (x, y, w)), ("sgd_gradient", (int(x[0]), int(y[0]), w))]
    for name, args in cases:
        floats = [np.asarray(a, dtype=float) if type(a) is np.ndarray else float(a) for a in args]
        want = check.number(check.call(f"{name} with floats", getattr(sub, name), *floats), f"{name} for floats")
        moved = check.number(check.call(f"{name} with floats", getattr(sub, name), *floats[:2], floats[2] + 1.0),
                             f"{name} for floats")
        check.that(moved != want, f"{name} gives {want} for w = {floats[2]} and for w = {floats[2] + 1}: it should "
                                  "depend on w")
        others = [("integers", args)]
        if name != "sgd_gradient":
            xs, ys = [float(v) for v in floats[0]], [float(v) for v in floats[1]]
            others += [("lists", [xs, ys, floats[2]]), ("tuples", [tuple(xs), tuple(ys), floats[2]])]
        for kind, values in others:
            got = check.number(check.call(f"{name} with {kind}", getattr(sub, name), *values), f"{name} for {kind}")
            check.that(np.isclose(got, want, rtol=1e-6, atol=1e-9),
                       f"{name} gives {got:.6g} for {kind} but {want:.6g} for the same values as floats; if it "
                       f"fills an array made like the data (np.zeros_like(xs)), that array has the data's integer "
                       f"dtype and rounds what is stored in it: convert with np.asarray(xs, dtype=float)")


@pytest.mark.points(1)
@pytest.mark.judges("gradient_descent", uses=["gradient", "cost", "forward"])
def test_gradient_descent_edge_cases(sub, rng, worker, request):
    """gradient_descent: no epochs, the default arguments, and lists, tuples or integers as data"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, cost=helpers.COST, gradient=helpers.GRADIENT)
    _edge_cases(sub, "gradient_descent", rng)


@pytest.mark.points(1)
@pytest.mark.judges("sgd", uses=["sgd_gradient", "forward"])
def test_sgd_edge_cases(sub, rng, worker, request):
    """sgd: no epochs, the default arguments, and lists, tuples or integers as data"""
    check.stand_ins(request, worker, sub, forward=helpers.FORWARD, sgd_gradient=helpers.SGD_GRADIENT)
    _edge_cases(sub, "sgd", rng)
