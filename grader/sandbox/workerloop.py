"""The sandboxed worker: loads one submission and answers the grader's requests.

Forked by the fork server (:mod:`pttutor.grader.sandbox.forkserver`) inside its sandbox, or started as
``python -m pttutor.grader.sandbox.workerloop`` where there is no fork; never imported by the grader.
It applies its resource limits, says it is ready, then serves
requests one at a time: load the submission, get or set an attribute, call, iterate, index.
Results that are plain data are sent as data; everything else stays here and is sent as a
handle. Exceptions raised by student code (``SystemExit`` included) are sent back as errors
with the part of the traceback that lies in the submission.
"""

from __future__ import annotations

import builtins
import itertools
import os
import random
import sys
import traceback
import types

from pttutor.grader.sandbox import loading, wire
from pttutor.grader.sandbox.confine import Sandbox


class Worker:
    def __init__(self, req_fd: int, rep_fd: int, device: str) -> None:
        self.req_fd = req_fd
        self.rep_fd = rep_fd
        self.device = device
        self.objects: dict[int, object] = {}
        self._ids: dict[int, int] = {}  # id(obj) -> handle id, so one object has one handle
        self.counter = itertools.count(1)
        self.filename = "<submission>"
        self.lines: list[str] = []  # the source run, for the lines of tracebacks

    # ---------------------------------------------------------------- handles
    def to_handle(self, obj: object) -> tuple[int, str]:
        hid = self._ids.get(id(obj))
        if hid is None or self.objects.get(hid) is not obj:
            hid = next(self.counter)
            self.objects[hid] = obj
            self._ids[id(obj)] = hid
        cls = type(obj)
        return hid, f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', '?')}"

    def from_handle(self, hid: int, _type: str) -> object:
        try:
            return self.objects[hid]
        except KeyError:
            raise wire.CodecError(f"unknown handle {hid}") from None

    # ---------------------------------------------------------------- protocol
    def read(self) -> object:
        header, buffers = wire.read_frame(self.req_fd, os.read, wire.MAX_MESSAGE)
        return wire.unpack(header, buffers, self.from_handle, tensor_device=self.device)

    def send(self, payload: object) -> None:
        try:
            frame = wire.pack(payload, self.to_handle)
        except Exception as exc:  # an object that refuses to be described
            frame = wire.pack({"error": self.describe(exc)})
        view = memoryview(frame)
        while view:
            written = os.write(self.rep_fd, view)
            view = view[written:]

    def describe(self, exc: BaseException) -> dict:
        try:
            message = str(exc)
        except Exception:
            message = "<the exception's message could not be shown>"
        frames = []
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            code = frame.f_code
            if code.co_filename == self.filename:
                name = getattr(code, "co_qualname", code.co_name)  # Class.method from Python 3.11
                line = self.lines[lineno - 1].strip() if 0 < lineno <= len(self.lines) else ""
                frames.append(f"line {lineno}, in {name}: {line}")
        if isinstance(exc, SystemExit):
            kind = "SystemExit"
            message = f"your code called sys.exit({exc.code!r})"
        else:
            kind = type(exc).__name__
        return {"type": kind, "message": message[:4000], "traceback": frames[-12:]}

    def serve(self) -> None:
        while True:
            try:
                request = self.read()
            except EOFError:
                return
            try:
                op = request.get("op")
                handler = getattr(self, f"op_{op}", None)
                if handler is None:
                    raise wire.CodecError(f"unknown operation {op!r}")
                result = handler(**{k: v for k, v in request.items() if k != "op"})
            except BaseException as exc:  # student code may raise anything, SystemExit included
                self.send({"error": self.describe(exc)})
            else:
                self.send({"ok": result})

    # ---------------------------------------------------------------- operations
    def op_load(self, source_text: str, filename: str, module: str, level: str, units: list | None = None) -> object:
        """Run the submission's ``units`` (notebook cells; the whole file when None) in order.

        Parts that do not compile are left out (:mod:`loading`). A statement that fails is
        reported and, at the ``full`` level, the rest of its unit runs for its definitions
        only; the next unit runs in full. Only a file of which nothing compiles fails to load.
        The reply lists what failed and the names of the functions and classes defined.
        """
        self.filename = filename
        self.lines = [line.rstrip("\r\n") for line in loading.split_lines(source_text)]
        mod = types.ModuleType(module)
        mod.__file__ = filename
        sys.modules[module] = mod
        ranges = [(int(first), int(last)) for first, last in units] if units is not None else None
        planned = loading.plan(source_text, filename, level, ranges)
        if planned.empty and planned.first_error is not None:
            raise planned.first_error
        problems = list(planned.broken)
        for unit in planned.units:
            self._run_unit(unit, mod.__dict__, level, problems)
        names = [name for name, value in list(mod.__dict__.items()) if type(name) is str and callable(value)][:5000]
        return {"module": mod, "problems": problems[:200], "names": names}

    def _run_unit(self, unit: loading.Unit, namespace: dict, level: str, problems: list) -> None:
        """Run one unit into ``namespace``; after a failure only its definitions follow."""
        statements = unit.statements
        if unit.code is not None:
            try:
                exec(unit.code, namespace)
                return
            except BaseException as exc:  # SystemExit included: the next unit still runs
                line, names, statements = loading.after_failure(unit, exc, self.filename)
                problems.append(loading.problem("failed", line, exc, names))
        failed = unit.code is not None
        for statement in statements:
            if failed and not statement.fallback:
                continue
            try:
                exec(statement.code, namespace)
            except BaseException as exc:
                kind = "failed" if level == "full" and not failed else "skipped"
                problems.append(loading.problem(kind, statement.line, exc, statement.names))
                failed = failed or level == "full"

    def op_getattr(self, target: object, name: str) -> object:
        return getattr(target, name)

    def op_setattr(self, target: object, name: str, value: object) -> None:
        setattr(target, name, value)

    def op_call(self, target: object, args: list, kwargs: dict) -> object:
        return target(*args, **kwargs)

    def op_getitem(self, target: object, key: object) -> object:
        return target[key]

    def op_iter(self, target: object, limit: int) -> list:
        return list(itertools.islice(iter(target), limit))

    def op_len(self, target: object) -> int:
        return len(target)

    def op_import(self, name: str) -> object:
        import importlib

        return importlib.import_module(name)

    def op_seed(self, seed: int) -> None:
        import numpy
        import torch

        random.seed(seed)
        numpy.random.seed(seed % 2**32)
        torch.manual_seed(seed)


