# fails: count_parameters

def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters of ``model``."""
    return sum(t.numel() for t in model.state_dict().values())
