"""Unpacking a student's ``.zip`` safely: no absolute paths, no ``..``, no links, no bombs."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_TOTAL = 50 * 1024 * 1024
MAX_FILES = 2000


class ArchiveError(ValueError):
    """The archive was refused; the message says why."""


def extract(archive: Path, dest: Path, max_total: int = MAX_TOTAL, max_files: int = MAX_FILES) -> Path:
    """Extract ``archive`` into ``dest`` after checking every entry; returns the submission folder
    (``dest`` itself, or its only sub-folder when the archive wraps everything in one)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{archive.name} is not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_files:
            raise ArchiveError(f"{archive.name} holds {len(infos)} entries, more than {max_files}")
        total = 0
        for info in infos:
            name = info.filename
            path = PurePosixPath(name.replace("\\", "/"))
            if path.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
                raise ArchiveError(f"{archive.name}: entry {name!r} has an absolute path")
            if ".." in path.parts:
                raise ArchiveError(f"{archive.name}: entry {name!r} points outside the archive ('..')")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveError(f"{archive.name}: entry {name!r} is a symbolic link")
            total += info.file_size
            if total > max_total:
                raise ArchiveError(f"{archive.name} expands to more than {max_total // (1024 * 1024)} MiB")
        dest.mkdir(parents=True, exist_ok=True)
        written = 0
        for info in infos:
            target = dest / PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                # The sizes in the header may lie: count what really comes out.
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    if written > max_total:
                        raise ArchiveError(f"{archive.name} expands to more than {max_total // (1024 * 1024)} MiB")
                    out.write(chunk)
    entries = [p for p in dest.iterdir() if p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest


def copy_folder(src: Path, dest: Path, max_total: int = MAX_TOTAL) -> Path:
    """Copy a student's folder (no links followed, size-limited) into ``dest``."""
    total = 0

    def ignore(folder: str, names: list[str]) -> list[str]:
        nonlocal total
        skipped = []
        for name in names:
            path = Path(folder) / name
            if path.is_symlink():
                skipped.append(name)
            elif path.is_file():
                total += path.stat().st_size
                if total > max_total:
                    raise ArchiveError(f"{src.name} holds more than {max_total // (1024 * 1024)} MiB")
        return skipped

    shutil.copytree(src, dest, ignore=ignore, symlinks=False)
    return dest
