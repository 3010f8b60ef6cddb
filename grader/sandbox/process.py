"""Starting and stopping the worker processes that run submissions.

Workers are forked by a fork server (:mod:`pttutor.grader.sandbox.forkserver`) that this
grader process starts once and keeps: it has torch imported, so each fresh worker costs a fork instead of a
new interpreter. The worker builds its own sandbox before it reads student code (see
:mod:`pttutor.grader.sandbox.confine`); which protections took effect comes back in its first message.

Each worker has three pipes to the grader (requests, replies, output) and one from its
parent in the sandbox, which reports the worker's pid and, when it ends, its exit status.
Output is drained by a thread into a capped buffer, so no amount of it can block the worker
or fill the grader's memory. Where ``os.fork`` does not exist, workers are started as plain
``python -m pttutor.grader.sandbox.workerloop`` processes, without the sandbox.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from pttutor.grader.sandbox import host as hosts
from pttutor.grader.sandbox import view

DEFAULT_MEMORY_MB = 3072
START_TIMEOUT = 120.0  # importing torch (and CUDA) in a fresh process; never charged to the student


@dataclass
class Limits:
    memory_mb: int | None = DEFAULT_MEMORY_MB
    output_cap: int = 64 * 1024  # bytes of the worker's output kept
    file_size: int = 256 * 1024 * 1024  # the largest file the worker may write
    folder_mb: int = 512  # its own folder (HOME and the checks' folders)
    tmp_mb: int = 256  # its /tmp
    shm_mb: int = 256  # its /dev/shm
    processes: int = 64  # processes and threads at once


@dataclass
class OutputBuffer:
    """Keeps the first ``cap`` bytes written to a pipe and counts the rest."""

    cap: int
    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0

    def drain(self, fd: int) -> None:
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                room = max(self.cap - len(self.data), 0)
                self.data += chunk[:room]
                self.dropped += len(chunk) - len(chunk[:room])
        finally:
            os.close(fd)

    def text(self) -> str:
        out = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output not kept]"
        return out


def server_env() -> dict[str, str]:
    """The fork server's environment: the workers' allow-list, plus what finds the packages."""
    home = os.path.join(tempfile.gettempdir(), f"pttutor-server-{os.getuid() if hasattr(os, 'getuid') else 0}")
    env = view.environment(home, tempfile.gettempdir())
    env.update({k: os.environ[k] for k in ("PYTHONPATH", "LD_LIBRARY_PATH", "SYSTEMROOT") if k in os.environ})
    return env


def _mount_namespace() -> str:
    try:
        return os.readlink("/proc/thread-self/ns/mnt")
    except OSError:
        return ""


use_fork_server = hosts.use_fork_server


class _Forked:
    """A fork server forked from this process, with the few methods of ``subprocess.Popen`` used here."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and os.waitpid(self.pid, os.WNOHANG)[0] == self.pid:
            self.returncode = -1
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)


