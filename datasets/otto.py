"""Kaggle's Otto Group Product Classification Challenge: ``train.csv`` and ``test.csv``.

``train.csv`` has 61,878 products: ``id``, 93 integer counts ``feat_1 .. feat_93`` and
``target`` (``Class_1 .. Class_9``); its rows are sorted by class, so a split that does not
shuffle puts whole classes on one side. ``test.csv`` has 144,368 products without ``target``.
The files need a Kaggle account: get them from the competition's data page (:data:`SOURCE`)
and put them in ``<data>/otto/`` (see :mod:`pttutor.datasets.folder`). Plain and gzipped
copies are accepted (a gzipped file is recognised by its content), with the header and the
labels quoted (``"id","feat_1",...,"Class_1"``, as some tools rewrite the file) or not (as
Kaggle ships it).

``read_train(path)`` / ``read_test(path)`` read one given file, ``load_train()`` /
``load_test()`` find it in the data folder first; they return a DataFrame with the columns
``id, feat_1..feat_93[, target]`` (counts as int64). ``labels(frame)`` maps ``Class_k`` to
``k - 1`` and ``features(frame)`` gives the counts as a float32 array. Every malformed input
raises :class:`~pttutor.datasets.folder.DataError` naming the file and the problem.
"""

from __future__ import annotations

import gzip
import os
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from pttutor.datasets.folder import DataError, Source, locate

SOURCE = Source("https://www.kaggle.com/competitions/otto-group-product-classification-challenge/data")
NAME = "otto"

N_FEATURES = 93
N_CLASSES = 9
FEATURES = tuple(f"feat_{i}" for i in range(1, N_FEATURES + 1))
CLASSES = tuple(f"Class_{k}" for k in range(1, N_CLASSES + 1))
TRAIN_COLUMNS = ("id", *FEATURES, "target")
TEST_COLUMNS = ("id", *FEATURES)
SUBMISSION_COLUMNS = ("id", *CLASSES)
TRAIN_FILES = ("train.csv", "train.csv.gz")
TEST_FILES = ("test.csv", "test.csv.gz")


def train_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``train.csv`` (or ``train.csv.gz``) is; :class:`DataError` if it is not there."""
    return locate(NAME, TRAIN_FILES, SOURCE, data_dir)


def test_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``test.csv`` (or ``test.csv.gz``) is; :class:`DataError` if it is not there."""
    return locate(NAME, TEST_FILES, SOURCE, data_dir)


def load_train(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The labelled products from the data folder."""
    return read_train(train_path(data_dir))


def load_test(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The unlabelled test products from the data folder."""
    return read_test(test_path(data_dir))


def read_train(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate an Otto ``train.csv`` (plain or gzipped, quoted header or not)."""
    return _read(Path(path), TRAIN_COLUMNS)


def read_test(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate an Otto ``test.csv`` (plain or gzipped, quoted header or not)."""
    return _read(Path(path), TEST_COLUMNS)


def labels(frame: pd.DataFrame) -> np.ndarray:
    """The class indices of a training frame: ``Class_k`` becomes ``k - 1`` (int64)."""
    codes = {name: k for k, name in enumerate(CLASSES)}
    try:
        return np.array([codes[t] for t in frame["target"]], dtype=np.int64)
    except KeyError as exc:
        raise DataError(f"unknown Otto label {exc.args[0]!r} (expected Class_1 .. Class_9)") from None


def features(frame: pd.DataFrame) -> np.ndarray:
    """The 93 counts of every row as a float32 array of shape (rows, 93)."""
    return frame.loc[:, list(FEATURES)].to_numpy(dtype=np.float32)


# ---------------------------------------------------------------------------- reading


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _line(row: int) -> str:
    return f"line {row + 2}"  # the header is line 1


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    kind = "train.csv" if "target" in columns else "test.csv"
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        compression = "gzip" if _is_gzip(path) else None
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(path, index_col=False, compression=compression, dtype={"target": str},
                              keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty: expected a CSV file with a header line") from None
    except pd.errors.ParserWarning:
        raise DataError(f"{path} is not a well-formed CSV file: some lines have more values than the header") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path} is not a well-formed CSV file: {str(exc).strip()}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not a text CSV file (it is neither UTF-8 text nor gzip)") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(f"{path} is a damaged gzip file ({exc or type(exc).__name__}); download it again") from None
    except OSError as exc:
        raise DataError(f"{path} could not be read: {exc}") from None

    found = [str(c).strip() for c in raw.columns]
    raw.columns = found
    if len(found) == 1:
        sep = next((s for s in (";", "\t", "|") if s in found[0]), None)
        if sep is not None:
            raise DataError(f"{path} is separated by {sep!r}, not by commas; Otto's {kind} is comma-separated")
    missing = [c for c in columns if c not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        hint = (" (this looks like test.csv, which has no target column)"
                if missing == ["target"] else "")
        raise DataError(f"{path} lacks the column(s) {shown}{hint}; an Otto {kind} has "
                        f"id, feat_1 .. feat_93{', target' if kind == 'train.csv' else ''}")
    if raw.empty:
        raise DataError(f"{path} has a header but no products")
    frame = raw.loc[:, list(columns)]
    for column in columns[:-1] if kind == "train.csv" else columns:
        frame[column] = _counts(path, column, frame[column])
    if frame["id"].duplicated().any():
        row = int(np.flatnonzero(frame["id"].duplicated().to_numpy())[0])
        raise DataError(f"{path}: id {frame['id'].iloc[row]} appears twice ({_line(row)})")
    if kind == "train.csv":
        target = frame["target"]
        bad = ~target.isin(CLASSES)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            value = target.iloc[row]
            what = "an empty target" if pd.isna(value) else f"the unknown label {value!r}"
            raise DataError(f"{path}: {_line(row)} has {what} (expected Class_1 .. Class_9)")
        frame["target"] = target.astype(object)
    return frame


def _counts(path: Path, column: str, values: pd.Series) -> pd.Series:
    """A column of non-negative whole numbers, as int64."""
    if values.dtype.kind in "iu":
        numbers = values
    else:
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() | (numbers != np.round(numbers))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            cell = values.iloc[row]
            shown = "nothing" if pd.isna(cell) else repr(cell.item() if hasattr(cell, "item") else cell)
            raise DataError(f"{path}: {column} should hold whole-number counts; {_line(row)} has {shown}")
    if (numbers < 0).any():
        row = int(np.flatnonzero((numbers < 0).to_numpy())[0])
        raise DataError(f"{path}: {column} cannot be negative; {_line(row)} has {numbers.iloc[row]}")
    return numbers.astype(np.int64)
