"""Text a submission wrote, made safe to show: no terminal control sequences, no tricks.

Messages, notes and output come from the student's code (exception texts, prints). Before
they reach a terminal or a text report, every control character is removed except newlines
and tabs (escape sequences can move the cursor, repaint a line as a fake "PASS", set the
window title or write the clipboard with OSC 52), and so are the Unicode controls that
reorder what a reader sees.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: str) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs kept)."""
    return _UNSAFE.sub("", _ESCAPE.sub("", text))
