"""Confinement: what a freshly forked worker does to itself before it reads student code.

1. where permitted, new PID, network and mount namespaces (and a user namespace when not
   running as root);
2. in the mount namespace: a private ``/proc``, the whole file system read-only except the
   worker's own folder and ``/dev/shm``, and empty read-only folders mounted over the folders
   it must not see;
3. every capability dropped (root included, with the secure bits that keep ``execve`` from
   giving them back), so it cannot undo any of the above.

What took effect, and what did not, is recorded and reported with every grade.
"""

from __future__ import annotations

import ctypes
import os
import signal
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECUREBITS = 1, 38, 28
SECBIT_ALL_LOCKED = 0x2F  # NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED... see capability(7)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


class Sandbox:
    """Builds the sandbox inside a freshly forked child; records what took effect."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self.libc = _libc() if sys.platform == "linux" else None
        self.active: list[str] = ["own session and process group"]
        self.missing: list[str] = []
        self.in_user_namespace = False

    def _call(self, name: str, *args) -> bool:
        if self.libc is None:
            return False
        return getattr(self.libc, name)(*args) == 0

    def _write(self, path: str, text: str) -> bool:
        try:
            with open(path, "w") as f:
                f.write(text)
            return True
        except OSError:
            return False

    def unshare(self) -> bool:
        if not self.config.get("namespaces", True) or self.libc is None:
            self.missing.append("namespaces (not available here)")
            return False
        root = os.geteuid() == 0
        self.in_user_namespace = not root
        flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | (0 if root else CLONE_NEWUSER)
        uid, gid = os.geteuid(), os.getegid()
        if not self._call("unshare", flags):
            self.in_user_namespace = False
            self.missing.append("namespaces (not permitted here): the network stays reachable and "
                                "children that call setsid() may outlive grading")
            return False
        if not root:
            self._write("/proc/self/setgroups", "deny")
            self._write("/proc/self/uid_map", f"0 {uid} 1")
            self._write("/proc/self/gid_map", f"0 {gid} 1")
        self.active += ["PID namespace", "no network"]
        return True

    def mounts(self) -> None:
        mount = self.libc.mount
        mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
        if mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            self.missing.append("mount namespace")
            return
        if mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) == 0:
            self.active.append("private /proc")
        workdir = os.path.realpath(self.config["workdir"])
        mount(workdir.encode(), workdir.encode(), None, MS_BIND | MS_REC, None)
        keep = {workdir, "/proc", "/sys", "/dev", "/dev/shm", "/dev/pts"}
        failed = 0
        for point in _mount_points():
            if point not in keep and not point.startswith(("/proc/", "/sys/", "/dev/")):
                failed += mount(None, point.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY, None) != 0
        if failed:
            self.missing.append("read-only file system")
        else:
            self.active.append("read-only file system except its own folder")
        hidden = 0
        for path in self.config.get("hide", []):
            if os.path.isdir(path) and mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY,
                                             b"size=4k,mode=0555") == 0:
                hidden += 1
        if self.config.get("hide"):
            if hidden == len(self.config["hide"]):
                self.active.append("reference solutions, hidden checks and results hidden")
            else:
                self.missing.append("hiding the reference solutions and hidden checks")

    def drop_privileges(self) -> None:
        """Drop every capability for good: the mounts, limits and namespaces cannot be undone."""
        if self.libc is None:
            return
        self._call("prctl", PR_SET_SECUREBITS, SECBIT_ALL_LOCKED, 0, 0, 0)
        if self._drop_capabilities():
            self.active.append("all capabilities dropped")
        else:
            self.missing.append("dropping capabilities")
        self._call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)

    def _drop_capabilities(self) -> bool:
        header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = bytes(24)  # two zeroed {effective, permitted, inheritable} sets
        return self.libc.syscall(126 if _is_x86_64() else 91, header, data) == 0  # capset


def _mount_points() -> list[str]:
    """Mount points of this mount namespace, parents before children."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")
            if point not in points:
                points.append(point)
    return sorted(points, key=lambda p: p.count("/") if p != "/" else 0)


def _is_x86_64() -> bool:
    return os.uname().machine in ("x86_64", "amd64")


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies, so nothing outlives a killed grader."""
    libc = _libc() if sys.platform == "linux" else None
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
