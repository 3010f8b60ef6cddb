# fails: otto_net_learns

class OttoNet(nn.Module):
    """93 counts -> log(1 + counts) -> 256 -> 128 -> 9 logits (ReLU and dropout in between)."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(N_FEATURES, 256), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(128, len(CLASSES)), nn.Softmax(dim=1),  # MISTAKE
        )

    def forward(self, x):
        return self.layers(torch.log1p(x))
