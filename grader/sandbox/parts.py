"""The parts a student's file is expected to define (the stub's functions, classes and data),
and what a check is told when one of them is missing or is not what the stub defines.

The session hands checks the student's module as a :class:`StudentModule`: looking up a part
the file lacks fails with "your file has no function `forward` (the stub defines
forward(x, w, b))" instead of a bare AttributeError, a part that is data where the stub has a
function fails with "`forward` in your file is a numpy.ndarray, not a function", a call
with the stub's arguments that the student's version does not take says what the stub
defines, and a part that fails with a NameError for another missing part names that part.
:func:`summary` is the one note for a file that defines few of the stub's parts.

Plain Python on the grader's side: nothing here believes what the worker says about types
(data is judged by the type the wire format rebuilt in this process).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from pttutor.grader.sandbox.errors import SubmissionError, SubmissionTimeout, WorkerLost
from pttutor.grader.sandbox.proxy import Remote

Parts = dict[str, tuple[str, str]]  # name -> (kind: "function", "class" or "data", how the stub writes it)


def parts_of(source: str) -> Parts:
    """The top-level functions, classes and named data a stub (or any file) defines."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    found: Parts = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = ("function", f"{node.name}({ast.unparse(node.args)})")
        elif isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            found[node.name] = ("class", f"class {node.name}" + (f"({bases})" if bases else ""))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, ("data", target.id))
    return found


def _what(value: Any) -> str:
    if value is None:
        return "None"
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    return f"a {name}"


def missing(name: str, part: tuple[str, str], why: str | None = None) -> str:
    kind, written = part
    where = f" (the stub defines {written})" if kind != "data" else " (the stub defines it)"
    noun = "variable" if kind == "data" else kind
    return f"your file has no {noun} `{name}`" + (f": {why}" if why else "") + where


def summary(parts: Parts, names: set[str], lost: dict[str, str]) -> str | None:
    """One note for a file that lacks some of the stub's functions and classes (None if it has
    them all); ``names`` are the functions and classes the file defines.

    Parts left out for a syntax error (``lost``) are not counted: their own note says why.
    """
    wanted = [n for n, (kind, _) in parts.items() if kind != "data"]
    absent = [n for n in wanted if n not in names and n not in lost]
    if not absent:
        return None
    have = [n for n in wanted if n in names]
    kinds = " and ".join(sorted({parts[n][0] + ("es" if parts[n][0] == "class" else "s") for n in wanted},
                                reverse=True))
    if len(have) * 2 <= len(wanted):
        head = (f"Your file defines none of {', '.join(absent)}" if not have else
                f"Your file defines only {', '.join(have)} of the stub's {', '.join(wanted)}")
        return (f"{head}: start from the stub (`pttutor-grade init` writes it) and move your code into its "
                f"{kinds}; checks that use a missing one fail.")
    text = "; ".join(missing(n, parts[n]) for n in absent)
    return text[:1].upper() + text[1:] + "; checks that use it fail."


class StudentModule(Remote):
    """The student's module, as checks see it: a proxy that knows the stub's parts."""

    __slots__ = ("_parts", "_lost")

    @classmethod
    def wrap(cls, module: Remote, parts: Parts, lost: dict[str, str]) -> StudentModule:
        wrapped = cls(module._session, module._hid, module._type, module._generation)
        object.__setattr__(wrapped, "_parts", parts)
        object.__setattr__(wrapped, "_lost", lost)
        return wrapped

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        part = self._parts.get(name)
        try:
            value = self._session.request("getattr", target=self, name=name)
        except (SubmissionTimeout, WorkerLost):
            raise
        except SubmissionError as exc:
            if part is not None and exc.kind == "AttributeError":
                raise SubmissionError("", missing(name, part, self._lost.get(name))) from None
            raise
        if part is None or part[0] == "data":
            return value
        if not isinstance(value, Remote):
            raise SubmissionError("", f"`{name}` in your file is {_what(value)}, not a {part[0]} "
                                      f"(the stub defines {part[1]})")
        return Part.wrap(value, name, self)


class Part(Remote):
    """A function or class of the student's file that the stub defines: a call the student's
    version cannot take says what the stub defines, and one that fails because another part
    of the stub is missing from the file names that part."""

    __slots__ = ("_name", "_part", "_module_parts", "_lost")

    @classmethod
    def wrap(cls, value: Remote, name: str, module: StudentModule) -> Part:
        wrapped = cls(value._session, value._hid, value._type, value._generation)
        object.__setattr__(wrapped, "_name", name)
        object.__setattr__(wrapped, "_part", module._parts[name])
        object.__setattr__(wrapped, "_module_parts", module._parts)
        object.__setattr__(wrapped, "_lost", module._lost)
        return wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except (SubmissionTimeout, WorkerLost):
            raise
        except SubmissionError as exc:
            needed = re.fullmatch(r"name '(\w+)' is not defined", exc.message) if exc.kind == "NameError" else None
            other = self._module_parts.get(needed.group(1)) if needed else None
            if other is not None and other[0] != "data":
                raise SubmissionError("", f"`{self._name}` needs `{needed.group(1)}`, but "
                                          + missing(needed.group(1), other, self._lost.get(needed.group(1)))) from None
            if exc.kind != "TypeError" or exc.traceback:  # raised inside the student's code
                raise
            kind, written = self._part
            if "not callable" in exc.message:
                raise SubmissionError("", f"`{self._name}` in your file is not a {kind} ({exc.message}; "
                                          f"the stub defines {written})") from None
            if "argument" in exc.message:
                raise SubmissionError("TypeError", f"{exc.message} (the stub defines {written})") from None
            raise
