# fails: one_hot_models
# partial: RNNModel

class RNNModel(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.batch_first = batch_first
        self.rnn = nn.RNN(input_size, hidden_size, num_layers=num_layers)

    def forward(self, inputs):
        """Inputs (seq_len, batch, input_size), or (batch, seq_len, input_size) with batch_first.

        Returns the logits (seq_len * batch, hidden_size), rows in the order of the output.
        """
        batch_size = inputs.size(1)
        out, _ = self.rnn(inputs, self.init_hidden(batch_size))
        return out.reshape(-1, self.hidden_size)
