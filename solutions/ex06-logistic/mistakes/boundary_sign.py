# fails: decision_boundary

def decision_boundary(model):
    """The x at which the probability is exactly 0.5: where ``w * x + b = 0``."""
    w = model.linear.weight.item()
    b = model.linear.bias.item()
    return b / w
