"""Confinement: what a freshly forked worker does to itself before it reads student code.

In the ``full`` mode (see :mod:`.host`), the first child joins its control groups and enters
new PID, network, IPC, UTS and mount namespaces (and a user namespace when not root); the
worker, PID 1 of the new namespace, then builds a root file system from an allow-list and
pivots into it:

- read-only: the system's programs and libraries (``/usr``, ``/lib*``, ``/bin``), a few files
  of ``/etc`` (the loader's cache, the time zone) and the Python runtime with its installed
  packages, where the course's private half (reference solutions, hidden checks, recorded
  mistakes) and any other hidden folder are covered by empty read-only folders;
- its own folder (HOME and the checks' folders, a size-limited tmpfs) read-write, and the
  student's own folder read-only;
- a private, size-limited ``/tmp`` and ``/dev/shm``; a ``/dev`` with only null, zero, full,
  random and urandom; its own ``/proc``, read-only; no ``/sys``;
- nothing else: no home folders, no other checkouts, no other students, no results.

Then, in every mode: resource limits, an unprivileged user id (``full`` as root and
``container``), every capability dropped for good with the secure bits locked and
``no_new_privs``, and an allow-listed environment. What took effect is recorded and sent to
the grader before any student code runs.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import struct
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECUREBITS, PR_CAPBSET_DROP = 1, 38, 28, 24
SECBIT_ALL_LOCKED = 0x2F  # NOROOT, NO_SETUID_FIXUP and their locks: root gains nothing back, see capability(7)
DEVICES = ("null", "zero", "full", "random", "urandom")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "alternatives")
SYSCALLS = {"x86_64": {"pivot_root": 155, "capset": 126}, "aarch64": {"pivot_root": 41, "capset": 91}}


def _libc() -> ctypes.CDLL | None:
    if sys.platform != "linux":
        return None
    try:
        lib = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return lib


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies, so nothing outlives a killed grader."""
    libc = _libc()
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _syscall(name: str) -> int:
    return SYSCALLS.get(os.uname().machine, SYSCALLS["x86_64"])[name]


