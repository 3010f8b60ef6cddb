"""The fork server: one process that has imported torch and forks a fresh, sandboxed worker
for every submission (about 15 ms, where a fresh ``import torch`` takes over a second).

The grader starts it with ``python -m pttutor.grader.sandbox.forkserver FD`` and talks to it
over a Unix socket: each request carries the worker's settings as JSON and its four pipe ends
as file descriptors (requests, replies, output, exit status). The fork server never runs
student code and never touches CUDA, so CUDA works in the workers it forks.

Each request forks a child that confines itself (:mod:`pttutor.grader.sandbox.confine`) and
forks again, so that the worker is PID 1 of its namespace: every process it starts dies with
it. The first child waits for the worker and writes its exit status to the status pipe, from
which the grader explains a crash.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import struct
import sys

from pttutor.grader.sandbox.confine import Sandbox, die_with_parent, scrub_initial_environment

FD_REQ, FD_REP, FD_OUT, FD_STATUS = 3, 4, 5, 6
MAX_REQUEST = 1 << 16


def _close_other_fds(keep_upto: int) -> None:
    os.closerange(keep_upto + 1, 65536)


def _wait_status(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            return status
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue


def run_child(config: dict, fds: list[int]) -> None:
    """In the first forked child: build the sandbox, fork the worker, report its exit status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    die_with_parent()
    os.setsid()
    # Out of the way first: a received descriptor may already carry one of the target numbers.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]
    for target, fd in zip((FD_REQ, FD_REP, FD_OUT, FD_STATUS), high):
        os.dup2(fd, target)
    _close_other_fds(FD_STATUS)
    os.dup2(FD_OUT, 1)
    os.dup2(FD_OUT, 2)
    # Python's own streams are whatever the forking process had (a fork of the grader may carry
    # a capturing object of its own): the worker's print() must reach its output pipe.
    sys.stdin = sys.__stdin__ = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                                       closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                                       closefd=False)
    sandbox = Sandbox(config)
    try:
        sandbox.enter()
    except OSError as exc:
        sandbox.failure = f"the sandbox could not be built: {exc}"
    pid = os.fork()
    if pid:
        # Tell the grader the worker's pid (so it can kill it), then, once it ends, how.
        for fd in (FD_REQ, FD_REP, FD_OUT):
            os.close(fd)
        os.write(FD_STATUS, struct.pack(">i", pid))
        status = _wait_status(pid)
        os.write(FD_STATUS, struct.pack(">i", status))
        os._exit(0)
    os.close(FD_STATUS)
    die_with_parent()
    from pttutor.grader.sandbox import workerloop

    workerloop.run(FD_REQ, FD_REP, config, sandbox)


class Spare:
    """A child forked ahead of time, waiting for the next request: a worker then costs one fork
    on its way to the student's first line instead of two."""

    def __init__(self, server: socket.socket) -> None:
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                self.sock.close()
                server.close()
                die_with_parent()
                msg, fds, _, _ = socket.recv_fds(theirs, MAX_REQUEST, 4)
                theirs.close()
                if msg and len(fds) == 4:
                    run_child(json.loads(msg), fds)
            finally:
                os._exit(70)
        theirs.close()

    def hand(self, msg: bytes, fds: list[int]) -> int:
        """Give the spare its request; returns its pid."""
        socket.send_fds(self.sock, [msg], fds)
        self.sock.close()
        return self.pid

    def discard(self) -> None:
        self.sock.close()  # it sees the end of its socket and exits


def serve(sock: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    spare = Spare(sock)
    sock.sendall(b"ready\n")
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 4)
        except (ConnectionError, OSError):
            return
        if not msg:
            return
        try:
            config = json.loads(msg)
            if len(fds) != 4:
                raise ValueError("four pipe ends expected")
        except ValueError:
            for fd in fds:
                os.close(fd)
            continue
        if config.get("sandbox") == "container" and not _everything_imported:
            warm_up_everything()  # the spare was forked before: replace it
            spare.discard()
            spare = Spare(sock)
        pid = spare.hand(msg, fds)
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        spare = Spare(sock)


def warm_up() -> None:
    """Import, once, what every worker needs, so that each fork starts warm."""
    os.makedirs(os.environ.get("MPLCONFIGDIR", "/tmp"), exist_ok=True)
    import numpy  # noqa: F401
    import torch  # noqa: F401

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # builds the font list once
    import mpl_toolkits.mplot3d  # noqa: F401

    plt.close(plt.figure())  # loads the backend

    from pttutor.grader.sandbox import loading, wire, workerloop  # noqa: F401


_everything_imported = False


def warm_up_everything() -> None:
    """Import what the course's code may import later, for workers that cannot read the runtime
    (in the container mode a worker's user id may not reach a Python installed in root's home)."""
    global _everything_imported
    if _everything_imported:
        return
    _everything_imported = True
    import importlib

    for name in ("pandas", "torchvision", "torch.utils.data", "torch.nn.utils.rnn", "torch.distributions",
                 "scipy", "sklearn", "PIL.Image", "csv", "gzip", "zipfile", "math", "json"):
        try:
            importlib.import_module(name)
        except Exception:  # not installed, or failing to import: the student's import will say so
            pass
    import torch

    parameter = torch.zeros(1, requires_grad=True)
    for make in (torch.optim.SGD, torch.optim.Adam):  # the first step imports a good part of torch
        optimizer = make([parameter], lr=0.1)
        parameter.sum().backward()
        optimizer.step()


def serve_forked(sock: socket.socket, env: dict[str, str]) -> None:
    """Become the fork server in a child forked from the grader: a session of its own, no file
    open but the socket, only the allow-listed environment; never returns."""
    try:
        os.setsid()
        for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        keep = sock.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 65536)
        os.environ.clear()
        os.environ.update(env)
        scrub_initial_environment()
        serve(sock)
    finally:
        os._exit(0)


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    warm_up()
    serve(sock)


if __name__ == "__main__":
    main()
