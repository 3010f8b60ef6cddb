# fails: make_activation

def make_activation(name):
    """A new activation module for ``name`` (one of ``ACTIVATIONS``), with default settings."""
    return _ACTIVATION_CLASSES[name]()
