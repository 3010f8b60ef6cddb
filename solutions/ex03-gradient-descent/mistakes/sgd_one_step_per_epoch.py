# fails: sgd

def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Stochastic gradient descent: one update per sample, in the order given.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the loss
    ``(x*w - y)**2`` of the epoch's last sample, computed after that sample's update.
    """
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        w = w - lr * gradient(xs, ys, w)  # MISTAKE: one batch step per epoch
        last_loss = (forward(float(xs[-1]), w) - float(ys[-1])) ** 2
        loss_history.append(last_loss)
    return w, loss_history
