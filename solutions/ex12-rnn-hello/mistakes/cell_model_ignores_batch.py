# fails: one_hot_models
# partial: CellModel

class CellModel(nn.Module):
    def forward(self, inputs):
        """(seq_len, batch, input_size) -> logits (seq_len * batch, hidden_size), from a zero hidden state."""
        hidden = torch.zeros(1, self.hidden_size)
        outputs, _ = run_cell(self.rnncell, inputs, hidden)
        return outputs.reshape(-1, self.hidden_size)