class Sandbox:
    """Builds the sandbox in a freshly forked child; records what took effect."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self.mode = config.get("sandbox", "process")
        self.libc = _libc()
        self.active: list[str] = ["own session and process group"]
        self.missing: list[str] = []
        self.namespaces = False
        self.failure: str | None = None  # why the sandbox could not be built (nothing is run then)

    # ------------------------------------------------------------------ in the first child
    def enter(self) -> None:
        """Join the control groups, then (full mode) enter new namespaces; the next fork is PID 1."""
        try:  # when memory runs out, the kernel kills the student's code first, never the grader
            self._write("/proc/self/oom_score_adj", "1000")
        except OSError:
            pass
        joined = 0
        for folder in self.config.get("cgroups") or []:
            try:
                with open(os.path.join(folder, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
                joined += 1
            except OSError:
                pass
        if joined:
            self.active.append("memory and process caps counting every process it starts (cgroup)")
        else:
            self.missing.append("a control group (memory is capped per process, processes by user id)")
        if self.mode != "full":
            self.missing.append("namespaces (container mode: the network stays reachable)" if self.mode == "container"
                                else "namespaces, own user id and file system view (process mode)")
            return
        root = os.geteuid() == 0
        uid, gid = os.geteuid(), os.getegid()
        flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (0 if root else CLONE_NEWUSER)
        if self.libc is None or self.libc.unshare(flags) != 0:
            raise OSError(f"unshare failed: {os.strerror(ctypes.get_errno())}")
        if not root:
            self._write("/proc/self/setgroups", "deny")
            self._write("/proc/self/uid_map", f"0 {uid} 1")
            self._write("/proc/self/gid_map", f"0 {gid} 1")
        self.namespaces = True
        self.active += ["PID namespace", "no network", "own IPC namespace"]

    @staticmethod
    def _write(path: str, text: str) -> None:
        with open(path, "w") as f:
            f.write(text)

    # ------------------------------------------------------------------ in the worker
    def build_root(self) -> None:
        """Full mode: the allow-listed root file system, pivoted into."""
        if not self.namespaces:
            return
        c = self.config
        new = c["root_mount_point"]
        self._mount(None, "/", None, MS_REC | MS_PRIVATE)
        self._mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
        for path in c["system"]:
            self._bind(path, new + path, read_only=True)
        self._etc(new, c["uid"] if c.get("uid") is not None else 0)
        for path in c["runtime"]:
            self._bind(path, new + path, read_only=True)
        for path in c["hide"]:
            target = new + path
            if os.path.isdir(target):
                self._mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0555")
        self._dev(new, c)
        self._mount("tmpfs", new + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={c['tmp_mb']}m,mode=1777", make=True)
        self._bind(c["slot"], new + c["slot"], read_only=False)
        if c.get("expose"):
            self._bind(c["expose"], new + c["expose"], read_only=True)
        os.makedirs(new + "/proc", exist_ok=True)
        old = new + "/.old-root"
        os.mkdir(old)
        if self.libc.syscall(_syscall("pivot_root"), new.encode(), old.encode()) != 0:
            raise OSError(f"pivot_root failed: {os.strerror(ctypes.get_errno())}")
        os.chdir("/")
        self.libc.umount2(b"/.old-root", MNT_DETACH)
        os.rmdir("/.old-root")
        self._mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
        self._mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        self.libc.sethostname(b"pttutor", 7)
        self.active += ["file system: only the Python runtime, its packages, the system libraries and its own "
                        "folders (reference solutions, hidden checks, results and other students not there)",
                        "private /tmp and /dev/shm", "own /proc read-only, no /sys"]

    def _mount(self, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None,
               make: bool = False) -> None:
        if make:
            os.makedirs(target, exist_ok=True)
        def enc(text: str | None) -> bytes | None:
            return text.encode() if text is not None else None

        if self.libc.mount(enc(source), target.encode(), enc(fstype), flags, enc(data)) != 0:
            raise OSError(f"mount {target} failed: {os.strerror(ctypes.get_errno())}")

    def _bind(self, source: str, target: str, read_only: bool) -> None:
        """Bind ``source`` at ``target`` (made as a folder, file or link like the source)."""
        if os.path.islink(source) and not os.path.exists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(source), target)
            return
        if not os.path.exists(source) or os.path.exists(target) and os.path.ismount(target):
            return
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        self._mount(source, target, None, MS_BIND | MS_REC)
        if read_only:
            locked = os.statvfs(source).f_flag
            flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
            for statvfs_bit, mount_bit in ((8, MS_NOEXEC), (1024, MS_NOATIME), (2048, MS_NODIRATIME),
                                           (4096, MS_RELATIME)):
                flags |= mount_bit if locked & statvfs_bit else 0
            self._mount(None, target, None, flags)

    def _etc(self, new: str, uid: int) -> None:
        os.makedirs(new + "/etc", exist_ok=True)
        for name in ETC_FILES:
            self._bind("/etc/" + name, new + "/etc/" + name, read_only=True)
        with open(new + "/etc/passwd", "w") as f:
            f.write(f"root:x:0:0:root:/root:/bin/sh\nstudent:x:{uid}:{uid}:student:{self.config['home']}:/bin/sh\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        with open(new + "/etc/group", "w") as f:
            f.write(f"root:x:0:\nstudent:x:{uid}:\nnogroup:x:65534:\n")

    def _dev(self, new: str, c: dict) -> None:
        dev = new + "/dev"
        self._mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755", make=True)
        for name in DEVICES + tuple(c.get("gpu_devices") or ()):
            self._bind("/dev/" + name, f"{dev}/{name}", read_only=False)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2")):
            os.symlink(target, f"{dev}/{name}")
        self._mount("tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={c['shm_mb']}m,mode=1777", make=True)

    # ------------------------------------------------------------------ in every mode, last
    def limit(self, memory_mb: int) -> None:
        """Resource limits, set while the hard limits can still be lowered by us alone."""
        c = self.config
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if c.get("fsize"):
            resource.setrlimit(resource.RLIMIT_FSIZE, (c["fsize"], c["fsize"]))
        nofile = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 1024)
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
            # Shared mappings escape RLIMIT_DATA; the address space cap counts them, on top of
            # what the runtime already mapped (torch maps far more than it uses).
            mapped = _mapped_bytes()
            if mapped:
                resource.setrlimit(resource.RLIMIT_AS, (mapped + limit, mapped + limit))
        if c.get("uid") is not None and c.get("nproc"):
            resource.setrlimit(resource.RLIMIT_NPROC, (c["nproc"], c["nproc"]))
            self.active.append(f"at most {c['nproc']} processes and threads")

    def drop_privileges(self) -> None:
        """Switch to the worker's own user id and drop every capability for good."""
        libc, c = self.libc, self.config
        if libc is None:
            self.missing.append("dropping privileges (not Linux)")
            return
        libc.prctl(PR_SET_SECUREBITS, SECBIT_ALL_LOCKED, 0, 0, 0)
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
        uid = c.get("uid")
        if uid is not None:  # the grader is root and gave this worker a user id of its own
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            self.active.append("an unprivileged user id of its own")
        elif self.namespaces:
            self.active.append("a user namespace: root inside is the grading user outside, without privileges")
        else:
            self.missing.append("an unprivileged user id of its own (runs as the grading user)")
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a change of user id cleared it
        header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        if libc.syscall(_syscall("capset"), header, bytes(24)) == 0:
            self.active.append("all capabilities dropped")
        else:
            self.missing.append("dropping capabilities")
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)

    def environment(self) -> None:
        """Only the allow-listed variables, and no copy of the old ones left in memory."""
        env = self.config.get("env") or {}
        os.environ.clear()
        os.environ.update(env)
        scrub_initial_environment()


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return 0


def scrub_initial_environment() -> None:
    """Overwrite the environment block the process started with (what /proc/self/environ shows)."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start, end = int(fields[50 - 3]), int(fields[51 - 3])  # env_start and env_end: fields 50 and 51 of proc(5)
    except (OSError, IndexError, ValueError):
        return
    if 0 < start < end and end - start < 1 << 20:
        ctypes.memset(start, 0, end - start)
