# fails: forward_and_cost

def cost(xs, ys, w):
    """Mean squared error of the weight ``w`` over the samples ``(xs, ys)``."""
    xs = np.asarray(x_data, dtype=float)  # MISTAKE: the module's data, not the samples passed in
    ys = np.asarray(y_data, dtype=float)
    return float(np.mean((forward(xs, w) - ys) ** 2))
