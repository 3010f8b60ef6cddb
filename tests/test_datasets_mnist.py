"""pttutor.datasets.mnist: the idx reader, the folder layouts, the course transform, downloads
(never over the real network) and, when present, the real files in ../shared/data/mnist."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import SHARED_DATA
from pttutor.datasets import DataError, mnist

REAL = SHARED_DATA / "mnist"
needs_real = pytest.mark.skipif(not (REAL / "t10k-images-idx3-ubyte.gz").is_file(),
                                reason=f"the real MNIST files are not in {REAL}")


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path: Path, data: bytes, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def sample(n: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n).astype(np.uint8)


def write_split(folder: Path, split: str = "test", gz: bool = False, n: int = 6, seed: int = 0):
    images, labels = sample(n, seed)
    image_name, label_name = mnist.FILES[split]
    write(folder / image_name, idx_bytes(images), gz)
    write(folder / label_name, idx_bytes(labels), gz)
    return images, labels


# ------------------------------------------------------------------ reading and layouts


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
@pytest.mark.parametrize("layout", ["mnist/MNIST/raw", "mnist", "MNIST/raw", "."])
def test_loads_every_layout_plain_or_gzipped(tmp_path, layout, gz):
    images, labels = write_split(tmp_path / layout, "test", gz)
    got_images, got_labels = mnist.load("test", data_dir=tmp_path)
    assert got_images.dtype == np.uint8 and got_images.shape == (6, 28, 28)
    assert got_labels.dtype == np.int64
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_torchvision_layout_is_preferred(tmp_path):
    raw_images, _ = write_split(tmp_path / "mnist" / "MNIST" / "raw", seed=1)
    write_split(tmp_path / "mnist", seed=2)
    np.testing.assert_array_equal(mnist.load("test", tmp_path)[0], raw_images)


def test_test_split_needs_only_its_own_files(tmp_path):
    write_split(tmp_path / "mnist", "test")
    assert len(mnist.load("test", tmp_path)[0]) == 6
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.*not found in .*mnist.*download=True"):
        mnist.load("train", tmp_path)


def test_train_labels_alone(tmp_path):
    _, labels = sample(9)
    write(tmp_path / "mnist" / "train-labels-idx1-ubyte", idx_bytes(labels), gz=True)
    np.testing.assert_array_equal(mnist.load_labels("train", tmp_path), labels)


def test_data_folder_from_environment(tmp_path, monkeypatch):
    images, _ = write_split(tmp_path / "mnist")
    monkeypatch.setenv("PTTUTOR_DATA", str(tmp_path))
    np.testing.assert_array_equal(mnist.load("test")[0], images)


def test_unknown_split(tmp_path):
    with pytest.raises(ValueError, match="unknown MNIST split 'valid'"):
        mnist.load("valid", tmp_path)


def test_read_idx_other_types(tmp_path):
    values = np.arange(-6, 6, dtype=np.int32).reshape(3, 4)
    path = write(tmp_path / "ints.idx", idx_bytes(values, 0x0C))
    got = mnist.read_idx(path)
    assert got.dtype == np.int32 and got.dtype.isnative
    np.testing.assert_array_equal(got, values)


# ------------------------------------------------------------------ the course transform


def test_dataset_applies_the_course_transform(tmp_path):
    images, labels = write_split(tmp_path / "mnist", n=4)
    ds = mnist.MNIST("test", tmp_path)
    assert len(ds) == 4
    x, y = ds[2]
    assert type(y) is int and y == labels[2]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    expected = (torch.from_numpy(images[2]).float() / 255 - 0.1307) / 0.3081
    torch.testing.assert_close(x[0], expected)
    whole, whole_labels = mnist.tensors("test", tmp_path)
    assert whole.shape == (4, 1, 28, 28) and whole_labels.dtype == torch.int64
    torch.testing.assert_close(whole[2], x)


def test_course_transform_is_totensor_then_normalize():
    from torchvision import transforms

    t = mnist.course_transform()
    assert [type(s) for s in t.transforms] == [transforms.ToTensor, transforms.Normalize]
    assert tuple(t.transforms[1].mean) == (0.1307,) and tuple(t.transforms[1].std) == (0.3081,)


def test_transform_none_gives_raw_images(tmp_path):
    images, _ = write_split(tmp_path / "mnist")
    x, _ = mnist.MNIST("test", tmp_path, transform=None)[0]
    np.testing.assert_array_equal(x, images[0])


# ------------------------------------------------------------------ bad files


def bad_case(tmp_path: Path, case: str) -> str:
    """Write a test split with one defect; return a pattern its DataError must match."""
    folder = tmp_path / "mnist"
    images, labels = sample(5)
    image_file = folder / "t10k-images-idx3-ubyte"
    label_file = folder / "t10k-labels-idx1-ubyte"
    good_images, good_labels = idx_bytes(images), idx_bytes(labels)
    if case == "empty":
        write(image_file, b"")
        write(label_file, good_labels)
        return r"t10k-images-idx3-ubyte is empty"
    if case == "csv_instead_of_idx":
        write(image_file, b"label,pixel0,pixel1\n5,0,0\n")
        write(label_file, good_labels)
        return r"t10k-images-idx3-ubyte is not an idx file: it starts with bytes 6c 61 62 65"
    if case == "truncated":
        write(image_file, good_images[:-100])
        write(label_file, good_labels)
        return r"t10k-images-idx3-ubyte is truncated: shape \(5, 28, 28\) needs 3920 bytes"
    if case == "trailing_bytes":
        write(image_file, good_images)
        write(label_file, good_labels + b"\x00\x00")
        return r"t10k-labels-idx1-ubyte is longer than its header says"
    if case == "header_cut":
        write(image_file, good_images[:9])
        write(label_file, good_labels)
        return r"t10k-images-idx3-ubyte is truncated: its header announces 3 dimensions"
    if case == "broken_gzip":
        write(folder / "t10k-images-idx3-ubyte.gz", gzip.compress(good_images)[:200])
        write(label_file, good_labels)
        return r"t10k-images-idx3-ubyte.gz is not a valid gzip file"
    if case == "labels_as_images":
        write(image_file, good_labels)
        write(label_file, good_labels)
        return r"t10k-images-idx3-ubyte is not an MNIST image file: .* shape \(5,\)"
    if case == "wrong_image_size":
        write(image_file, idx_bytes(images[:, :20, :20]))
        write(label_file, good_labels)
        return r"holds images of 20x20 pixels, expected 28x28"
    if case == "label_out_of_range":
        bad = labels.copy()
        bad[3] = 12
        write(image_file, good_images)
        write(label_file, idx_bytes(bad))
        return r"t10k-labels-idx1-ubyte: label 12 at index 3 is not a digit 0-9"
    if case == "count_mismatch":
        write(image_file, good_images)
        write(label_file, idx_bytes(labels[:4]))
        return r"t10k-images-idx3-ubyte has 5 images but .*t10k-labels-idx1-ubyte has 4 labels"
    if case == "int_labels":
        write(image_file, good_images)
        write(label_file, idx_bytes(labels.astype(np.int32), 0x0C))
        return r"t10k-labels-idx1-ubyte is not an MNIST label file: expected unsigned bytes"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["empty", "csv_instead_of_idx", "truncated", "trailing_bytes", "header_cut",
                                  "broken_gzip", "labels_as_images", "wrong_image_size", "label_out_of_range",
                                  "count_mismatch", "int_labels"])
def test_bad_files_raise_data_error_naming_the_file(tmp_path, case):
    pattern = bad_case(tmp_path, case)
    with pytest.raises(DataError, match=pattern):
        mnist.load("test", tmp_path)


# ------------------------------------------------------------------ downloads (no real network)


def gz_split(folder: Path, split: str, seed: int = 0) -> dict[str, str]:
    """Write a split's two .gz files into ``folder``; return their md5s."""
    images, labels = sample(5, seed)
    md5 = {}
    for name, array in zip(mnist.FILES[split], (images, labels)):
        path = write(folder / name, idx_bytes(array), gz=True)
        md5[path.name] = hashlib.md5(path.read_bytes()).hexdigest()
    return md5


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """Two file:// mirrors: the first serves nothing, the second serves small fake files."""
    empty, served = tmp_path / "mirror1", tmp_path / "mirror2"
    empty.mkdir()
    md5 = gz_split(served, "test") | gz_split(served, "train", seed=1)
    monkeypatch.setattr(mnist, "MIRRORS", (empty.as_uri() + "/", served.as_uri() + "/"))
    monkeypatch.setattr(mnist, "MD5", md5)
    return served


