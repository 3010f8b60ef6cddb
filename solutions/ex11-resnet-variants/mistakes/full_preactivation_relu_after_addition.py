# fails: activation_variants
# partial: FullPreActivationUnit

class FullPreActivationUnit(ResidualUnit):
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
