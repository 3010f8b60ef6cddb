"""Helpers shared by the public and hidden checks of ex10-deeper-cnn: small synthetic images,
loaders and models inside the worker and here, full-precision comparisons on a GPU, and a probe
model that records how it is called."""

import math

import torch
from torch.utils.data import DataLoader, TensorDataset

PROBE_SOURCE = '''
import torch
from torch import nn


class Probe(nn.Module):
    """A linear classifier that records, at every forward: training mode, grad mode, device, batch size."""

    def __init__(self, features, classes):
        super().__init__()
        self.linear = nn.Linear(features, classes)
        self.calls = []

    def forward(self, x):
        self.calls.append((bool(self.training), bool(torch.is_grad_enabled()), str(x.device), int(x.shape[0])))
        return self.linear(torch.flatten(x, 1))
'''


def blobs(rng, n, classes, size, noise=0.5):
    """``n`` images ``(1, size, size)``: class c is a bright square in cell c of a grid, jittered."""
    k = math.ceil(math.sqrt(classes))
    cell = size // k
    side = max(2, cell // 2)
    y = rng.integers(0, classes, size=n)
    x = rng.normal(0.0, noise, size=(n, 1, size, size))
    for i, c in enumerate(y):
        r0 = (c // k) * cell + rng.integers(0, cell - side + 1)
        c0 = (c % k) * cell + rng.integers(0, cell - side + 1)
        x[i, 0, r0:r0 + side, c0:c0 + side] += 2.0
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def small_cnn(nn, classes=4):
    """A tiny CNN for 8x8 images, built from ``nn`` (torch.nn here, or its proxy in the worker)."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, classes))


def worker_loader(worker, x, y, batch_size):
    data = worker.import_module("torch.utils.data")
    return data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size)


def local_loader(x, y, batch_size):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def worker_copy(worker, local_model, build):
    """The same model inside the worker, with ``local_model``'s weights."""
    model = build(worker.import_module("torch.nn"))
    model.load_state_dict(local_model.state_dict())
    return model


def load_probe(worker, tmp_path):
    path = tmp_path / "pttutor_probe.py"
    path.write_text(PROBE_SOURCE, encoding="utf-8")
    util = worker.import_module("importlib.util")
    spec = util.spec_from_file_location("pttutor_probe", str(path))
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def probe(worker, tmp_path, device, mode):
    """A ``Probe(64, 4)`` built inside the worker, on ``device``, in ``mode`` ("train" or "eval")."""
    model = load_probe(worker, tmp_path).Probe(64, 4)
    model.to(device)
    getattr(model, mode)()
    return model
