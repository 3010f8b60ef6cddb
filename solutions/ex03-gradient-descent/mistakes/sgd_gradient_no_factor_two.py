# fails: sgd_gradient

def sgd_gradient(x, y, w):
    """Derivative of one sample's loss ``(x*w - y)**2`` with respect to ``w``."""
    return x * (forward(x, w) - y)  # MISTAKE: no factor 2
