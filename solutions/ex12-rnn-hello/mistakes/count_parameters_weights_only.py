# fails: parameter_counts

def count_parameters(module):
    """The number of numbers a module learns: the sum of numel over its parameters."""
    return sum(p.numel() for name, p in module.named_parameters() if "weight" in name)
