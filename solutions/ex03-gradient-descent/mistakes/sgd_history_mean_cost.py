# fails: sgd

def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Stochastic gradient descent: one update per sample, in the order given.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the loss
    ``(x*w - y)**2`` of the epoch's last sample, computed after that sample's update.
    """
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            x, y = float(x), float(y)
            w = w - lr * sgd_gradient(x, y, w)
            last_loss = (forward(x, w) - y) ** 2
        loss_history.append(cost(xs, ys, w))  # MISTAKE: the cost over all samples
    return w, loss_history
