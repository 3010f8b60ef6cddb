"""Lecture 13 (RNN Classifier): which country does a surname come from?

The data (``names_train.csv.gz``, 13,374 names, and ``names_test.csv.gz``, 6,700 names, 18
countries) is read for you by ``pttutor.datasets.names`` (see the ``__main__`` block). You
write the pieces of the course's classifier: names to ASCII codes, padding, sorting by
length, packing, a bidirectional GRU, training and accuracy. Every function takes plain
Python lists of names (str) and of class indices (int).

Implement:

- ``country_list(countries)``: the distinct countries, **sorted**; the class index of a
  country is its position in this list (on the real data: Arabic 0 ... Vietnamese 17).
- ``encode_name(name)``: the list of the ASCII codes (``ord``) of the characters of
  ``name``. A character outside ASCII (code 128 or more, e.g. the é of "José") is
  **replaced by "?"**, code 63, so ``encode_name("José") == [74, 111, 115, 63]``: the code
  always fits ``nn.Embedding(128, ...)`` and the name keeps its length.
- ``make_tensors(names, targets=None)``: returns ``(seq_tensor, lengths, sorted_targets, order)``:
  ``seq_tensor`` int64 of shape (batch, length of the longest name) holds the codes of each
  name followed by zeros; its rows are **sorted by length, longest first**; ``lengths`` int64
  (batch,) is the length of each row; ``sorted_targets`` int64 (batch,) is ``targets`` in
  the order of the rows (``None`` when ``targets`` is None); ``order`` int64 (batch,) is the
  permutation: row ``k`` of ``seq_tensor`` is ``names[order[k]]``. Names may have any
  length; none is empty.
- ``RNNClassifier(input_size=128, hidden_size=100, output_size=18, n_layers=2, bidirectional=True)``:
  an ``nn.Module`` with the attributes ``embedding`` (``nn.Embedding(input_size,
  hidden_size)``), ``gru`` (``nn.GRU(hidden_size, hidden_size, n_layers,
  bidirectional=bidirectional)``, not batch_first) and ``fc`` (``nn.Linear(hidden_size *
  n_directions, output_size)``). ``forward(seq_tensor, lengths)`` takes a batch as
  ``make_tensors`` builds it (sorted, longest first) and returns the logits
  (batch, output_size): transpose to (seq_len, batch), embed, **pack** with
  ``pack_padded_sequence(embedded, lengths)``, run the GRU from a zero hidden state, and feed
  ``fc`` with the last layer's final hidden states as the course does:
  ``torch.cat([hidden[-1], hidden[-2]], dim=1)`` when bidirectional, ``hidden[-1]`` otherwise.
- ``classify(model, names)``: the logits (len(names), output_size) of the names, **row i for
  names[i]** (undo the sort), computed without gradients. A name gets the same logits alone
  and inside a batch of longer names.
- ``predict(model, names, countries)``: the predicted country (a str from the sorted list
  ``countries``) of each name, in the order of ``names``.
- ``train_epoch(model, optimizer, names, targets, batch_size=256)``: one pass over the names
  **in the order given** (no shuffling inside), ``batch_size`` names per step, with
  ``nn.CrossEntropyLoss()``; returns the mean loss per name: the sum of
  ``loss.item() * len(batch)`` over the batches, divided by ``len(names)``.
- ``accuracy(model, names, targets, batch_size=1024)``: the fraction (0 to 1) of names
  whose predicted class index equals its target.

Facts to check yourself against: predicting Russian for every name scores 46.8 % on the
training set; the course's GRU (hidden 100, 2 layers, bidirectional) reaches about 84 % on
the test set after 100 epochs.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: F401  (you will need it)

N_CHARS = 128  # ASCII
UNKNOWN_CHAR = "?"  # stands for every character outside ASCII
HIDDEN_SIZE = 100
N_LAYERS = 2
BATCH_SIZE = 256


def country_list(countries):
    """The distinct countries, sorted: the class index of a country is its position here."""
    # TODO
    raise NotImplementedError("country_list")


def encode_name(name):
    """The ASCII codes of ``name``; a character outside ASCII becomes ord("?") (63)."""
    # TODO
    raise NotImplementedError("encode_name")


def make_tensors(names, targets=None):
    """(seq_tensor, lengths, sorted_targets, order): padded codes sorted longest first, and the permutation."""
    # TODO: encode, pad with zeros, sort by length (descending), reorder the targets the same way.
    raise NotImplementedError("make_tensors")


class RNNClassifier(nn.Module):
    """Embedding (``embedding``) -> bidirectional GRU (``gru``) -> Linear (``fc``)."""

    def __init__(self, input_size=N_CHARS, hidden_size=HIDDEN_SIZE, output_size=18, n_layers=N_LAYERS,
                 bidirectional=True):
        super().__init__()
        # TODO: keep the sizes; build self.embedding, self.gru and self.fc.
        raise NotImplementedError("RNNClassifier")

    def forward(self, seq_tensor, lengths):
        """Padded codes (batch, seq_len), sorted longest first, and their lengths -> logits (batch, output_size)."""
        # TODO: transpose, embed, pack, GRU from zeros, concatenate the last layer's two directions, fc.
        raise NotImplementedError("RNNClassifier.forward")


def classify(model, names):
    """The logits (len(names), n_countries) of ``names``, row i for names[i]."""
    # TODO: make_tensors, the model without gradients, then put the rows back in the order of names.
    raise NotImplementedError("classify")


def predict(model, names, countries):
    """The predicted country of each name, in the order of ``names``."""
    # TODO
    raise NotImplementedError("predict")


def train_epoch(model, optimizer, names, targets, batch_size=BATCH_SIZE):
    """One pass over the names in the order given; returns the mean loss per name."""
    # TODO: for each batch: make_tensors, loss against the sorted targets, the optimizer step.
    raise NotImplementedError("train_epoch")


def accuracy(model, names, targets, batch_size=1024):
    """The fraction (0 to 1) of names whose predicted class index equals its target."""
    # TODO
    raise NotImplementedError("accuracy")


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
