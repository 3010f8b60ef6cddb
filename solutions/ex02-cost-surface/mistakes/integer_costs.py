# fails: cost_surface_integer_inputs

def cost_surface(x, y, w_values, b_values):
    """Return ``(W, B, cost)`` on the grid ``np.meshgrid(w_values, b_values)``."""
    W, B = np.meshgrid(w_values, b_values)
    cost = np.zeros_like(W)  # MISTAKE: an integer array when the grid is made of integers
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            cost[i, j] = mse(x, y, W[i, j], B[i, j])
    return W, B, cost
