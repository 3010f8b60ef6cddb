# fails: output_layer_stays_sigmoid

class DiabetesNet(nn.Module):
    """8 -> 6 -> 4 -> 1 with ``activation`` after the two hidden layers and a sigmoid on the output."""

    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.activation = make_activation(activation)

    def forward(self, x):
        x = self.activation(self.linear1(x))
        x = self.activation(self.linear2(x))
        return self.activation(self.linear3(x))
