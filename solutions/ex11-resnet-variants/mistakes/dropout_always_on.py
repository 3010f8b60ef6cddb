# fails: shortcut_variants
# partial: DropoutShortcutUnit

class DropoutShortcutUnit(ResidualUnit):
    def forward(self, x: Tensor) -> Tensor:
        identity = F.dropout(x, p=0.5)

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)
        return out