class ForkServer:
    """The grader's handle on its fork server: a fresh interpreter, or (``fork_self``) a fork of
    this very process, made before it has read anything secret, which saves importing torch twice."""

    def __init__(self, fork_self: bool = False) -> None:
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.namespace = _mount_namespace()  # workers see the mounts of the thread that started the server
        if fork_self:
            from pttutor.grader.sandbox import forkserver

            forkserver.warm_up()
            pid = os.fork()
            if pid == 0:
                self.sock.close()
                forkserver.serve_forked(theirs, server_env())  # never returns
            self.proc = _Forked(pid)
        else:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pttutor.grader.sandbox.forkserver", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), env=server_env(), stdin=subprocess.DEVNULL,
                start_new_session=True, close_fds=True,
            )
        theirs.close()
        self.sock.settimeout(START_TIMEOUT)
        self.reader = self.sock.makefile("rb")
        if self.reader.readline() != b"ready\n":
            self.close()
            raise RuntimeError("the fork server did not start")
        self.lock = threading.Lock()

    def fork(self, config: dict, fds: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.sock, [json.dumps(config).encode()], fds)
            reply = json.loads(self.reader.readline() or b"{}")
        return int(reply["pid"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=10)


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server(fork_self: bool = False) -> ForkServer:
    """This process's fork server, started on first use and restarted if it died.

    ``fork_self`` starts it as a fork of this process: only for a process that has read nothing
    a worker must not see (no reference solution, check or other student's file yet) and runs
    no other thread, such as a command that is about to grade.
    """
    global _server
    with _server_lock:
        if _server is not None and _server.alive() and _server.namespace != _mount_namespace():
            _server.close()  # started before this process took a mount namespace of its own
        if _server is None or not _server.alive():
            _server = ForkServer(fork_self and threading.active_count() == 1 and use_fork_server())
            atexit.register(_server.close)
        return _server


def prestart() -> None:
    """Start the fork server in the background (it imports torch while the grader does too)."""
    if use_fork_server():
        threading.Thread(target=fork_server, daemon=True).start()


class WorkerProcess:
    """One running worker: its pid, its protocol pipes, its output and its exit status."""

    def __init__(self, config: dict, output_cap: int) -> None:
        self.uid: int | None = config.get("uid")
        self.namespaces = config.get("sandbox") == "full"
        self.cgroups: list[str] = config.get("cgroups") or []
        req_r, self.req_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        self.status_r, status_w = os.pipe()
        self.status: int | None = None
        self.pid: int | None = None
        self.spawned: subprocess.Popen | None = None
        try:
            if use_fork_server():
                self.group = fork_server().fork(config, [req_r, rep_w, out_w, status_w])
            else:
                env = server_env() | {"PTTUTOR_WORKER_FDS": f"{req_r},{rep_w}",
                                      "PTTUTOR_WORKER_CONFIG": json.dumps(config)}
                self.spawned = subprocess.Popen(
                    [sys.executable, "-m", "pttutor.grader.sandbox.workerloop"], env=env, stdin=subprocess.DEVNULL,
                    stdout=out_w, stderr=out_w, pass_fds=(req_r, rep_w), start_new_session=True)
                self.group = self.pid = self.spawned.pid
        finally:
            for fd in (req_r, rep_w, out_w, status_w):
                os.close(fd)
        self.output = OutputBuffer(output_cap)
        self._drainer = threading.Thread(target=self.output.drain, args=(out_r,), daemon=True)
        self._drainer.start()
        if self.spawned is None:
            raw = self._read_status(START_TIMEOUT)
            self.pid = struct.unpack(">i", raw)[0] if raw else None

    def _read_status(self, timeout: float) -> bytes | None:
        """Four bytes from the status pipe, or None on EOF or timeout."""
        data = b""
        deadline = time.monotonic() + timeout
        while len(data) < 4:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.status_r], [], [], remaining)[0]:
                return None
            chunk = os.read(self.status_r, 4 - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the worker to end; True once it has."""
        if self.spawned is not None:
            try:
                self.status = self.spawned.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        if self.status is None:
            if self.status_r is None:
                return True
            if not select.select([self.status_r], [], [], timeout)[0]:
                return False
            raw = self._read_status(0.5)
            self.status = struct.unpack(">i", raw)[0] if raw else -1
        return True

    def alive(self) -> bool:
        return not self.wait(0)

    def exit_description(self) -> str:
        if self.status is None:
            return "stopped answering"
        if self.spawned is not None:
            code = self.status
            signum = -code if code < 0 else None
        elif self.status == -1:
            code, signum = None, signal.SIGKILL
        elif os.WIFSIGNALED(self.status):
            code, signum = None, os.WTERMSIG(self.status)
        else:
            code, signum = os.WEXITSTATUS(self.status), None
        if signum is not None:
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"signal {signum}"
            hints = {"SIGSEGV": " (a segmentation fault)", "SIGKILL": " (killed, often for using too much memory)"}
            return f"was killed by {name}{hints.get(name, '')}"
        return f"exited with status {code}"

    def kill(self) -> None:
        """Kill the worker with everything it started (its PID namespace, its process group, every
        process of its user id), then remove its control groups."""
        for name in ("req_w", "rep_r"):
            fd = getattr(self, name)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, None)
        for pid, group in ((self.pid, False), (self.group, True)):
            if pid:
                try:
                    (os.killpg if group else os.kill)(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.wait(10)
        if self.uid is not None and not self.namespaces:  # a PID namespace takes its processes with it
            hosts.kill_user(self.uid)
        hosts.cgroups.remove(self.cgroups)
        if self.status_r is not None:
            os.close(self.status_r)
            self.status_r = None
        self._drainer.join(timeout=2)
