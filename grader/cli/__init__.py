"""``pttutor-grade``: the command line, split by audience.

- :mod:`.student`: init, list, check, watch, hint, reset, data;
- :mod:`.instructor`: batch, demo, release (only where the course's private half is installed);
- :mod:`.author`: selftest (likewise).

Each command is a thin call into the package that does the work.
"""

from __future__ import annotations

from pttutor.grader import course
from pttutor.grader.cli import student
from pttutor.grader.cli.app import main

if course.default().has_private_half:
    from pttutor.grader.cli import author, instructor  # noqa: F401  (they add their commands)

__all__ = ["main", "student"]
