# fails: deeper_cnn_layers
# partial: DeeperNet

class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv3 = nn.Conv2d(20, 40, kernel_size=3, padding=1)
        self.pooling = nn.MaxPool2d(2)

        self.fc1 = nn.Linear(40 * 2 * 2, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pooling(F.relu(self.conv1(x)))  # (N, 10, 12, 12)
        x = self.pooling(F.relu(self.conv2(x)))  # (N, 20, 4, 4)
        x = self.pooling(F.relu(self.conv3(x)))  # (N, 40, 2, 2)
        x = torch.flatten(x, 1)  # (N, 160)
        x = self.fc1(x)
        x = self.fc2(x)
        return self.fc3(x)
