# fails: forward_and_cost

def cost(xs, ys, w):
    """Mean squared error of the weight ``w`` over the samples ``(xs, ys)``."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    return float(np.sum((forward(xs, w) - ys) ** 2))  # MISTAKE: sum, not mean
