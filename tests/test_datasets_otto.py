"""pttutor.datasets.otto: Kaggle's Otto Group files, quoted or not, plain or gzipped, and every
malformed input.

Fixtures written here cover the format; the real files in ../shared/data/otto, when present,
are checked against their published facts (row counts, the quoted header, the sorted classes).
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from conftest import SHARED_DATA
from pttutor.datasets import DataError, otto

REAL = SHARED_DATA / "otto"
needs_real = pytest.mark.skipif(not (REAL / "train.csv.gz").is_file(),
                                reason=f"the real Otto files are not in {REAL}")
# Products per class in Kaggle's train.csv (61,878 rows).
CLASS_COUNTS = [1929, 16122, 8004, 2691, 2739, 14135, 2839, 8464, 4955]


def otto_text(rows=6, *, labelled=True, quoted=False, ids=None):
    q = (lambda s: f'"{s}"') if quoted else (lambda s: s)
    header = ["id", *otto.FEATURES] + (["target"] if labelled else [])
    lines = [",".join(q(h) for h in header)]
    rng = np.random.default_rng(rows)
    ids = list(range(1, rows + 1)) if ids is None else ids
    for k, i in enumerate(ids):
        cells = [str(i)] + [str(v) for v in rng.poisson(0.5, size=otto.N_FEATURES)]
        if labelled:
            cells.append(q(f"Class_{1 + k * 9 // rows}"))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the format


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("gz", [False, True])
def test_reads_quoted_or_plain_gzipped_or_not(tmp_path, quoted, gz):
    text = otto_text(9, quoted=quoted)
    path = tmp_path / ("train.csv.gz" if gz else "train.csv")
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        write(path, text)
    frame = otto.read_train(path)
    assert list(frame.columns) == list(otto.TRAIN_COLUMNS)
    assert frame["id"].tolist() == list(range(1, 10))
    assert frame["target"].tolist() == [f"Class_{k}" for k in range(1, 10)]
    assert all(frame[c].dtype == np.int64 for c in otto.FEATURES)
    assert otto.labels(frame).tolist() == list(range(9))
    features = otto.features(frame)
    assert features.dtype == np.float32 and features.shape == (9, 93)


def test_reads_test_file_and_gzip_under_a_plain_name(tmp_path):
    path = tmp_path / "test.csv"
    path.write_bytes(gzip.compress(otto_text(4, labelled=False, quoted=True, ids=[7, 3, 100, 12]).encode()))
    frame = otto.read_test(path)
    assert list(frame.columns) == list(otto.TEST_COLUMNS)
    assert frame["id"].tolist() == [7, 3, 100, 12]


def test_load_finds_files_in_the_data_folder(tmp_path, monkeypatch):
    folder = tmp_path / "data" / "otto"
    folder.mkdir(parents=True)
    (folder / "train.csv.gz").write_bytes(gzip.compress(otto_text(5).encode()))
    write(folder / "test.csv", otto_text(3, labelled=False))
    assert len(otto.load_train(tmp_path / "data")) == 5
    assert len(otto.load_test(tmp_path / "data")) == 3
    monkeypatch.setenv("PTTUTOR_DATA", str(tmp_path / "data"))
    assert otto.train_path() == folder / "train.csv.gz"
    assert otto.test_path() == folder / "test.csv"


def test_missing_file_points_to_kaggle(tmp_path):
    with pytest.raises(DataError) as err:
        otto.load_test(tmp_path)
    assert "test.csv" in str(err.value)
    assert "otto-group-product-classification-challenge" in str(err.value)
    assert not otto.SOURCE.downloadable


def test_labels_refuse_unknown_classes():
    import pandas as pd

    with pytest.raises(DataError, match="Class_10"):
        otto.labels(pd.DataFrame({"target": ["Class_1", "Class_10"]}))


# ----------------------------------------------------------------------------- bad input


def _replace_cell(text, line, column, value):
    lines = text.splitlines()
    cells = lines[line].split(",")
    cells[column] = value
    lines[line] = ",".join(cells)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("make", "reader", "words"), [
    (lambda: "", "read_train", ["is empty"]),
    (lambda: otto_text(3).splitlines()[0] + "\n", "read_train", ["no products"]),
    (lambda: otto_text(3).replace(",", ";"), "read_train", ["';'", "comma"]),
    (lambda: otto_text(3, labelled=False), "read_train", ["target", "looks like test.csv"]),
    (lambda: otto_text(3).replace("feat_93,", "feat_93x,"), "read_train", ["feat_93"]),
    (lambda: otto_text(3).replace("Class_1", "Class_10", 1).replace("target", "target", 1), "read_train",
     ["unknown label 'Class_10'", "line 2"]),
    (lambda: _replace_cell(otto_text(3), 2, -1, ""), "read_train", ["empty target", "line 3"]),
    (lambda: _replace_cell(otto_text(3), 1, 5, "2.5"), "read_train", ["feat_5", "whole-number", "2.5", "line 2"]),
    (lambda: _replace_cell(otto_text(3), 3, 5, ""), "read_train", ["feat_5", "line 4", "nothing"]),
    (lambda: _replace_cell(otto_text(3), 1, 7, "-1"), "read_train", ["feat_7 cannot be negative"]),
    (lambda: _replace_cell(otto_text(3), 1, 9, "x"), "read_train", ["feat_9", "'x'"]),
    (lambda: _replace_cell(otto_text(3), 2, 0, "1"), "read_train", ["id 1 appears twice", "line 3"]),
    (lambda: otto_text(3).replace("\n2,", "\n2,0,0,", 1), "read_train", ["not a well-formed CSV"]),
    (lambda: "\n".join(line.rsplit(",", 1)[0] for line in otto_text(3, labelled=False).splitlines()) + "\n",
     "read_test", ["feat_93", "test.csv"]),
])
def test_bad_input_is_a_data_error(tmp_path, make, reader, words):
    path = write(tmp_path / "file.csv", make())
    with pytest.raises(DataError) as err:
        getattr(otto, reader)(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_damaged_gzip_and_missing_file(tmp_path):
    damaged = tmp_path / "train.csv.gz"
    damaged.write_bytes(gzip.compress(otto_text(50).encode())[:200])
    with pytest.raises(DataError, match="damaged gzip"):
        otto.read_train(damaged)
    with pytest.raises(DataError, match="no such file"):
        otto.read_train(tmp_path / "nothing.csv")


# ----------------------------------------------------------------------------- the real files


@needs_real
def test_real_train_file():
    with gzip.open(REAL / "train.csv.gz", "rt") as f:
        first = f.readline()
    assert first.startswith('"id","feat_1",') and first.rstrip().endswith('"target"')  # this copy is quoted
    frame = otto.load_train(SHARED_DATA)
    assert frame.shape == (61878, 95)
    labels = otto.labels(frame)
    assert np.bincount(labels).tolist() == CLASS_COUNTS
    assert bool(np.all(np.diff(labels) >= 0))  # sorted by class: an unshuffled split is wrong
    assert frame["id"].tolist() == list(range(1, 61879))
    features = otto.features(frame)
    assert features.min() == 0 and features.max() == 352
    # The catalog's baselines: a uniform guess 2.197, the class prior 1.950.
    prior = np.bincount(labels) / len(labels)
    assert round(float(-np.log(prior[labels]).mean()), 3) == 1.950
    assert round(float(np.log(9)), 3) == 2.197


@needs_real
def test_real_test_file_and_sample_submission():
    frame = otto.load_test(SHARED_DATA)
    assert frame.shape == (144368, 94)
    assert frame["id"].tolist() == list(range(1, 144369))
    with gzip.open(REAL / "sampleSubmission.csv.gz", "rt") as f:
        header = f.readline().strip()
        rows = sum(1 for _ in f)
    assert header.replace('"', "") == ",".join(otto.SUBMISSION_COLUMNS)
    assert rows == 144368
