"""The grader's side of the sandbox: which isolation this machine allows, and the folders,
user ids and control groups each worker gets.

Modes, strongest first:

- ``full``: every worker gets new PID, network, IPC, UTS and mount namespaces, a root file
  system built from an allow-list (see :mod:`.confine`), a size-limited folder of its own, a
  user id of its own (or, without root, a user namespace), a control group capping memory and
  processes where the machine has one, and no capabilities. Needs root with CAP_SYS_ADMIN, or
  unprivileged user namespaces.
- ``container``: for containers without CAP_SYS_ADMIN (Gradescope, most CI): the grader stays
  root; each worker runs as an unprivileged user id of its own, which cannot read the reference
  solutions, the hidden checks, the results or other students' files, with process, memory
  and file-size limits and an allow-listed environment. No namespaces.
- ``process``: a separate process with limits, nothing else (development only).

:func:`available` says which modes can be built here and, for those that cannot, why.
A folder per grader process (``pttutor-run-<pid>-*`` in the temporary folder) holds the
workers' folders; folders of graders that no longer run are removed at the next start.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import os
import pwd
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pttutor.grader.sandbox.cgroups import cgroups

MODES = ("full", "container", "process")
RUN_PREFIX = "pttutor-run-"
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_REC, MS_PRIVATE, MNT_DETACH = 16384, 1 << 18, 2
CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID = 21, 7, 6
FIRST_UID = 20000  # worker user ids: FIRST_UID + 64 * (grader pid % 640) + n, never a listed user


class SandboxUnavailable(RuntimeError):
    """The isolation asked for cannot be built on this machine; the message says how to allow it."""


def libc() -> ctypes.CDLL | None:
    if sys.platform != "linux":
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _has_capability(cap: int) -> bool:
    try:
        with open("/proc/self/status") as f:
            line = next(line for line in f if line.startswith("CapEff:"))
        return bool(int(line.split()[1], 16) >> cap & 1)
    except (OSError, StopIteration, ValueError):
        return False


def _userns_allowed() -> bool:
    """Whether an unprivileged user namespace with a mount namespace can be made (tried in a child)."""
    lib = libc()
    if lib is None or not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:
        os._exit(0 if lib.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def use_fork_server() -> bool:
    """Whether workers can be forked from a fork server here (``PTTUTOR_SPAWN_WORKERS=1`` says no)."""
    import socket

    return hasattr(os, "fork") and hasattr(socket, "send_fds") and not os.environ.get("PTTUTOR_SPAWN_WORKERS")


def available() -> dict[str, str | None]:
    """Each mode, mapped to None where it can be built here, else to why it cannot."""
    if not use_fork_server():
        why = "workers are started as plain processes here (no fork server), so they cannot confine themselves"
        return {"full": why, "container": why, "process": None}
    return _kernel_allows()


@cache
def _kernel_allows() -> dict[str, str | None]:
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if sys.platform != "linux" or libc() is None:
        full = "namespaces need Linux"
    elif root:
        full = None if _has_capability(CAP_SYS_ADMIN) else (
            "this root has no CAP_SYS_ADMIN (as in a container): start the container with "
            "--cap-add SYS_ADMIN (and a seccomp profile that allows unshare)")
    elif _userns_allowed():
        full = None
    else:
        full = ("this user may not create user namespaces: run as root, or allow them "
                "(sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 and later "
                "sysctl kernel.apparmor_restrict_unprivileged_userns=0)")
    if not root:
        container = "the container mode needs the grader to run as root (it gives each worker a user id of its own)"
    elif not (_has_capability(CAP_SETUID) and _has_capability(CAP_SETGID)):
        container = "the container mode needs CAP_SETUID and CAP_SETGID"
    else:
        container = None
    return {"full": full, "container": container, "process": None if hasattr(os, "fork") else "needs os.fork"}


def choose(wanted: str, has_secrets: bool) -> str:
    """The mode to run: ``wanted`` itself, or for ``auto`` the strongest one here (only where
    nothing secret is installed, as in the student kit). Raises :class:`SandboxUnavailable`."""
    reasons = available()
    if wanted == "auto":
        best = next(mode for mode in MODES if reasons[mode] is None or mode == "process")
        if has_secrets and best != "full":
            wanted = "full"
        else:
            return best
    why = reasons.get(wanted, f"unknown sandbox mode {wanted!r}")
    if why is None:
        return wanted
    weaker = [m for m in MODES[MODES.index(wanted) + 1:] if reasons[m] is None] if wanted in MODES else []
    hint = f"; to accept a weaker isolation, say --sandbox {weaker[0]}" if weaker else ""
    raise SandboxUnavailable(f"the {wanted} sandbox cannot be built here: {why}{hint}")


# ----------------------------------------------------------------------------- the run folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(parent: Path) -> None:
    """Remove what graders that are gone (killed before they cleaned up) left: their run folders,
    their control groups, and any process still running under one of their workers' user ids."""
    entries = {}
    for entry in parent.glob(RUN_PREFIX + "*"):
        try:
            entries[entry] = int(entry.name[len(RUN_PREFIX):].split("-")[0])
        except ValueError:
            continue
    live_blocks = {pid % 640 for pid in entries.values() if _alive(pid)} | {os.getpid() % 640}
    lib = libc()
    for entry, pid in entries.items():
        if pid == os.getpid() or _alive(pid):
            continue
        if os.geteuid() == 0 and pid % 640 not in live_blocks:
            block = range(FIRST_UID + 64 * (pid % 640), FIRST_UID + 64 * (pid % 640 + 1))
            for uid in {uid for uid in _process_owners() if uid in block}:
                kill_user(uid)
        for sub in sorted(entry.glob("*"), reverse=True):
            if lib is not None:
                lib.umount2(str(sub).encode(), MNT_DETACH)
        shutil.rmtree(entry, ignore_errors=True)
    cgroups.clean_stale(_alive)


