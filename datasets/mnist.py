"""MNIST: the handwritten digits of lectures 10 and 11, read from the original idx files.

Files are looked for, without any network access, in the layout torchvision uses and in the
plain data folder, in this order (``<data>`` is :func:`pttutor.datasets.data_dir`)::

    <data>/mnist/MNIST/raw/<name>      torchvision's MNIST(root=<data>/mnist)
    <data>/mnist/<name>
    <data>/MNIST/raw/<name>            torchvision's MNIST(root=<data>)
    <data>/<name>

where ``<name>`` is ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte`` or ``t10k-labels-idx1-ubyte``, each plain or gzipped (``.gz``).
Only the files of the split asked for are needed: the 10k test images alone load as the
``"test"`` split. :func:`download` (or ``download=True``) fetches missing files from
torchvision's mirrors into ``<data>/mnist/MNIST/raw`` and checks the md5 that torchvision
lists for each; nothing is downloaded unless asked.

The course normalises the images with ``ToTensor()`` then ``Normalize((0.1307,), (0.3081,))``
(the mean and standard deviation of the training pixels): :func:`course_transform` is that
transform, :class:`MNIST` a ``Dataset`` that applies it per image, and :func:`tensors` the
same result for a whole split at once.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from pttutor.datasets.download import fetch
from pttutor.datasets.folder import DataError, Source, data_dir, locate

DATASET = "mnist"
SOURCE = Source("http://yann.lecun.com/exdb/mnist/", downloadable=True)
# torchvision.datasets.MNIST.mirrors and .resources
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SIZES = {"train": 60_000, "test": 10_000}
MEAN, STD = 0.1307, 0.3081
RAW = Path("MNIST") / "raw"

# idx type codes (third byte of the magic number) and the big-endian dtypes they stand for
_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_GZIP_MAGIC = b"\x1f\x8b"


def _check_split(split: str) -> None:
    if split not in FILES:
        raise ValueError(f"unknown MNIST split {split!r}; use 'train' or 'test'")


def raw_folder(data_dir_: str | os.PathLike | None = None) -> Path:
    """Where :func:`download` puts the files: ``<data>/mnist/MNIST/raw``."""
    return data_dir(data_dir_) / DATASET / RAW


def find(name: str, data_dir_: str | os.PathLike | None = None) -> Path:
    """The path of the idx file ``name`` (plain or ``.gz``), or :class:`DataError`."""
    raw = RAW.as_posix()
    names = [f"{raw}/{name}", f"{raw}/{name}.gz", name, f"{name}.gz"]
    return locate(DATASET, names, SOURCE, data_dir_)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one idx file (plain or gzipped) into an array of its dtype and shape.

    Every malformed file (empty, not gzip although it starts like one, a wrong magic
    number, truncated or oversized data) raises :class:`DataError` naming the file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path} is not a valid gzip file ({exc}); delete it and download it again") from None
    if not raw:
        raise DataError(f"{path} is empty")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise DataError(f"{path} is not an idx file: it starts with bytes {raw[:4].hex(' ')}, "
                        "expected 00 00 08 03 (images) or 00 00 08 01 (labels)")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated: its header announces {ndim} dimensions but the file "
                        f"has only {len(raw)} bytes")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        what = "truncated" if len(raw) - header < expected else "longer than its header says"
        raise DataError(f"{path} is {what}: shape {shape} needs {expected} bytes of data, "
                        f"the file has {len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _read_images(path: Path) -> np.ndarray:
    images = read_idx(path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(f"{path} is not an MNIST image file: expected unsigned bytes of shape (N, 28, 28), "
                        f"got {images.dtype} of shape {images.shape}")
    if images.shape[1:] != (28, 28):
        raise DataError(f"{path} holds images of {images.shape[1]}x{images.shape[2]} pixels, expected 28x28")
    return images


def _read_labels(path: Path) -> np.ndarray:
    labels = read_idx(path)
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DataError(f"{path} is not an MNIST label file: expected unsigned bytes of shape (N,), "
                        f"got {labels.dtype} of shape {labels.shape}")
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise DataError(f"{path}: label {int(labels[bad[0]])} at index {int(bad[0])} is not a digit 0-9 "
                        f"({bad.size} such labels)")
    return labels.astype(np.int64)


def load_labels(split: str = "train", data_dir: str | os.PathLike | None = None,
                download: bool = False) -> np.ndarray:
    """The labels of ``split`` as an int64 array (the images file is not needed)."""
    _check_split(split)
    name = FILES[split][1]
    if download:
        _download_missing([name], data_dir)
    return _read_labels(find(name, data_dir))


def load(split: str = "train", data_dir: str | os.PathLike | None = None,
         download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of ``split``: uint8 ``(N, 28, 28)`` and int64 ``(N,)``.

    With ``download=True`` the split's missing files are downloaded first; otherwise a
    missing file raises :class:`DataError` saying where it was looked for.
    """
    _check_split(split)
    image_name, label_name = FILES[split]
    if download:
        _download_missing([image_name, label_name], data_dir)
    image_path, label_path = find(image_name, data_dir), find(label_name, data_dir)
    images, labels = _read_images(image_path), _read_labels(label_path)
    if len(images) != len(labels):
        raise DataError(f"{image_path} has {len(images)} images but {label_path} has {len(labels)} labels")
    return images, labels


