# fails: dense_layer, dense_block

class DenseLayer(nn.Module):
    """BN-ReLU-Conv(3x3) giving ``growth_rate`` new feature maps, with an optional 1x1 bottleneck.

    Without bottleneck: ``norm1`` (BN of ``in_channels``), ``conv1`` (3x3, ``in_channels ->
    growth_rate``, padding 1). With ``bottleneck=True``: ``norm1``, ``conv1`` (1x1, ``in_channels
    -> bn_size * growth_rate``), ``norm2``, ``conv2`` (3x3, ``-> growth_rate``, padding 1). No
    convolution has a bias. The output has ``growth_rate`` channels and the input's H and W.
    """

    def __init__(self, in_channels: int, growth_rate: int, bottleneck: bool = False, bn_size: int = 4) -> None:
        super().__init__()
        self.bottleneck = bottleneck
        if bottleneck:
            inter_channels = bn_size * growth_rate
            self.norm1 = nn.BatchNorm2d(in_channels)
            self.conv1 = nn.Conv2d(in_channels, inter_channels, kernel_size=1, bias=False)
            self.norm2 = nn.BatchNorm2d(inter_channels)
            self.conv2 = nn.Conv2d(inter_channels, growth_rate, kernel_size=3, padding=1, bias=False)
        else:
            self.norm1 = nn.BatchNorm2d(in_channels)
            self.conv1 = nn.Conv2d(in_channels, growth_rate, kernel_size=3, padding=1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        out = self.norm1(x)
        out = F.relu(out)
        out = self.conv1(out)

        if self.bottleneck:
            out = self.norm2(out)
            out = F.relu(out)
            out = self.conv2(out)

        return torch.cat([x, out], dim=1)


class DenseBlock(nn.Module):
    """``num_layers`` dense layers; layer i sees ``in_channels + i * growth_rate`` channels.

    ``layers`` is an ``nn.ModuleList``. The output is the concatenation of the input and every
    layer's new features: ``in_channels + num_layers * growth_rate`` channels.
    """

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bottleneck: bool = False,
                 bn_size: int = 4) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels + i * growth_rate, growth_rate, bottleneck, bn_size) for i in range(num_layers)
        )

    def forward(self, x: Tensor) -> Tensor:
        out = x
        for layer in self.layers:
            out = layer(out)
        return out