@dataclass
class Host:
    """This grader process's sandbox: the mode, the run folder, and its workers' slots."""

    mode: str
    run_dir: Path
    private_mounts: bool  # the grader has a mount namespace of its own for the workers' folders

    def __post_init__(self) -> None:
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def remove(self) -> None:
        """At exit: the run folder and whatever is still mounted in it."""
        lib = libc()
        for sub in self.run_dir.glob("*"):
            if lib is not None and os.path.ismount(sub):
                lib.umount2(str(sub).encode(), MNT_DETACH)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    @property
    def root_mount_point(self) -> Path:
        """An empty folder on which each worker mounts the root it builds."""
        return self.run_dir / "root"

    def new_uid(self) -> int | None:
        """A user id no listed user has, for one grading's workers (None where uids are not changed)."""
        if self.mode == "process" or os.geteuid() != 0:
            return None
        with self._lock:
            while True:
                uid = FIRST_UID + 64 * (os.getpid() % 640) + next(self._counter) % 64
                try:
                    pwd.getpwuid(uid)
                except KeyError:
                    return uid

    def new_slot(self, size_mb: int) -> Slot:
        """A fresh folder for one grading's workers: a size-limited tmpfs where the grader may mount one."""
        uid = self.new_uid()
        with self._lock:
            path = self.run_dir / f"w{next(self._counter)}"
        path.mkdir(mode=0o700)
        mounted = False
        if self.private_mounts:
            options = f"size={size_mb}m,mode=0700" + (f",uid={uid},gid={uid}" if uid is not None else "")
            mounted = _mount_tmpfs(path, options)
        if uid is not None and not mounted:
            os.chown(path, uid, uid)
        slot = Slot(path, uid, mounted)
        for name in ("home", "checks", "tmp"):
            slot.folder(name)
        return slot

    def release(self, slot: Slot) -> None:
        """Everything of a slot gone: its processes (by user id), its files, its mount."""
        if slot.uid is not None and self.mode == "container":  # in the full mode its PID namespace went with it
            kill_user(slot.uid)
            remove_files_of(slot.uid, [Path("/dev/shm"), Path(tempfile.gettempdir())])
        if slot.mounted:
            lib = libc()
            if lib is not None:
                lib.umount2(str(slot.path).encode(), MNT_DETACH)
        shutil.rmtree(slot.path, ignore_errors=True)


@dataclass
class Slot:
    """One grading's folder (the workers' HOME and the checks' folders) and user id."""

    path: Path
    uid: int | None
    mounted: bool

    def folder(self, name: str) -> Path:
        """A folder inside the slot that the worker may read and write."""
        path = self.path / name
        path.mkdir(mode=0o700, exist_ok=True)
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)
        return path

    @property
    def home(self) -> Path:
        return self.path / "home"


def _mount_tmpfs(path: Path, options: str) -> bool:
    lib = libc()
    if lib is None:
        return False
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return lib.mount(b"tmpfs", str(path).encode(), b"tmpfs", 2 | 4, options.encode()) == 0  # nosuid, nodev


def _private_mount_namespace() -> bool:
    """Give this process (as root) a mount namespace of its own, so that the tmpfs folders it
    mounts for its workers vanish with it and never show on the host."""
    lib = libc()
    if lib is None or os.geteuid() != 0 or not _has_capability(CAP_SYS_ADMIN):
        return False
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    if lib.unshare(CLONE_NEWNS) != 0:
        return False
    return lib.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) == 0


_hosts: dict[str, Host] = {}
_hosts_lock = threading.Lock()


def host(mode: str) -> Host:
    """This process's :class:`Host` for ``mode`` (made on first use)."""
    with _hosts_lock:
        if mode not in _hosts:
            parent = Path(tempfile.gettempdir())
            clean_stale(parent)
            run_dir = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=parent))
            os.chmod(run_dir, 0o711)
            private = mode == "full" and _private_mount_namespace()
            (run_dir / "root").mkdir(mode=0o700)
            _hosts[mode] = Host(mode, run_dir, private)
            atexit.register(_hosts[mode].remove)
        return _hosts[mode]


# ----------------------------------------------------------------------------- user ids


def _process_owners() -> set[int]:
    owners = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                owners.add(entry.stat(follow_symlinks=False).st_uid)
            except OSError:
                pass
    return owners


def processes_of(uid: int) -> list[int]:
    """The live processes of ``uid`` (zombies, already dead, are left to their parents)."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    if f.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                        pids.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return pids


def kill_user(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a worker's own user id), until none is left."""
    for _ in range(50):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        threading.Event().wait(0.02)


def remove_files_of(uid: int, folders: list[Path]) -> None:
    """Remove what ``uid`` left in shared folders (a container's /tmp and /dev/shm)."""
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def readable_by_others(path: Path) -> bool:
    """Whether a user other than the owner could reach ``path`` (every folder above it traversable)."""
    path = path.resolve()
    for folder in [*reversed(path.parents), path]:
        try:
            mode = folder.stat().st_mode
        except OSError:
            return False
        if folder != path and not mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o005)


def make_private(path: Path) -> bool:
    """``chmod go-rwx`` where ``path`` could be read by a worker's user id; True if it had to."""
    if not path.exists() or not readable_by_others(path):
        return False
    os.chmod(path, path.stat().st_mode & 0o700)
    return True
