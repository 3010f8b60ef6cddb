"""Everything a check imports: calls into the student's code, comparisons with messages
written for the student, and the helpers checks of several exercises share.

    from pttutor.grader import check

    @pytest.mark.points(1)
    def test_forward(sub, ref):
        # the first line of the docstring is what the student reads as the check's name
        got = check.call("forward(3.0, 2.0, 1.0)", sub.forward, 3.0, 2.0, 1.0)
        check.close(got, ref.forward(3.0, 2.0, 1.0), "forward(3.0, w=2.0, b=1.0)")

Every comparison takes what the student's code returned (already rebuilt as plain data by
the wire format) and what the reference solution computed, and on failure raises
:class:`CheckFailed` whose text says what was expected, what came, and, where the check
knows the usual mistake that produces exactly this wrong answer, which mistake it is.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from pttutor.grader.sandbox.errors import SubmissionError, SubmissionTimeout, WorkerLost

__all__ = ["CheckFailed", "SubmissionError", "SubmissionTimeout", "WorkerLost", "as_array", "call",
           "close", "common", "describe", "full_precision", "needs", "number", "same_layout", "stand_ins", "that"]


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


def call(what: str, fn: Callable[..., Any], *args: Any, explain: Callable[[SubmissionError], str] | None = None,
         **kwargs: Any) -> Any:
    """Call into the student's code; an exception it raises fails the check naming ``what`` raised it.

    ``explain(exc)`` may add a sentence about the usual cause. Timeouts and a lost worker go
    through unchanged: the engine explains those.
    """
    try:
        return fn(*args, **kwargs)
    except (SubmissionTimeout, WorkerLost):
        raise
    except SubmissionError as exc:
        if not exc.kind:
            raise
        missing = exc.unfinished_part()
        if missing is not None and missing != re.match(r"[\w.]*", what).group().split(".")[0]:
            raise CheckFailed(f"{what} {needs(missing)}") from None
        extra = explain(exc) if explain is not None else ""
        raise CheckFailed(f"{what} raised {exc}" + (f"\n{extra}" if extra else "")) from None


def needs(part: str) -> str:
    """How a check says that it depends on a part the student has not done yet."""
    return f"needs `{part}`, which is not done yet (it raises NotImplementedError)"


def stand_ins(request: Any, worker: Any, sub: Any, **sources: str) -> None:
    """For one check, the student's parts named here (present or missing) replaced by the stub's,
    each built in the worker from a lambda's source, and put back when the check ends; so a check
    judges one part even where the others are wrong or not done yet."""
    py = worker.import_module("builtins")
    for name, source in sources.items():
        had = py.hasattr(sub, name)  # False: the student's file lacks it
        old = py.getattr(sub, name) if had else None
        py.setattr(sub, name, py.eval(source))
        request.addfinalizer(lambda n=name, o=old, h=had: py.setattr(sub, n, o) if h else py.delattr(sub, n))


def full_precision(worker: Any, device: str) -> dict[str, float]:
    """Tolerances for comparing the student's network with the reference; on a GPU, TF32
    convolutions are turned off in the worker first so that results compare with the CPU."""
    if device.startswith("cuda"):
        worker.import_module("torch.backends.cudnn").allow_tf32 = False
    return {"rtol": 1e-4, "atol": 1e-5} if device == "cpu" else {"rtol": 1e-3, "atol": 1e-4}


def same_layout(model: Any, state: Mapping[str, Any], what: str, advice: str = "") -> None:
    """The student's ``model.state_dict()`` has the keys and shapes of ``state`` (so weights can be loaded)."""
    import torch

    got = call(f"{what}.state_dict()", model.state_dict)
    that(type(got) is dict, f"{what}.state_dict() should be a dict; got {describe(got)}")
    want = {k: tuple(v.shape) for k, v in state.items()}
    have = {k: tuple(v.shape) if type(v) is torch.Tensor else None for k, v in got.items()}
    missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    that(not missing and not extra,
         f"{what} does not have the expected layers: missing {missing[:6]}, unexpected {extra[:6]}"
         + (f"; {advice}" if advice else ""))
    wrong = [f"{k} has shape {have[k]}, expected {want[k]}" for k in want if have[k] != want[k]]
    that(not wrong, f"{what}: " + "; ".join(wrong[:4]) + (f"; {advice}" if advice else ""))


def common(check_file: str, exercise_id: str | None = None) -> ModuleType:
    """The helpers shared by an exercise's checks: ``common.py`` in the exercise's public folder.

    Check files are loaded by path (their folders are named after exercise ids, which are not
    Python identifiers), so a check file writes ``helpers = check.common(__file__)``; helpers of
    another exercise of the same course are ``check.common(__file__, "ex10-deeper-cnn")``. The
    public half ships in the student kit, so ``common.py`` must give no hidden check away.
    """
    from pttutor.grader import course

    here = Path(check_file).resolve().parent
    path = here / "common.py"
    if exercise_id is not None:
        here = course.exercise_of(here).public_root / exercise_id
        path = here / "common.py"
    elif not path.is_file():
        path = course.exercise_of(here).public_dir / "common.py"
    name = f"pttutor_checks_{here.name.replace('-', '_')}_common"
    module = sys.modules.get(name)
    if module is None or getattr(module, "__file__", None) != str(path):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module
