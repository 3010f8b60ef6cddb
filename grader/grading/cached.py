"""The reference asked once: answers that do not depend on the student, reused within a grader process.

With fixed seeds a check asks the reference the same questions for every student, except
where it passes something derived from the student's answer. A grader process that grades
many students (``pttutor-grade batch``) keeps the reference's answers to such questions in an
:class:`AnswerCache` and gives them back instead of computing them again.

A question is a call of one of the reference module's own functions. It is answered from the
cache only when the cached answer is exactly what the live call would return in this grading:

- its key holds everything the call depends on: the exercise and the reference file's
  content, the check, the function, the arguments as data (values, dtypes, shapes, strides),
  the module's own globals, the state of Python's, NumPy's and torch's random generators,
  and torch's grad mode, default dtype and determinism flag;
- a hit restores the random generators to the state the live call left them in, and hands
  out a fresh deep copy of the answer;
- a call is never cached when an argument is not plain data (a model, an optimizer, a
  generator, a tensor that requires grad, a path that exists), when the call changed its
  arguments, the module's globals or torch's settings, when the answer is not plain data or
  shares memory with an argument or a global, when it raised, or when CUDA is initialised;
- anything else, and every miss, runs the live reference.

The cache is per process and in memory: answers computed on another machine could differ in
their last bits, so they are never shared between processes.
"""

from __future__ import annotations

import collections
import copy
import hashlib
import os
import struct
import sys
import time
import types
from dataclasses import dataclass, field
from typing import Any

from pttutor.grader.grading import generators

MAX_DEPTH = 32


class NotPlain(Exception):
    """A value the cache cannot key or keep exactly."""


@dataclass
class Stats:
    replayed: int = 0  # calls answered from the cache
    computed: int = 0  # calls computed live and kept for later
    live: int = 0  # calls that cannot be cached, computed live
    seconds_saved: float = 0.0  # the live time of the calls replayed
    seconds_live: float = 0.0  # the time of the calls computed (kept or not)

    def as_dict(self) -> dict:
        return {"replayed": self.replayed, "computed": self.computed, "live": self.live,
                "seconds_saved": round(self.seconds_saved, 4), "seconds_live": round(self.seconds_live, 4)}


@dataclass
class _Answer:
    value: Any
    rng_after: tuple
    seconds: float
    nbytes: int = 0


@dataclass
class AnswerCache:
    """The reference's answers kept by one grader process; the least recently used go first
    when they would take more than ``max_bytes`` (answers derived from students' answers are
    asked once and never again)."""

    answers: collections.OrderedDict[str, _Answer] = field(default_factory=collections.OrderedDict)
    refused: set[str] = field(default_factory=set)  # questions found uncacheable once
    stats: Stats = field(default_factory=Stats)
    max_bytes: int = 256 * 1024 * 1024
    size: int = 0

    def get(self, key: str) -> _Answer | None:
        answer = self.answers.get(key)
        if answer is not None:
            self.answers.move_to_end(key)
        return answer

    def keep(self, key: str, answer: _Answer) -> None:
        self.answers[key] = answer
        self.size += answer.nbytes
        while self.size > self.max_bytes and self.answers:
            self.size -= self.answers.popitem(last=False)[1].nbytes
        if len(self.refused) > 100_000:
            self.refused.clear()


# ----------------------------------------------------------------------------- keys


def _feed(h: Any, value: Any, depth: int = 0, seen: set[int] | None = None) -> None:
    """Feed ``value``, with its exact types, into the hash ``h``; raise NotPlain for anything else."""
    if depth > MAX_DEPTH:
        raise NotPlain("nested too deep")
    kind = type(value)
    if value is None or kind is bool:
        h.update(f"{kind.__name__}:{value!r};".encode())
    elif kind is int:
        h.update(f"int:{value};".encode())
    elif kind is float:
        h.update(b"float:" + struct.pack("<d", value) + b";")
    elif kind is complex:
        h.update(b"complex:" + struct.pack("<dd", value.real, value.imag) + b";")
    elif kind is str:
        h.update(f"str:{len(value)}:".encode() + value.encode("utf-8", "surrogatepass"))
    elif kind is bytes:
        h.update(f"bytes:{len(value)}:".encode() + value)
    elif kind in (list, tuple, dict, collections.OrderedDict):
        seen = set() if seen is None else seen
        if id(value) in seen:
            raise NotPlain("a container that holds itself")
        seen.add(id(value))
        h.update(f"{kind.__name__}:{len(value)}[".encode())
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        for k, v in items:
            if isinstance(value, dict):
                _feed(h, k, depth + 1, seen)
            _feed(h, v, depth + 1, seen)
        h.update(b"]")
        seen.discard(id(value))
    else:
        _feed_other(h, value)


