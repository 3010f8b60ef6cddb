# fails: gradients_by_hand

def gradients_by_hand(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, by the chain rule, as floats."""
    error = forward(x, w1, w2, b) - y
    dloss_dy_pred = 2 * error  # derivative of error**2 with respect to y_hat
    dw1 = dloss_dy_pred * x  # dy_hat/dw1 = x**2
    dw2 = dloss_dy_pred * x  # dy_hat/dw2 = x
    db = dloss_dy_pred * 1  # dy_hat/db = 1
    return float(dw1), float(dw2), float(db)
