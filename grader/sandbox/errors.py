"""What can go wrong with a student's code, in the student's terms.

Every error the sandbox raises for a submission is a :class:`SubmissionError`; ``str()`` is
written for the student. Timeouts and lost workers are subclasses, so a check can let them
through while it explains ordinary exceptions.
"""

from __future__ import annotations

import re


class SubmissionError(Exception):
    """The student's code failed; ``str()`` is written for the student."""

    def __init__(self, kind: str, message: str, traceback: list[str] | None = None) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message
        self.traceback = traceback or []

    def __str__(self) -> str:
        text = f"{self.kind}: {self.message}" if self.kind else self.message
        if self.traceback:
            text += "\n" + "\n".join(f"    {line}" for line in self.traceback)
        return text

    def unfinished_part(self) -> str | None:
        """The top-level function or class of the student's file that raised this
        NotImplementedError (a part not done yet), if it is one."""
        if self.kind != "NotImplementedError" or not self.traceback:
            return None
        found = re.match(r"\s*line \d+, in ([\w.<>]+)", self.traceback[-1])
        return found.group(1).split(".")[0] if found else None


class SubmissionTimeout(SubmissionError):
    pass


class WorkerLost(SubmissionError):
    pass