def _feed_other(h: Any, value: Any) -> None:
    torch = sys.modules.get("torch")
    np = sys.modules.get("numpy")
    if torch is not None:
        if type(value) is torch.Tensor:
            if value.layout != torch.strided or value.device.type != "cpu" or value.requires_grad \
                    or value.is_conj() or value.is_neg() or value.dtype in (torch.bfloat16,):
                raise NotPlain("a tensor that is not plain CPU data")
            try:
                data = value.contiguous().numpy() if value.numel() else None
            except (TypeError, RuntimeError):
                raise NotPlain(f"a tensor of dtype {value.dtype}") from None
            h.update(f"tensor:{value.dtype}:{tuple(value.shape)}:{value.stride()}:".encode())
            if data is not None:
                h.update(data.tobytes())
            h.update(b";")
            return
        if type(value) in (torch.dtype, torch.device):
            h.update(f"{type(value).__name__}:{value};".encode())
            return
    if np is not None:
        if type(value) is np.ndarray and not value.dtype.hasobject:
            h.update(f"ndarray:{value.dtype.str}:{value.shape}:{value.strides}:{value.flags.writeable}:".encode())
            h.update(np.ascontiguousarray(value).tobytes() + b";")
            return
        if isinstance(value, np.generic) and not value.dtype.hasobject:
            h.update(f"npscalar:{value.dtype.str}:".encode() + value.tobytes() + b";")
            return
    raise NotPlain(f"an object of type {type(value).__qualname__}")


def _memory(value: Any, out: list[tuple[int, int]], depth: int = 0) -> list[tuple[int, int]]:
    """The address ranges of the tensors and arrays in ``value`` (plain data already)."""
    torch = sys.modules.get("torch")
    np = sys.modules.get("numpy")
    if depth > MAX_DEPTH:
        return out
    if isinstance(value, dict):
        for v in value.values():
            _memory(v, out, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _memory(v, out, depth + 1)
    elif torch is not None and isinstance(value, torch.Tensor) and value.layout == torch.strided:
        storage = value.untyped_storage()
        out.append((storage.data_ptr(), storage.data_ptr() + storage.nbytes()))
    elif np is not None and isinstance(value, np.ndarray) and value.size:
        out.append(_byte_bounds(np)(value))
    return out


def _nbytes(value: Any) -> int:
    """About how much memory a kept answer takes."""
    return sum(high - low for low, high in _memory(value, [])) + len(repr(value)) // 4


def _byte_bounds(np: Any) -> Any:
    try:
        return np.lib.array_utils.byte_bounds  # NumPy 2
    except AttributeError:
        return np.byte_bounds


def _overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(lo1 < hi2 and lo2 < hi1 for lo1, hi1 in a for lo2, hi2 in b if hi1 > lo1 and hi2 > lo2)


def _globals_digest(module: types.ModuleType) -> str:
    """The state of the reference module's globals: data by value, models by state, the rest by identity."""
    torch = sys.modules.get("torch")
    h = hashlib.sha256()
    for name, value in sorted(vars(module).items()):
        if name.startswith("__"):
            continue
        h.update(f"{name}=".encode())
        try:
            _feed(h, value)
            continue
        except NotPlain:
            pass
        if torch is not None and isinstance(value, torch.nn.Module):
            h.update(f"module:{id(value)}:{value.training}:".encode())
            try:
                _feed(h, {k: v.detach() for k, v in value.state_dict().items()})
            except NotPlain:
                h.update(b"?")
        else:
            h.update(f"id:{id(value)};".encode())
    return h.hexdigest()


def _torch_flags() -> str:
    import torch

    return (f"grad={torch.is_grad_enabled()},inference={torch.is_inference_mode_enabled()},"
            f"dtype={torch.get_default_dtype()},deterministic={torch.are_deterministic_algorithms_enabled()},"
            f"threads={torch.get_num_threads()}")


def _touches_files(args: Any) -> bool:
    """Whether a string argument names a path that exists (the call may read or write files)."""
    if isinstance(args, str):
        return os.sep in args and (os.path.exists(args) or os.path.isdir(os.path.dirname(args) or "."))
    if isinstance(args, dict):
        return any(_touches_files(v) for v in args.values())
    if isinstance(args, (list, tuple)):
        return any(_touches_files(v) for v in args)
    return False


# ----------------------------------------------------------------------------- the proxies


class CachedModule:
    """The reference module as a check sees it: its own functions answer from the cache."""

    __slots__ = ("_module", "_cache", "_prefix")

    def __init__(self, module: types.ModuleType, cache: AnswerCache, prefix: str) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_cache", cache)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        module = object.__getattribute__(self, "_module")
        value = getattr(module, name)
        if type(value) is types.FunctionType and value.__module__ == module.__name__:
            return CachedFunction(value, self)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_module"), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(object.__getattribute__(self, "_module"), name)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_module"))

    def __repr__(self) -> str:
        return f"<cached {object.__getattribute__(self, '_module')!r}>"


