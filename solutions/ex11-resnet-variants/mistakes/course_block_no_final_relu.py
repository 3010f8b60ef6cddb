# fails: course_block
# partial: ResidualBlock

class ResidualBlock(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return x + y
