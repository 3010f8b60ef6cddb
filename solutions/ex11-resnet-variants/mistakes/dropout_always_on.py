# fails: shortcut_variants

class DropoutShortcutUnit(ResidualUnit):
    """Fig. 2(f): ``relu(dropout(x) + F(x))``, dropout with p = 0.5 on the shortcut.

    ``nn.Dropout`` zeroes each element with probability 0.5 in training mode and doubles
    the others; in eval mode it is the identity.
    """

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.dropout = nn.Dropout(p=0.5)

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
