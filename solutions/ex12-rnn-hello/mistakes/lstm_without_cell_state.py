# fails: embedding_model
# partial: EmbeddingModel

class EmbeddingModel(nn.Module):
    def init_hidden(self, batch_size):
        """Zero initial state: (num_layers, batch, hidden_size); for an LSTM the pair (h0, c0)."""
        h0 = torch.zeros(self.num_layers, batch_size, self.hidden_size)
        return h0

    def forward(self, x):
        """Character indices (batch, seq_len) -> logits (batch * seq_len, num_classes)."""
        embedded = self.emb(x)  # (batch, seq_len, embedding_size)
        if self.rnn_type == "LSTM":
            out, _ = self.rnn(embedded)
        else:
            out, _ = self.rnn(embedded, self.init_hidden(x.size(0)))
        return self.fc(out).reshape(-1, self.num_classes)
