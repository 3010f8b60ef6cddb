"""Kaggle's Titanic competition: ``train.csv`` (891 passengers) and ``test.csv`` (418).

The files are not downloadable without a Kaggle account: get them from the competition's data
page (:data:`SOURCE`) and put them in ``<data>/titanic/`` (see :mod:`pttutor.datasets.folder`).
Plain and gzipped copies are accepted (``train.csv`` or ``train.csv.gz``; a gzipped file is
recognised by its content, whatever its name).

``read_train(path)`` / ``read_test(path)`` read one given file; ``load_train()`` /
``load_test()`` find it in the data folder first. Both return a pandas DataFrame with the
Kaggle columns in Kaggle's order, missing values as NaN (Age, Cabin, Embarked in train; Age,
Fare, Cabin in test). Every malformed input (a missing column, another delimiter, an empty
file, a Sex or Embarked value that is not a Titanic one, ...) raises
:class:`~pttutor.datasets.folder.DataError` naming the file and the problem.
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

SOURCE = Source("https://www.kaggle.com/competitions/titanic/data")
NAME = "titanic"

TRAIN_COLUMNS = ("PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch",
                 "Ticket", "Fare", "Cabin", "Embarked")
TEST_COLUMNS = tuple(c for c in TRAIN_COLUMNS if c != "Survived")
TRAIN_FILES = ("train.csv", "train.csv.gz")
TEST_FILES = ("test.csv", "test.csv.gz")

SEXES = ("male", "female")
PORTS = ("C", "Q", "S")  # Cherbourg, Queenstown, Southampton


def train_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``train.csv`` (or ``train.csv.gz``) is; :class:`DataError` if it is not there."""
    return locate(NAME, TRAIN_FILES, SOURCE, data_dir)


def test_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``test.csv`` (or ``test.csv.gz``) is; :class:`DataError` if it is not there."""
    return locate(NAME, TEST_FILES, SOURCE, data_dir)


def load_train(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The training passengers (with ``Survived``) from the data folder."""
    return read_train(train_path(data_dir))


def load_test(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The test passengers (without ``Survived``) from the data folder."""
    return read_test(test_path(data_dir))


def read_train(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate a Titanic ``train.csv`` (plain or gzipped)."""
    return _read(Path(path), TRAIN_COLUMNS)


def read_test(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate a Titanic ``test.csv`` (plain or gzipped)."""
    return _read(Path(path), TEST_COLUMNS)


# ---------------------------------------------------------------------------- reading


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _read_frame(path: Path) -> pd.DataFrame:
    """The CSV as a DataFrame of text cells; every reading problem becomes a DataError."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        compression = "gzip" if _is_gzip(path) else None
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, index_col=False, compression=compression, dtype=str,
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
    return frame


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    raw = _read_frame(path)
    kind = "train.csv" if "Survived" in columns else "test.csv"
    found = [str(c) for c in raw.columns]
    if len(found) == 1:
        sep = next((s for s in (";", "\t", "|") if s in found[0]), None)
        if sep is not None:
            raise DataError(f"{path} is separated by {sep!r}, not by commas; Kaggle's {kind} is comma-separated")
    missing = [c for c in columns if c not in found]
    if missing:
        hint = ""
        if "Survived" in missing and set(TEST_COLUMNS) <= set(found):
            hint = " (this looks like test.csv, which has no Survived column)"
        raise DataError(f"{path} lacks the column(s) {', '.join(missing)}{hint}; "
                        f"a Titanic {kind} has {', '.join(columns)}")
    if raw.empty:
        raise DataError(f"{path} has a header but no passengers")
    frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for column in columns:
        cells = raw[column]
        if column in ("PassengerId", "Survived", "Pclass", "SibSp", "Parch"):
            frame[column] = _integers(path, column, cells)
        elif column in ("Age", "Fare"):
            frame[column] = _numbers(path, column, cells)
        else:
            frame[column] = cells.astype(object).where(cells.notna(), np.nan)
    _check_values(path, frame, kind)
    return frame


def _line(row: int) -> str:
    return f"line {row + 2}"  # the header is line 1


def _integers(path: Path, column: str, cells: pd.Series) -> pd.Series:
    if cells.isna().any():
        row = int(np.flatnonzero(cells.isna().to_numpy())[0])
        raise DataError(f"{path}: {column} is empty on {_line(row)}; every passenger needs one")
    numbers = pd.to_numeric(cells.str.strip(), errors="coerce")
    bad = numbers.isna() | (numbers != np.round(numbers))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path}: {column} should be a whole number; {_line(row)} has {cells.iloc[row]!r}")
    return numbers.astype(np.int64)


def _numbers(path: Path, column: str, cells: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(cells.str.strip(), errors="coerce")
    bad = numbers.isna() & cells.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path}: {column} should be a number or empty; {_line(row)} has {cells.iloc[row]!r}")
    return numbers.astype(np.float64)


def _check_values(path: Path, frame: pd.DataFrame, kind: str) -> None:
    def first_bad(mask: pd.Series) -> int | None:
        rows = np.flatnonzero(mask.to_numpy())
        return int(rows[0]) if rows.size else None

    dup = first_bad(frame["PassengerId"].duplicated())
    if dup is not None:
        raise DataError(f"{path}: PassengerId {frame['PassengerId'].iloc[dup]} appears twice ({_line(dup)})")
    if "Survived" in frame:
        row = first_bad(~frame["Survived"].isin((0, 1)))
        if row is not None:
            raise DataError(f"{path}: Survived must be 0 or 1; {_line(row)} has {frame['Survived'].iloc[row]}")
    row = first_bad(~frame["Pclass"].isin((1, 2, 3)))
    if row is not None:
        raise DataError(f"{path}: Pclass must be 1, 2 or 3; {_line(row)} has {frame['Pclass'].iloc[row]}")
    row = first_bad(~frame["Sex"].isin(SEXES))
    if row is not None:
        raise DataError(f"{path}: unknown Sex {frame['Sex'].iloc[row]!r} on {_line(row)} "
                        f"(expected 'male' or 'female')")
    row = first_bad(frame["Embarked"].notna() & ~frame["Embarked"].isin(PORTS))
    if row is not None:
        raise DataError(f"{path}: unknown Embarked {frame['Embarked'].iloc[row]!r} on {_line(row)} "
                        f"(expected C, Q, S or empty)")
    for column in ("SibSp", "Parch", "Age", "Fare"):
        row = first_bad(frame[column] < 0)
        if row is not None:
            raise DataError(f"{path}: {column} cannot be negative; {_line(row)} has {frame[column].iloc[row]}")