def test_load_never_downloads_unless_asked(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load() tried to download")

    monkeypatch.setattr(mnist, "fetch", no_network)
    with pytest.raises(DataError, match="download=True"):
        mnist.load("test", tmp_path / "data")
    write_split(tmp_path / "data" / "mnist", "test", gz=True)
    assert len(mnist.load("test", tmp_path / "data", download=True)[0]) == 6


def test_download_falls_back_to_the_next_mirror(tmp_path, mirror):
    data = tmp_path / "data"
    raw = mnist.download(data)
    assert raw == data / "mnist" / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(mnist.MD5)
    images, labels = mnist.load("train", data)
    assert images.shape == (5, 28, 28)
    assert (mirror / "train-images-idx3-ubyte.gz").read_bytes() == (raw / "train-images-idx3-ubyte.gz").read_bytes()


def test_load_with_download_fetches_only_that_split(tmp_path, mirror):
    data = tmp_path / "data"
    images, _ = mnist.load("test", data, download=True)
    assert len(images) == 5
    assert sorted(p.name for p in mnist.raw_folder(data).iterdir()) == ["t10k-images-idx3-ubyte.gz",
                                                                      "t10k-labels-idx1-ubyte.gz"]


def test_download_skips_files_already_there(tmp_path, mirror, monkeypatch):
    data = tmp_path / "data"
    write_split(data / "mnist", "test")  # plain files, not in MNIST/raw
    calls = []
    real_fetch = mnist.fetch
    monkeypatch.setattr(mnist, "fetch", lambda url, dest, md5: calls.append(url) or real_fetch(url, dest, md5))
    mnist.download(data)
    assert all("train-" in url for url in calls) and len(calls) == 4  # 2 files x (failed + good mirror)


def test_wrong_checksum_is_refused_and_leaves_nothing(tmp_path, mirror, monkeypatch):
    monkeypatch.setitem(mnist.MD5, "t10k-images-idx3-ubyte.gz", "0" * 32)
    data = tmp_path / "data"
    with pytest.raises(DataError, match=r"could not download t10k-images-idx3-ubyte.gz from any mirror.*"
                                        r"checksum .* expected 0{32}; the file was not kept"):
        mnist.download(data, splits=("test",))
    raw = mnist.raw_folder(data)
    assert not any(p.name.startswith("t10k-images") for p in raw.iterdir())


def test_download_over_http(tmp_path, monkeypatch):
    served = tmp_path / "served"
    md5 = gz_split(served, "test")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setattr(mnist, "MIRRORS", (f"http://127.0.0.1:{server.server_address[1]}/",))
        monkeypatch.setattr(mnist, "MD5", md5)
        raw = mnist.download(tmp_path / "data", splits=("test",))
        assert len(mnist.load("test", tmp_path / "data")[1]) == 5
        assert {p.name for p in raw.iterdir()} == set(md5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ------------------------------------------------------------------ the real files


@needs_real
def test_real_test_split():
    images, labels = mnist.load("test", SHARED_DATA)
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert round(float(images.mean()) / 255, 4) == 0.1325  # the training set's mean is 0.1307
    assert images.min() == 0 and images.max() == 255


@needs_real
def test_real_train_labels_and_missing_train_images():
    labels = mnist.load_labels("train", SHARED_DATA)
    assert np.bincount(labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    with pytest.raises(DataError, match="train-images-idx3-ubyte"):
        mnist.load("train", SHARED_DATA)


@needs_real
def test_real_files_have_torchvisions_checksums():
    from torchvision.datasets import MNIST as TorchvisionMNIST

    assert dict(TorchvisionMNIST.resources) == mnist.MD5
    assert tuple(TorchvisionMNIST.mirrors) == mnist.MIRRORS
    for path in sorted(REAL.glob("*.gz")):
        assert hashlib.md5(path.read_bytes()).hexdigest() == mnist.MD5[path.name], path.name


@needs_real
def test_real_images_through_the_course_transform():
    ds = mnist.MNIST("test", SHARED_DATA)
    x, y = ds[0]
    assert y == 7 and x.shape == (1, 28, 28)
    assert float(x.min()) == pytest.approx(-0.1307 / 0.3081)
    assert float(x.max()) == pytest.approx((1 - 0.1307) / 0.3081)
    whole, _ = mnist.tensors("test", SHARED_DATA)
    torch.testing.assert_close(whole[0], x)
    assert abs(float(whole.mean())) < 0.01 and abs(float(whole.std()) - 1.0) < 0.01
