# fails: gradients_by_hand_returns_floats

def gradients_by_hand(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, by the chain rule."""
    error = forward(x, w1, w2, b) - y
    return 2 * error * x**2, 2 * error * x, 2 * error  # MISTAKE: integers for integer arguments
