# fails: sgd_edge_cases

def sgd(xs, ys, w0=1.0, lr=0.1, epochs=100):  # MISTAKE: lr defaults to 0.1, not 0.01
    """Stochastic gradient descent, one update per sample; returns ``(w, loss_history)``."""
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            w = w - lr * sgd_gradient(x, y, w)
            last_loss = (forward(x, w) - y) ** 2
        loss_history.append(last_loss)
    return w, loss_history
