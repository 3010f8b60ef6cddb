# fails: count_parameters

def count_parameters(model):
    """The number of trainable parameters of ``model``."""
    return len(list(model.parameters()))  # MISTAKE: the number of tensors, not of numbers
