"""Measure what the reference RNN classifiers of lecture 13 reach on the real data (not collected by pytest).

Two models, each the reference solution with its own defaults:

    names       solutions/ex13-name-classifier  RNNClassifier(128, 100, 18, n_layers=2), bidirectional
                GRU; Adam lr 0.001, batch 256, names shuffled every epoch; trained on
                names_train.csv.gz (13,374 names), validated on names_test.csv.gz (6,700)
    sentiment   solutions/ex13-sentiment  SentimentRNN(vocab, 64, 64, 5), bidirectional LSTM;
                Adam lr 0.001, batch 256; Kaggle's train.tsv split by SentenceId with
                grouped_split(valid_fraction=0.2, seed=0), vocabulary from the training part only

The sentiment batches are bucketed by default (phrases shuffled, then sorted by length inside
chunks of 20 batches, and the batches shuffled), which makes an epoch several times faster on
a CPU; ``--no-bucket`` trains on plainly shuffled batches.

Usage::

    python benchmarks/measure_rnn.py                                # both, data from ../shared/data or PTTUTOR_DATA
    python benchmarks/measure_rnn.py --only names --names-epochs 10
    python benchmarks/measure_rnn.py --only sentiment --sentiment-epochs 2 --data-dir DIR
    python benchmarks/measure_rnn.py --device cuda --names-epochs 100

It prints, per model: the validation accuracy after each epoch, the majority-class baseline
on the same validation set, the catalog's figures, and seconds per training epoch.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from pttutor.datasets import DataError, names, sentiment

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
SOLUTIONS = PROJECT / "solutions"
CATALOG = {
    "names": "majority 46.8 %; course GRU about 84 % after 100 epochs",
    "sentiment": "majority 51.0 %; TF-IDF + LR about 60 % grouped (66 % leaky); BiLSTMs about 61 %",
}


def load_solution(exercise_id: str, filename: str):
    path = SOLUTIONS / exercise_id / filename
    spec = importlib.util.spec_from_file_location(f"measure_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_data_dir(dataset: str) -> Path | None:
    if os.environ.get("PTTUTOR_DATA"):
        return None  # pttutor.datasets uses it
    return SHARED_DATA if (SHARED_DATA / dataset).is_dir() else None


class OnDevice(torch.nn.Module):
    """Runs a reference model on ``device`` while the reference code builds its batches on the CPU."""

    def __init__(self, model: torch.nn.Module, device: torch.device) -> None:
        super().__init__()
        self.model = model.to(device)
        self.device = device

    def forward(self, tokens, lengths):
        return self.model(tokens.to(self.device), lengths).cpu()


def measure_names(epochs: int, data_dir, device: torch.device) -> dict:
    sol = load_solution("ex13-name-classifier", "ex13_name_classifier.py")
    train = names.load("train", data_dir)
    test = names.load("test", data_dir)
    countries = sol.country_list(train["country"])
    index = {c: i for i, c in enumerate(countries)}
    train_names, train_targets = list(train["name"]), [index[c] for c in train["country"]]
    test_names, test_targets = list(test["name"]), [index[c] for c in test["country"]]
    majority = max(np.bincount(test_targets)) / len(test_targets)
    torch.manual_seed(0)
    model = OnDevice(sol.RNNClassifier(sol.N_CHARS, sol.HIDDEN_SIZE, len(countries), sol.N_LAYERS), device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    rng = np.random.default_rng(0)
    accuracies, seconds = [], []
    for epoch in range(epochs):
        perm = rng.permutation(len(train_names))
        began = time.perf_counter()
        loss = sol.train_epoch(model, optimizer, [train_names[i] for i in perm], [train_targets[i] for i in perm])
        seconds.append(time.perf_counter() - began)
        accuracies.append(sol.accuracy(model, test_names, test_targets))
        print(f"  names: epoch {epoch + 1}/{epochs} loss {loss:.3f} validation accuracy "
              f"{100 * accuracies[-1]:.1f} % ({seconds[-1]:.1f} s)", flush=True)
    return {"name": "names (BiGRU 2x100)", "epochs": epochs, "last": accuracies[-1], "best": max(accuracies),
            "majority": majority, "catalog": CATALOG["names"], "seconds": float(np.mean(seconds)),
            "train": len(train_names), "valid": len(test_names)}


def bucketed_order(lengths: list[int], batch_size: int, rng: np.random.Generator, chunk_batches: int = 20) -> list[int]:
    perm = rng.permutation(len(lengths))
    chunk = batch_size * chunk_batches
    batches = []
    for start in range(0, len(perm), chunk):
        part = sorted(perm[start:start + chunk].tolist(), key=lambda i: lengths[i])
        batches += [part[k:k + batch_size] for k in range(0, len(part), batch_size)]
    return [i for b in (batches[j] for j in rng.permutation(len(batches))) for i in b]


def measure_sentiment(epochs: int, data_dir, device: torch.device, bucket: bool) -> dict:
    sol = load_solution("ex13-sentiment", "ex13_sentiment.py")
    frame = sol.read_phrases(sentiment.path_of("train", data_dir))
    train_rows, valid_rows = sol.grouped_split(frame["SentenceId"], valid_fraction=0.2, seed=0)
    phrases, labels = list(frame["Phrase"]), [int(v) for v in frame["Sentiment"]]
    vocab = sol.build_vocab([phrases[i] for i in train_rows])
    encoded = [sol.encode_phrase(p, vocab) for p in phrases]
    train_x, train_y = [encoded[i] for i in train_rows], [labels[i] for i in train_rows]
    valid_x, valid_y = [encoded[i] for i in valid_rows], [labels[i] for i in valid_rows]
    majority = max(np.bincount(valid_y)) / len(valid_y)
    print(f"  sentiment: {len(vocab)} words, {len(train_x)} training and {len(valid_x)} validation phrases "
          f"({len(set(frame['SentenceId'].iloc[valid_rows]))} sentences)", flush=True)
    torch.manual_seed(0)
    model = OnDevice(sol.SentimentRNN(len(vocab)), device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    rng = np.random.default_rng(0)
    lengths = [len(e) for e in train_x]
    accuracies, seconds = [], []
    for epoch in range(epochs):
        order = bucketed_order(lengths, sol.BATCH_SIZE, rng) if bucket else rng.permutation(len(train_x)).tolist()
        began = time.perf_counter()
        loss = sol.train_epoch(model, optimizer, [train_x[i] for i in order], [train_y[i] for i in order])
        seconds.append(time.perf_counter() - began)
        accuracies.append(sol.accuracy(model, valid_x, valid_y))
        print(f"  sentiment: epoch {epoch + 1}/{epochs} loss {loss:.3f} validation accuracy "
              f"{100 * accuracies[-1]:.1f} % ({seconds[-1]:.1f} s)", flush=True)
    return {"name": "sentiment (BiLSTM 64)" + ("" if bucket else ", unbucketed"), "epochs": epochs,
            "last": accuracies[-1], "best": max(accuracies), "majority": majority, "catalog": CATALOG["sentiment"],
            "seconds": float(np.mean(seconds)), "train": len(train_x), "valid": len(valid_x)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data folder (default: ../shared/data if present, else PTTUTOR_DATA)")
    parser.add_argument("--only", choices=["names", "sentiment"], help="measure one model only")
    parser.add_argument("--names-epochs", type=int, default=10)
    parser.add_argument("--sentiment-epochs", type=int, default=2)
    parser.add_argument("--no-bucket", action="store_true", help="plainly shuffled sentiment batches")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    rows = []
    for what in ("names", "sentiment"):
        if args.only and args.only != what:
            continue
        data_dir = args.data_dir or default_data_dir(what)
        print(f"{what}: data from {data_dir or os.environ.get('PTTUTOR_DATA') or 'the default data folder'}, "
              f"on {device} with {torch.get_num_threads()} threads", flush=True)
        try:
            if what == "names":
                rows.append(measure_names(args.names_epochs, data_dir, device))
            else:
                rows.append(measure_sentiment(args.sentiment_epochs, data_dir, device, not args.no_bucket))
        except DataError as exc:
            print(f"  skipped: {exc}", flush=True)
    if not rows:
        return 1
    print()
    print("| model | train / valid | epochs | valid acc (last) | best | majority (valid) | s / epoch | catalog |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['train']:,} / {r['valid']:,} | {r['epochs']} | {100 * r['last']:.1f} % | "
              f"{100 * r['best']:.1f} % | {100 * r['majority']:.1f} % | {r['seconds']:.1f} | {r['catalog']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
