"""Measure the reference solutions of ex08-titanic and ex09-otto on the real Kaggle files.

Not a test (pytest does not collect it): it trains the reference solutions on the real data
and prints what they reach next to the catalog's figures (COURSE.md), plus seconds per epoch.

    python benchmarks/measure_tabular_kaggle.py                      # ../shared/data, or $PTTUTOR_DATA
    python benchmarks/measure_tabular_kaggle.py --data-dir ~/kaggle --otto-epochs 20 --threads 2

ex08: 5-fold cross-validation on train.csv (shuffled, seed 0). For each fold the reference's
TitanicDataset is built from the training part only (its statistics fill and scale both
parts), trained with the reference's settings (batch 32, SGD lr 0.1, 100 epochs), and scored
on the held-out part, next to the majority class, "women survive" and a logistic regression
on the same 11 features (full-batch LBFGS).

ex09-otto: the reference's stratified split (20 % validation, seed 0); the validation log loss
(the competition's metric) of a uniform guess, the class prior of the training part, a
multinomial logistic regression on log(1 + counts) (full-batch LBFGS) and the reference's
OttoNet (batch 256, Adam lr 1e-3).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"


def reference(exercise_dir: str, file: str):
    path = PROJECT / "solutions" / exercise_dir / file
    spec = importlib.util.spec_from_file_location(f"measure_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_data_dir() -> Path | None:
    if os.environ.get("PTTUTOR_DATA"):
        return Path(os.environ["PTTUTOR_DATA"])
    return SHARED_DATA if SHARED_DATA.is_dir() else None


def logistic_regression(x: torch.Tensor, y: torch.Tensor, classes: int, l2: float = 1e-4,
                        steps: int = 200) -> torch.nn.Linear:
    """A (multinomial) logistic regression fitted with full-batch LBFGS and a little L2."""
    torch.manual_seed(0)
    model = torch.nn.Linear(x.shape[1], classes)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=steps, line_search_fn="strong_wolfe")
    loss_fn = torch.nn.BCEWithLogitsLoss() if classes == 1 else torch.nn.CrossEntropyLoss()
    target = y.float().view(-1, 1) if classes == 1 else y

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), target) + l2 * model.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return model


def row(name: str, value: str, catalog: str) -> None:
    print(f"  {name:<44} {value:>22}   {catalog}")


# ---------------------------------------------------------------------------- ex08-titanic


def measure_titanic(data: Path, folds: int, epochs: int) -> None:
    from pttutor.datasets import titanic

    ref = reference("ex08-titanic", "ex08_titanic.py")
    frame = titanic.load_train(data)
    order = np.random.default_rng(0).permutation(len(frame))
    parts = np.array_split(order, folds)
    scores = {"majority": [], "women": [], "logreg": [], "reference": []}
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, val_rows in enumerate(parts):
            train_rows = np.concatenate([p for j, p in enumerate(parts) if j != k])
            train_csv, val_csv = Path(tmp) / f"train{k}.csv", Path(tmp) / f"val{k}.csv"
            frame.iloc[train_rows].to_csv(train_csv, index=False)
            frame.iloc[val_rows].to_csv(val_csv, index=False)
            train_set = ref.TitanicDataset(train_csv)
            val_set = ref.TitanicDataset(val_csv, stats=train_set.stats)
            y_train = train_set.labels.view(-1).long()
            y_val = val_set.labels.view(-1).long()

            majority = int(y_train.float().mean() >= 0.5)
            scores["majority"].append(float((y_val == majority).float().mean()))
            women = torch.tensor((frame["Sex"].iloc[val_rows] == "female").to_numpy()).long()
            scores["women"].append(float((women == y_val).float().mean()))
            lr = logistic_regression(train_set.features, y_train, 1)
            with torch.no_grad():
                scores["logreg"].append(float(((lr(val_set.features) >= 0).long().view(-1) == y_val).float().mean()))

            torch.manual_seed(k)
            model = ref.TitanicModel(train_set.features.shape[1])
            loader = DataLoader(train_set, batch_size=32, shuffle=True)
            began = time.perf_counter()
            ref.train(model, loader, epochs=epochs, lr=0.1)
            seconds.append((time.perf_counter() - began) / epochs)
            scores["reference"].append(float((ref.predict(model, val_set) == y_val).float().mean()))

    def cell(values):
        return f"{100 * np.mean(values):.1f} % ± {100 * np.std(values):.1f}"

    print(f"\nex08-titanic: {len(frame)} passengers, {folds}-fold cross-validated accuracy "
          f"(reference: {epochs} epochs, batch 32, SGD lr 0.1)")
    row("method", "measured", "catalog (COURSE.md)")
    row("majority class (nobody survives)", cell(scores["majority"]), "61.6 %")
    row('"women survive"', cell(scores["women"]), "78.7 %")
    row("logistic regression (same 11 features)", cell(scores["logreg"]), "about 79 %")
    row("reference TitanicModel (11-16-1 MLP)", cell(scores["reference"]), "")
    print(f"  seconds per epoch (reference, {len(frame) * (folds - 1) // folds} passengers): {np.mean(seconds):.3f}")


# ---------------------------------------------------------------------------- ex09-otto


def measure_otto(data: Path, epochs: int) -> None:
    from pttutor.datasets import otto

    ref = reference("ex09-otto", "ex09_otto.py")
    frame = otto.load_train(data)
    x = torch.tensor(otto.features(frame))
    y = torch.tensor(otto.labels(frame))
    train_idx, val_idx = ref.stratified_split(y, val_fraction=0.2, seed=0)
    y_val = y[val_idx]

    uniform = ref.log_loss(y_val, torch.full((len(val_idx), 9), 1 / 9))
    prior = torch.bincount(y[train_idx], minlength=9).double() / len(train_idx)
    prior_loss = ref.log_loss(y_val, prior.repeat(len(val_idx), 1))
    began = time.perf_counter()
    lr = logistic_regression(torch.log1p(x[train_idx]), y[train_idx], 9)
    lr_seconds = time.perf_counter() - began
    with torch.no_grad():
        lr_loss = ref.log_loss(y_val, torch.softmax(lr(torch.log1p(x[val_idx])), dim=1))

    torch.manual_seed(0)
    model = ref.OttoNet()
    loader = DataLoader(TensorDataset(x[train_idx], y[train_idx]), batch_size=256, shuffle=True)
    began = time.perf_counter()
    history = ref.train(model, loader, epochs=epochs, lr=1e-3)
    per_epoch = (time.perf_counter() - began) / epochs
    net_loss = ref.log_loss(y_val, ref.predict_proba(model, x[val_idx]))
    accuracy = float((ref.predict_proba(model, x[val_idx]).argmax(dim=1) == y_val).float().mean())

    print(f"\nex09-otto: {len(frame)} products, stratified split {len(train_idx)} / {len(val_idx)} "
          f"(seed 0); validation log loss")
    row("method", "measured", "catalog (COURSE.md)")
    row("uniform guess", f"{uniform:.3f}", "2.197")
    row("class prior", f"{prior_loss:.3f}", "1.950")
    row("logistic regression (log1p counts, LBFGS)", f"{lr_loss:.3f}", "about 0.62")
    row(f"reference OttoNet ({epochs} epochs)", f"{net_loss:.3f}", "")
    print(f"  reference: training loss {history[0]:.3f} -> {history[-1]:.3f}, validation accuracy "
          f"{100 * accuracy:.1f} %, {per_epoch:.1f} s per epoch (batch 256); logistic regression fit "
          f"{lr_seconds:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir(),
                        help="folder holding titanic/ and otto/ (default: $PTTUTOR_DATA or ../shared/data)")
    parser.add_argument("--only", choices=("titanic", "otto"), help="measure one exercise only")
    parser.add_argument("--titanic-folds", type=int, default=5)
    parser.add_argument("--titanic-epochs", type=int, default=100)
    parser.add_argument("--otto-epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: on a busy 2-core machine more threads are slower)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    from pttutor.datasets import DataError

    if args.data_dir is None:
        print("no data folder: pass --data-dir or set PTTUTOR_DATA", file=sys.stderr)
        return 2
    print(f"data: {args.data_dir}; torch {torch.__version__}, {args.threads} thread(s), "
          f"{os.cpu_count()} CPU(s)")
    status = 0
    for name, run in (("titanic", lambda: measure_titanic(args.data_dir, args.titanic_folds, args.titanic_epochs)),
                      ("otto", lambda: measure_otto(args.data_dir, args.otto_epochs))):
        if args.only in (None, name):
            try:
                run()
            except DataError as exc:
                print(f"\n{name}: skipped ({exc})")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
