# fails: shortcut_variants
# partial: ShortcutOnlyGatingUnit

class ShortcutOnlyGatingUnit(ResidualUnit):
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
