# fails: cost_surface_grid

def cost_surface(x, y, w_values, b_values):
    """Return ``(W, B, cost)`` on the grid ``np.meshgrid(w_values, b_values)``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    W, B = np.meshgrid(w_values, b_values, indexing="ij")  # MISTAKE: one row per w
    errors = forward(x[:, None, None], W, B) - y[:, None, None]
    return W, B, np.mean(errors**2, axis=0)
