# fails: activation_variants

class BNAfterAdditionUnit(ResidualUnit):
    """Fig. 4(b): ``relu(bn2(x + F(x)))``, ``F`` = conv-BN-ReLU-conv; ``bn2`` normalises the sum."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)
        return out
