# fails: gradient_descent_edge_cases

def gradient_descent(xs, ys, w0=0.0, lr=0.1, epochs=10):  # MISTAKE: not the defaults the stub states
    """Batch gradient descent; returns ``(w, loss_history)``."""
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        loss_history.append(cost(xs, ys, w))
        w = w - lr * gradient(xs, ys, w)
    return w, loss_history
