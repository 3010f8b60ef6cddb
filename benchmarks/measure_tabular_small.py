"""Measure the reference solution of ex07-activations on the real diabetes data (not a test).

    python benchmarks/measure_tabular_small.py [--data-dir DIR] [--epochs 100,1000,5000] [--seeds 5]

Prints, next to the catalog's figures (COURSE.md, ex07-activations):

- the majority class (catalog: 65.3 %);
- the course-settings fact: the sigmoid network (8-6-4-1, BCELoss, SGD lr 0.1, 100 full-batch
  epochs) still predicts the majority class for every patient, for several seeds; and the
  same with the loss summed instead of averaged (the course notes print a first loss of
  519.3, which is a sum over the 759 rows);
- the training accuracy of every activation after each number of epochs, from the same
  initial weights (``compare_activations``), with the seconds per epoch;
- 5-fold cross-validated accuracy of logistic regression (catalog: about 77 %) and of the
  networks after the longest run.

The data folder is --data-dir, else $PTTUTOR_DATA, else ../shared/data next to the project.
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

import pttutor.solutions
from pttutor.datasets import DataError, diabetes

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
CATALOG_MAJORITY = 65.3
CATALOG_LOGISTIC_CV = 77.0


def reference(exercise_id: str, file: str):
    path = Path(pttutor.solutions.__file__).resolve().parent / exercise_id / file
    spec = importlib.util.spec_from_file_location(f"reference_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def find_data(data_dir: str | None):
    candidates = [data_dir] if data_dir else [os.environ.get("PTTUTOR_DATA"), str(SHARED_DATA)]
    problems = []
    for candidate in filter(None, candidates):
        try:
            return diabetes.load(candidate), diabetes.path(candidate)
        except DataError as exc:
            problems.append(str(exc))
    sys.exit("no diabetes data found:\n  " + "\n  ".join(problems))


def folds(n: int, k: int = 5, seed: int = 0):
    order = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(order, k)
    for i in range(k):
        yield np.concatenate(parts[:i] + parts[i + 1:]), parts[i]


def logistic_regression_cv(x: torch.Tensor, y: torch.Tensor) -> float:
    """Held-out accuracy of Linear(8, 1) + sigmoid fitted to convergence (LBFGS, BCE, tiny L2)."""
    accuracies = []
    for train_idx, test_idx in folds(len(x)):
        torch.manual_seed(0)
        model = torch.nn.Linear(8, 1)
        optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=500, line_search_fn="strong_wolfe")
        xt, yt = x[train_idx], y[train_idx]

        def closure():
            optimizer.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(xt), yt) \
                + 1e-4 * model.weight.pow(2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        with torch.no_grad():
            predictions = (model(x[test_idx]) >= 0).float()
        accuracies.append((predictions == y[test_idx]).float().mean().item())
    return 100 * float(np.mean(accuracies))


def network_cv(ref, x: torch.Tensor, y: torch.Tensor, name: str, epochs: int) -> float:
    accuracies = []
    for train_idx, test_idx in folds(len(x)):
        torch.manual_seed(0)
        model = ref.DiabetesNet(name)
        ref.train(model, x[train_idx], y[train_idx], epochs, 0.1)
        accuracies.append(ref.accuracy(model, x[test_idx], y[test_idx]))
    return 100 * float(np.mean(accuracies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", default="100,1000,5000", help="comma-separated run lengths")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the course-settings fact")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validated accuracies")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: a network this small only waits for more threads)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs = [int(e) for e in args.epochs.split(",")]

    (features, labels), path = find_data(args.data_dir)
    x, y = torch.from_numpy(features), torch.from_numpy(labels)
    ref = reference("ex07-activations", "ex07_activations.py")
    print(f"data: {path} ({len(x)} rows); torch {torch.__version__}, {torch.get_num_threads()} thread(s), cpu")

    majority = 100 * max(float(y.mean()), 1 - float(y.mean()))
    print(f"\nmajority class: {majority:.1f} %   (catalog: {CATALOG_MAJORITY} %)")

    print("\ncourse settings: sigmoid net 8-6-4-1, SGD lr 0.1, 100 full-batch epochs")
    print(f"{'loss':25s} {'seed':>4s} {'first loss':>10s} {'last loss':>10s} {'predicts 1':>10s} {'accuracy':>8s}")
    for reduction in ("mean", "sum"):
        for seed in range(args.seeds):
            torch.manual_seed(seed)
            model = ref.DiabetesNet("sigmoid")
            criterion, ref.criterion = ref.criterion, torch.nn.BCELoss(reduction=reduction)
            try:
                losses = ref.train(model, x, y, 100, 0.1)
            finally:
                ref.criterion = criterion
            with torch.no_grad():
                ones = 100 * float((model(x) >= 0.5).float().mean())
            print(f"{f'BCELoss(reduction={reduction!r})':25s} {seed:4d} {losses[0]:10.4f} {losses[-1]:10.4f} {ones:8.1f} % "
                  f"{100 * ref.accuracy(model, x, y):7.1f} %")

    print(f"\ntraining accuracy (%) by activation, from the same initial weights (seed 0), SGD lr 0.1, full batch; "
          f"majority {majority:.1f} %")
    print(f"{'activation':12s}" + "".join(f"{f'{e} ep':>10s}" for e in runs) + f"{'final loss':>12s}")
    table, seconds = {}, {}
    for epochs in runs:
        began = time.perf_counter()
        table[epochs] = ref.compare_activations(x, y, epochs=epochs, lr=0.1, seed=0)
        seconds[epochs] = (time.perf_counter() - began) / (epochs * len(ref.ACTIVATIONS))
    for name in ref.ACTIVATIONS:
        row = "".join(f"{100 * table[e][name]['accuracy']:10.1f}" for e in runs)
        print(f"{name:12s}{row}{table[runs[-1]][name]['losses'][-1]:12.4f}")
    print("seconds per epoch (one network, 759 rows): "
          + ", ".join(f"{1e3 * seconds[e]:.2f} ms ({e} ep)" for e in runs))

    if not args.no_cv:
        longest = runs[-1]
        print("\n5-fold cross-validated accuracy (%), folds shuffled with seed 0")
        began = time.perf_counter()
        print(f"{'logistic regression (LBFGS)':30s} {logistic_regression_cv(x, y):6.1f}   "
              f"(catalog: about {CATALOG_LOGISTIC_CV:.0f} %)")
        for name in ref.ACTIVATIONS:
            print(f"{f'{name} net, {longest} epochs':30s} {network_cv(ref, x, y, name, longest):6.1f}")
        print(f"({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
