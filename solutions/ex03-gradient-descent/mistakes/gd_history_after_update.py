# fails: gradient_descent

def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Batch gradient descent: one update per epoch with the mean gradient.

    Returns ``(w, loss_history)``: the final weight and, for each epoch ``e``, the cost over
    all samples computed at the start of the epoch, before the update.
    """
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        w = w - lr * gradient(xs, ys, w)
        loss_history.append(cost(xs, ys, w))  # MISTAKE: recorded after the update
    return w, loss_history
