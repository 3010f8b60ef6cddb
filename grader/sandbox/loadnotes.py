"""What the report says about loading a file: the parts the worker left out because they do
not compile and the statements that failed, named by notebook cell or by line, and the
stub's parts that went with them.

The worker's account is plain data and is believed only as far as its shape: it can only
change the notes of its own report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_NOTES = 8


def problems_of(raw: Any) -> list[dict]:
    """The worker's report of what it left out or what failed, kept only where well-formed."""
    out = []
    for item in raw[:200] if type(raw) is list else []:
        if type(item) is not dict or item.get("kind") not in ("syntax", "failed", "skipped"):
            continue
        numbers = [item.get(k) for k in ("line", "first", "last")]
        if any(type(n) is not int for n in numbers):
            continue
        names = item.get("names") if type(item.get("names")) is list else []
        out.append({"kind": item["kind"], "line": numbers[0], "first": numbers[1], "last": numbers[2],
                    "error": str(item.get("error", ""))[:300],
                    "names": [n for n in names if type(n) is str and n.isidentifier()][:20]})
    return out


@dataclass(frozen=True)
class Places:
    """Where a line of the source the worker ran is, for the student: a cell and its line, or a line."""

    units: tuple[tuple[int, int, str], ...]  # (first line, last line, "cell N"); () for a script
    lines: int  # the number of lines of the source

    def where(self, line: int) -> tuple[str, int, int, int]:
        """The cell that holds ``line`` of the source ("" in a script), the line's number in it,
        and the cell's first and last lines."""
        for first, last, label in self.units:
            if first <= line <= last:
                return label, line - first + 1, first, last
        return "", line, 1, self.lines

    def notes(self, found: list[dict]) -> list[str]:
        """The notes for the problems ``found`` (at most ``MAX_NOTES``, then how many more)."""
        each = self.each(found)
        more = [f"... and {len(each) - MAX_NOTES} more problems loading your file."] if len(each) > MAX_NOTES else []
        return each[:MAX_NOTES] + more

    def each(self, found: list[dict]) -> list[str]:
        """One note per problem; statements that failed after a failure in the same cell (or
        script) are counted in that failure's note."""
        notes: list[str] = []
        failure, after = None, 0
        for problem in found + [{"kind": "end", "line": 0}]:
            unit = self.where(problem["line"])[2:]
            if problem["kind"] == "skipped" and failure is not None and unit == failure[1]:
                after += 1
                continue
            if failure is not None:
                notes[failure[0]] += (f" {after} more statement{'s' if after > 1 else ''} of it failed after that."
                                      if after else "")
                failure, after = None, 0
            if problem["kind"] == "end":
                break
            notes.append(self.describe(problem))
            if problem["kind"] == "failed":
                failure = (len(notes) - 1, unit)
        return notes

    def describe(self, problem: dict) -> str:
        """A load note for one problem the worker met, naming the cell or line."""
        cell, line, cell_first, cell_last = self.where(problem["line"])
        error, names = problem["error"], problem["names"]
        if problem["kind"] == "skipped":
            return f"Skipped {cell + ', ' if cell else ''}line {line}: {error}"
        if problem["kind"] == "failed":
            if cell:
                return f"{cell} failed at line {line} ({error}); the rest of {cell} was run for its definitions only."
            return (f"Your file's top-level code failed at line {line} ({error}); "
                    f"what follows was run for its definitions only.")
        first, last = problem["first"] - cell_first + 1, problem["last"] - cell_first + 1
        whole = cell and problem["first"] <= cell_first and problem["last"] >= cell_last
        left = "it was left out" if whole else (f"line {first} was left out" if first == last else
                                                f"lines {first}-{last} were left out")
        defines = (f" (the definition{'s' if len(names) > 1 else ''} of {', '.join(names)})" if names else "")
        if cell:
            return f"{cell} has a syntax error at line {line} ({error}): {left}{defines}; the other cells were run."
        return f"Your file has a syntax error at line {line} ({error}): {left}{defines}; the rest of it was run."

    def lost(self, found: list[dict]) -> dict[str, str]:
        """The functions and classes the file defines in parts that could not run, and why."""
        lost: dict[str, str] = {}
        for problem in found:
            cell, line, _, _ = self.where(problem["line"])
            where = f"{cell}, line {line}" if cell else f"line {line}"
            for name in problem["names"]:
                if problem["kind"] == "syntax":
                    holder = (f"{cell}, which has" if cell else
                              f"lines {problem['first']}-{problem['last']} of your file, which have")
                    lost.setdefault(name, f"it is in {holder} a syntax error at line {line}")
                else:
                    lost.setdefault(name, f"its definition at {where} failed ({problem['error']})")
        return lost
