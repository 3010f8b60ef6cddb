# fails: deeper_cnn_layers
# partial: DeeperNet

class DeeperNet(nn.Module):
    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))  # (N, 10, 12, 12)
        x = self.pool2(self.relu2(self.conv2(x)))  # (N, 20, 4, 4)
        x = self.pool3(self.conv3(x))  # (N, 40, 2, 2)
        x = torch.flatten(x, 1)  # (N, 160)
        x = self.fc1(x)
        x = self.fc2(x)
        return self.relu3(self.fc3(x))
