# fails: make_optimizer

def make_optimizer(name, params, lr=0.01):
    """The ``torch.optim`` optimizer called ``name`` over ``params``, with learning rate ``lr``.

    All other hyperparameters keep their defaults.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")
    optimizer_class = getattr(torch.optim, name)
    return optimizer_class(params)
