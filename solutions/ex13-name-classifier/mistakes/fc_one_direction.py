# fails: classifier
# partial: RNNClassifier

class RNNClassifier(nn.Module):
    def __init__(self, input_size=N_CHARS, hidden_size=HIDDEN_SIZE, output_size=18, n_layers=N_LAYERS,
                 bidirectional=True):
        super().__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, seq_tensor, lengths):
        """Padded codes (batch, seq_len), sorted longest first, and their lengths -> logits (batch, output_size)."""
        inputs = seq_tensor.t()  # (seq_len, batch): the GRU is not batch_first
        embedded = self.embedding(inputs)  # (seq_len, batch, hidden_size)
        packed = pack_padded_sequence(embedded, lengths.cpu())
        _, hidden = self.gru(packed, self._init_hidden(seq_tensor.size(0)))
        if self.n_directions == 2:
            features = hidden[-1]
        else:
            features = hidden[-1]
        return self.fc(features)
