"""Recorded reference answers, for the student kit, which ships without the reference solution.

When the course is released (``pttutor-grade release``), every public check runs once against
the reference solution with ``ref`` wrapped in a :class:`Recorder`, which writes down each
value the check obtained from the reference (attribute reads, calls, indexing, iteration)
under a key made of what was asked, of whom, with which arguments, and how many times the
same question had been asked before. The kit carries these answers
(``exercises/<id>/public-answers.json``) instead of the solution; there ``ref`` is a
:class:`Replayer` that gives the recorded answers back. Public checks are deterministic
(fixed seeds, inputs chosen from the check's name), so they ask the same questions again.

Floats in keys are rounded to float32, so that a correct answer with a little numerical
noise, passed back to the reference by a check, still finds its recording. A question that
was never recorded raises :class:`ReplayMiss`, which fails the check with an explanation.

An answer whose computation drew random numbers (a model's constructor initialising its
weights) is recorded with the random generators' states it left behind, and replaying it sets
them again: what the check draws next (its test inputs) is what it drew at release time.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from pttutor.grader.grading import generators
from pttutor.grader.sandbox import wire


RAISABLE = {cls.__name__: cls for cls in (TypeError, ValueError, KeyError, IndexError, AttributeError,
                                         RuntimeError, NotImplementedError, ZeroDivisionError)}


class ReplayMiss(AssertionError):
    """The check asked the recorded reference something it was not asked at release time."""


def _round(value: Any) -> Any:
    import numpy as np
    import torch

    if type(value) is float:
        return float(np.float32(value))
    if type(value) is torch.Tensor and value.is_floating_point():
        return value.detach().cpu().to(torch.float32)
    if type(value) is np.ndarray and value.dtype.kind == "f":
        return value.astype(np.float32)
    if type(value) in (list, tuple):
        return type(value)(_round(v) for v in value)
    if type(value) is dict:
        return {k: _round(v) for k, v in value.items()}
    return value


def _describe_local(obj: Any) -> str:
    """A stable description of a local object passed to the reference (a model the check
    built, say): its type and, for a torch module, a digest of its state."""
    name = f"{type(obj).__module__}.{type(obj).__qualname__}"
    state = getattr(obj, "state_dict", None)
    if callable(state):
        try:
            return f"{name}:{hashlib.sha256(wire.pack(_round(dict(state())))).hexdigest()[:16]}"
        except (wire.CodecError, TypeError):
            pass
    return name


class _Proxy:
    """Shared key-making for recorder and replayer proxies."""

    __slots__ = ("_table", "_rid", "_counts", "_scope")

    def _key(self, op: str, payload: Any) -> str:
        def to_handle(obj: Any) -> tuple[int, str]:
            if isinstance(obj, _Proxy):
                return object.__getattribute__(obj, "_rid"), "reference"
            return -1, _describe_local(obj)

        rid = object.__getattribute__(self, "_rid")
        scope = object.__getattribute__(self, "_scope")
        frame = wire.pack([scope, op, rid, _round(payload)], to_handle)
        digest = hashlib.sha256(frame).hexdigest()
        counts = object.__getattribute__(self, "_counts")
        counts[digest] = counts.get(digest, 0) + 1
        return f"{digest}:{counts[digest]}"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("get", name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ask("call", [list(args), kwargs])

    def __getitem__(self, key: Any) -> Any:
        return self._ask("item", key)

    def __iter__(self):
        return iter(self._ask("iter", None))

    def __len__(self) -> int:
        return self._ask("len", None)


class Recorder(_Proxy):
    """Wraps the real reference module (or an object it returned) and records every answer."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any, table: dict, scope: str, rid: int = 0, counts: dict | None = None) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_scope", scope)
        object.__setattr__(self, "_rid", rid)
        object.__setattr__(self, "_counts", {} if counts is None else counts)

    def _ask(self, op: str, payload: Any) -> Any:
        key = self._key(op, payload)
        obj = object.__getattribute__(self, "_obj")
        table = object.__getattribute__(self, "_table")
        real = _unwrap(payload)
        before = generators.state()
        try:
            if op == "get":
                value = getattr(obj, real)
            elif op == "call":
                value = obj(*real[0], **real[1])
            elif op == "item":
                value = obj[real]
            elif op == "iter":
                value = list(obj)
            else:
                value = len(obj)
        except Exception as exc:  # e.g. len() of a generator, which list() asks first
            table[key] = {"raise": type(exc).__name__, "message": str(exc)[:500], **_drawn(before)}
            raise
        if op == "iter":  # element by element: a list of modules is not data, but each may be
            entries = [self._entry(item) for item in value]
            table[key] = {"items": [entry for entry, _ in entries], **_drawn(before)}
            return [wrapped for _, wrapped in entries]
        entry, wrapped = self._entry(value)
        table[key] = {**entry, **_drawn(before)}
        return wrapped

    def _entry(self, value: Any) -> tuple[dict, Any]:
        """What is recorded for ``value``, and what the check gets: the data, or a recorder of it."""
        table = object.__getattribute__(self, "_table")
        try:
            return {"data": _encode(value)}, value
        except wire.CodecError:
            rid = table["#refs"] = table.get("#refs", 0) + 1
            return {"ref": rid}, Recorder(value, table, object.__getattribute__(self, "_scope"), rid,
                                          object.__getattribute__(self, "_counts"))


