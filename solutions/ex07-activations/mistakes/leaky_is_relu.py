# fails: make_activation

def make_activation(name):
    """A new activation module for ``name`` (one of ``ACTIVATIONS``), with default settings."""
    classes = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
               "leaky_relu": nn.ReLU,  # MISTAKE: leaky_relu is not ReLU
               "elu": nn.ELU, "softplus": nn.Softplus}
    if name not in classes:
        raise ValueError(f"unknown activation {name!r}")
    return classes[name]()
