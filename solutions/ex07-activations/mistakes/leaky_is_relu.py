# fails: make_activation

_ACTIVATION_CLASSES = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.ReLU,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
}
