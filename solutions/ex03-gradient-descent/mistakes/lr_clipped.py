# fails: gradient_descent, sgd

def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Batch gradient descent: one update per epoch with the mean gradient.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the cost over
    all samples computed at the start of the epoch, before the update.
    """
    lr = min(lr, 0.1)  # MISTAKE: a "safe" learning rate
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        loss_history.append(cost(xs, ys, w))
        w = w - lr * gradient(xs, ys, w)
    return w, loss_history


def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Stochastic gradient descent: one update per sample, in the order given.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the loss
    ``(x*w - y)**2`` of the epoch's last sample, computed after that sample's update.
    """
    lr = min(lr, 0.1)  # MISTAKE: a "safe" learning rate
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            x, y = float(x), float(y)
            w = w - lr * sgd_gradient(x, y, w)
            last_loss = (forward(x, w) - y) ** 2
        loss_history.append(last_loss)
    return w, loss_history