def _encode(value: Any) -> str:
    return base64.b64encode(wire.pack(value)).decode()


def _decode(text: str) -> Any:
    raw = base64.b64decode(text)
    header_size = int.from_bytes(raw[:4], "big")
    header = raw[4:4 + header_size]
    _, sizes = wire.parse_header(header)
    buffers, offset = [], 4 + header_size
    for size in sizes:
        buffers.append(raw[offset:offset + size])
        offset += size
    return wire.unpack(header, buffers)


def _drawn(before: tuple) -> dict:
    """The generators' states after an answer, recorded when computing it drew random numbers."""
    after = generators.state()
    return {} if generators.same(before, after) else {"rng": _encode(generators.as_data(after))}


def _unwrap(value: Any) -> Any:
    if isinstance(value, Recorder):
        return object.__getattribute__(value, "_obj")
    if type(value) in (list, tuple):
        return type(value)(_unwrap(v) for v in value)
    if type(value) is dict:
        return {k: _unwrap(v) for k, v in value.items()}
    return value


class Replayer(_Proxy):
    """Gives back the answers recorded at release time."""

    __slots__ = ()

    def __init__(self, table: dict, scope: str, rid: int = 0, counts: dict | None = None) -> None:
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_scope", scope)
        object.__setattr__(self, "_rid", rid)
        object.__setattr__(self, "_counts", {} if counts is None else counts)

    def _ask(self, op: str, payload: Any) -> Any:
        entry = object.__getattribute__(self, "_table").get(self._key(op, payload))
        if entry is None:
            raise ReplayMiss("your answer differs from the reference's; the full explanation of this check "
                             "needs your instructor's grader (pttutor-grade check --hidden)")
        if "rng" in entry:  # computing the answer drew random numbers: leave the generators as it did
            generators.restore(generators.from_data(_decode(entry["rng"])))
        if "raise" in entry:
            raise RAISABLE.get(entry["raise"], RuntimeError)(entry["message"])
        if "items" in entry:
            return [self._value(item) for item in entry["items"]]
        return self._value(entry)

    def _value(self, entry: dict) -> Any:
        if "ref" in entry:
            return Replayer(object.__getattribute__(self, "_table"), object.__getattribute__(self, "_scope"),
                            entry["ref"], object.__getattribute__(self, "_counts"))
        return _decode(entry["data"])


def save(table: dict, path: Path) -> None:
    path.write_text(json.dumps(table, sort_keys=True), encoding="utf-8")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
