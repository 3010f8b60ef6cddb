"""The fixtures a check asks for by name.

- ``sub``: the student's module, as a proxy into the sandboxed worker;
- ``ref``: the reference solution (see :mod:`pttutor.grader.grading.reference`);
- ``worker``: the worker session (``worker.import_module("torch.nn")``, ``worker.seed(0)``;
  ``worker.level`` is ``"full"`` when the file's top-level code ran to the end, otherwise
  the fallback that was needed, ``"definitions"`` or ``"signatures"``);
- ``device``: where the student's code runs (``"cpu"`` or ``"cuda"``);
- ``rng``: a NumPy generator seeded from the check's name, for inputs chosen at grading time;
- ``tmp_path``: a fresh folder for files handed to the student's code (which may read and
  write it).

Every check also runs with Python's, NumPy's and torch's random generators seeded from its
name, so the reference side computes the same values on every run.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path
from typing import Any

import pytest

from pttutor.grader.grading.plugin import GRADING, Grading
from pttutor.grader.grading.reference import ReferenceMissing
from pttutor.grader.sandbox.errors import SubmissionError, SubmissionTimeout, WorkerLost
from pttutor.grader.sandbox.session import Session


def _grading(request: pytest.FixtureRequest) -> Grading:
    return request.config.stash[GRADING]


@pytest.fixture
def worker(request: pytest.FixtureRequest) -> Session:
    grading = _grading(request)
    if grading.load_error is not None:
        raise SubmissionError("", grading.load_error)
    if grading.budget_left() <= 0:
        raise SubmissionTimeout("", f"the exercise's time budget of {grading.budget:g} s is used up")
    try:
        grading.session.ensure_started()
    except SubmissionError as exc:
        if not isinstance(exc, (SubmissionTimeout, WorkerLost)) or grading.session.level is None:
            grading.load_error = f"your file could not be loaded: {exc}"
        raise SubmissionError("", f"your file could not be loaded: {exc}") from None
    return grading.session


@pytest.fixture
def sub(worker: Session) -> Any:
    return worker.module


@pytest.fixture
def ref(request: pytest.FixtureRequest) -> Any:
    try:
        return _grading(request).reference.for_check(request.node.name)
    except ReferenceMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture
def device(worker: Session) -> str:
    return worker.resolved_device or "cpu"


@pytest.fixture
def tmp_path(request: pytest.FixtureRequest) -> Path:
    """A fresh folder for files a check hands to the student's code (which can read and write it)."""
    return _grading(request).session.new_folder()


def _check_seed(request: pytest.FixtureRequest) -> int:
    return zlib.crc32(request.node.name.encode()) ^ _grading(request).seed


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> Any:
    import numpy as np

    return np.random.default_rng(_check_seed(request))


@pytest.fixture(autouse=True)
def _seed_trusted_side(request: pytest.FixtureRequest) -> None:
    """The reference side draws its random numbers from the same seed on every run."""
    seed = _check_seed(request)
    random.seed(seed)
    import numpy as np
    import torch

    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
