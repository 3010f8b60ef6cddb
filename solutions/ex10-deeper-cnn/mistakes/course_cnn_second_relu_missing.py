# fails: course_cnn

class CourseNet(nn.Module):
    """The lecture's CNN: conv(1->10, 5x5), pool, relu, conv(10->20, 5x5), pool, relu, linear(320->10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))  # (N, 10, 12, 12)
        x = self.pooling(self.conv2(x))  # (N, 20, 4, 4)
        x = x.view(batch_size, -1)  # (N, 320)
        return self.fc(x)
