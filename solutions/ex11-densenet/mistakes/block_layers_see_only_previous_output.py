# fails: dense_block
# partial: DenseBlock

class DenseBlock(nn.Module):
    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bottleneck: bool = False,
                 bn_size: int = 4) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels if i == 0 else growth_rate, growth_rate, bottleneck, bn_size)
            for i in range(num_layers)
        )

    def forward(self, x: Tensor) -> Tensor:
        features = [x]
        out = x
        for layer in self.layers:
            out = layer(out)
            features.append(out)
        return torch.cat(features, dim=1)
