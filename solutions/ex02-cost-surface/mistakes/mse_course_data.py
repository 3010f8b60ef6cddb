# fails: mse

def mse(x, y, w, b):
    """Mean squared error of the model (w, b) on the samples (x, y)."""
    return float(np.mean((forward(x_data, w, b) - y_data) ** 2))  # MISTAKE: the module's data
