"""Every data set the course uses: where its files are found, and how to get the public ones."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pttutor.datasets.folder import DataError

DataDir = str | os.PathLike | None


@dataclass(frozen=True)
class Entry:
    name: str
    module: str
    files: Callable[[object, DataDir], list[Path]]  # (module, data_dir) -> paths, or DataError
    download: Callable[[object, DataDir], object] | None = None

    def locate(self, data_dir: DataDir) -> list[Path]:
        return self.files(importlib.import_module(self.module), data_dir)

    def fetch(self, data_dir: DataDir) -> None:
        if self.download is None:
            raise DataError(f"{self.name} cannot be downloaded by pttutor (Kaggle needs an account)")
        self.download(importlib.import_module(self.module), data_dir)


ENTRIES = (
    Entry("diabetes", "pttutor.datasets.diabetes", lambda m, d: [m.path(d)], lambda m, d: m.download(d)),
    Entry("titanic", "pttutor.datasets.titanic", lambda m, d: [m.train_path(d), m.test_path(d)]),
    Entry("otto", "pttutor.datasets.otto", lambda m, d: [m.train_path(d), m.test_path(d)]),
    Entry("mnist", "pttutor.datasets.mnist",
          lambda m, d: [m.find(name, d) for split in ("train", "test") for name in m.FILES[split]],
          lambda m, d: m.download(d)),
    Entry("names", "pttutor.datasets.names", lambda m, d: [m.path_of("train", d), m.path_of("test", d)],
          lambda m, d: m.download(d)),
    Entry("sentiment", "pttutor.datasets.sentiment", lambda m, d: [m.path_of("train", d), m.path_of("test", d)]),
)


def get(name: str) -> Entry:
    for entry in ENTRIES:
        if entry.name == name:
            return entry
    raise KeyError(f"unknown data set {name!r}; known: {', '.join(e.name for e in ENTRIES)}")
