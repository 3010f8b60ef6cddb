"""Helpers shared by the public and hidden checks of ex03-gradient-descent."""

from pttutor.grader import check

X = [1.0, 2.0, 3.0]
Y = [2.0, 4.0, 6.0]


def w_and_history(result, call, epochs):
    """Split what gradient_descent/sgd returned into (w, history) with student-facing messages."""
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"{call} should return a pair (w, loss_history); got {check.describe(result)}")
    w = check.number(result[0], f"the w returned by {call}")
    history = check.as_array(result[1], f"the loss_history returned by {call}")
    if history.ndim > 1 and history.size == epochs:
        history = history.reshape(-1)
    check.that(history.shape == (epochs,),
                f"the loss_history returned by {call} should hold one number per epoch ({epochs}); "
                f"got {check.describe(result[1])}")
    return w, history


def sgd_mistakes(ref, xs, ys, w0, lr, epochs):
    """What the usual SGD mistakes return: ({mistake: w}, {mistake: loss_history})."""
    xs = [float(x) for x in xs]
    ys = [float(y) for y in ys]

    def per_sample(step):
        w, history = float(w0), []
        for _ in range(epochs):
            for x, y in zip(xs, ys):
                w = w - lr * step(x, y, w)
            history.append((xs[-1] * w - ys[-1]) ** 2)
        return w, history

    w_batch, h_batch = per_sample(lambda x, y, w: ref.gradient(xs, ys, w))
    before, w = [], float(w0)
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            loss_before = (x * w - y) ** 2
            w = w - lr * ref.sgd_gradient(x, y, w)
        before.append(loss_before)
    w_half, h_half = ref.sgd(xs, ys, w0, lr / 2, epochs)
    w_gd = ref.gradient_descent(xs, ys, w0, lr, epochs)[0]
    batch = "SGD must update w with the gradient of one sample at a time (sgd_gradient), not the batch gradient"
    w_mistakes = {
        "it takes one batch gradient descent step per epoch; " + batch: w_gd,
        "each update uses the mean gradient over all samples; " + batch: w_batch,
        "w moves half as fast as it should: sgd_gradient is missing the factor 2": w_half,
    }
    h_mistakes = {
        "each update uses the mean gradient over all samples; " + batch: h_batch,
        "w moves half as fast as it should: sgd_gradient is missing the factor 2": h_half,
        "it holds the last sample's loss before its update; compute it after the update": before,
        "it holds the cost over all samples; loss_history[e] is the loss of the epoch's last sample only":
            [ref.cost(xs, ys, ref.sgd(xs, ys, w0, lr, e + 1)[0]) for e in range(epochs)],
    }
    return w_mistakes, h_mistakes
