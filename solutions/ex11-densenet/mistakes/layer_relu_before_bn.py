# fails: dense_layer
# partial: DenseLayer

class DenseLayer(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(x)
        out = self.norm1(out)
        out = self.conv1(out)

        if self.bottleneck:
            out = self.norm2(out)
            out = F.relu(out)
            out = self.conv2(out)

        return out
