"""Assertions for checks, with messages written for the student.

Every helper compares what the student's code returned (already rebuilt as plain data by
the codec) with what the reference solution computed, and on failure raises
:class:`CheckFailed` whose text says what was expected, what came, and, where the check
knows the usual mistake that produces exactly this wrong answer, which mistake it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """A check's verdict; ``str()`` is the message the student reads."""


def describe(value: Any) -> str:
    """A short, safe description of a value for messages."""
    import torch

    if type(value) is torch.Tensor:
        return f"a tensor of shape {tuple(value.shape)} ({str(value.dtype).removeprefix('torch.')})"
    if type(value) is np.ndarray:
        return f"an array of shape {value.shape} ({value.dtype})"
    if type(value) in (int, float, bool):
        return f"{type(value).__name__} {value!r}"
    if type(value) in (list, tuple):
        return f"a {type(value).__name__} of length {len(value)}"
    if type(value) is dict:
        return f"a dict with keys {sorted(map(str, value))[:8]}"
    if value is None:
        return "None (did you forget a return statement?)"
    return repr(value)[:200]


def as_array(value: Any, what: str) -> np.ndarray:
    """``value`` as a float64 array: accepts tensors, arrays, numbers and (nested) lists of them."""
    import torch

    def plain(v: Any) -> Any:
        if type(v) is torch.Tensor:
            return v.detach().cpu().double().numpy()
        if type(v) is np.ndarray and v.dtype.kind in "biuf":
            return v.astype(np.float64)
        if type(v) in (int, float, bool):
            return float(v)
        if type(v) in (list, tuple) and len(v) < 10_000_000:
            return [plain(x) for x in v]
        raise CheckFailed(f"{what} should be numbers, an array or a tensor; got {describe(v)}")

    try:
        return np.asarray(plain(value), dtype=np.float64)
    except ValueError:
        raise CheckFailed(f"{what} should be a regular array of numbers; got a ragged {describe(value)}") from None


def number(value: Any, what: str) -> float:
    """``value`` as one float: a Python number, or a tensor/array holding exactly one element."""
    arr = as_array(value, what)
    if arr.size != 1:
        raise CheckFailed(f"{what} should be a single number; got {describe(value)}")
    return float(arr.reshape(()))


def close(got: Any, expected: Any, what: str, *, rtol: float = 1e-5, atol: float = 1e-8,
          mistakes: Mapping[str, Any] | None = None, loose: bool = False) -> None:
    """``got`` equals ``expected`` (same shape, values within tolerance).

    ``mistakes`` maps a description of a known mistake to the value that mistake produces;
    when ``got`` matches one of them, the message names it. ``loose`` widens the tolerance
    for GPU arithmetic.
    """
    if loose:
        rtol, atol = max(rtol, 1e-3), max(atol, 1e-4)
    g = as_array(got, what)
    e = as_array(expected, "the expected value")
    for mistake, wrong in (mistakes or {}).items():
        w = np.asarray(wrong, dtype=np.float64)
        if g.shape == w.shape and np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True) \
                and not (g.shape == e.shape and np.allclose(g, e, rtol=rtol, atol=atol)):
            raise CheckFailed(f"{what} is wrong: {mistake}")
    if g.shape != e.shape:
        raise CheckFailed(f"{what} should have shape {e.shape}, but has shape {g.shape}")
    if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        bad = np.argwhere(~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True))
        index = tuple(int(i) for i in bad[0]) if bad.size and g.ndim else ()
        where = f" at index {index}" if index else ""
        raise CheckFailed(f"{what} is wrong{where}: expected {e[index]:.6g}, got {g[index]:.6g}"
                          + (f" ({len(bad)} of {g.size} values differ)" if g.size > 1 else ""))


def that(condition: bool, message: str) -> None:
    """A plain condition with a student-facing message."""
    if not condition:
        raise CheckFailed(message)
