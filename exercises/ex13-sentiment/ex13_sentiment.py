"""Exercise 13-1: sentiment of movie-review phrases with an RNN classifier.

Kaggle's "Sentiment Analysis on Movie Reviews" (https://www.kaggle.com/c/sentiment-analysis-on-movie-reviews/data)
gives tab-separated files with the columns ``PhraseId, SentenceId, Phrase, Sentiment``
(``train.tsv``, 156,060 phrases) and ``PhraseId, SentenceId, Phrase`` (``test.tsv``, 66,292
phrases); the sentiment runs from 0 (negative) to 4 (positive). The phrases are already
tokenized: words and punctuation are separated by spaces. Phrases of one sentence (the
sentence, its halves, their halves...) share a ``SentenceId``.

Traps this exercise is about: the test phrase ``None`` must stay the string "None" (pandas
reads it as NaN by default); a phrase can be empty or a single space; the test phrases hold
words never seen in training; and a random split of the phrases leaks, because phrases of
one sentence overlap.

Implement:

- ``read_phrases(path)``: read one such file (plain ``.tsv`` or Kaggle's ``.tsv.zip``) into a
  pandas DataFrame with the file's columns (``PhraseId``, ``SentenceId``, ``Sentiment`` as
  integers); every ``Phrase`` must be the **str exactly as written** in the file ("None",
  "NA", "null", "" and " " included, never NaN).
- ``tokenize(phrase)``: the words of a phrase, lower-cased, split on whitespace:
  ``phrase.lower().split()`` (an empty or blank phrase has no words).
- ``build_vocab(phrases)``: a dict word -> index: ``PAD`` ("<pad>") is 0, ``UNK`` ("<unk>")
  is 1, then every distinct word of ``phrases`` **in sorted order** from 2 on. Build it from
  the training phrases only.
- ``encode_phrase(phrase, vocab)``: the list of the indices of the phrase's words, a word
  missing from ``vocab`` giving 1 (UNK). A phrase without words gives ``[1]``: every phrase
  has at least one token.
- ``make_batch(encoded)``: for a list of encoded phrases, ``(tokens, lengths)``: ``tokens``
  int64 (batch, longest) padded with 0, ``lengths`` int64 (batch,), rows **in the order
  given** (not sorted).
- ``grouped_split(sentence_ids, valid_fraction=0.2, seed=0)``: ``(train_rows, valid_rows)``,
  two sorted lists of row positions (0 .. len - 1) that together hold every row once, such
  that **no SentenceId has rows on both sides**. Shuffle the distinct sentence ids with
  ``np.random.default_rng(seed)`` and give ``round(valid_fraction * number of sentences)``
  of them to validation (so a different seed gives a different split).
- ``SentimentRNN(vocab_size, embedding_dim=64, hidden_size=64, num_classes=5, bidirectional=True)``:
  an ``nn.Module`` with the attributes ``embedding`` (``nn.Embedding(vocab_size,
  embedding_dim, padding_idx=0)``), ``rnn`` (``nn.LSTM(embedding_dim, hidden_size,
  batch_first=True, bidirectional=bidirectional)``) and ``fc`` (``nn.Linear(hidden_size *
  n_directions, num_classes)``). ``forward(tokens, lengths)`` takes a batch from
  ``make_batch`` (any order of lengths), packs it with ``pack_padded_sequence(...,
  batch_first=True, enforce_sorted=False)``, runs the LSTM from zeros and returns the logits
  (batch, num_classes) from the final hidden states of the last layer, concatenated as in
  lecture 13: ``torch.cat([h_n[-1], h_n[-2]], dim=1)`` when bidirectional, ``h_n[-1]``
  otherwise. Row i of the logits belongs to row i of ``tokens``.
- ``train_epoch(model, optimizer, encoded, labels, batch_size=256)``: one pass over the
  encoded phrases **in the order given** (no shuffling inside), ``batch_size`` phrases per
  step, with ``nn.CrossEntropyLoss()``; returns the mean loss per phrase: the sum of
  ``loss.item() * len(batch)`` over the batches, divided by ``len(encoded)``.
- ``predict(model, encoded, batch_size=1024)``: the predicted class of each encoded phrase,
  a list of Python ints in the order given, computed without gradients.
- ``accuracy(model, encoded, labels, batch_size=1024)``: the fraction (0 to 1) of phrases
  whose prediction equals its label.
- ``write_submission(path, phrase_ids, predictions)``: write Kaggle's submission file, a CSV
  with the header ``PhraseId,Sentiment`` and one row ``<id>,<class>`` of integers per test
  phrase, in the order given (no index column).

Facts to check yourself against: predicting 2 (neutral) everywhere scores 51.0 %; a TF-IDF
and logistic regression baseline reaches about 60 % on a split grouped by sentence (66 % on
a leaky random split of the phrases); students' BiLSTMs reach about 61 %.
"""

