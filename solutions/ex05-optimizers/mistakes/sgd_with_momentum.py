# fails: make_optimizer

def make_optimizer(name, params, lr=0.01):
    """The ``torch.optim`` optimizer called ``name`` over ``params``, with learning rate ``lr``."""
    if name == "SGD":
        return torch.optim.SGD(params, lr=lr, momentum=0.5)  # MISTAKE: not the default momentum
    return getattr(torch.optim, name)(params, lr=lr)
