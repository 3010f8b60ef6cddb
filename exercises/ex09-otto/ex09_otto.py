"""Lecture 9, exercise 9-2: the Otto Group product classification challenge.

Kaggle's Otto data (https://www.kaggle.com/competitions/otto-group-product-classification-challenge/data):
``train.csv`` has the columns ``id, feat_1 .. feat_93, target``: 93 integer counts per
product and its class ``Class_1 .. Class_9``; ``test.csv`` has the same columns without
``target``. The rows of train.csv are sorted by class. Some copies quote the header and the
labels (``"id","feat_1",...`` and ``"Class_1"``); pandas' ``read_csv`` reads both forms, plain
or gzipped. Implement:

- ``encode_labels(targets)``: ``Class_k`` -> ``k - 1`` (so Class_1 is 0 and Class_9 is 8) for
  every string in ``targets``, as an int64 tensor. Anything else (``"Class_10"``, ``"class_3"``)
  raises ``ValueError``.
- ``read_train(path)``: ``(ids, features, labels)``: ``ids`` an int64 tensor of shape (n,),
  ``features`` the 93 counts as a float32 tensor of shape (n, 93) (columns feat_1 .. feat_93 in
  order), ``labels`` from ``encode_labels``. ``read_test(path)``: ``(ids, features)``.
- ``stratified_split(labels, val_fraction=0.2, seed=0)``: ``(train_idx, val_idx)``, two int64
  tensors of row indices that together hold every row exactly once. The split is shuffled (the
  rows are sorted by class: taking the last 20 % would validate on Class_8 and Class_9 only)
  and stratified: each class sends ``round(val_fraction * its size)`` of its rows (give or take
  one) to ``val_idx``, chosen at random. The same seed gives the same split, another seed
  another split.
- ``OttoNet()``: an ``nn.Module`` mapping counts of shape (batch, 93) to 9 logits of shape
  (batch, 9): no softmax at the end (``CrossEntropyLoss`` applies log-softmax itself). Design
  it yourself (e.g. ``log(1 + x)`` of the counts, then 93 -> 256 -> 128 -> 9 with ReLU).
- ``train(model, loader, epochs=10, lr=1e-3)``: for each epoch, for each ``(x, y)`` batch of
  the loader: zero the gradients, ``nn.CrossEntropyLoss()`` of ``model(x)`` against ``y``,
  backward, ``torch.optim.Adam(model.parameters(), lr=lr)`` step (one optimizer for the whole
  run). Move each batch to the model's device. Returns a list of ``epochs`` floats:
  ``history[e]`` is the mean of the batch losses of epoch ``e``.
- ``predict_proba(model, features, batch_size=4096)``: the softmax of the model's logits, a
  float32 tensor of shape (n, 9) whose rows sum to 1 (``model.eval()``, ``torch.no_grad()``;
  ``batch_size`` rows at a time, so that the 144,368 test rows fit in memory).
- ``log_loss(labels, probabilities)``: the competition's metric, as a float: clip the
  probabilities to ``[1e-15, 1 - 1e-15]``, rescale each row to sum to 1, then average
  ``-log(p[i, labels[i]])`` (natural log) over the rows.
- ``write_submission(ids, probabilities, path)``: a CSV with the header
  ``id,Class_1,Class_2,...,Class_9`` and one line per id, in the given order: the id, then
  its 9 probabilities.

The real files: put them in the pttutor data folder (``pttutor.datasets.otto`` finds them,
see its docstring); the checks do not need them. Facts to check yourself against, on a
stratified validation split: guessing uniformly gives a log loss of log(9) = 2.197, the class
prior 1.950, multinomial logistic regression about 0.62.
"""

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_FEATURES = 93
CLASSES = [f"Class_{k}" for k in range(1, 10)]
FEATURES = [f"feat_{i}" for i in range(1, N_FEATURES + 1)]


def encode_labels(targets):
    """``Class_k`` -> ``k - 1`` as an int64 tensor; ValueError for anything else."""
    # TODO
    raise NotImplementedError("encode_labels")


def read_train(path):
    """``(ids, features, labels)`` of an Otto train.csv."""
    # TODO: pandas.read_csv, then tensors.
    raise NotImplementedError("read_train")


def read_test(path):
    """``(ids, features)`` of an Otto test.csv."""
    # TODO
    raise NotImplementedError("read_test")


def stratified_split(labels, val_fraction=0.2, seed=0):
    """Shuffled, stratified ``(train_idx, val_idx)``."""
    # TODO: for each class, shuffle its row indices and send round(val_fraction * size) to validation.
    raise NotImplementedError("stratified_split")


class OttoNet(nn.Module):
    """93 counts -> 9 logits."""

    def __init__(self):
        super().__init__()
        # TODO: the layers.
        raise NotImplementedError("OttoNet.__init__")

    def forward(self, x):
        # TODO: logits, no softmax.
        raise NotImplementedError("OttoNet.forward")


def train(model, loader, epochs=10, lr=1e-3):
    """Adam and CrossEntropyLoss; returns the mean batch loss of every epoch."""
    # TODO: the training loop.
    raise NotImplementedError("train")


def predict_proba(model, features, batch_size=4096):
    """Softmax probabilities, shape (n, 9)."""
    # TODO
    raise NotImplementedError("predict_proba")


def log_loss(labels, probabilities):
    """The competition's multi-class log loss."""
    # TODO: clip, rescale the rows, mean of -log p of the true class.
    raise NotImplementedError("log_loss")


def write_submission(ids, probabilities, path):
    """Write id,Class_1,...,Class_9 with one line per id."""
    # TODO
    raise NotImplementedError("write_submission")


if __name__ == "__main__":
    from pttutor.datasets import otto

    torch.manual_seed(0)
    ids, features, labels = read_train(otto.train_path())
    train_idx, val_idx = stratified_split(labels, val_fraction=0.2, seed=0)
    loader = DataLoader(TensorDataset(features[train_idx], labels[train_idx]), batch_size=256, shuffle=True)
    model = OttoNet()
    history = train(model, loader, epochs=20)
    prior = np.bincount(labels[train_idx].numpy(), minlength=9) / len(train_idx)
    print(f"training loss {history[0]:.4f} -> {history[-1]:.4f}")
    print(f"validation log loss {log_loss(labels[val_idx], predict_proba(model, features[val_idx])):.4f}; "
          f"class prior {log_loss(labels[val_idx], torch.tensor(prior).repeat(len(val_idx), 1)):.4f}")

    test_ids, test_features = read_test(otto.test_path())
    write_submission(test_ids, predict_proba(model, test_features), "submission.csv")
    print(pd.read_csv("submission.csv").head())
