"""Kaggle "Sentiment Analysis on Movie Reviews" (exercise 13-1): phrases of Rotten Tomatoes reviews.

Two tab-separated files with a header: ``train.tsv`` (156,060 phrases: ``PhraseId,
SentenceId, Phrase, Sentiment``, the sentiment 0 negative ... 4 positive) and ``test.tsv``
(66,292 phrases, no ``Sentiment``). Kaggle hands them out zipped, so ``train.tsv.zip`` and
``test.tsv.zip`` are read as they are; ``.tsv.gz`` works too. The files cannot be downloaded
without a Kaggle account: get them from the competition's data page (:data:`SOURCE`).

Quirks the reader takes care of: the test phrase ``None`` (PhraseId 171580) stays the string
"None" (pandas' defaults would turn it into NaN), phrases that are a single space stay " ",
and nothing is unquoted (phrases are raw text; a ``"`` is a character like any other).

    >>> from pttutor.datasets import sentiment
    >>> train = sentiment.load("train")      # PhraseId, SentenceId, Phrase, Sentiment
    >>> test = sentiment.load("test")        # PhraseId, SentenceId, Phrase
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from pttutor.datasets import folder
from pttutor.datasets.folder import DataError, Source

DATASET = "sentiment"
SOURCE = Source("https://www.kaggle.com/c/sentiment-analysis-on-movie-reviews/data")
SPLITS = ("train", "test")
COLUMNS = ("PhraseId", "SentenceId", "Phrase", "Sentiment")
LABELS = (0, 1, 2, 3, 4)
LABEL_NAMES = ("negative", "somewhat negative", "neutral", "somewhat positive", "positive")


def path_of(split: str = "train", data_dir: str | os.PathLike | None = None) -> Path:
    """The file of ``split`` ("train" or "test"): ``<split>.tsv``, ``.tsv.zip`` or ``.tsv.gz``."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    return folder.locate(DATASET, [f"{split}.tsv", f"{split}.tsv.zip", f"{split}.tsv.gz"], SOURCE, data_dir)


def load(split: str = "train", data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The ``split`` as a DataFrame; the train split must have ``Sentiment``, the test split may not."""
    return read(path_of(split, data_dir), labelled=(split == "train"))


def _text(path: Path) -> str:
    """The file's text: the one member of a zip archive, gunzipped data, or the plain file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if raw[:4] == b"PK\x03\x04" or (raw[:4] == b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                members = [m for m in archive.infolist()
                           if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
                if len(members) != 1:
                    listed = ", ".join(m.filename for m in members) or "nothing"
                    raise DataError(f"{path}: a zip archive should hold exactly one .tsv file; it holds {listed}")
                raw = archive.read(members[0])
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise DataError(f"{path}: is not a valid zip archive ({exc}); download it again") from None
    elif raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: is not a valid gzip file ({exc}); download it again") from None
    elif path.suffix in (".zip", ".gz"):
        raise DataError(f"{path}: is named {path.suffix} but holds no such data; download it again")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: is not UTF-8 text (byte {exc.start})") from None


def _integers(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    bad = values.isna() | (values != values.round())
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{path}: row {i + 1} has {column} {frame[column].iloc[i]!r}; expected an integer")
    return values.astype("int64")


def read(path: str | os.PathLike, labelled: bool | None = None) -> pd.DataFrame:
    """Read one phrases file (plain, zipped or gzipped TSV with a header row).

    Returns a DataFrame with ``PhraseId`` and ``SentenceId`` (int64), ``Phrase`` (str, exactly
    as in the file: "None" stays "None", " " stays " ") and, when the file has it,
    ``Sentiment`` (int64, 0 to 4), in file order. ``labelled=True`` requires the Sentiment
    column, ``False`` forbids it, ``None`` accepts either. Every problem (empty file, not tab
    separated, a missing column, a row with too many fields, a non-integer id, a duplicate
    PhraseId, a sentiment outside 0-4) raises :class:`DataError` naming the file.
    """
    path = Path(path)
    text = _text(path)
    if not text.strip():
        raise DataError(f"{path}: is empty; expected a header PhraseId<TAB>SentenceId<TAB>Phrase[<TAB>Sentiment]")
    try:
        frame = pd.read_csv(io.StringIO(text), sep="\t", quoting=csv.QUOTE_NONE, dtype=str,
                            keep_default_na=False, na_filter=False)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1].removeprefix("Error tokenizing data. C error: ")
        raise DataError(f"{path}: is not a tab-separated phrases file ({detail}); a phrase may not "
                        "contain a tab") from None
    header = [str(c) for c in frame.columns]
    if len(header) == 1 and ("," in header[0] or ";" in header[0]):
        raise DataError(f"{path}: is not tab separated (its header is {header[0]!r}); "
                        "expected PhraseId<TAB>SentenceId<TAB>Phrase[<TAB>Sentiment]")
    required = list(COLUMNS[:3]) + (["Sentiment"] if labelled else [])
    missing = [c for c in required if c not in header]
    if missing:
        what = "the training file needs" if labelled else "a phrases file needs"
        raise DataError(f"{path}: has no column {', '.join(missing)}; {what} the columns "
                        f"{', '.join(required)} (found {', '.join(header)})")
    if labelled is False and "Sentiment" in header:
        raise DataError(f"{path}: has a Sentiment column; the test file has none (is it the training file?)")
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise DataError(f"{path}: has unexpected columns {', '.join(extra)}; expected {', '.join(COLUMNS)}")
    out = pd.DataFrame({
        "PhraseId": _integers(frame, "PhraseId", path),
        "SentenceId": _integers(frame, "SentenceId", path),
        "Phrase": frame["Phrase"].astype(object),
    })
    duplicated = out["PhraseId"].duplicated()
    if duplicated.any():
        i = int(duplicated.to_numpy().nonzero()[0][0])
        raise DataError(f"{path}: PhraseId {out['PhraseId'].iloc[i]} appears more than once (row {i + 1})")
    if "Sentiment" in header:
        labels = frame["Sentiment"].str.strip()
        bad = ~labels.isin([str(v) for v in LABELS])
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{path}: row {i + 1} has the sentiment {frame['Sentiment'].iloc[i]!r} "
                            f"({int(bad.sum())} such rows); expected an integer from 0 to 4")
        out["Sentiment"] = labels.astype("int64")
    return out
