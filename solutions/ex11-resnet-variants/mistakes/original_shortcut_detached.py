# fails: gradients_of_shortcut_variants
# partial: OriginalUnit

class OriginalUnit(ResidualUnit):
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
