# fails: activation_variants

class ReLUOnlyPreActivationUnit(ResidualUnit):
    """Fig. 4(d): ``x + F(x)``, ``F`` = ReLU-conv-BN-ReLU-conv-BN (the ReLU moved before the convolutions)."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)

        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        return out
