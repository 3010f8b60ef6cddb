# fails: encode_name, non_ascii_names
"""Lecture 13: which country does a surname come from? A bidirectional GRU over packed sequences
(reference solution).

Each name becomes the ASCII codes of its characters. A batch of names of different lengths
is padded with zeros to the longest, sorted by length (longest first) and packed with
``pack_padded_sequence``, so that the GRU stops at the real end of each name instead of
reading the padding. The classifier reads the last hidden state of both directions of the
last layer and maps it to one score per country. Because the batch is sorted, we keep the
sorting permutation and put the scores back in the order of the names we were given.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

N_CHARS = 128  # ASCII
UNKNOWN_CHAR = "?"  # stands for every character outside ASCII
HIDDEN_SIZE = 100
N_LAYERS = 2
BATCH_SIZE = 256


def country_list(countries):
    """The distinct countries, sorted: the class index of a country is its position here."""
    return sorted(set(countries))


def encode_name(name):
    """The ASCII codes of ``name``; a character outside ASCII becomes ``ord("?")`` (63)."""
    return [ord(c) for c in name if ord(c) < N_CHARS]


def make_tensors(names, targets=None):
    """Pad, sort and index a batch of names.

    Returns ``(seq_tensor, lengths, sorted_targets, order)``:

    - ``seq_tensor``: int64 (batch, longest name), the codes of each name followed by zeros,
      rows sorted by length, longest first (names of equal length keep their order);
    - ``lengths``: int64 (batch,), the length of each row of ``seq_tensor``;
    - ``sorted_targets``: int64 (batch,), ``targets`` in the order of the rows (None without targets);
    - ``order``: int64 (batch,), the permutation: row ``k`` is ``names[order[k]]``.
    """
    codes = [encode_name(name) for name in names]
    if any(len(c) == 0 for c in codes):
        raise ValueError("an empty name cannot be classified")
    lengths = torch.tensor([len(c) for c in codes], dtype=torch.long)
    padded = torch.zeros(len(codes), int(lengths.max()), dtype=torch.long)
    for row, name_codes in enumerate(codes):
        padded[row, : len(name_codes)] = torch.tensor(name_codes, dtype=torch.long)
    lengths, order = lengths.sort(descending=True, stable=True)
    sorted_targets = None
    if targets is not None:
        sorted_targets = torch.as_tensor(targets, dtype=torch.long)[order]
    return padded[order], lengths, sorted_targets, order


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
        packed = pack_padded_sequence(embedded, lengths.cpu())
        _, hidden = self.gru(packed, self._init_hidden(seq_tensor.size(0)))
        if self.n_directions == 2:
            features = torch.cat([hidden[-1], hidden[-2]], dim=1)  # last layer: backward, forward
        else:
            features = hidden[-1]
        return self.fc(features)


def classify(model, names):
    """The logits (len(names), n_countries) of ``names``, row i for names[i]."""
    seq_tensor, lengths, _, order = make_tensors(names)
    with torch.no_grad():
        sorted_logits = model(seq_tensor, lengths)
    logits = torch.empty_like(sorted_logits)
    logits[order] = sorted_logits  # undo the sort: row order[k] of the result is row k of the batch
    return logits


def predict(model, names, countries):
    """The predicted country of each name, in the order of ``names``; ``countries`` is the sorted list."""
    return [countries[i] for i in classify(model, names).argmax(dim=1).tolist()]


def train_epoch(model, optimizer, names, targets, batch_size=BATCH_SIZE):
    """One pass over the names in the order given, ``batch_size`` names per step.

    ``targets`` are class indices. The loss is nn.CrossEntropyLoss() (the mean over a batch).
    Returns the mean loss per name over the epoch: the sum of ``loss.item() * len(batch)``
    over the batches, divided by ``len(names)``.
    """
    criterion = nn.CrossEntropyLoss()
    total = 0.0
    for start in range(0, len(names), batch_size):
        batch_names = names[start:start + batch_size]
        seq_tensor, lengths, batch_targets, _ = make_tensors(batch_names, targets[start:start + batch_size])
        loss = criterion(model(seq_tensor, lengths), batch_targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch_names)
    return total / len(names)


def accuracy(model, names, targets, batch_size=1024):
    """The fraction (0 to 1) of names whose predicted class index equals its target."""
    correct = 0
    for start in range(0, len(names), batch_size):
        logits = classify(model, names[start:start + batch_size])
        wanted = torch.as_tensor(targets[start:start + batch_size], dtype=torch.long)
        correct += int((logits.argmax(dim=1) == wanted).sum())
    return correct / len(names)


if __name__ == "__main__":
    import random
    import time

    from pttutor.datasets import names as names_data

    train_frame = names_data.load("train", download=True)
    test_frame = names_data.load("test", download=True)
    countries = country_list(train_frame["country"])
    index = {country: i for i, country in enumerate(countries)}
    train_names = list(train_frame["name"])
    train_targets = [index[c] for c in train_frame["country"]]
    test_names = list(test_frame["name"])
    test_targets = [index[c] for c in test_frame["country"]]

    torch.manual_seed(0)
    random.seed(0)
    model = RNNClassifier(N_CHARS, HIDDEN_SIZE, len(countries), N_LAYERS)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    pairs = list(zip(train_names, train_targets))
    for epoch in range(1, 11):
        began = time.time()
        random.shuffle(pairs)
        loss = train_epoch(model, optimizer, [n for n, _ in pairs], [t for _, t in pairs])
        print(f"epoch {epoch}: loss {loss:.3f}, test accuracy {accuracy(model, test_names, test_targets):.3f} "
              f"({time.time() - began:.0f} s)")
    print(predict(model, ["Nakamura", "Dvorak", "Gonzalez", "Müller"], countries))