def normalize(images: np.ndarray) -> torch.Tensor:
    """uint8 images ``(N, 28, 28)`` as the course's float tensor ``(N, 1, 28, 28)``.

    The same values as :func:`course_transform` applied to each image: ``(x / 255 - 0.1307) / 0.3081``.
    """
    x = torch.from_numpy(np.ascontiguousarray(images)).unsqueeze(1).float().div(255)
    return (x - MEAN) / STD


def tensors(split: str = "train", data_dir: str | os.PathLike | None = None,
            download: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole split as tensors: normalised images ``(N, 1, 28, 28)`` float32, labels int64."""
    images, labels = load(split, data_dir, download)
    return normalize(images), torch.from_numpy(labels)


def course_transform() -> Callable:
    """The course's transform: ``Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])``."""
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])


_COURSE = object()


class MNIST(Dataset):
    """A ``Dataset`` of ``(image, label)`` pairs of one split.

    ``transform`` is applied to each image, given as a uint8 array ``(28, 28)``; by default it
    is :func:`course_transform`, so an item is a float tensor ``(1, 28, 28)`` and an int.
    ``transform=None`` gives the raw array.
    """

    def __init__(self, split: str = "train", data_dir: str | os.PathLike | None = None,
                 transform: Callable | None | object = _COURSE, download: bool = False) -> None:
        self.split = split
        self.images, self.labels = load(split, data_dir, download)
        self.transform = course_transform() if transform is _COURSE else transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.images[index]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])


def _download_missing(names: list[str], data_dir_: str | os.PathLike | None) -> None:
    for name in names:
        try:
            find(name, data_dir_)
        except DataError:
            _fetch_from_mirrors(name + ".gz", data_dir_)


def _fetch_from_mirrors(filename: str, data_dir_: str | os.PathLike | None) -> Path:
    dest = raw_folder(data_dir_) / filename
    problems = []
    for mirror in MIRRORS:
        try:
            return fetch(mirror + filename, dest, MD5[filename])
        except DataError as exc:
            problems.append(str(exc))
    raise DataError(f"could not download {filename} from any mirror: " + "; ".join(problems))


def download(data_dir: str | os.PathLike | None = None, splits: tuple[str, ...] = ("train", "test")) -> Path:
    """Download the files of ``splits`` that are not on disk yet; return the raw folder.

    Each file comes from the first of torchvision's mirrors that serves it with the right
    md5, and lands in ``<data>/mnist/MNIST/raw`` (so ``torchvision.datasets.MNIST(root=
    <data>/mnist)`` finds it too). A file with a wrong checksum is never kept.
    """
    for split in splits:
        _check_split(split)
        _download_missing(list(FILES[split]), data_dir)
    return raw_folder(data_dir)