import csv  # noqa: F401  (you may need csv.QUOTE_NONE)

import numpy as np  # noqa: F401
import pandas as pd  # noqa: F401
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: F401  (you will need it)

PAD, UNK = "<pad>", "<unk>"  # indices 0 and 1 of every vocabulary
NUM_CLASSES = 5
EMBEDDING_DIM = 64
HIDDEN_SIZE = 64
BATCH_SIZE = 256


def read_phrases(path):
    """Read a phrases TSV (plain or zipped) into a DataFrame; every Phrase stays the str in the file."""
    # TODO: pandas can read it; mind what it does by default with the phrase "None".
    raise NotImplementedError("read_phrases")


def tokenize(phrase):
    """The lower-cased words of a phrase, split on whitespace."""
    # TODO
    raise NotImplementedError("tokenize")


def build_vocab(phrases):
    """A dict word -> index: PAD 0, UNK 1, then the distinct words of ``phrases`` in sorted order."""
    # TODO
    raise NotImplementedError("build_vocab")


def encode_phrase(phrase, vocab):
    """The indices of the words of ``phrase`` (unknown words -> 1); a phrase without words gives [1]."""
    # TODO
    raise NotImplementedError("encode_phrase")


def make_batch(encoded):
    """(tokens int64 (batch, longest) padded with 0, lengths int64 (batch,)), rows in the order given."""
    # TODO
    raise NotImplementedError("make_batch")


def grouped_split(sentence_ids, valid_fraction=0.2, seed=0):
    """(train_rows, valid_rows): sorted row positions, no sentence on both sides."""
    # TODO: shuffle the distinct sentence ids, then split the rows by sentence.
    raise NotImplementedError("grouped_split")


class SentimentRNN(nn.Module):
    """Embedding (``embedding``) -> bidirectional LSTM (``rnn``, batch_first) -> Linear (``fc``)."""

    def __init__(self, vocab_size, embedding_dim=EMBEDDING_DIM, hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES,
                 bidirectional=True):
        super().__init__()
        # TODO: build self.embedding, self.rnn and self.fc.
        raise NotImplementedError("SentimentRNN")

    def forward(self, tokens, lengths):
        """Padded word indices (batch, seq_len) in any order, and their lengths -> logits (batch, num_classes)."""
        # TODO: embed, pack (enforce_sorted=False), LSTM, concatenate the last layer's two directions, fc.
        raise NotImplementedError("SentimentRNN.forward")


def train_epoch(model, optimizer, encoded, labels, batch_size=BATCH_SIZE):
    """One pass over the encoded phrases in the order given; returns the mean loss per phrase."""
    # TODO
    raise NotImplementedError("train_epoch")


def predict(model, encoded, batch_size=1024):
    """The predicted class (int) of each encoded phrase, in the order given."""
    # TODO
    raise NotImplementedError("predict")


def accuracy(model, encoded, labels, batch_size=1024):
    """The fraction (0 to 1) of phrases whose predicted class equals its label."""
    # TODO
    raise NotImplementedError("accuracy")


def write_submission(path, phrase_ids, predictions):
    """Write the CSV PhraseId,Sentiment with one integer row per phrase, in order."""
    # TODO
    raise NotImplementedError("write_submission")


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
