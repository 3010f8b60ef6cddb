# fails: linear_model

class LinearModel(nn.Module):
    """``y_hat = w * x + b``, one input feature and one output."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1, bias=False)  # MISTAKE: no b

    def forward(self, x):
        return self.linear(x)
