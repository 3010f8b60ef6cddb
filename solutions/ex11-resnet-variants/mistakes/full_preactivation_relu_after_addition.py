# fails: activation_variants

class FullPreActivationUnit(ResidualUnit):
    """Fig. 4(e): ``x + F(x)``, ``F`` = BN-ReLU-conv-BN-ReLU-conv; the paper's proposed unit."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.bn1(x)
        out = self.relu(out)
        out = self.conv1(out)

        out = self.bn2(out)
        out = self.relu(out)
        out = self.conv2(out)

        out = out + identity
        out = self.relu(out)
        return out
