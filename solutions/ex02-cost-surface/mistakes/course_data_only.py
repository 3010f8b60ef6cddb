# fails: cost_surface_values

def cost_surface(x, y, w_values, b_values):
    """Return ``(W, B, cost)`` on the grid ``np.meshgrid(w_values, b_values)``.

    ``W`` and ``B`` have shape ``(len(b_values), len(w_values))``; ``cost[i, j]`` is the
    MSE of the model ``(W[i, j], B[i, j])``.
    """
    x = x_data
    y = y_data
    W, B = np.meshgrid(np.asarray(w_values, dtype=float), np.asarray(b_values, dtype=float))
    # One plane of predictions per sample: shape (n_samples, len(b_values), len(w_values)).
    errors = forward(x[:, None, None], W, B) - y[:, None, None]
    cost = np.mean(errors**2, axis=0)
    return W, B, cost
