"""What a worker may see: the allow-list of folders bound read-only into its root, the folders
covered inside them, and the environment variables it gets. Computed once per grader process."""

from __future__ import annotations

import os
import shutil
import site
import sys
from functools import cache
from pathlib import Path

SYSTEM = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin")
ENV_KEPT = ("LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "CUBLAS_WORKSPACE_CONFIG",
            "TZ")


def system_paths() -> list[str]:
    """The system's programs and libraries (links such as /lib -> usr/lib are kept as links)."""
    return [p for p in SYSTEM if os.path.lexists(p)]


def _package_folders() -> list[str]:
    """The folders of pttutor's own importable parts that hold no secret (the engine, the data loaders)."""
    import pttutor.datasets
    import pttutor.grader

    return [str(Path(m.__file__).resolve().parent) for m in (pttutor.grader, pttutor.datasets)]


@cache
def runtime_paths(extra: tuple[str, ...] = ()) -> list[str]:
    """The Python runtime and every folder its packages are imported from, parents first."""
    candidates = {sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    candidates |= set(site.getsitepackages()) | set(_package_folders()) | set(extra)
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        candidates.add(site.getusersitepackages())
    real = sorted({os.path.realpath(p) for p in candidates if os.path.isdir(p)})
    # A folder inside another one already bound needs no binding of its own.
    kept: list[str] = []
    for path in real:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept) and \
                not any(path.startswith(s + "/") for s in SYSTEM):
            kept.append(path)
    return kept


def hidden_inside(paths: list[str], hide: list[str]) -> list[str]:
    """The folders of ``hide`` that lie inside a bound folder (they are covered with empty ones)."""
    out = []
    for folder in hide:
        real = os.path.realpath(folder)
        if any(real == p or real.startswith(p.rstrip("/") + "/") for p in paths):
            out.append(real)
    return out


def environment(home: str, tmp: str) -> dict[str, str]:
    """The only environment variables a worker gets."""
    path = [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
    env = {k: os.environ[k] for k in ENV_KEPT if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.setdefault("OMP_NUM_THREADS", "1")  # course exercises are small: threads only fight over the cores
    env.update({"PATH": ":".join(dict.fromkeys(path)), "HOME": home, "TMPDIR": tmp, "MPLBACKEND": "Agg",
                "MPLCONFIGDIR": os.path.join(home, ".matplotlib"), "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1", "USER": "student", "LOGNAME": "student"})
    return env


def gpu_devices() -> list[str]:
    """NVIDIA's device files, bound into a worker that grades on the GPU."""
    try:
        return sorted(name for name in os.listdir("/dev") if name.startswith("nvidia"))
    except OSError:
        return []


def copy_folder(src: Path, dest: Path, uid: int | None, max_bytes: int = 50 * 1024 * 1024,
                max_files: int = 500) -> bool:
    """Copy the files of ``src`` (no links followed) into ``dest``, owned by ``uid``; False if it is
    too big, holds too many files, or holds ``dest`` itself."""
    if dest.resolve().is_relative_to(src.resolve()):
        return False
    total = files = 0
    for path in src.rglob("*"):
        files += 1
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
        if total > max_bytes or files > max_files:
            return False
    shutil.copytree(src, dest, symlinks=True, ignore=lambda f, names: [n for n in names
                                                                      if os.path.islink(os.path.join(f, n))])
    if uid is not None:
        for path in [dest, *dest.rglob("*")]:
            os.chown(path, uid, uid, follow_symlinks=False)
    return True
