"""pttutor.datasets.titanic: Kaggle's Titanic files, their quirks and every malformed input.

Fixtures written here cover the format (quoted names with commas, empty cells, gzip); the real
files in ../shared/data/titanic, when present, are checked against their published facts.
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from conftest import SHARED_DATA
from pttutor.datasets import DataError, titanic

HEADER = "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked"
ROWS = [
    '1,0,3,"Braund, Mr. Owen Harris",male,22,1,0,A/5 21171,7.25,,S',
    '2,1,1,"Cumings, Mrs. John Bradley (Florence Briggs Thayer)",female,38,1,0,PC 17599,71.2833,C85,C',
    '6,0,3,"Moran, Mr. James",male,,0,0,330877,8.4583,,Q',
    '62,1,1,"Icard, Miss. Amelie",female,38,0,0,113572,80,B28,',
    '79,1,2,"Caldwell, Master. Alden Gates",male,0.83,0,2,248738,29,,S',
]
TEST_HEADER = "PassengerId,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked"
TEST_ROWS = [
    '892,3,"Kelly, Mr. James",male,34.5,0,0,330911,7.8292,,Q',
    '1044,3,"Storey, Mr. Thomas",male,60.5,0,0,3701,,,S',
    '1308,3,"Ware, Mr. Frederick",male,,0,0,359309,8.05,,S',
]

REAL = SHARED_DATA / "titanic"
needs_real = pytest.mark.skipif(not (REAL / "train.csv").is_file(),
                                reason=f"the real Titanic files are not in {REAL}")


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def train_file(tmp_path):
    return write(tmp_path / "train.csv", [HEADER, *ROWS])


@pytest.fixture
def test_file(tmp_path):
    return write(tmp_path / "test.csv", [TEST_HEADER, *TEST_ROWS])


# ----------------------------------------------------------------------------- the format


def test_reads_kaggle_format(train_file):
    frame = titanic.read_train(train_file)
    assert list(frame.columns) == list(titanic.TRAIN_COLUMNS)
    assert len(frame) == 5
    assert frame["Name"][0] == "Braund, Mr. Owen Harris"  # the comma inside the quotes stays
    assert frame["PassengerId"].tolist() == [1, 2, 6, 62, 79]
    assert frame["Survived"].dtype == np.int64 and frame["Pclass"].dtype == np.int64
    assert frame["Age"].isna().tolist() == [False, False, True, False, False]
    assert frame["Age"][4] == pytest.approx(0.83)
    assert frame["Embarked"].isna().sum() == 1 and frame["Cabin"].isna().sum() == 3
    assert frame["Fare"][1] == pytest.approx(71.2833)


def test_reads_test_file_with_missing_fare(test_file):
    frame = titanic.read_test(test_file)
    assert list(frame.columns) == list(titanic.TEST_COLUMNS)
    assert frame["Fare"].isna().tolist() == [False, True, False]
    assert frame["Age"].isna().tolist() == [False, False, True]


def test_gzipped_file_is_recognised_by_content(tmp_path):
    raw = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    for name in ("train.csv.gz", "train.csv"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(raw))
        assert len(titanic.read_train(path)) == 5


def test_train_file_read_as_test_file_keeps_the_test_columns(train_file):
    frame = titanic.read_test(train_file)
    assert list(frame.columns) == list(titanic.TEST_COLUMNS) and len(frame) == 5


def test_crlf_line_endings_and_extra_columns(tmp_path):
    path = tmp_path / "train.csv"
    path.write_bytes(("\r\n".join([HEADER + ",Extra", *(r + ",x" for r in ROWS)]) + "\r\n").encode())
    frame = titanic.read_train(path)
    assert list(frame.columns) == list(titanic.TRAIN_COLUMNS) and len(frame) == 5


def test_load_finds_files_in_the_data_folder(tmp_path, monkeypatch):
    folder = tmp_path / "data" / "titanic"
    folder.mkdir(parents=True)
    write(folder / "train.csv", [HEADER, *ROWS])
    (folder / "test.csv.gz").write_bytes(gzip.compress(("\n".join([TEST_HEADER, *TEST_ROWS]) + "\n").encode()))
    assert len(titanic.load_train(tmp_path / "data")) == 5
    assert len(titanic.load_test(tmp_path / "data")) == 3
    monkeypatch.setenv("PTTUTOR_DATA", str(tmp_path / "data"))
    assert titanic.train_path() == folder / "train.csv"
    assert titanic.test_path() == folder / "test.csv.gz"


def test_missing_file_points_to_kaggle(tmp_path):
    with pytest.raises(DataError) as err:
        titanic.load_train(tmp_path)
    message = str(err.value)
    assert "train.csv" in message and "kaggle.com/competitions/titanic" in message
    assert not titanic.SOURCE.downloadable


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("lines", "reader", "words"), [
    ([], "read_train", ["is empty"]),
    ([HEADER], "read_train", ["no passengers"]),
    ([HEADER.replace(",", ";"), *(r.replace(",", ";") for r in ROWS[:1])], "read_train", ["';'", "comma"]),
    ([HEADER.replace(",", "\t")], "read_train", ["'\\t'"]),
    ([HEADER.replace(",Embarked", ""), *(r.rsplit(",", 1)[0] for r in ROWS)], "read_train", ["Embarked"]),
    ([TEST_HEADER, *TEST_ROWS], "read_train", ["Survived", "looks like test.csv"]),
    ([HEADER, ROWS[0].replace(",male,", ",man,")], "read_train", ["unknown Sex", "'man'", "line 2"]),
    ([HEADER, ROWS[0].replace(",S", ",X")], "read_train", ["unknown Embarked", "'X'"]),
    ([HEADER, ROWS[0].replace("1,0,3,", "1,2,3,")], "read_train", ["Survived must be 0 or 1", "line 2"]),
    ([HEADER, ROWS[0].replace("1,0,3,", "1,,3,")], "read_train", ["Survived is empty", "line 2"]),
    ([HEADER, ROWS[0].replace("1,0,3,", "1,0,4,")], "read_train", ["Pclass"]),
    ([HEADER, ROWS[0], ROWS[0]], "read_train", ["PassengerId 1 appears twice", "line 3"]),
    ([HEADER, ROWS[0].replace(",22,", ",twenty,")], "read_train", ["Age should be a number", "'twenty'"]),
    ([HEADER, ROWS[0].replace(",22,", ",-3,")], "read_train", ["Age cannot be negative"]),
    ([HEADER, ROWS[0].replace("1,0,3,", "1.5,0,3,")], "read_train", ["PassengerId should be a whole number"]),
    ([HEADER, ROWS[0] + ",1,2"], "read_train", ["not a well-formed CSV"]),
    ([TEST_HEADER.replace(",Embarked", ""), *(r.rsplit(",", 1)[0] for r in TEST_ROWS)], "read_test",
     ["Embarked", "test.csv"]),
])
def test_bad_input_is_a_data_error(tmp_path, lines, reader, words):
    path = tmp_path / "file.csv"
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    with pytest.raises(DataError) as err:
        getattr(titanic, reader)(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_damaged_gzip_and_binary_files(tmp_path):
    damaged = tmp_path / "train.csv.gz"
    damaged.write_bytes(gzip.compress(("\n".join([HEADER, *ROWS]) + "\n").encode())[:40])
    with pytest.raises(DataError, match="damaged gzip"):
        titanic.read_train(damaged)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(DataError, match=str(binary)):
        titanic.read_train(binary)
    with pytest.raises(DataError, match="no such file"):
        titanic.read_train(tmp_path / "nothing.csv")


# ----------------------------------------------------------------------------- the real files


@needs_real
def test_real_train_file():
    frame = titanic.load_train(SHARED_DATA)
    assert frame.shape == (891, 12)
    assert frame.isna().sum()[["Age", "Cabin", "Embarked", "Fare"]].tolist() == [177, 687, 2, 0]
    assert frame["PassengerId"].tolist() == list(range(1, 892))
    # The catalog's facts: nobody survives 61.6 %, "women survive" 78.7 %.
    assert round(100 * (1 - frame["Survived"].mean()), 1) == 61.6
    assert round(100 * ((frame["Sex"] == "female") == (frame["Survived"] == 1)).mean(), 1) == 78.7


@needs_real
def test_real_test_file_and_sample_submission():
    frame = titanic.load_test(SHARED_DATA)
    assert frame.shape == (418, 11)
    assert frame.isna().sum()[["Age", "Fare", "Cabin", "Embarked"]].tolist() == [86, 1, 327, 0]
    assert frame["PassengerId"].tolist() == list(range(892, 1310))
    sample = (REAL / "gender_submission.csv").read_text().splitlines()
    assert sample[0] == "PassengerId,Survived" and len(sample) == 419
    assert [int(line.split(",")[0]) for line in sample[1:]] == frame["PassengerId"].tolist()
