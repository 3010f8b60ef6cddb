# fails: classifier
# partial: RNNClassifier

class RNNClassifier(nn.Module):
    def forward(self, seq_tensor, lengths):
        """Padded codes (batch, seq_len), sorted longest first, and their lengths -> logits (batch, output_size)."""
        inputs = seq_tensor.t()  # (seq_len, batch): the GRU is not batch_first
        embedded = self.embedding(inputs)  # (seq_len, batch, hidden_size)
        packed = pack_padded_sequence(embedded, lengths.cpu())
        _, hidden = self.gru(packed, self._init_hidden(seq_tensor.size(0)))
        if self.n_directions == 2:
            features = torch.cat([hidden[-2], hidden[-1]], dim=1)  # last layer: backward, forward
        else:
            features = hidden[-1]
        return self.fc(features)
