# fails: shortcut_variants

class ConstantScalingUnit(ResidualUnit):
    """Fig. 2(b): ``relu(0.5 * x + 0.5 * F(x))``."""

    scale = 0.5

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = self.scale * out + identity
        out = self.relu(out)
        return out
