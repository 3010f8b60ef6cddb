# fails: forward

def forward(x, w1, w2, b):
    """Predict ``y_hat = w1 * x**2 + w2 * x + b``."""
    return w2 * x**2 + w1 * x + b  # MISTAKE: w1 and w2 swapped
