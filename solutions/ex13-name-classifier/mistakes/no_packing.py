# fails: classifier

class RNNClassifier(nn.Module):
    """Embedding -> (bidirectional) GRU -> Linear, as in the course.

    Attributes: ``embedding`` (nn.Embedding(input_size, hidden_size)), ``gru``
    (nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)) and ``fc``
    (nn.Linear(hidden_size * n_directions, output_size)).
    """

    def __init__(self, input_size=N_CHARS, hidden_size=HIDDEN_SIZE, output_size=18, n_layers=N_LAYERS,
                 bidirectional=True):
        super().__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * self.n_directions, output_size)

    def _init_hidden(self, batch_size):
        return torch.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size)

    def forward(self, seq_tensor, lengths):
        """Padded codes (batch, seq_len), sorted longest first, and their lengths -> logits (batch, output_size)."""
        inputs = seq_tensor.t()  # (seq_len, batch): the GRU is not batch_first
        embedded = self.embedding(inputs)  # (seq_len, batch, hidden_size)
        _, hidden = self.gru(embedded, self._init_hidden(seq_tensor.size(0)))
        if self.n_directions == 2:
            features = torch.cat([hidden[-1], hidden[-2]], dim=1)  # last layer: backward, forward
        else:
            features = hidden[-1]
        return self.fc(features)
