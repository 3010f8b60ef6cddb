# fails: densenet
# partial: DenseNet

class DenseNet(nn.Module):
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
