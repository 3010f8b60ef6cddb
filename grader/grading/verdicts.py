"""What a student reads for a check: a verdict and a message, never a traceback of the grader."""

from __future__ import annotations

import pytest

from pttutor.grader.check import needs
from pttutor.grader.sandbox.errors import SubmissionError, SubmissionTimeout, WorkerLost


def student_message(excinfo: pytest.ExceptionInfo, parts: tuple[str, ...] = ()) -> str:
    """The message of a failed check that judges ``parts``, in the student's terms."""
    exc = excinfo.value
    if isinstance(exc, SubmissionError):
        if isinstance(exc, (SubmissionTimeout, WorkerLost)) or not exc.kind:
            return exc.message[:1].upper() + exc.message[1:]
        missing = exc.unfinished_part()
        if missing is not None and parts and missing not in parts:
            return f"This check {needs(missing)}."
        return f"Your code raised {exc}"
    if isinstance(exc, AssertionError):
        text = str(exc)
        cut = text.find("\nassert ")
        return (text[:cut] if cut >= 0 else text).strip() or "the check's condition did not hold"
    if excinfo.typename == "Failed" and "Timeout" in str(exc):
        return "The check ran out of time."
    if excinfo.typename in ("Failed", "Skipped"):
        return str(exc).strip()
    return (f"The check could not use what your code returned "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}).")
