# fails: activation_variants
# partial: BNAfterAdditionUnit

class BNAfterAdditionUnit(ResidualUnit):
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
