# fails: gradient_matches_torch

def cross_entropy(z, y):
    """The cross-entropy of the logits ``z`` for the classes ``y``: ``nll_loss(log_softmax(z), y)``."""
    return nll_loss(log_softmax(z), y).item()