def run(req_fd: int, rep_fd: int, config: dict, sandbox: Sandbox | None = None) -> None:
    """Confine this process, then serve requests on the two pipes until the grader closes them
    (never returns). ``sandbox`` has already entered its namespaces (in the fork server's child)."""
    import numpy  # noqa: F401  (already loaded in a forked worker)
    import torch

    sandbox = sandbox or Sandbox(config)
    problem = sandbox.failure
    try:
        if problem is None:
            sandbox.build_root()
    except OSError as exc:
        problem = f"the sandbox could not be built: {exc}"
    try:
        os.chdir(config["cwd"])
    except OSError as exc:
        problem = problem or f"the worker could not enter {config.get('cwd')}: {exc}"
    device = config.get("device", "cpu")
    memory_mb = int(config.get("memory_mb") or 0)
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            problem = problem or "CUDA was requested but this machine has no usable CUDA device"
        else:
            torch.set_default_device(device)
            memory_mb = 0  # address-space and data limits would count the CUDA driver's mappings
    try:
        if os.name == "posix":
            sandbox.limit(memory_mb)
        sandbox.drop_privileges()
        sandbox.environment()
    except OSError as exc:
        problem = problem or f"the sandbox could not be built: {exc}"
    import tempfile

    tempfile.tempdir = None
    protections = [*sandbox.active, f"memory limit {memory_mb} MiB" if memory_mb else "no memory limit"]
    sys.argv = ["submission"]
    builtins.display = lambda *objs, **_: print(*objs)  # notebooks call display()
    worker = Worker(req_fd, rep_fd, device)
    worker.send({"ready": {"device": device, "torch": torch.__version__, "pid": os.getpid(), "mode": sandbox.mode,
                           "protections": protections, "missing": list(sandbox.missing), "problem": problem}})
    if problem is None:  # never run student code in a sandbox that is not what was asked for
        worker.serve()
    os._exit(0)


def main() -> None:
    """Started as ``python -m pttutor.grader.sandbox.workerloop`` where a fork server is not available."""
    import json

    req_fd, rep_fd = (int(fd) for fd in os.environ.pop("PTTUTOR_WORKER_FDS").split(","))
    config = json.loads(os.environ.pop("PTTUTOR_WORKER_CONFIG"))
    sandbox = Sandbox(config)
    sandbox.missing.append("no fork server on this system: the worker is a plain process")
    run(req_fd, rep_fd, config, sandbox)


if __name__ == "__main__":
    main()
