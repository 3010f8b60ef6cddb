# fails: shortcut_variants

class ShortcutOnlyGatingUnit(ResidualUnit):
    """Fig. 2(d): ``relu((1 - g(x)) * x + F(x))`` with ``g(x) = sigmoid(gate(x))``."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.gate = conv1x1(channels, channels, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        g = torch.sigmoid(self.gate(x))

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + g * identity
        out = self.relu(out)
        return out
