# fails: densenet

class DenseNet(nn.Module):
    """A small DenseNet-BC for 28x28 or 32x32 images with ``num_classes`` outputs.

    ``conv0`` (3x3, ``in_channels -> 2 * growth_rate``, padding 1, no bias), then for each entry
    of ``block_config`` a ``DenseBlock`` in ``blocks`` and, between blocks, a ``Transition`` in
    ``transitions`` that keeps ``int(compression * channels)`` channels; then ``norm`` (BN),
    ReLU, global average pooling and ``classifier`` (Linear).
    """

    def __init__(self, growth_rate: int = 12, block_config: tuple[int, ...] = (4, 4, 4), bottleneck: bool = True,
                 bn_size: int = 4, compression: float = 0.5, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        channels = 2 * growth_rate
        self.conv0 = nn.Conv2d(in_channels, channels, kernel_size=3, padding=1, bias=False)
        self.blocks = nn.ModuleList()
        self.transitions = nn.ModuleList()
        for i, num_layers in enumerate(block_config):
            self.blocks.append(DenseBlock(num_layers, channels, growth_rate, bottleneck, bn_size))
            channels += num_layers * growth_rate
            if i < len(block_config) - 1:
                out_channels = channels
                self.transitions.append(Transition(channels, out_channels))
                channels = out_channels
        self.norm = nn.BatchNorm2d(channels)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv0(x)

        for i, block in enumerate(self.blocks):
            out = block(out)
            if i < len(self.transitions):
                out = self.transitions[i](out)

        out = self.norm(out)
        out = F.relu(out)
        out = F.adaptive_avg_pool2d(out, 1)
        out = torch.flatten(out, 1)
        return self.classifier(out)
