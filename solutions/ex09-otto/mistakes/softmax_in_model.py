# fails: otto_net_learns
# partial: OttoNet

class OttoNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(N_FEATURES, 256), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(128, len(CLASSES)), nn.Softmax(dim=1),  # MISTAKE
        )
