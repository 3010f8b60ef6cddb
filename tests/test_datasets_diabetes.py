"""pttutor.datasets.diabetes: the course's diabetes file, its quirks and every bad input.

Fixtures are written into tmp_path; the real file is read from ../shared/data when it is
there (skipped otherwise); downloads are served from tmp_path, never from the network.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED_DATA
from pttutor.datasets import DataError, diabetes

ROW = "-0.294118,0.487437,0.180328,-0.292929,0,0.00149028,-0.53117,-0.0333333,{label}"
REAL = SHARED_DATA / "diabetes" / "diabetes.csv.gz"


def _rows(n: int, labels=(0, 1)) -> str:
    return "".join(ROW.format(label=labels[i % len(labels)]) + "\n" for i in range(n))


def _write(folder: Path, name: str, text: str, compress: bool = False) -> Path:
    path = folder / "diabetes" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# ----------------------------------------------------------------------------- reading


@pytest.mark.parametrize("name, compress", [("diabetes.csv", False), ("diabetes.csv.gz", True)])
def test_load_plain_and_gzipped(tmp_path, name, compress):
    _write(tmp_path, name, _rows(5, labels=(0, 1, 1)), compress)
    x, y = diabetes.load(tmp_path)
    assert x.shape == (5, 8) and y.shape == (5, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert y[:, 0].tolist() == [0, 1, 1, 0, 1]
    assert x[0, 1] == np.float32(0.487437)
    assert x.flags.c_contiguous and y.flags.c_contiguous


def test_file_directly_in_the_data_folder(tmp_path):
    (tmp_path / "diabetes.csv").write_text(_rows(3))
    x, _ = diabetes.load(tmp_path)
    assert x.shape == (3, 8)


def test_plain_file_is_preferred_and_env_var_is_used(tmp_path, monkeypatch):
    _write(tmp_path, "diabetes.csv", _rows(2))
    _write(tmp_path, "diabetes.csv.gz", _rows(4), compress=True)
    monkeypatch.setenv("PTTUTOR_DATA", str(tmp_path))
    assert diabetes.path() == tmp_path / "diabetes" / "diabetes.csv"
    assert diabetes.load()[0].shape == (2, 8)


def test_windows_line_endings_bom_blank_lines_and_no_final_newline(tmp_path):
    text = "\ufeff" + _rows(3).replace("\n", "\r\n") + "\r\n\r\n" + ROW.format(label=1)
    _write(tmp_path, "diabetes.csv", text)
    x, y = diabetes.load(tmp_path)
    assert x.shape == (4, 8) and y[-1, 0] == 1


def test_gzip_content_under_a_plain_name(tmp_path):
    _write(tmp_path, "diabetes.csv", _rows(3), compress=True)
    assert diabetes.load(tmp_path)[0].shape == (3, 8)


def test_read_takes_a_path(tmp_path):
    path = _write(tmp_path, "diabetes.csv.gz", _rows(6), compress=True)
    x, y = diabetes.read(path)
    assert x.shape == (6, 8) and y.sum() == 3


# ----------------------------------------------------------------------------- bad inputs


def _error(tmp_path, text: str, name: str = "diabetes.csv", compress: bool = False) -> str:
    path = _write(tmp_path, name, text, compress)
    with pytest.raises(DataError) as info:
        diabetes.load(tmp_path)
    message = str(info.value)
    assert str(path) in message, message
    return message


def test_missing_file_says_where_and_how(tmp_path):
    with pytest.raises(DataError) as info:
        diabetes.load(tmp_path)
    message = str(info.value)
    assert "diabetes.csv or diabetes.csv.gz" in message
    assert str(tmp_path / "diabetes") in message
    assert "download=True" in message and "PTTUTOR_DATA" in message


def test_empty_file(tmp_path):
    assert "is empty" in _error(tmp_path, "")
    assert "is empty" in _error(tmp_path, "\n \n", name="diabetes.csv")


def test_empty_gzip(tmp_path):
    assert "is empty" in _error(tmp_path, "", name="diabetes.csv.gz", compress=True)


@pytest.mark.parametrize("sep, word", [(";", "semicolons"), ("\t", "tabs"), (" ", "spaces")])
def test_wrong_delimiter(tmp_path, sep, word):
    message = _error(tmp_path, _rows(3).replace(",", sep))
    assert f"separated by {word}, expected commas" in message and "line 1" in message


def test_header_line(tmp_path):
    header = ",".join(f"f{i}" for i in range(8)) + ",label\n"
    message = _error(tmp_path, header + _rows(3))
    assert "line 1" in message and "header" in message and "'f0'" in message


def test_kaggle_pima_file_is_recognised(tmp_path):
    text = ("Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Age,Outcome\n"
            "6,148,72,35,0,33.6,0.627,50,1\n")
    message = _error(tmp_path, text)
    assert "Kaggle" in message and "759-row" in message


def test_row_of_the_wrong_length(tmp_path):
    text = _rows(4) + "0.1,0.2,0.3,0.4,0.5,0.6,0.7,1\n"
    message = _error(tmp_path, text)
    assert "line 5" in message and "8 values, expected 9" in message


def test_value_that_is_not_a_number(tmp_path):
    text = _rows(2) + ROW.replace("0.487437", "abc").format(label=0) + "\n"
    message = _error(tmp_path, text)
    assert "line 3" in message and "'abc'" in message and "not a number" in message


@pytest.mark.parametrize("value", ["", "nan", "inf"])
def test_missing_or_non_finite_value(tmp_path, value):
    text = _rows(2) + ROW.replace("0.487437", value).format(label=1) + "\n"
    message = _error(tmp_path, text)
    assert "line 3" in message


@pytest.mark.parametrize("label", ["2", "0.5", "-1", "yes"])
def test_unknown_label(tmp_path, label):
    text = _rows(3) + ROW.format(label=label) + "\n"
    message = _error(tmp_path, text)
    assert "line 4" in message
    if label != "yes":
        assert f"unknown label '{label}', expected 0 or 1" in message


def test_corrupt_gzip(tmp_path):
    path = tmp_path / "diabetes" / "diabetes.csv.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(_rows(50).encode())[:-30])
    with pytest.raises(DataError, match="not a valid gzip file"):
        diabetes.load(tmp_path)


def test_plain_text_named_gz(tmp_path):
    assert "not gzip-compressed" in _error(tmp_path, _rows(3), name="diabetes.csv.gz")


def test_binary_garbage(tmp_path):
    path = tmp_path / "diabetes" / "diabetes.csv"
    path.parent.mkdir()
    path.write_bytes(b"\x00\xff\xfe" * 20)
    with pytest.raises(DataError, match="not a text file"):
        diabetes.load(tmp_path)


def test_a_folder_instead_of_a_file(tmp_path):
    (tmp_path / "diabetes" / "diabetes.csv").mkdir(parents=True)
    with pytest.raises(DataError):
        diabetes.load(tmp_path)


# ----------------------------------------------------------------------------- download (no network)


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on 127.0.0.1 by a thread; yields (folder, base URL)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _publish(root: Path, text: str) -> tuple[bytes, str]:
    data = gzip.compress(text.encode(), mtime=0)
    (root / "diabetes.csv.gz").write_bytes(data)
    return data, hashlib.md5(data).hexdigest()


def test_download_checks_md5_and_load_uses_it(served, tmp_path, monkeypatch):
    root, base = served
    data, md5 = _publish(root, _rows(7))
    monkeypatch.setattr(diabetes, "URL", f"{base}/diabetes.csv.gz")
    monkeypatch.setattr(diabetes, "MD5", md5)
    target = tmp_path / "data"
    path = diabetes.download(target)
    assert path == target / "diabetes" / "diabetes.csv.gz" and path.read_bytes() == data
    assert diabetes.load(target)[0].shape == (7, 8)
    (root / "diabetes.csv.gz").unlink()  # a second download is not needed: the checksum matches
    assert diabetes.download(target) == path


def test_load_with_download_fetches_a_missing_file(served, tmp_path, monkeypatch):
    root, base = served
    _, md5 = _publish(root, _rows(4))
    monkeypatch.setattr(diabetes, "URL", f"{base}/diabetes.csv.gz")
    monkeypatch.setattr(diabetes, "MD5", md5)
    target = tmp_path / "data"
    with pytest.raises(DataError):
        diabetes.load(target)
    x, y = diabetes.load(target, download=True)
    assert x.shape == (4, 8) and (target / "diabetes" / "diabetes.csv.gz").is_file()


def test_wrong_checksum_is_refused_and_leaves_nothing(served, tmp_path, monkeypatch):
    root, base = served
    _publish(root, _rows(3))
    monkeypatch.setattr(diabetes, "URL", f"{base}/diabetes.csv.gz")
    target = tmp_path / "data"
    with pytest.raises(DataError, match="checksum"):
        diabetes.download(target)
    folder = target / "diabetes"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_unreachable_url_is_a_data_error(tmp_path, monkeypatch):
    monkeypatch.setattr(diabetes, "URL", (tmp_path / "nothing-here.csv.gz").as_uri())
    with pytest.raises(DataError, match="could not download"):
        diabetes.download(tmp_path / "data")
    assert list((tmp_path / "data" / "diabetes").iterdir()) == []


def test_source_and_constants():
    assert diabetes.SOURCE.downloadable
    assert "hunkim/PyTorchZeroToAll" in diabetes.URL and diabetes.URL.endswith("data/diabetes.csv.gz")
    assert diabetes.URL.startswith("https://raw.githubusercontent.com/")
    assert diabetes.MD5 == "b7f372850118dfaf306e2f334e6a718f"


# ----------------------------------------------------------------------------- the real file


@pytest.mark.skipif(not REAL.is_file(), reason=f"the real diabetes file is not at {REAL}")
def test_real_file_facts():
    x, y = diabetes.load(SHARED_DATA)
    assert x.shape == (759, 8) and y.shape == (759, 1)
    assert int(y.sum()) == 496
    assert round(float(y.mean()) * 100, 1) == 65.3  # the course's majority class
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert not np.isnan(x).any()
    expected = np.loadtxt(REAL, delimiter=",", dtype=np.float32)
    assert np.array_equal(x, expected[:, :-1]) and np.array_equal(y[:, 0], expected[:, -1])


@pytest.mark.skipif(not REAL.is_file(), reason=f"the real diabetes file is not at {REAL}")
def test_real_file_checksum_matches_the_download_md5():
    assert hashlib.md5(REAL.read_bytes()).hexdigest() == diabetes.MD5
