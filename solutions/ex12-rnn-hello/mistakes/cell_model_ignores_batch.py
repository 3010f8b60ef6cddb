# fails: one_hot_models

class CellModel(nn.Module):
    """Version 1: an nn.RNNCell (attribute ``rnncell``) run over the sequence with a hand loop."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnncell = nn.RNNCell(input_size, hidden_size)

    def forward(self, inputs):
        """(seq_len, batch, input_size) -> logits (seq_len * batch, hidden_size), from a zero hidden state."""
        hidden = torch.zeros(1, self.hidden_size)
        outputs, _ = run_cell(self.rnncell, inputs, hidden)
        return outputs.reshape(-1, self.hidden_size)
