# fails: model

class SentimentRNN(nn.Module):
    """Embedding -> (bidirectional) LSTM -> Linear.

    Attributes: ``embedding`` (nn.Embedding(vocab_size, embedding_dim, padding_idx=0)),
    ``rnn`` (nn.LSTM(embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional))
    and ``fc`` (nn.Linear(hidden_size * n_directions, num_classes)).
    """

    def __init__(self, vocab_size, embedding_dim=EMBEDDING_DIM, hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES,
                 bidirectional=True):
        super().__init__()
        self.n_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = nn.LSTM(embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * self.n_directions, num_classes)

    def forward(self, tokens, lengths):
        """Padded word indices (batch, seq_len) in any order, and their lengths -> logits (batch, num_classes)."""
        embedded = self.embedding(tokens)
        _, (hidden, _) = self.rnn(embedded)  # hidden: (n_directions, batch, hidden_size), in the batch's order
        if self.n_directions == 2:
            features = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            features = hidden[-1]
        return self.fc(features)
