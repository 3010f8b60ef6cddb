"""Proxies: the grader's stand-ins for objects that live in the worker.

A :class:`Remote` forwards attribute access, calls, indexing, ``len`` and iteration to the
object it stands for, through its session; results come back as plain data (rebuilt by the
wire format) or as further proxies. A proxy never equals data: comparison is identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pttutor.grader.sandbox.errors import SubmissionError

if TYPE_CHECKING:
    from pttutor.grader.sandbox.session import Session

ITER_LIMIT = 1_000_000


class Remote:
    """A proxy for an object that lives in the worker (a student's model, figure, function).

    Attribute access, calls, indexing, ``len`` and iteration are forwarded; results come back
    as plain data or as further proxies. Comparison is identity: a proxy never equals data.
    """

    __slots__ = ("_session", "_hid", "_type", "_generation")

    def __init__(self, session: Session, hid: int, type_name: str, generation: int) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_hid", hid)
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "_generation", generation)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._session.request("getattr", target=self, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._session.request("setattr", target=self, name=name, value=value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.request("call", target=self, args=list(args), kwargs=kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._session.request("getitem", target=self, key=key)

    def __len__(self) -> int:
        try:
            n = self._session.request("len", target=self)
        except SubmissionError as exc:
            if exc.kind == "TypeError":  # no len(): list(proxy) then falls back to iteration
                raise TypeError(exc.message) from None
            raise
        if type(n) is not int or n < 0:
            raise SubmissionError("TypeError", f"len() of your {self._type} is not a non-negative integer")
        return n

    def __iter__(self) -> Iterator[Any]:
        items = self._session.request("iter", target=self, limit=ITER_LIMIT)
        if type(items) is not list:
            raise SubmissionError("TypeError", f"iterating your {self._type} gave no list")
        return iter(items)

    def __repr__(self) -> str:
        return f"<your {self._type}>"
