# fails: gradients_of_shortcut_variants

class OriginalUnit(ResidualUnit):
    """Fig. 2(a) and 4(a): ``relu(x + F(x))``, ``F`` = conv-BN-ReLU-conv-BN."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x.detach()

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)
        return out
