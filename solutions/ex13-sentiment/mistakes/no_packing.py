# fails: model
# partial: SentimentRNN

class SentimentRNN(nn.Module):
    def forward(self, tokens, lengths):
        """Padded word indices (batch, seq_len) in any order, and their lengths -> logits (batch, num_classes)."""
        embedded = self.embedding(tokens)
        _, (hidden, _) = self.rnn(embedded)  # hidden: (n_directions, batch, hidden_size), in the batch's order
        if self.n_directions == 2:
            features = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            features = hidden[-1]
        return self.fc(features)
