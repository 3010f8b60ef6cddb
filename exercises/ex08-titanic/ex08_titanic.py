"""Lecture 8, exercise 8-1: Titanic survival with a Dataset and a DataLoader.

Kaggle's Titanic data (https://www.kaggle.com/competitions/titanic/data): ``train.csv`` has
891 passengers with the columns PassengerId, Survived, Pclass, Name, Sex, Age, SibSp, Parch,
Ticket, Fare, Cabin, Embarked; ``test.csv`` has 418 passengers and no Survived column. Some
values are missing: Age (177 in train, 86 in test), Embarked (2 in train), Fare (1 in test),
Cabin (most rows). Build a ``Dataset`` over such a file, train a classifier through a
``DataLoader``, and write a submission for Kaggle. Implement:

- ``TitanicDataset(csv_path, stats=None)``, a ``torch.utils.data.Dataset``:
  - ``__init__`` reads the CSV once, fills every missing value you use, encodes the
    features and keeps them as tensors. Choose the features yourself (Sex and Pclass matter
    most; scale Age and Fare, e.g. standardise them). ``stats=None`` means: compute the
    statistics you fill and scale with from this file (train.csv) and keep them in
    ``self.stats``; otherwise use the given ``stats`` (``stats=train_dataset.stats`` for
    test.csv), so a passenger is encoded the same way in both files.
  - ``self.passenger_ids``: the PassengerId of every row, in file order (a list of int).
  - ``len(dataset)`` is the number of rows of the file: never drop a passenger.
  - ``dataset[i]`` for a file with a Survived column is ``(features, label)``: ``features``
    a float32 tensor of shape ``(n_features,)`` without NaN, ``label`` a float32 tensor of
    shape ``(1,)`` holding 0.0 or 1.0 (so a batch of labels is ``(batch, 1)``, the shape of
    the model's output). For a file without Survived (test.csv), ``dataset[i]`` is the
    ``features`` tensor alone.
  - ``__getitem__`` only indexes what ``__init__`` prepared: no pandas, no file reading.
- ``TitanicModel(n_features)``: an ``nn.Module`` whose ``forward(x)`` maps a batch of shape
  ``(batch, n_features)`` to survival probabilities of shape ``(batch, 1)`` (end with a sigmoid).
- ``train(model, loader, epochs=100, lr=0.1)``: for each epoch, for each ``(x, y)`` batch of
  the loader: zero the gradients, ``nn.BCELoss()`` of ``model(x)`` against ``y``, backward,
  ``torch.optim.SGD(model.parameters(), lr=lr)`` step (one optimizer for the whole run).
  Move each batch to the model's device. Returns a list of ``epochs`` floats:
  ``history[e]`` is the mean of the batch losses of epoch ``e``.
- ``predict(model, dataset, batch_size=256)``: an int64 tensor of shape ``(len(dataset),)``:
  1 where the model's probability is at least 0.5, else 0, in dataset order (use a
  DataLoader without shuffling). Works for datasets with and without labels.
- ``write_submission(model, test_dataset, path)``: write a CSV with the header
  ``PassengerId,Survived`` and one line per passenger of ``test_dataset`` (a
  ``TitanicDataset``: all of them, each once, in the order of its ``passenger_ids``) with its
  prediction from ``predict`` as the integer 0 or 1.

``DataLoader(dataset, batch_size=32, shuffle=True, num_workers=2)`` must work with your
dataset. Worker processes import your file again on Windows and macOS: keep the training
(and anything that reads the real files) under ``if __name__ == "__main__":``.

The real files: put them in the pttutor data folder (``pttutor.datasets.titanic`` finds
them, see its docstring); the checks do not need them. Facts to check yourself against:
predicting that nobody survives scores 61.6 % on train.csv, "women survive" 78.7 %,
logistic regression about 79 % (cross-validated).
"""

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class TitanicDataset(Dataset):
    """The passengers of a Titanic CSV file (train.csv or test.csv)."""

    def __init__(self, csv_path, stats=None):
        # TODO: read the CSV with pandas, compute (or take) the statistics, fill the missing
        # values, encode the features as a float32 tensor, keep the labels if there are any,
        # and the list of PassengerIds.
        raise NotImplementedError("TitanicDataset.__init__")

    def __len__(self):
        # TODO: the number of passengers.
        raise NotImplementedError("TitanicDataset.__len__")

    def __getitem__(self, index):
        # TODO: (features, label) for a file with Survived, else features alone.
        raise NotImplementedError("TitanicDataset.__getitem__")


class TitanicModel(nn.Module):
    """Features -> the probability of survival, shape (batch, 1)."""

    def __init__(self, n_features):
        super().__init__()
        # TODO: the layers.
        raise NotImplementedError("TitanicModel.__init__")

    def forward(self, x):
        # TODO: end with a sigmoid.
        raise NotImplementedError("TitanicModel.forward")


def train(model, loader, epochs=100, lr=0.1):
    """Mini-batch SGD with BCELoss; returns the mean batch loss of every epoch."""
    # TODO: the training loop.
    raise NotImplementedError("train")


def predict(model, dataset, batch_size=256):
    """0/1 predictions (int64 tensor, one per item, in dataset order)."""
    # TODO: a DataLoader without shuffling, model.eval(), torch.no_grad().
    raise NotImplementedError("predict")


def write_submission(model, test_dataset, path):
    """Write PassengerId,Survived for every test passenger."""
    # TODO: predictions for every passenger, then a CSV with integer 0/1 values.
    raise NotImplementedError("write_submission")


if __name__ == "__main__":
    from pttutor.datasets import titanic

    torch.manual_seed(0)
    train_set = TitanicDataset(titanic.train_path())
    loader = DataLoader(train_set, batch_size=32, shuffle=True, num_workers=2, persistent_workers=True)
    model = TitanicModel(len(train_set[0][0]))
    history = train(model, loader, epochs=100, lr=0.1)
    labels = torch.stack([label for _, label in train_set]).view(-1).long()
    accuracy = (predict(model, train_set) == labels).float().mean().item()
    print(f"loss {history[0]:.3f} -> {history[-1]:.3f}; training accuracy {accuracy:.1%}")

    test_set = TitanicDataset(titanic.test_path(), stats=train_set.stats)
    write_submission(model, test_set, "submission.csv")
    print(f"wrote submission.csv ({len(test_set)} passengers)")
    print(pd.read_csv("submission.csv").head())
