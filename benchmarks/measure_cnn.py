"""Measure what the reference CNNs of lectures 10 and 11 reach on real MNIST (not collected by pytest).

The shared course data has only MNIST's 10k test images, so the networks are trained on
8,000 of them (a seeded random split) and evaluated on the other 2,000; with the full 60k
training set students reach 98.5-99.2 % (the catalog's figure; the course's CNN 98.69 %, its
residual network 99.01 %). Trained here with the course's settings (batch 64, SGD lr 0.01,
momentum 0.5, images normalised with (0.1307,), (0.3081,)), except the DenseNet, which uses
its solution's SGD(0.1, momentum 0.9):

    course CNN      solutions/ex10-deeper-cnn   CourseNet
    deeper CNN      solutions/ex10-deeper-cnn   DeeperNet
    residual net    solutions/ex11-resnet-variants  ResidualNet("course") and, with
                    --units, other units
    DenseNet        solutions/ex11-densenet     DenseNet() (fewer epochs: it is slow on a CPU)

Usage::

    python benchmarks/measure_cnn.py                       # CPU, data from ../shared/data or PTTUTOR_DATA
    python benchmarks/measure_cnn.py --device cuda
    python benchmarks/measure_cnn.py --data-dir DIR --epochs 5 --dense-epochs 1 --models course,deeper

It prints, per network: trainable parameters, test accuracy after the last epoch and the
best epoch, and seconds per training epoch on the device.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from pttutor.datasets import DataError, mnist

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
SOLUTIONS = PROJECT / "solutions"
CATALOG = "98.5-99.2 % on full MNIST (course CNN 98.69 %, course ResNet 99.01 %)"


def load_solution(exercise_id: str, filename: str):
    path = SOLUTIONS / exercise_id / filename
    spec = importlib.util.spec_from_file_location(f"measure_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_data_dir() -> Path | None:
    if os.environ.get("PTTUTOR_DATA"):
        return None  # pttutor.datasets uses it
    return SHARED_DATA if (SHARED_DATA / "mnist").is_dir() else None


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(name, model, lr, momentum, epochs, train_loader, test_loader, device, cnn):
    train_loader.generator.manual_seed(0)  # every network sees the same batches
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    accuracies, seconds = [], []
    for epoch in range(epochs):
        synchronize(device)
        started = time.perf_counter()
        cnn.train_epoch(model, train_loader, optimizer, device)
        synchronize(device)
        seconds.append(time.perf_counter() - started)
        accuracies.append(cnn.evaluate(model, test_loader, device))
        print(f"  {name}: epoch {epoch + 1}/{epochs} test accuracy {100 * accuracies[-1]:.2f} % "
              f"({seconds[-1]:.1f} s)", flush=True)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"name": name, "params": params, "epochs": epochs, "last": accuracies[-1], "best": max(accuracies),
            "seconds": sum(seconds) / len(seconds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder holding mnist/ (default: "
                        "$PTTUTOR_DATA, else ../shared/data when present, else the cache folder)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs for the CNNs and residual nets (default 10)")
    parser.add_argument("--dense-epochs", type=int, default=3, help="epochs for the DenseNet (default 3)")
    parser.add_argument("--models", default="course,deeper,residual,densenet",
                        help="comma-separated subset of course, deeper, residual, densenet")
    parser.add_argument("--units", default="course", help="comma-separated residual units for the residual net "
                        "(names of UNITS in the ex11-resnet-variants solution; default: course)")
    parser.add_argument("--train", type=int, default=8000, help="training images taken from the test split")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args(argv)

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("CUDA was requested but is not available here", file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    data_dir = args.data_dir or default_data_dir()
    try:
        images, labels = mnist.tensors("test", data_dir)
    except DataError as exc:
        print(f"MNIST is not available, nothing measured: {exc}", file=sys.stderr)
        return 1
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train_idx, test_idx = order[:args.train], order[args.train:]
    cnn = load_solution("ex10-deeper-cnn", "ex10_deeper_cnn.py")
    train_loader = DataLoader(TensorDataset(images[train_idx], labels[train_idx]), batch_size=cnn.BATCH_SIZE,
                              shuffle=True, generator=torch.Generator().manual_seed(0))
    test_loader = DataLoader(TensorDataset(images[test_idx], labels[test_idx]), batch_size=1000)
    wanted = [m.strip() for m in args.models.split(",") if m.strip()]
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{torch.get_num_threads()} CPU threads"
    print(f"MNIST test split: {len(train_idx)} training / {len(test_idx)} test images; device {device} ({where}); "
          f"torch {torch.__version__}", flush=True)

    results = []
    for kind in wanted:
        torch.manual_seed(0)
        if kind == "course":
            results.append(measure("course CNN", cnn.CourseNet(), cnn.LEARNING_RATE, cnn.MOMENTUM, args.epochs,
                                   train_loader, test_loader, device, cnn))
        elif kind == "deeper":
            results.append(measure("deeper CNN", cnn.DeeperNet(), cnn.LEARNING_RATE, cnn.MOMENTUM, args.epochs,
                                   train_loader, test_loader, device, cnn))
        elif kind == "residual":
            resnet = load_solution("ex11-resnet-variants", "ex11_resnet_variants.py")
            for unit in [u.strip() for u in args.units.split(",") if u.strip()]:
                torch.manual_seed(0)
                results.append(measure(f"ResidualNet({unit})", resnet.ResidualNet(unit), resnet.LEARNING_RATE,
                                       resnet.MOMENTUM, args.epochs, train_loader, test_loader, device, cnn))
        elif kind == "densenet":
            dense = load_solution("ex11-densenet", "ex11_densenet.py")
            results.append(measure("DenseNet-BC (k=12, 4-4-4)", dense.DenseNet(), dense.LEARNING_RATE, dense.MOMENTUM,
                                   args.dense_epochs, train_loader, test_loader, device, cnn))
        else:
            print(f"unknown model {kind!r}; use course, deeper, residual, densenet", file=sys.stderr)
            return 2

    print()
    print(f"| network | parameters | epochs | test accuracy, last epoch | best epoch | s / epoch ({device.type}) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['name']} | {r['params']:,} | {r['epochs']} | {100 * r['last']:.2f} % | {100 * r['best']:.2f} % "
              f"| {r['seconds']:.1f} |")
    print(f"\n({len(train_idx)} training and {len(test_idx)} test images from MNIST's test split; catalog: {CATALOG})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
