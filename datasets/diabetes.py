"""The course's diabetes data (lecture 7): 759 patients, 8 scaled features, a 0/1 label.

The file is ``diabetes.csv`` or ``diabetes.csv.gz`` in ``<data>/diabetes/`` (or in the data
folder itself): 759 rows of 9 comma-separated floats, no header, the 8 features scaled to
[-1, 1] and the label (1: diabetes progressed, 496 rows) in the last column. It is public:
``download()`` fetches the gzipped file from the PyTorchZeroToAll repository and checks
its md5.

    >>> from pttutor.datasets import diabetes
    >>> diabetes.download()                   # once, into the data folder
    >>> x, y = diabetes.load()                # float32 arrays, shapes (759, 8) and (759, 1)

Every problem with the file (missing, empty, not comma separated, a header line, a row of
the wrong length, a value that is not a number, a label other than 0 and 1) raises
:class:`~pttutor.datasets.folder.DataError` naming the file and, where it applies, the line.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from pttutor.datasets import folder
from pttutor.datasets.download import fetch
from pttutor.datasets.folder import DataError, Source, locate

NAME = "diabetes"
SOURCE = Source(page="https://github.com/hunkim/PyTorchZeroToAll/tree/master/data", downloadable=True)
URL = "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/diabetes.csv.gz"
MD5 = "b7f372850118dfaf306e2f334e6a718f"
FILE_NAMES = ("diabetes.csv", "diabetes.csv.gz")
N_FEATURES = 8
N_COLUMNS = N_FEATURES + 1

# The first words of the header of Kaggle's "Pima Indians Diabetes" file, a different
# (768-row, unscaled) version of the same study that students sometimes download instead.
_KAGGLE_HEADER = ("pregnancies", "glucose")


def download(data_dir: str | os.PathLike | None = None) -> Path:
    """Fetch ``diabetes.csv.gz`` into ``<data>/diabetes/`` (checked by md5); return its path.

    Nothing is downloaded when a file with the right checksum is already there.
    """
    return fetch(URL, folder.data_dir(data_dir) / NAME / "diabetes.csv.gz", MD5)


_download = download  # the functions below take an argument called download


def path(data_dir: str | os.PathLike | None = None, *, download: bool = False) -> Path:
    """The diabetes file in the data folder; with ``download=True`` fetch it when it is missing."""
    try:
        return locate(NAME, FILE_NAMES, SOURCE, data_dir)
    except DataError:
        if not download:
            raise
    return _download(data_dir)


def load(data_dir: str | os.PathLike | None = None, *, download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The features and labels as float32 arrays of shapes ``(n, 8)`` and ``(n, 1)``.

    ``y`` keeps the column shape ``(n, 1)`` that ``BCELoss`` expects next to a model's
    ``(n, 1)`` output. With ``download=True`` a missing file is downloaded first.
    """
    return read(path(data_dir, download=download))


def read(file: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Parse one diabetes file (plain or gzipped) into ``(x, y)``; see :func:`load`."""
    file = Path(file)
    table = _parse(file, _text(file))
    return table[:, :N_FEATURES].copy(), table[:, N_FEATURES:].copy()


def _text(file: Path) -> str:
    """The file's text; gzip is recognised by its magic bytes, whatever the file is called."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DataError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{file}: is not a valid gzip file ({exc}); download it again") from None
    elif file.suffix == ".gz":
        raise DataError(f"{file}: is called .gz but is not gzip-compressed; download it again")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{file}: is not a text file (byte {exc.start} is not UTF-8)") from None


def _parse(file: Path, text: str) -> np.ndarray:
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        fields = line.split(",")
        if len(fields) == 1:
            for sep, name in ((";", "semicolons"), ("\t", "tabs"), (" ", "spaces")):
                if sep in line:
                    raise DataError(f"{file}, line {lineno}: values are separated by {name}, expected commas")
        if lineno == 1 and fields[0].strip().lower() in _KAGGLE_HEADER:
            raise DataError(f"{file}: this is Kaggle's Pima Indians file (header {line[:40]!r}...); the course "
                            f"uses the scaled 759-row file without a header, download=True fetches it")
        if len(fields) != N_COLUMNS:
            raise DataError(f"{file}, line {lineno}: {len(fields)} values, expected {N_COLUMNS} "
                            f"({N_FEATURES} features and the label)")
        try:
            values = [float(v) for v in fields]
        except ValueError:
            bad = next(v for v in fields if not _is_float(v))
            what = "a header line" if lineno == 1 else "a value that is not a number"
            raise DataError(f"{file}, line {lineno}: {what} ({bad.strip()[:30]!r}); the file has no "
                            f"header and only numbers") from None
        if not all(math.isfinite(v) for v in values):
            raise DataError(f"{file}, line {lineno}: a missing or infinite value ({line[:60]!r})")
        if values[-1] not in (0.0, 1.0):
            raise DataError(f"{file}, line {lineno}: unknown label {fields[-1].strip()!r}, expected 0 or 1")
        rows.append(values)
    if not rows:
        raise DataError(f"{file}: is empty, expected {N_COLUMNS} comma-separated numbers per line")
    return np.asarray(rows, dtype=np.float32)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
