"""The grader's side of one submission: a session that starts, talks to and restarts its
worker.

Every request carries a deadline. When the worker misses it, dies, or sends something that
is not a well-formed message, the session kills the worker with everything it started and
raises a :class:`SubmissionError` subclass that says what happened in the student's terms;
the next request starts a fresh worker and loads the submission the same way as before.
"""

from __future__ import annotations

import itertools
import os
import select
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pttutor.grader.sandbox import host as hosts
from pttutor.grader.sandbox import view, wire
from pttutor.grader.sandbox.errors import SubmissionError, SubmissionTimeout, WorkerLost
from pttutor.grader.sandbox.loading import LEVELS, split_lines
from pttutor.grader.sandbox.loadnotes import Places, problems_of
from pttutor.grader.sandbox.parts import Parts, StudentModule, summary
from pttutor.grader.sandbox.process import START_TIMEOUT, Limits, WorkerProcess
from pttutor.grader.sandbox.cgroups import CGROUP_PREFIX, cgroups
from pttutor.grader.sandbox.host import Slot
from pttutor.grader.sandbox.proxy import Remote

_GROUP_NUMBERS = itertools.count(1)  # control groups of this process, numbered once each


@dataclass
class Session:
    """One submission loaded in a worker, restarted on demand."""

    source: str  # the code the worker runs
    filename: str  # the student's file, as named in tracebacks
    module_name: str
    folder: Path | None  # the student's own folder: read-only to the worker, its working folder
    device: str = "cpu"
    limits: Limits = field(default_factory=Limits)
    load_timeout: float = 15.0
    hide: tuple[Path, ...] = ()  # folders the worker must not see (the course's private half, results)
    sandbox: str = "full"  # the isolation mode to build: full, container or process (see host.py)
    units: tuple[tuple[int, int, str], ...] = ()  # (first line, last line, "cell N"): run one by one; () = whole file
    parts: Parts = field(default_factory=dict)  # what the stub defines (see parts.py)
    notes: list[str] = field(default_factory=list)  # what the report says about the file, in order

    def __post_init__(self) -> None:
        self.proc: WorkerProcess | None = None
        self.generation = 0
        self.level: str | None = None  # "full" when all top-level code ran to the end, else the fallback needed
        self.load_level: str | None = None  # the level the file was loaded at (and is again after a restart)
        self.lost: dict[str, str] = {}  # parts of the file left out, and why
        self.outputs: list[str] = []
        self.resolved_device: str | None = None
        self.startup_problem: str | None = None  # the worker cannot run here at all (e.g. no CUDA)
        self.protections: list[str] = []
        self.mode: str | None = None  # the isolation mode the worker reported it built
        self.missing_protections: list[str] = []
        self.deadline: float | None = None
        self.timeout_for: float | None = None
        self.module: Remote | None = None
        self.student_time = 0.0  # seconds spent waiting for the student's code in checks
        self.host = hosts.host(self.sandbox)
        self.slot: Slot | None = None
        self.cwd: Path | None = None
        self._workers = 0

    def _prepare_slot(self) -> Slot:
        """The grading's own folder, made at the first worker and kept until :meth:`close`."""
        if self.slot is None:
            self.slot = self.host.new_slot(self.limits.folder_mb)
            self.cwd = self.slot.home
            if self.folder is not None and self.sandbox == "full":
                self.cwd = self.folder  # bound read-only into the worker's root
            elif self.folder is not None and self.sandbox == "container":
                copy = self.slot.path / "files"
                try:
                    copied = view.copy_folder(self.folder, copy, self.slot.uid)
                except OSError:
                    copied = False
                if copied:
                    self.cwd = copy  # the worker's own copy: other users' folders stay unreadable
                else:
                    self.notes.append("Your file's folder was too large to copy for grading (over 500 files "
                                      "or 50 MiB): your code ran in an empty folder.")
            elif self.folder is not None:
                self.cwd = self.folder
        return self.slot

    def new_folder(self, prefix: str = "check-") -> Path:
        """A fresh folder inside the grading's own folder, which the student's code may read and write."""
        slot = self._prepare_slot()
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=slot.folder("checks")))
        if slot.uid is not None:
            os.chown(path, slot.uid, slot.uid)
        return path

    def _new_worker(self) -> WorkerProcess:
        slot = self._prepare_slot()
        self._workers += 1
        limits = self.limits
        memory_mb = limits.memory_mb or 0
        tmp = "/tmp" if self.sandbox == "full" else str(slot.folder("tmp"))
        config = {
            "sandbox": self.sandbox, "device": self.device, "memory_mb": memory_mb, "fsize": limits.file_size,
            "nproc": limits.processes, "tmp_mb": limits.tmp_mb, "shm_mb": limits.shm_mb,
            "uid": slot.uid, "slot": str(slot.path), "home": str(slot.home), "cwd": str(self.cwd),
            "root_mount_point": str(self.host.root_mount_point),
            "expose": str(self.folder) if self.folder is not None and self.cwd == self.folder else None,
            "env": view.environment(str(slot.home), tmp),
        }
        if self.sandbox == "full":
            runtime = view.runtime_paths(tuple(os.environ.get("PYTHONPATH", "").split(os.pathsep)))
            config.update(system=view.system_paths(), runtime=runtime,
                          hide=view.hidden_inside(runtime + ([config["expose"]] if config["expose"] else []),
                                                  [str(p) for p in self.hide]),
                          gpu_devices=view.gpu_devices() if self.device != "cpu" else [])
        if self.sandbox != "process":
            name = f"{CGROUP_PREFIX}{os.getpid()}-{next(_GROUP_NUMBERS)}"  # never reused by this process
            config["cgroups"] = cgroups.create(name, memory_mb if self.device == "cpu" else 0, limits.processes)
        return WorkerProcess(config, limits.output_cap)

    def close(self) -> None:
        """Stop the worker and remove everything of this grading: processes, files, control groups."""
        self.stop()
        if self.slot is not None:
            self.host.release(self.slot)
            self.slot = None

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        """Start a worker and load the submission (falling back to its definitions if needed)."""
        if self.load_level is None:
            self._first_load()
        else:
            self._spawn()
            self.module = StudentModule.wrap(self._load(self.load_level)["module"], self.parts, self.lost)

    def _spawn(self) -> None:
        self.stop()
        self.generation += 1
        self.proc = self._new_worker()
        ready = self._exchange(None, time.monotonic() + START_TIMEOUT, "starting")
        info = ready.get("ready") if type(ready) is dict else None
        if type(info) is not dict:
            raise WorkerLost("", "the worker process did not start properly")
        if info.get("problem"):
            self.startup_problem = str(info["problem"])
            raise WorkerLost("", self.startup_problem)
        self.resolved_device = str(info.get("device"))
        self.protections = [str(p) for p in info.get("protections") or []]
        self.missing_protections = [str(p) for p in info.get("missing") or []]
        self.mode = str(info["mode"]) if info.get("mode") else None

    def _load(self, level: str) -> dict:
        units = [[first, last] for first, last, _ in self.units] if self.units else None
        result = self.request("load", _timeout=self.load_timeout, source_text=self.source,
                              filename=self.filename, module=self.module_name, level=level, units=units)
        if type(result) is not dict or not isinstance(result.get("module"), Remote):
            self.stop()
            raise WorkerLost("", "the worker sent a malformed reply")
        return result

    def _first_load(self) -> None:
        problems = []
        for level in LEVELS:
            if self.proc is None or not self.proc.alive():
                self._spawn()
            try:
                result = self._load(level)
            except SubmissionError as exc:
                problems.append(exc)
                if isinstance(exc, (SubmissionTimeout, WorkerLost)):
                    self.stop()
                continue
            places = Places(self.units, len(split_lines(self.source)))
            found = problems_of(result.get("problems"))
            self.load_level = level
            self.level = "definitions" if level == "full" and any(p["kind"] == "failed" for p in found) else level
            self.lost = places.lost(found)
            self.module = StudentModule.wrap(result["module"], self.parts, self.lost)
            names = result.get("names")
            note = summary(self.parts, {n for n in names if type(n) is str} if type(names) is list else set(self.parts),
                           self.lost)
            if note:
                self.notes.insert(0, note)
            if level != "full":
                first = problems[0]
                why = (f"it did not finish within {self.load_timeout:g} s" if isinstance(first, SubmissionTimeout)
                       else f"it failed with {first}")
                self.notes.append(f"Your file's top-level code was not run to the end ({why}); "
                                  f"graded its definitions only.")
                if level == "signatures":
                    self.notes.append("Only imports, functions, classes and constant assignments were kept.")
            self.notes += places.notes(found)
            return
        raise problems[-1]

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # first: it waits for the output still in the pipe
            self.outputs.append(self.proc.output.text())
            self.proc = None
            self.module = None

    # ------------------------------------------------------------------ requests
    def begin_check(self, timeout: float, budget_left: float) -> None:
        self.timeout_for = min(timeout, max(budget_left, 0.0))
        self.deadline = time.monotonic() + self.timeout_for

    def end_check(self) -> None:
        self.deadline = None

    def ensure_started(self) -> Remote:
        if self.proc is None or not self.proc.alive() or self.module is None:
            began = time.monotonic()
            self.start()
            if self.deadline is not None:
                self.deadline += time.monotonic() - began
        assert self.module is not None
        return self.module

    def request(self, op: str, _timeout: float | None = None, **kwargs: Any) -> Any:
        if self.proc is None or not self.proc.alive():
            raise WorkerLost("", "the process running your code has stopped; it is restarted for the next check")
        deadline = time.monotonic() + _timeout if _timeout is not None else self.deadline
        began = time.monotonic()
        try:
            reply = self._exchange({"op": op, **kwargs}, deadline, op)
        finally:
            if _timeout is None:
                self.student_time += time.monotonic() - began
        if type(reply) is not dict or len(reply) != 1:
            self.stop()
            raise WorkerLost("", "the worker sent a malformed reply")
        if "ok" in reply:
            return reply["ok"]
        err = reply.get("error")
        if type(err) is not dict:
            self.stop()
            raise WorkerLost("", "the worker sent a malformed reply")
        trace = err.get("traceback")
        raise SubmissionError(str(err.get("type", "Error"))[:100], str(err.get("message", ""))[:4000],
                              [str(line)[:300] for line in trace][:12] if type(trace) is list else [])

    def _exchange(self, payload: Any, deadline: float | None, what: str) -> Any:
        proc = self.proc
        assert proc is not None
        try:
            if payload is not None:
                frame = wire.pack(payload, self._to_handle)
                self._write(proc, frame, deadline)
            header, buffers = wire.read_frame(proc.rep_r, lambda fd, n: self._read(fd, n, deadline), wire.MAX_MESSAGE)
            return wire.unpack(header, buffers, self._from_handle)
        except SubmissionTimeout:
            self.stop()
            raise
        except (EOFError, BrokenPipeError, OSError):
            proc.wait(5)
            described = proc.exit_description()
            self.stop()
            raise WorkerLost("", f"the process running your code {described} while {_verb(what)}") from None
        except wire.CodecError as exc:
            self.stop()
            raise WorkerLost("", f"the worker sent data the grader cannot accept ({exc})") from None
        except BaseException:
            # e.g. pytest-timeout's alarm in the middle of a read: the worker's state is unknown.
            self.stop()
            raise

    def _write(self, proc: WorkerProcess, frame: bytes, deadline: float | None) -> None:
        view = memoryview(frame)
        while view:
            self._wait(proc.req_w, deadline, write=True)
            view = view[os.write(proc.req_w, view[: 1 << 16]):]

    def _read(self, fd: int, n: int, deadline: float | None) -> bytes:
        self._wait(fd, deadline, write=False)
        return os.read(fd, n)

    def _wait(self, fd: int, deadline: float | None, write: bool) -> None:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise self._timeout()
        ready = select.select([], [fd], [], remaining) if write else select.select([fd], [], [], remaining)
        if not any(ready):
            raise self._timeout()

    def _timeout(self) -> SubmissionTimeout:
        limit = f" ({self.timeout_for:g} s)" if self.deadline is not None and self.timeout_for else ""
        return SubmissionTimeout("", f"your code did not finish within its time limit{limit}")

    def _to_handle(self, obj: Any) -> tuple[int, str]:
        if isinstance(obj, Remote) and obj._session is self:
            if obj._generation != self.generation:
                raise WorkerLost("", "this object belonged to a run of your code that was restarted")
            return obj._hid, obj._type
        raise wire.CodecError(f"cannot send a {type(obj).__name__} to the worker")

    def _from_handle(self, hid: int, type_name: str) -> Remote:
        return Remote(self, hid, type_name, self.generation)

    # ------------------------------------------------------------------ helpers for checks
    def import_module(self, name: str) -> Remote:
        """A proxy for a module imported inside the worker (e.g. ``torch.nn``)."""
        return self.request("import", name=name)

    def seed(self, seed: int) -> None:
        self.request("seed", seed=seed)

    def output(self) -> str:
        live = [self.proc.output.text()] if self.proc is not None else []
        return "".join(self.outputs + live)


def _verb(op: str) -> str:
    return {"starting": "starting up", "load": "loading your file", "call": "running your code"}.get(
        op, "answering the grader")
