# fails: transition

class Transition(nn.Module):
    """BN-ReLU-Conv(1x1)-AvgPool(2x2): ``in_channels -> out_channels``, H and W halved (rounded down)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(in_channels)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=2, bias=False)
        self.pool = nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        out = self.norm(x)
        out = F.relu(out)
        out = self.conv(out)
        out = self.pool(out)
        return out
