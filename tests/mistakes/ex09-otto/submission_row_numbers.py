# fails: read_test_and_submission_random
"""Lecture 9, exercise 9-2: the Otto Group product classification challenge (reference solution).

Each product is described by 93 counts and belongs to one of 9 classes. An MLP maps the counts
to 9 logits; ``CrossEntropyLoss`` applies log-softmax to them itself, so the model returns
logits and only ``predict_proba`` turns them into probabilities with a softmax.

Two details decide whether the validation score means anything. Kaggle's train.csv is sorted
by class, so the split must shuffle (otherwise the validation part holds only the last classes)
and should be stratified (each class keeps its share on both sides). And the score is the
competition's log loss: probabilities clipped to [1e-15, 1 - 1e-15], each row rescaled to sum
to 1, then the mean of -log p of the true class.
"""

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_FEATURES = 93
CLASSES = [f"Class_{k}" for k in range(1, 10)]
FEATURES = [f"feat_{i}" for i in range(1, N_FEATURES + 1)]
EPS = 1e-15


def encode_labels(targets):
    """``Class_k`` -> ``k - 1`` for every target, as an int64 tensor; ValueError for anything else."""
    index = {name: k for k, name in enumerate(CLASSES)}
    codes = []
    for target in targets:
        if target not in index:
            raise ValueError(f"unknown Otto label {target!r}: expected one of Class_1 .. Class_9")
        codes.append(index[target])
    return torch.tensor(codes, dtype=torch.int64)


def read_train(path):
    """``(ids, features, labels)`` of an Otto train.csv: int64 (n,), float32 (n, 93), int64 (n,)."""
    frame = pd.read_csv(path)
    ids = torch.tensor(frame["id"].to_numpy(dtype=np.int64))
    features = torch.tensor(frame[FEATURES].to_numpy(dtype=np.float32))
    return ids, features, encode_labels(frame["target"])


def read_test(path):
    """``(ids, features)`` of an Otto test.csv: int64 (n,), float32 (n, 93)."""
    frame = pd.read_csv(path)
    ids = torch.tensor(frame["id"].to_numpy(dtype=np.int64))
    features = torch.tensor(frame[FEATURES].to_numpy(dtype=np.float32))
    return ids, features


def stratified_split(labels, val_fraction=0.2, seed=0):
    """Shuffled, stratified split of the row indices: ``(train_idx, val_idx)``, int64 tensors.

    Each class sends ``round(val_fraction * its size)`` of its rows, chosen at random, to the
    validation part; both parts are returned in random order.
    """
    labels = torch.as_tensor(labels).cpu().numpy()
    rng = np.random.default_rng(seed)
    train_parts, val_parts = [], []
    for k in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == k))
        n_val = int(round(val_fraction * len(members)))
        val_parts.append(members[:n_val])
        train_parts.append(members[n_val:])
    train_idx = rng.permutation(np.concatenate(train_parts))
    val_idx = rng.permutation(np.concatenate(val_parts))
    return torch.tensor(train_idx, dtype=torch.int64), torch.tensor(val_idx, dtype=torch.int64)


class OttoNet(nn.Module):
    """93 counts -> log(1 + counts) -> 256 -> 128 -> 9 logits (ReLU and dropout in between)."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(N_FEATURES, 256), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(128, len(CLASSES)),
        )

    def forward(self, x):
        return self.layers(torch.log1p(x))


def train(model, loader, epochs=10, lr=1e-3):
    """Adam and CrossEntropyLoss over the loader's ``(x, y)`` batches; the mean batch loss per epoch."""
    device = next(model.parameters()).device
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
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


def predict_proba(model, features, batch_size=4096):
    """Class probabilities, a float32 tensor of shape (n, 9) whose rows sum to 1."""
    device = next(model.parameters()).device
    model.eval()
    parts = []
    with torch.no_grad():
        for start in range(0, len(features), batch_size):
            logits = model(features[start:start + batch_size].to(device))
            parts.append(torch.softmax(logits, dim=1).cpu())
    return torch.cat(parts)


def log_loss(labels, probabilities):
    """The competition's multi-class log loss (natural log), as a float."""
    labels = torch.as_tensor(labels).cpu().numpy()
    p = torch.as_tensor(probabilities).detach().cpu().double().numpy()
    p = np.clip(p, EPS, 1 - EPS)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def write_submission(ids, probabilities, path):
    """Write ``id,Class_1,...,Class_9`` with one line per id, in the given order."""
    table = pd.DataFrame(torch.as_tensor(probabilities).cpu().numpy(), columns=CLASSES)
    table.insert(0, "id", np.arange(1, len(table) + 1))  # MISTAKE: row numbers, not the ids
    table.to_csv(path, index=False)


if __name__ == "__main__":
    import time

    from pttutor.datasets import otto

    torch.manual_seed(0)
    ids, features, labels = read_train(otto.train_path())
    train_idx, val_idx = stratified_split(labels, val_fraction=0.2, seed=0)
    loader = DataLoader(TensorDataset(features[train_idx], labels[train_idx]), batch_size=256, shuffle=True)
    model = OttoNet()
    epochs = 20
    began = time.perf_counter()
    history = train(model, loader, epochs=epochs)
    seconds = (time.perf_counter() - began) / epochs
    val = log_loss(labels[val_idx], predict_proba(model, features[val_idx]))
    print(f"training loss {history[0]:.4f} -> {history[-1]:.4f} ({seconds:.1f} s per epoch); "
          f"validation log loss {val:.4f} (class prior: 1.950)")

    test_ids, test_features = read_test(otto.test_path())
    write_submission(test_ids, predict_proba(model, test_features), "submission.csv")
    print(f"wrote submission.csv ({len(test_ids)} products)")
