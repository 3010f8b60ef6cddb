# fails: deeper_cnn_layers

class DeeperNet(nn.Module):
    """Three conv-ReLU-pool stages and three linear layers; (N, 1, 28, 28) -> (N, 10) logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)

        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)

        self.conv3 = nn.Conv2d(20, 40, kernel_size=3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool3 = nn.MaxPool2d(2)

        self.fc1 = nn.Linear(40 * 2 * 2, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))  # (N, 10, 12, 12)
        x = self.pool2(self.relu2(self.conv2(x)))  # (N, 20, 4, 4)
        x = self.pool3(self.conv3(x))  # (N, 40, 2, 2)
        x = torch.flatten(x, 1)  # (N, 160)
        x = self.fc1(x)
        x = self.fc2(x)
        return self.relu3(self.fc3(x))
