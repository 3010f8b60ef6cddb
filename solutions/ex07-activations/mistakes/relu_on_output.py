# fails: output_layer_stays_sigmoid
# partial: DiabetesNet

class DiabetesNet(nn.Module):
    def forward(self, x):
        x = self.activation(self.linear1(x))
        x = self.activation(self.linear2(x))
        return self.activation(self.linear3(x))
