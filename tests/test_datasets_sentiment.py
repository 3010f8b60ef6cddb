"""The movie-review sentiment loader (exercise 13-1): its own fixtures for every quirk and
error, and the real Kaggle files in ../shared/data/sentiment when present."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from pttutor.datasets import ENV_VAR, DataError, sentiment

REAL = SHARED_DATA / "sentiment"
TRAIN = ("PhraseId\tSentenceId\tPhrase\tSentiment\n"
         "1\t1\tA series of escapades demonstrating the adage\t1\n"
         "2\t1\tA series\t2\n"
         "3\t1\t \t2\n"
         "4\t2\t\"Quoted\" , and a comma\t4\n"
         "5\t2\tNone\t2\n"
         "6\t3\tNA\t0\n")
TEST = ("PhraseId\tSentenceId\tPhrase\n"
        "156061\t8545\tAn intermittently pleasing but mostly routine effort .\n"
        "171580\t9213\tNone\n"
        "157451\t8588\t \n"
        "157452\t8588\tnull\n")


def write(folder: Path, name: str, text: str, form: str = "plain") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    data = text.encode("utf-8")
    if form == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name.removesuffix(".zip"), data)
    elif form == "gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- reading


@pytest.mark.parametrize(("name", "form"), [("train.tsv", "plain"), ("train.tsv.zip", "zip"), ("train.tsv.gz", "gz")])
def test_reads_plain_zipped_and_gzipped_forms(tmp_path, name, form):
    frame = sentiment.read(write(tmp_path, name, TRAIN, form), labelled=True)
    assert list(frame.columns) == ["PhraseId", "SentenceId", "Phrase", "Sentiment"]
    assert frame["PhraseId"].tolist() == [1, 2, 3, 4, 5, 6]
    assert frame["SentenceId"].tolist() == [1, 1, 1, 2, 2, 3]
    assert frame["Sentiment"].tolist() == [1, 2, 2, 4, 2, 0]
    assert str(frame["PhraseId"].dtype) == str(frame["Sentiment"].dtype) == "int64"


def test_none_na_and_space_phrases_stay_strings(tmp_path):
    train = sentiment.read(write(tmp_path, "train.tsv", TRAIN))
    assert train["Phrase"].tolist()[2:] == [" ", '"Quoted" , and a comma', "None", "NA"]
    test = sentiment.read(write(tmp_path, "test.tsv", TEST), labelled=False)
    assert test["Phrase"].tolist()[1:] == ["None", " ", "null"]
    assert all(type(p) is str for p in test["Phrase"])
    assert "Sentiment" not in test.columns


def test_empty_phrase_stays_an_empty_string(tmp_path):
    frame = sentiment.read(write(tmp_path, "test.tsv", "PhraseId\tSentenceId\tPhrase\n7\t1\t\n8\t1\tok\n"))
    assert frame["Phrase"].tolist() == ["", "ok"]


def test_load_finds_each_form_and_honours_the_environment(tmp_path, monkeypatch):
    write(tmp_path / "sentiment", "train.tsv.zip", TRAIN, "zip")
    write(tmp_path / "sentiment", "test.tsv", TEST)
    assert len(sentiment.load("train", tmp_path)) == 6
    assert len(sentiment.load("test", tmp_path)) == 4
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert len(sentiment.load("train")) == 6


def test_missing_file_points_to_kaggle(tmp_path):
    with pytest.raises(DataError, match=r"train\.tsv or train\.tsv\.zip or train\.tsv\.gz not found.*kaggle\.com"):
        sentiment.load("train", tmp_path)
    with pytest.raises(ValueError, match="split must be"):
        sentiment.load("dev", tmp_path)


def test_split_checks_the_label_column(tmp_path):
    write(tmp_path, "train.tsv", TEST)
    write(tmp_path, "test.tsv", TRAIN)
    with pytest.raises(DataError, match="has no column Sentiment; the training file needs"):
        sentiment.load("train", tmp_path)
    with pytest.raises(DataError, match="has a Sentiment column; the test file has none"):
        sentiment.load("test", tmp_path)


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("\n\n", "is empty"),
    ("PhraseId,SentenceId,Phrase,Sentiment\n1,1,good,3\n", "not tab separated"),
    ("PhraseId\tPhrase\tSentiment\n1\tgood\t3\n", "no column SentenceId"),
    ("PhraseId\tSentenceId\tText\tSentiment\n1\t1\tgood\t3\n", "no column Phrase"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\tExtra\n1\t1\tgood\t3\tx\n", "unexpected columns Extra"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\n1\t1\tgood\t3\n2\t1\tba\td\t1\n", "Expected 4 fields in line 3, saw 5"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\n1\t1\tgood\t3\nx\t1\tbad\t1\n", "row 2 has PhraseId 'x'"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\n1\t1.5\tgood\t3\n", "row 1 has SentenceId '1.5'"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\n1\t1\tgood\t3\n1\t1\tbad\t1\n", "PhraseId 1 appears more than once"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\n1\t1\tgood\t5\n2\t1\tbad\tpos\n", r"row 1 has the sentiment '5' \(2 such"),
    ("PhraseId\tSentenceId\tPhrase\tSentiment\n1\t1\tgood\n", "row 1 has the sentiment ''"),
])
def test_bad_input_raises_a_clear_data_error(tmp_path, text, message):
    path = write(tmp_path, "train.tsv", text)
    with pytest.raises(DataError, match=message) as info:
        sentiment.read(path, labelled=True)
    assert str(path) in str(info.value)


def test_bad_archives(tmp_path):
    two = tmp_path / "train.tsv.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("train.tsv", TRAIN)
        archive.writestr("notes.txt", "hello")
    with pytest.raises(DataError, match="exactly one .tsv file; it holds train.tsv, notes.txt"):
        sentiment.read(two)
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("__MACOSX/._train.tsv", "junk")
        archive.writestr("train.tsv", TRAIN)
    assert len(sentiment.read(two)) == 6
    cut = tmp_path / "cut.tsv.zip"
    cut.write_bytes(write(tmp_path, "whole.tsv.zip", TRAIN, "zip").read_bytes()[:60])
    with pytest.raises(DataError, match="not a valid zip archive"):
        sentiment.read(cut)
    fake = write(tmp_path, "fake.tsv.zip", TRAIN)
    with pytest.raises(DataError, match="named .zip but holds no such data"):
        sentiment.read(fake)
    gz = tmp_path / "bad.tsv.gz"
    gz.write_bytes(gzip.compress(TRAIN.encode())[:30])
    with pytest.raises(DataError, match="not a valid gzip file"):
        sentiment.read(gz)


# ----------------------------------------------------------------------------- the real files

needs_real = pytest.mark.skipif(not (REAL / "train.tsv.zip").is_file(),
                                reason=f"the real Kaggle files are not in {REAL}")


@needs_real
def test_real_files_facts():
    train = sentiment.load("train", SHARED_DATA)
    test = sentiment.load("test", SHARED_DATA)
    assert len(train) == 156_060 and len(test) == 66_292
    assert list(test.columns) == ["PhraseId", "SentenceId", "Phrase"]
    assert test.loc[test["PhraseId"] == 171580, "Phrase"].tolist() == ["None"]
    assert (train["Phrase"] == " ").sum() == 1
    assert all(type(p) is str for p in test["Phrase"]) and all(type(p) is str for p in train["Phrase"])
    counts = train["Sentiment"].value_counts()
    assert sorted(counts.index) == [0, 1, 2, 3, 4]
    assert round(100 * counts[2] / len(train), 1) == 51.0  # the majority class
    assert train["PhraseId"].is_unique and test["PhraseId"].is_unique
    assert set(train["SentenceId"]).isdisjoint(test["SentenceId"])


@needs_real
def test_real_test_file_breaks_pandas_defaults():
    """The quirk the reader exists for: read_csv's defaults turn the phrase None into NaN."""
    import pandas as pd

    naive = pd.read_csv(REAL / "test.tsv.zip", sep="\t")
    assert naive.loc[naive["PhraseId"] == 171580, "Phrase"].isna().all()
