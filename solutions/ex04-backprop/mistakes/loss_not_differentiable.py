# fails: loss

def loss(x, y, w1, w2, b):
    """Squared error ``(y_hat - y) ** 2`` of one sample."""
    y_pred = forward(x, w1, w2, b)
    return float((y_pred - y) ** 2)
