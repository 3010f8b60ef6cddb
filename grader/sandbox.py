"""Starting and stopping the worker process that runs a submission.

The worker is a fresh Python process (``python -m pttutor.grader.worker``) in a session and
process group of its own. Where the system allows it, it is also wrapped in
``unshare``: a new PID namespace (it is PID 1, cannot see or signal the grader, and every
process it starts dies with it), a new network namespace (no network, loopback included),
a private ``/proc``, and a user namespace (so it cannot raise its own resource limits back).
Resource limits (memory through ``RLIMIT_DATA``, which unlike ``RLIMIT_AS`` leaves
``import torch`` working; no core files; a cap on file size) are applied by the worker
itself before it runs any student code.

Requests and replies travel on two dedicated pipes; the student's stdout and stderr go to a
third pipe that a thread drains into a capped buffer, so no amount of output can block the
worker or fill the grader's memory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DEFAULT_MEMORY_MB = 3072
DEFAULT_OUTPUT_CAP = 64 * 1024
FILE_SIZE_LIMIT = 256 * 1024 * 1024

_UNSHARE_VARIANTS = (
    ("user", ["--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--net", "--mount-proc"]),
    ("root", ["--pid", "--fork", "--kill-child", "--net", "--mount-proc"]),
)


@dataclass(frozen=True)
class Isolation:
    """What protects the grader from the worker on this system; shown in reports."""

    unshare: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def namespaces(self) -> bool:
        return bool(self.unshare)

    def describe(self) -> list[str]:
        if self.namespaces:
            active = ["own process group", "PID namespace", "no network", "private /proc"]
            if "--user" in self.unshare:
                active.append("user namespace")
        else:
            active = ["own process group"]
        return active + list(self.notes)


@cache
def isolation() -> Isolation:
    """Probe once which ``unshare`` variant works here (about 25 ms each)."""
    if os.environ.get("PTTUTOR_NO_NAMESPACES"):
        return Isolation(notes=("namespaces turned off by PTTUTOR_NO_NAMESPACES",))
    exe = shutil.which("unshare")
    if sys.platform != "linux" or exe is None:
        return Isolation(notes=("no namespaces on this system: network stays reachable and "
                                "children that call setsid() may outlive grading",))
    for _, flags in _UNSHARE_VARIANTS:
        try:
            done = subprocess.run([exe, *flags, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return Isolation(unshare=(exe, *flags))
    return Isolation(notes=("namespaces are not permitted here: network stays reachable and "
                            "children that call setsid() may outlive grading",))


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
                room = self.cap - len(self.data)
                self.data += chunk[:max(room, 0)]
                self.dropped += max(len(chunk) - max(room, 0), 0)
        finally:
            os.close(fd)

    def text(self) -> str:
        out = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output not kept]"
        return out


@dataclass
class Limits:
    memory_mb: int | None = DEFAULT_MEMORY_MB
    output_cap: int = DEFAULT_OUTPUT_CAP


class WorkerProcess:
    """One running worker: its process, its two protocol pipes and its output buffer."""

    def __init__(self, cwd: Path, limits: Limits, device: str) -> None:
        self.isolation = isolation()
        req_r, self.req_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        env = dict(os.environ)
        for name in list(env):
            if name.startswith(("PYTEST_", "PTTUTOR_")) and name != "PTTUTOR_NO_NAMESPACES":
                del env[name]
        env.update({
            "MPLBACKEND": "Agg",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PTTUTOR_WORKER_FDS": f"{req_r},{rep_w}",
            "PTTUTOR_WORKER_MEMORY_MB": str(limits.memory_mb or 0),
            "PTTUTOR_WORKER_FSIZE": str(FILE_SIZE_LIMIT),
            "PTTUTOR_WORKER_DEVICE": device,
        })
        cmd = [*self.isolation.unshare, sys.executable, "-m", "pttutor.grader.worker"]
        try:
            self.proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                pass_fds=(req_r, rep_w), start_new_session=True, close_fds=True,
            )
        finally:
            for fd in (req_r, rep_w, out_w):
                os.close(fd)
        self.output = OutputBuffer(limits.output_cap)
        self._drainer = threading.Thread(target=self.output.drain, args=(out_r,), daemon=True)
        self._drainer.start()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exit_description(self) -> str:
        code = self.proc.poll()
        if code is None:
            return "is still running"
        if code < 0 or code > 128:
            signum = -code if code < 0 else code - 128
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"signal {signum}"
            hints = {"SIGSEGV": " (a segmentation fault)", "SIGKILL": " (killed, often for using too much memory)"}
            return f"was killed by {name}{hints.get(name, '')}"
        return f"exited with status {code}"

    def kill(self) -> None:
        """Kill the worker's whole process group (and with it its PID namespace), then reap it."""
        for fd_name in ("req_w", "rep_r"):
            fd = getattr(self, fd_name, None)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, fd_name, None)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._drainer.join(timeout=2)
