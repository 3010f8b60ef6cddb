# fails: densenet
# partial: DenseNet

class DenseNet(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        out = self.conv0(x)

        for i, block in enumerate(self.blocks):
            out = block(out)
            if i < len(self.transitions):
                out = self.transitions[i](out)

        out = F.adaptive_avg_pool2d(out, 1)
        out = torch.flatten(out, 1)
        return self.classifier(out)
