# fails: model_is_linear_then_sigmoid

class LogisticRegressionModel(nn.Module):
    """``p = sigmoid(w * x + b)``: the probability that the label is 1."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)
