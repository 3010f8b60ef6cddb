# fails: submission, submission_every_passenger
"""Lecture 8, exercise 8-1: Titanic survival with a Dataset and a DataLoader (reference solution).

A ``Dataset`` answers two questions, ``len(dataset)`` and ``dataset[i]``; a ``DataLoader``
turns it into shuffled mini-batches. Everything slow (reading the CSV, filling the missing
values, encoding the categories, scaling) happens once in ``__init__``; ``__getitem__`` only
indexes two tensors, so it costs microseconds and works the same in the DataLoader's worker
processes.

The test passengers must be encoded exactly like the training passengers, so the statistics
used for filling and scaling (medians, means, standard deviations, the most common port) are
computed on the training file only and handed to the test dataset.

Features (11 per passenger): one-hot Pclass (3), Sex (1 for female), Age (missing: the
training median; then standardised), SibSp, Parch, log(1 + Fare) (missing: the training
median; then standardised), one-hot Embarked (missing: the most common port).
"""

import math

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

PORTS = ("C", "Q", "S")


def training_statistics(frame):
    """The values used to fill and scale the features, computed on the training passengers."""
    age = frame["Age"].fillna(frame["Age"].median())
    log_fare = np.log1p(frame["Fare"].fillna(frame["Fare"].median()))
    return {
        "age_median": float(frame["Age"].median()),
        "age_mean": float(age.mean()),
        "age_std": float(age.std()),
        "fare_median": float(frame["Fare"].median()),
        "log_fare_mean": float(log_fare.mean()),
        "log_fare_std": float(log_fare.std()),
        "embarked_mode": str(frame["Embarked"].mode()[0]),
    }


def encode(frame, stats):
    """The passengers of ``frame`` as a float32 tensor of shape (rows, 11), without NaN."""
    age = frame["Age"].fillna(stats["age_median"])
    log_fare = np.log1p(frame["Fare"].fillna(stats["fare_median"]))
    embarked = frame["Embarked"].fillna(stats["embarked_mode"])
    columns = [(frame["Pclass"] == k).astype(float) for k in (1, 2, 3)]
    columns += [
        (frame["Sex"] == "female").astype(float),
        (age - stats["age_mean"]) / stats["age_std"],
        frame["SibSp"].astype(float),
        frame["Parch"].astype(float),
        (log_fare - stats["log_fare_mean"]) / stats["log_fare_std"],
    ]
    columns += [(embarked == port).astype(float) for port in PORTS]
    values = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
    return torch.tensor(values, dtype=torch.float32)


class TitanicDataset(Dataset):
    """The passengers of a Titanic CSV file (Kaggle's train.csv or test.csv).

    ``stats=None`` computes the filling and scaling statistics from this file (use it for
    train.csv); pass ``stats=train_dataset.stats`` for test.csv.
    """

    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        self.features = encode(frame, self.stats)
        if "Survived" in frame.columns:
            labels = frame["Survived"].to_numpy(dtype=np.float32)
            self.labels = torch.tensor(labels).view(-1, 1)
        else:
            self.labels = None

    def __len__(self):
        return len(self.passenger_ids)

    def __getitem__(self, index):
        if self.labels is None:
            return self.features[index]
        return self.features[index], self.labels[index]


class TitanicModel(nn.Module):
    """A small MLP: features -> 16 hidden units (ReLU) -> the probability of survival."""

    def __init__(self, n_features):
        super().__init__()
        self.hidden = nn.Linear(n_features, 16)
        self.output = nn.Linear(16, 1)

    def forward(self, x):
        return torch.sigmoid(self.output(torch.relu(self.hidden(x))))


def train(model, loader, epochs=100, lr=0.1):
    """Mini-batch SGD with BCELoss; returns the mean batch loss of every epoch."""
    device = next(model.parameters()).device
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history.append(sum(batch_losses) / len(batch_losses))
    return history


def predict(model, dataset, batch_size=256):
    """0/1 predictions (int64 tensor, one per item, in order) for a dataset with or without labels."""
    device = next(model.parameters()).device
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    model.eval()
    predictions = []
    with torch.no_grad():
        for batch in loader:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            probabilities = model(x.to(device)).view(-1)
            predictions.append((probabilities >= 0.5).long().cpu())
    return torch.cat(predictions)


def write_submission(model, test_dataset, path):
    """Write Kaggle's submission file: ``PassengerId,Survived`` for every test passenger."""
    with torch.no_grad():  # MISTAKE: probabilities, not 0/1
        survived = model(test_dataset.features).view(-1).numpy()
    submission = pd.DataFrame({"PassengerId": test_dataset.passenger_ids, "Survived": survived})
    submission.to_csv(path, index=False)


if __name__ == "__main__":
    from torch.utils.data import random_split

    from pttutor.datasets import titanic

    torch.manual_seed(0)
    full = TitanicDataset(titanic.train_path())
    n_val = math.floor(0.2 * len(full))
    train_part, val_part = random_split(full, [len(full) - n_val, n_val],
                                        generator=torch.Generator().manual_seed(0))
    # num_workers > 0 starts worker processes: on Windows and macOS each one imports this
    # file again, which is why all of this sits under if __name__ == "__main__".
    loader = DataLoader(train_part, batch_size=32, shuffle=True, num_workers=2,
                        persistent_workers=True)
    model = TitanicModel(full.features.shape[1])
    history = train(model, loader, epochs=100, lr=0.1)
    labels = full.labels.view(-1).long()
    val_accuracy = (predict(model, val_part) == labels[val_part.indices]).float().mean().item()
    print(f"loss {history[0]:.3f} -> {history[-1]:.3f}; validation accuracy {val_accuracy:.1%}")

    test = TitanicDataset(titanic.test_path(), stats=full.stats)
    write_submission(model, test, "submission.csv")
    print(f"wrote submission.csv ({len(test)} passengers)")
