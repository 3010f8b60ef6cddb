# fails: dense_layer, dense_block
# partial: DenseLayer, DenseBlock

class DenseLayer(nn.Module):
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
    def forward(self, x: Tensor) -> Tensor:
        out = x
        for layer in self.layers:
            out = layer(out)
        return out
