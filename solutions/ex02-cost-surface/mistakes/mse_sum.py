# fails: mse

def mse(x, y, w, b):
    """Mean squared error of the model (w, b) on the samples (x, y)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.sum((forward(x, w, b) - y) ** 2))  # MISTAKE: sum, not mean
