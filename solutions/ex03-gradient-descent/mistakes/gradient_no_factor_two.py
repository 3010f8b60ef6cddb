# fails: gradient

def gradient(xs, ys, w):
    """Derivative of ``cost(xs, ys, w)`` with respect to ``w``: the mean of ``2 * x * (x*w - y)``."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    return float(np.mean(xs * (forward(xs, w) - ys)))  # MISTAKE: no factor 2
