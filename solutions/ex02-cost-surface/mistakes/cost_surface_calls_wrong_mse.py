# fails: mse

# The mistake is in mse (a sum); cost_surface itself is right: it calls mse at every grid point.
def mse(x, y, w, b):
    """Mean squared error of the model (w, b) on the samples (x, y)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.sum((forward(x, w, b) - y) ** 2))  # MISTAKE: sum, not mean


def cost_surface(x, y, w_values, b_values):
    """Return ``(W, B, cost)`` on the grid ``np.meshgrid(w_values, b_values)``."""
    W, B = np.meshgrid(w_values, b_values)
    cost = np.array([[mse(x, y, W[i, j], B[i, j]) for j in range(W.shape[1])] for i in range(W.shape[0])])
    return W, B, cost
