"""The names data set of lecture 13: surnames and the country each comes from.

Two files, ``names_train.csv.gz`` (13,374 rows) and ``names_test.csv.gz`` (6,700 rows), each
a CSV file without a header whose lines are ``name,country`` (both fields double-quoted in
the published files; a few names contain a comma). There are 18 countries; sorted, they give
the class indices (Arabic 0 ... Vietnamese 17). The files are public (the PyTorchZeroToAll
repository), so :func:`download` fetches them and checks their md5. The uncompressed forms
``names_train.csv`` and ``names_test.csv`` are accepted too.

    >>> from pttutor.datasets import names
    >>> train = names.load("train", download=True)   # DataFrame with columns name, country
    >>> names.COUNTRIES.index("Russian")
    14
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path

import pandas as pd

from pttutor.datasets import folder
from pttutor.datasets.download import fetch
from pttutor.datasets.folder import DataError, Source

DATASET = "names"
SOURCE = Source("https://github.com/hunkim/PyTorchZeroToAll/tree/master/data", downloadable=True)
URL = "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/{}"
FILES = {"train": "names_train.csv.gz", "test": "names_test.csv.gz"}
MD5 = {
    "names_train.csv.gz": "279fed4465b63788995257cf0a81f3af",
    "names_test.csv.gz": "3729799e72df4be417721aab647340e3",
}
COLUMNS = ("name", "country")
COUNTRIES = (
    "Arabic", "Chinese", "Czech", "Dutch", "English", "French", "German", "Greek", "Irish",
    "Italian", "Japanese", "Korean", "Polish", "Portuguese", "Russian", "Scottish", "Spanish",
    "Vietnamese",
)


def download(data_dir: str | os.PathLike | None = None) -> Path:
    """Fetch both files into ``<data>/names/`` (skipping files already there with the right md5).

    Returns the folder. A download whose checksum does not match raises :class:`DataError`
    and leaves nothing behind.
    """
    return _fetch_all(data_dir)


def _fetch_all(data_dir: str | os.PathLike | None) -> Path:
    target = folder.data_dir(data_dir) / DATASET
    for name in FILES.values():
        fetch(URL.format(name), target / name, MD5[name])
    return target


def path_of(split: str = "train", data_dir: str | os.PathLike | None = None, *, download: bool = False) -> Path:
    """The file of ``split`` ("train" or "test") in the data folder, downloading it if asked."""
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    gz = FILES[split]
    names = [gz, gz.removesuffix(".gz")]
    try:
        return folder.locate(DATASET, names, SOURCE, data_dir)
    except DataError:
        if not download:
            raise
    _fetch_all(data_dir)
    return folder.locate(DATASET, names, SOURCE, data_dir)


def load(split: str = "train", data_dir: str | os.PathLike | None = None, *, download: bool = False) -> pd.DataFrame:
    """The ``split`` ("train" or "test") as a DataFrame with string columns ``name`` and ``country``."""
    return read(path_of(split, data_dir, download=download))


def _text(path: Path) -> str:
    """The file's text, gunzipped when it is gzip data (whatever its name says)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: is not a valid gzip file ({exc}); download it again") from None
    elif path.suffix == ".gz":
        raise DataError(f"{path}: is named .gz but is not gzip data; download it again")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: is not UTF-8 text (byte {exc.start}); expected lines of name,country") from None


def read(path: str | os.PathLike) -> pd.DataFrame:
    """Read one names file (plain or gzipped CSV, no header, lines ``name,country``).

    Returns a DataFrame with string columns ``name`` and ``country``, in file order
    (duplicate rows are kept, as in the course). Every problem (empty file, wrong delimiter,
    a header line, wrong number of fields, an empty name, a country outside
    :data:`COUNTRIES`) raises :class:`DataError` naming the file and the line.
    """
    path = Path(path)
    text = _text(path)
    if not text.strip():
        raise DataError(f"{path}: is empty; expected lines of name,country")
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1].removeprefix("Error tokenizing data. C error: ")
        raise DataError(f"{path}: is not a names file of lines name,country ({detail})") from None
    if frame.shape[1] != 2:
        what = "one field" if frame.shape[1] == 1 else f"{frame.shape[1]} fields"
        hint = (" (is it separated by tabs or semicolons instead of commas?)" if frame.shape[1] == 1 else "")
        raise DataError(f"{path}: row 1 has {what}; expected two comma-separated fields name,country{hint}")
    frame.columns = list(COLUMNS)
    first = [str(v).strip().lower() for v in frame.iloc[0]]
    if first == list(COLUMNS):
        raise DataError(f"{path}: row 1 is a header ({','.join(frame.iloc[0])}); names files have no "
                        "header, every line is name,country")
    empty = frame.index[frame["name"].str.strip() == ""]
    if len(empty):
        raise DataError(f"{path}: row {empty[0] + 1} has an empty name")
    unknown = frame.index[~frame["country"].isin(COUNTRIES)]
    if len(unknown):
        i = unknown[0]
        raise DataError(f"{path}: row {i + 1} has the unknown country {frame['country'][i]!r} "
                        f"({len(unknown)} such rows); expected one of {', '.join(COUNTRIES)}")
    return frame.astype(object).reset_index(drop=True)
