# fails: gradient_descent

def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    """Batch gradient descent; returns ``(w, loss_history)``."""
    w = float(w0)
    loss_history = []
    for epoch in range(epochs):
        loss_history.append(cost(x_data, y_data, w))  # MISTAKE: the module's data
        w = w - lr * gradient(x_data, y_data, w)
    return w, loss_history
