# fails: course_block

class ResidualBlock(nn.Module):
    """The course's residual block: ``relu(x + conv2(relu(conv1(x))))``, 3x3 convolutions with bias."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return x + y
