# fails: embedding_model

class EmbeddingModel(nn.Module):
    """Version 3: Embedding -> RNN / GRU / LSTM (batch_first) -> Linear.

    Attributes ``emb`` (nn.Embedding(num_classes, embedding_size)), ``rnn`` (nn.RNN, nn.GRU
    or nn.LSTM as ``rnn_type`` says, batch_first=True) and ``fc`` (nn.Linear(hidden_size,
    num_classes)).
    """

    def __init__(self, num_classes, embedding_size, hidden_size, num_layers=1, rnn_type="RNN"):
        super().__init__()
        self.num_classes = num_classes
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.rnn_type = rnn_type
        layer = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}[rnn_type]
        self.emb = nn.Embedding(num_classes, embedding_size)
        self.rnn = layer(embedding_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

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
