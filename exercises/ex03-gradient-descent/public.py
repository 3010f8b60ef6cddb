"""Public checks for ex03-gradient-descent: students run these locally."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)
X, Y = helpers.X, helpers.Y  # the course data


@pytest.mark.points(1)
def test_forward_and_cost(sub, ref):
    """forward(x, w) is x * w and cost is the mean squared error (14/3 at w=1 on the course data)"""
    check.close(sub.forward(4.0, 2.0), 8.0, "forward(4.0, w=2.0)")
    xs = np.array(X)
    check.close(sub.forward(xs, 0.5), ref.forward(xs, 0.5), "forward(np.array([1, 2, 3]), w=0.5)")
    check.close(sub.cost(X, Y, 2.0), 0.0, "cost(x_data, y_data, w=2.0)", atol=1e-12)
    check.close(sub.cost(X, Y, 1.0), ref.cost(X, Y, 1.0), "cost(x_data, y_data, w=1.0)", mistakes={
        "that is the sum of the squared errors; the cost is their mean": 14.0,
        "that is the mean error, not the mean squared error": -2.0,
    })


@pytest.mark.points(1)
def test_gradients_course_data(sub, ref):
    """gradient(x_data, y_data, 1.0) is -28/3 and sgd_gradient(3, 6, 1.0) is -18"""
    check.close(sub.gradient(X, Y, 1.0), ref.gradient(X, Y, 1.0), "gradient(x_data, y_data, w=1.0)", mistakes={
        "the factor 2 from the derivative of the square is missing": -14.0 / 3.0,
        "that is the sum over the samples; the gradient of the mean squared error is their mean": -28.0,
        "the factor 2 is missing and the samples are summed instead of averaged": -14.0,
        "the sign is flipped: the derivative of (x*w - y)**2 is 2 * x * (x*w - y)": 28.0 / 3.0,
    })
    check.close(sub.gradient(X, Y, 2.0), 0.0, "gradient(x_data, y_data, w=2.0) at the minimum", atol=1e-12)
    check.close(sub.sgd_gradient(3.0, 6.0, 1.0), ref.sgd_gradient(3.0, 6.0, 1.0), "sgd_gradient(x=3, y=6, w=1.0)",
                 mistakes={
                     "the factor 2 from the derivative of the square is missing": -9.0,
                     "the factor x from the derivative of x*w is missing": -6.0,
                     "the sign is flipped: the derivative of (x*w - y)**2 is 2 * x * (x*w - y)": 18.0,
                 })


@pytest.mark.points(2)
def test_gradient_descent_course(sub, ref):
    """gradient descent from w0=1.0 with lr=0.01 for 100 epochs predicts forward(4) = 8.00"""
    call = "gradient_descent(x_data, y_data, w0=1.0, lr=0.01, epochs=100)"
    w, history = helpers.w_and_history(sub.gradient_descent(X, Y, w0=1.0, lr=0.01, epochs=100), call, 100)
    ref_w, ref_history = ref.gradient_descent(X, Y, w0=1.0, lr=0.01, epochs=100)
    after = [ref.cost(X, Y, ref.gradient_descent(X, Y, 1.0, 0.01, e + 1)[0]) for e in range(100)]
    check.close(history, ref_history, f"the loss_history of {call}", mistakes={
        "each entry was recorded after the epoch's update; record the cost at the start of the epoch, "
        "before updating w (loss_history[0] is the cost at w0 = 14/3)": after,
        "w moves half as fast as it should: the gradient is missing the factor 2":
            ref.gradient_descent(X, Y, 1.0, 0.005, 100)[1],
        "w moves 3 times too fast: the gradient sums over the samples instead of averaging":
            ref.gradient_descent(X, Y, 1.0, 0.03, 100)[1],
        "the recorded cost is the sum of the squared errors, not their mean": [3 * v for v in ref_history],
    })
    check.close(w, ref_w, f"the w returned by {call}")
    check.that(round(4 * w, 2) == 8.00,
                f"after {call}, forward(4, w) should be 8.00 (to 2 decimals); got {4 * w:.4f}")


@pytest.mark.points(1)
def test_sgd_course(sub, ref):
    """sgd updates w after every sample: one epoch and 100 epochs on the course data"""
    call = "sgd(x_data, y_data, w0=1.0, lr=0.01, epochs=1)"
    w, history = helpers.w_and_history(sub.sgd(X, Y, w0=1.0, lr=0.01, epochs=1), call, 1)
    ref_w, ref_history = ref.sgd(X, Y, w0=1.0, lr=0.01, epochs=1)
    w_mistakes, h_mistakes = helpers.sgd_mistakes(ref, X, Y, 1.0, 0.01, 1)
    check.close(w, ref_w, f"the w returned by {call} (three updates, one per sample)", mistakes=w_mistakes)
    check.close(history, ref_history,
                 f"the loss_history of {call} (the loss of the last sample, after its update)", mistakes=h_mistakes)
    call = "sgd(x_data, y_data, w0=1.0, lr=0.01, epochs=100)"
    w, history = helpers.w_and_history(sub.sgd(X, Y, w0=1.0, lr=0.01, epochs=100), call, 100)
    ref_w, ref_history = ref.sgd(X, Y, w0=1.0, lr=0.01, epochs=100)
    check.close(history, ref_history, f"the loss_history of {call}")
    check.that(round(4 * w, 2) == 8.00,
                f"after {call}, forward(4, w) should be 8.00 (to 2 decimals); got {4 * w:.4f}")