class CachedFunction:
    """One of the reference's functions; a call with plain data is answered once per process."""

    def __init__(self, fn: types.FunctionType, owner: CachedModule) -> None:
        self.__wrapped__ = fn
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__doc__ = fn.__doc__
        self._owner = owner

    def __repr__(self) -> str:
        return f"<cached reference function {self.__qualname__}>"

    def _question(self, args: tuple, kwargs: dict) -> tuple[str, str] | None:
        """(the key of this call, the digest of its arguments), or None when it cannot be cached."""
        torch = sys.modules.get("torch")
        if torch is None or torch.cuda.is_initialized() or _touches_files((args, kwargs)):
            return None
        arguments = hashlib.sha256()
        try:
            _feed(arguments, [list(args), kwargs])
        except NotPlain:
            return None
        owner = self._owner
        module = object.__getattribute__(owner, "_module")
        key = hashlib.sha256()
        for part in (object.__getattribute__(owner, "_prefix"), self.__qualname__, arguments.hexdigest(),
                     _globals_digest(module), _torch_flags()):
            key.update(part.encode() + b"\0")
        _feed(key, generators.as_data(generators.state()))
        return key.hexdigest(), arguments.hexdigest()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fn = self.__wrapped__
        cache: AnswerCache = object.__getattribute__(self._owner, "_cache")
        question = self._question(args, kwargs)
        if question is None or question[0] in cache.refused:
            cache.stats.live += 1
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                cache.stats.seconds_live += time.perf_counter() - began
        key, argument_digest = question
        answer = cache.get(key)
        if answer is not None:
            generators.restore(answer.rng_after)
            cache.stats.replayed += 1
            cache.stats.seconds_saved += answer.seconds
            return copy.deepcopy(answer.value)
        module = object.__getattribute__(self._owner, "_module")
        globals_before, flags_before = _globals_digest(module), _torch_flags()
        began = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - began
            cache.stats.seconds_live += seconds
        kept = self._copy_to_keep(value, args, kwargs, argument_digest, module, globals_before, flags_before)
        if kept is _REFUSED:
            cache.refused.add(key)
            cache.stats.live += 1
        else:
            cache.keep(key, _Answer(kept, generators.state(), seconds, _nbytes(kept) + 10_000))
            cache.stats.computed += 1
        return value

    @staticmethod
    def _copy_to_keep(value: Any, args: tuple, kwargs: dict, argument_digest: str, module: types.ModuleType,
                      globals_before: str, flags_before: str) -> Any:
        """A copy of ``value`` identical to it in types, layout and bits, or _REFUSED."""
        if _globals_digest(module) != globals_before or _torch_flags() != flags_before:
            return _REFUSED  # the call changed the module's globals or torch's settings
        after, live, kept = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
        try:
            _feed(after, [list(args), kwargs])
            _feed(live, value)
            copied = copy.deepcopy(value)
            _feed(kept, copied)
        except (NotPlain, TypeError, RuntimeError):
            return _REFUSED
        if after.hexdigest() != argument_digest or live.digest() != kept.digest():
            return _REFUSED  # the call changed its arguments in place, or a copy would not be exact
        inputs = _memory([list(args), kwargs], [])
        _memory([v for k, v in vars(module).items() if not k.startswith("__")], inputs)
        if _overlaps(_memory(value, []), inputs):
            return _REFUSED  # the answer is a view of an argument or of a global
        return copied


_REFUSED = object()
