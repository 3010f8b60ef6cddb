# fails: read_phrases_keeps_none, read_phrases_edge_cases
"""Exercise 13-1: sentiment of movie-review phrases with an RNN classifier (reference solution).

Kaggle's "Sentiment Analysis on Movie Reviews" gives phrases of Rotten Tomatoes reviews,
each labelled 0 (negative) to 4 (positive). The phrases are already tokenized (words and
punctuation separated by spaces), so a word is what ``str.split`` finds, lower-cased. The
vocabulary comes from the training phrases only; words it does not know share one
"unknown" entry, and index 0 is kept for padding. A bidirectional LSTM reads the packed
word indices and a linear layer maps its last hidden states to the five classes.

Phrases of one sentence overlap (a sentence, its halves, their halves...), so a validation
split must keep all phrases of a sentence on the same side, otherwise the model is scored
on phrases it has nearly seen.
"""

import csv

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

PAD, UNK = "<pad>", "<unk>"  # indices 0 and 1 of every vocabulary
NUM_CLASSES = 5
EMBEDDING_DIM = 64
HIDDEN_SIZE = 64
BATCH_SIZE = 256


def read_phrases(path):
    """Read a phrases TSV (train or test, plain or zipped) into a DataFrame, every phrase kept as written.

    ``keep_default_na=False`` keeps the phrase "None" (and "NA", "null", ...) a string, and
    ``quoting=csv.QUOTE_NONE`` keeps quote characters as they are.
    """
    return pd.read_csv(path, sep="\t")


def tokenize(phrase):
    """The lower-cased words of a phrase (split on whitespace); an empty or blank phrase has none."""
    return phrase.lower().split()


def build_vocab(phrases):
    """A dict word -> index: PAD is 0, UNK is 1, then every distinct word of ``phrases`` in sorted order."""
    words = sorted({word for phrase in phrases for word in tokenize(phrase)})
    vocab = {PAD: 0, UNK: 1}
    for word in words:
        vocab[word] = len(vocab)
    return vocab


def encode_phrase(phrase, vocab):
    """The indices of the words of ``phrase`` (unknown words -> UNK); a phrase without words gives [UNK]."""
    indices = [vocab.get(word, vocab[UNK]) for word in tokenize(phrase)]
    return indices or [vocab[UNK]]


def make_batch(encoded):
    """Pad encoded phrases with 0: (tokens int64 (batch, longest), lengths int64 (batch,)), in the order given."""
    lengths = torch.tensor([len(e) for e in encoded], dtype=torch.long)
    tokens = torch.zeros(len(encoded), int(lengths.max()), dtype=torch.long)
    for row, indices in enumerate(encoded):
        tokens[row, : len(indices)] = torch.tensor(indices, dtype=torch.long)
    return tokens, lengths


def grouped_split(sentence_ids, valid_fraction=0.2, seed=0):
    """Split rows by sentence: returns (train_rows, valid_rows), sorted lists of row positions.

    The distinct sentence ids are shuffled with ``np.random.default_rng(seed)``; the first
    ``round(valid_fraction * number of sentences)`` of them go to validation with all their
    rows, the others to training. No sentence has rows on both sides.
    """
    sentence_ids = np.asarray(sentence_ids)
    sentences = np.unique(sentence_ids)
    np.random.default_rng(seed).shuffle(sentences)
    n_valid = int(round(valid_fraction * len(sentences)))
    in_valid = np.isin(sentence_ids, sentences[:n_valid])
    return np.flatnonzero(~in_valid).tolist(), np.flatnonzero(in_valid).tolist()


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
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (hidden, _) = self.rnn(packed)  # hidden: (n_directions, batch, hidden_size), in the batch's order
        if self.n_directions == 2:
            features = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            features = hidden[-1]
        return self.fc(features)


def train_epoch(model, optimizer, encoded, labels, batch_size=BATCH_SIZE):
    """One pass over the encoded phrases in the order given; returns the mean loss per phrase."""
    criterion = nn.CrossEntropyLoss()
    total = 0.0
    for start in range(0, len(encoded), batch_size):
        tokens, lengths = make_batch(encoded[start:start + batch_size])
        targets = torch.as_tensor(labels[start:start + batch_size], dtype=torch.long)
        loss = criterion(model(tokens, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
    return total / len(encoded)


def predict(model, encoded, batch_size=1024):
    """The predicted class (an int, 0 to 4) of each encoded phrase, in the order given."""
    predictions = []
    with torch.no_grad():
        for start in range(0, len(encoded), batch_size):
            tokens, lengths = make_batch(encoded[start:start + batch_size])
            predictions += model(tokens, lengths).argmax(dim=1).tolist()
    return predictions


def accuracy(model, encoded, labels, batch_size=1024):
    """The fraction (0 to 1) of phrases whose predicted class equals its label."""
    predictions = predict(model, encoded, batch_size)
    return sum(int(p == int(y)) for p, y in zip(predictions, labels)) / len(encoded)


def write_submission(path, phrase_ids, predictions):
    """Write Kaggle's submission CSV: the header PhraseId,Sentiment, then one integer row per phrase, in order."""
    frame = pd.DataFrame({"PhraseId": [int(i) for i in phrase_ids], "Sentiment": [int(p) for p in predictions]})
    frame.to_csv(path, index=False)


if __name__ == "__main__":
    import time

    from pttutor.datasets import sentiment

    train_frame = read_phrases(sentiment.path_of("train"))
    test_frame = read_phrases(sentiment.path_of("test"))
    train_rows, valid_rows = grouped_split(train_frame["SentenceId"], valid_fraction=0.2, seed=0)
    phrases, labels = list(train_frame["Phrase"]), list(train_frame["Sentiment"])
    vocab = build_vocab([phrases[i] for i in train_rows])
    encoded = [encode_phrase(p, vocab) for p in phrases]
    train_x, train_y = [encoded[i] for i in train_rows], [labels[i] for i in train_rows]
    valid_x, valid_y = [encoded[i] for i in valid_rows], [labels[i] for i in valid_rows]
    print(f"{len(vocab)} words; {len(train_rows)} training and {len(valid_rows)} validation phrases")

    torch.manual_seed(0)
    model = SentimentRNN(len(vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    order = np.random.default_rng(0)
    for epoch in range(1, 4):
        began = time.time()
        perm = order.permutation(len(train_x))
        loss = train_epoch(model, optimizer, [train_x[i] for i in perm], [train_y[i] for i in perm])
        print(f"epoch {epoch}: loss {loss:.3f}, validation accuracy {accuracy(model, valid_x, valid_y):.3f} "
              f"({time.time() - began:.0f} s)")
    test_encoded = [encode_phrase(p, vocab) for p in test_frame["Phrase"]]
    write_submission("submission.csv", test_frame["PhraseId"], predict(model, test_encoded))
    print("wrote submission.csv")
