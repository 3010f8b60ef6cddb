"""The names loader (lecture 13): its own fixtures for every quirk and error, the download
through a local HTTP server, and the real files in ../shared/data/names when present."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from pttutor.datasets import ENV_VAR, DataError, names

REAL = SHARED_DATA / "names"
ROWS = '"Adsit","Czech"\n"Abandonato","Italian"\n"Jevolojnov,","Russian"\n"O\'Neal","Irish"\n"Nan","Chinese"\n'


def write(folder: Path, name: str, text: str, *, gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# ----------------------------------------------------------------------------- reading


def test_reads_gzipped_and_plain_forms_alike(tmp_path):
    gz = names.read(write(tmp_path, "names_train.csv.gz", ROWS, gz=True))
    plain = names.read(write(tmp_path, "names_train.csv", ROWS))
    assert list(gz.columns) == ["name", "country"]
    assert gz.values.tolist() == plain.values.tolist() == [
        ["Adsit", "Czech"], ["Abandonato", "Italian"], ["Jevolojnov,", "Russian"], ["O'Neal", "Irish"],
        ["Nan", "Chinese"]]
    assert all(type(v) is str for v in gz["name"])


def test_names_that_pandas_would_call_missing_stay_strings(tmp_path):
    frame = names.read(write(tmp_path, "n.csv", '"None","English"\nNA,Korean\nnull,Greek\n'))
    assert frame["name"].tolist() == ["None", "NA", "null"]


def test_unquoted_lines_and_crlf_are_fine(tmp_path):
    frame = names.read(write(tmp_path, "n.csv", "Adsit,Czech\r\nSato,Japanese\r\n"))
    assert frame.values.tolist() == [["Adsit", "Czech"], ["Sato", "Japanese"]]


def test_load_finds_the_file_in_the_dataset_folder_or_the_data_folder(tmp_path, monkeypatch):
    write(tmp_path / "names", "names_test.csv.gz", ROWS, gz=True)
    write(tmp_path, "names_train.csv", ROWS)
    assert len(names.load("test", tmp_path)) == 5
    assert len(names.load("train", tmp_path)) == 5
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert len(names.load("test")) == 5


def test_missing_file_says_where_and_how(tmp_path):
    with pytest.raises(DataError, match=r"names_train\.csv\.gz or names_train\.csv not found .*download=True"):
        names.load("train", tmp_path)


def test_unknown_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        names.load("valid")


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("\n  \n", "is empty"),
    ("Adsit\tCzech\nSato\tJapanese\n", "one field.*tabs or semicolons"),
    ("Adsit;Czech\n", "one field.*tabs or semicolons"),
    ("Adsit,Czech,1\nSato,Japanese,2\n", "3 fields"),
    ("Adsit,Czech\nSato,Japanese,x\n", r"Expected 2 fields in line 2, saw 3"),
    ("name,country\nAdsit,Czech\n", "row 1 is a header"),
    ("Adsit,Czech\nSato,Martian\nLee,Martian\n", r"row 2 has the unknown country 'Martian' \(2 such rows\)"),
    ("Adsit,Czech\nSato\n", "row 2 has the unknown country ''"),
    ("Adsit,Czech\n ,Japanese\n", "row 2 has an empty name"),
])
def test_bad_input_raises_a_clear_data_error(tmp_path, text, message):
    path = write(tmp_path, "names_train.csv", text)
    with pytest.raises(DataError, match=message) as info:
        names.read(path)
    assert str(path) in str(info.value)


def test_corrupt_or_mislabelled_compression(tmp_path):
    bad = tmp_path / "names_train.csv.gz"
    bad.write_bytes(gzip.compress(ROWS.encode())[:20])
    with pytest.raises(DataError, match="not a valid gzip file"):
        names.read(bad)
    bad.write_bytes(ROWS.encode())
    with pytest.raises(DataError, match="named .gz but is not gzip"):
        names.read(bad)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Jos\xe9,Spanish\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        names.read(latin)


# ----------------------------------------------------------------------------- download


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """The two files, served over HTTP on 127.0.0.1 from tmp_path/served (no network needed)."""
    root = tmp_path / "served"
    md5 = {}
    for split, name in names.FILES.items():
        data = gzip.compress(ROWS.replace("Adsit", f"Adsit{split}").encode())
        write(root, name, "")
        (root / name).write_bytes(data)
        md5[name] = hashlib.md5(data).hexdigest()
    handler = lambda *a, **k: _Quiet(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setattr(names, "URL", f"http://127.0.0.1:{server.server_port}/{{}}")
    monkeypatch.setattr(names, "MD5", md5)
    yield md5
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_download_fetches_both_files_and_checks_them(tmp_path, served):
    data = tmp_path / "data"
    folder = names.download(data)
    assert folder == data / "names"
    assert sorted(p.name for p in folder.iterdir()) == ["names_test.csv.gz", "names_train.csv.gz"]
    assert names.load("test", data)["name"][0] == "Adsittest"
    assert names.download(data) == folder  # already there: kept


def test_load_with_download_true_fetches_a_missing_file(tmp_path, served):
    frame = names.load("train", tmp_path / "data", download=True)
    assert frame["name"][0] == "Adsittrain"


def test_wrong_checksum_is_refused_and_leaves_nothing(tmp_path, served, monkeypatch):
    monkeypatch.setitem(names.MD5, "names_train.csv.gz", "0" * 32)
    data = tmp_path / "data"
    with pytest.raises(DataError, match="expected 0{32}.*not kept"):
        names.download(data)
    assert not (data / "names" / "names_train.csv.gz").exists()
    assert not list((data / "names").glob("*.part"))


def test_the_published_checksums_are_the_shared_ones():
    readme = (SHARED_DATA / "README.md")
    if not readme.is_file():
        pytest.skip(f"{readme} is not here (the shared course data is absent)")
    text = readme.read_text()
    for name, md5 in names.MD5.items():
        assert f"{md5}  names/{name}" in text


# ----------------------------------------------------------------------------- the real files

needs_real = pytest.mark.skipif(not (REAL / "names_train.csv.gz").is_file(),
                                reason=f"the real names files are not in {REAL}")


@needs_real
def test_real_files_have_the_published_checksums():
    from pttutor.datasets.download import md5_of

    for name, md5 in names.MD5.items():
        assert md5_of(REAL / name) == md5


@needs_real
def test_real_files_facts():
    train = names.load("train", SHARED_DATA)
    test = names.load("test", SHARED_DATA)
    assert len(train) == 13_374 and len(test) == 6_700
    countries = sorted(set(train["country"]))
    assert countries == list(names.COUNTRIES) == sorted(set(test["country"]))
    assert len(countries) == 18
    assert countries.index("Arabic") == 0 and countries.index("Vietnamese") == 17
    assert max(map(len, train["name"])) == 19
    russian = int((train["country"] == "Russian").sum())
    assert russian == 6_272
    assert 46.8 <= 100 * russian / len(train) < 46.9  # 46.897 %: the README's 46.8 % is truncated
    assert all(ord(c) < 128 for name in train["name"] for c in name)
    assert "Jevolojnov," in set(train["name"])  # a quoted comma inside a name
