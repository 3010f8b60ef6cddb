"""Where pttutor looks for data files, and the errors it gives when they are not there.

One convention serves every loader and the command line. The data folder is, in order:
the ``data_dir`` argument (``--data-dir`` on the command line), the ``PTTUTOR_DATA``
environment variable, or ``pttutor/data`` under the user's cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux and macOS, ``%LOCALAPPDATA%`` on Windows).
Each data set has a sub-folder named after it: ``<data>/titanic/train.csv``,
``<data>/otto/train.csv.gz``, ``<data>/mnist/...``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "PTTUTOR_DATA"


class DataError(ValueError):
    """A data file is missing or malformed; the message says which file and what to do."""


@dataclass(frozen=True)
class Source:
    """Where a data set comes from: a public URL with checksums, or a Kaggle competition page."""

    page: str
    downloadable: bool = False


def default_data_dir() -> Path:
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pttutor" / "data"


def data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else ``$PTTUTOR_DATA``, else the cache default."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else default_data_dir()


def locate(dataset: str, names: Sequence[str], source: Source,
           data_dir_: str | os.PathLike | None = None) -> Path:
    """The first of ``names`` found in the data set's folder (or the data folder itself).

    Raises :class:`DataError` naming the files looked for, the folder searched and where to
    get them.
    """
    root = data_dir(data_dir_)
    folders = [root / dataset, root]
    for folder in folders:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    wanted = " or ".join(names)
    how = (f"download it with `pttutor-grade data --download {dataset}` (or download=True)" if source.downloadable
           else f"download it from {source.page} (a Kaggle account is needed)")
    raise DataError(f"{wanted} not found in {folders[0]}; {how}, put it in that folder, "
                    f"or point {ENV_VAR} (or --data-dir) at the folder that holds it")
