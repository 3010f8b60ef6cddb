# fails: network_layers_and_forward
# partial: DiabetesNet

class DiabetesNet(nn.Module):
    def forward(self, x):
        x = torch.sigmoid(self.linear1(x))
        x = torch.sigmoid(self.linear2(x))
        return torch.sigmoid(self.linear3(x))  # always a probability, whatever the hidden activation
