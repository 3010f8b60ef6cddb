"""CSV that is safe to open in a spreadsheet, and CSV read the way gradebooks write it.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` in a student id is the known attack):
every cell of every CSV the grader writes goes through :func:`cell`, which puts a single quote
in front of such text so that it stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """``value`` as the text of a CSV cell that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV text, every cell escaped with :func:`cell`."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def read_rows(path: Path) -> list[list[str]]:
    """A CSV file's rows (UTF-8, with or without the byte-order mark spreadsheets add)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [row for row in csv.reader(f)]
