"""The kernel's handle on its grader process (:mod:`pttutor.grader.notebook.service`).

One grader process per kernel, started by the first check and kept: it has the engine and
torch imported and keeps its fork server, so later checks answer fast. If it has died (or
the student interrupted a check, which stops it) the next check starts a new one. Its
stderr goes to a temporary file whose end is shown if it fails.

Plain Python (no torch), imported in the kernel.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading

START_TIMEOUT = 300.0  # seconds for a fresh interpreter to import torch, on a busy machine


class GraderUnavailable(RuntimeError):
    """The grader process could not be started or stopped answering."""


class Grader:
    """One grader process, spoken to one request at a time."""

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pttutor.grader.notebook.service"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, env=env, start_new_session=True)
        self.ids = itertools.count(1)
        try:
            ready = self._read(START_TIMEOUT).get("ready") is True
        except BaseException:  # KeyboardInterrupt included
            self.close()
            raise
        if not ready:
            self.close()
            raise GraderUnavailable("the grader process did not start properly" + self._log_tail())

    def _log_tail(self) -> str:
        try:
            self.log.seek(0)
            tail = self.log.read().decode("utf-8", errors="replace").strip().splitlines()[-15:]
        except (OSError, ValueError):
            return ""
        return (":\n" + "\n".join(tail)) if tail else ""

    def _read(self, timeout: float | None = None) -> dict:
        timer = threading.Timer(timeout, self.proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            line = self.proc.stdout.readline()
        finally:
            if timer:
                timer.cancel()
        if not line:
            self.proc.wait()
            raise GraderUnavailable(f"the grader process ended (exit status {self.proc.returncode})"
                                    + self._log_tail())
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise GraderUnavailable("the grader process sent something that is not a reply")
        return reply

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, payload: dict) -> dict:
        """Send one request; the reply's report, or :class:`GraderUnavailable`/``ValueError``."""
        request_id = next(self.ids)
        try:
            self.proc.stdin.write((json.dumps({**payload, "id": request_id}) + "\n").encode())
            self.proc.stdin.flush()
            reply = self._read()
        except BrokenPipeError:
            self.proc.wait()
            raise GraderUnavailable(f"the grader process ended (exit status {self.proc.returncode})"
                                    + self._log_tail()) from None
        except BaseException:  # KeyboardInterrupt included: its reply would answer the next request
            self.close()
            raise
        if reply.get("id") != request_id:
            self.close()
            raise GraderUnavailable("the grader process answered another request")
        if "error" in reply:
            raise ValueError(str(reply["error"]))
        if not isinstance(reply.get("report"), dict):
            raise GraderUnavailable("the grader process sent no report")
        return reply["report"]

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


_grader: Grader | None = None
_lock = threading.Lock()


def grade(payload: dict) -> dict:
    """Grade through this kernel's grader process (started on first use, restarted if it died)."""
    global _grader
    with _lock:
        if _grader is None or not _grader.alive():
            if _grader is not None:
                _grader.close()
            _grader = None
            _grader = Grader()
        return _grader.request(payload)


@atexit.register
def _close() -> None:
    if _grader is not None:
        _grader.close()
