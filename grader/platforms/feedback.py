"""What a student is shown of a graded exercise, and the feedback files written from it.

One view of each result row serves every platform: per check its description, verdict,
points and message, where a hidden check's message is withheld unless the instructor asks
for it (``--show-hidden-feedback``); an exercise that was not graded (not submitted, a refused
archive, a file that could not be read) says why and which file names were expected.
``feedback/<student>.md`` and ``.html`` are rendered from that view; every piece of text that
came from a student (ids, messages quoting their values) is escaped or fenced.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pttutor.grader import course

HIDDEN_WITHHELD = "hidden check: only its verdict is shown"


@dataclass(frozen=True)
class CheckView:
    description: str
    passed: bool
    points: float
    max_points: float
    hidden: bool
    message: str | None  # None: the message of a hidden check, withheld


def check_views(row: dict, show_hidden: bool) -> list[CheckView]:
    return [CheckView(str(c.get("description") or c.get("name") or "check"), bool(c.get("passed")),
                      c.get("points", 0), c.get("max_points", 0), bool(c.get("hidden")),
                      None if c.get("hidden") and not show_hidden else str(c.get("message") or ""))
            for c in row.get("checks") or []]


def expected_files(exercise_id: str) -> str:
    """The file names that count as a submission of the exercise, for messages."""
    try:
        ex = course.default().get(exercise_id)
    except KeyError:
        return ""
    return f"{ex.file} or {ex.notebook}"


def problem(exercise_id: str, row: dict | None) -> str | None:
    """Why the exercise has no checks to show (not submitted, refused, unreadable), or None."""
    if row is not None and row.get("checks"):
        return None
    files = expected_files(exercise_id)
    if row is None or row.get("status") == "not submitted":
        return f"Not submitted: no file named {files} was found." if files else "Not submitted."
    return str(row.get("message") or row.get("status") or "not graded")


def heading(exercise_id: str, row: dict | None) -> str:
    """The name of an exercise that was not graded: "<id>: not submitted", "<id>: refused", ..."""
    status = "not submitted" if row is None else str(row.get("status") or "not graded")
    return f"{exercise_id}: {'not graded' if status == 'graded' else status}"


def score_cell(row: dict | None, missing: str = "zero") -> object:
    """A gradebook cell: the score, with missing work (not submitted) 0, or empty when ``missing`` is "blank"."""
    if row is None or row.get("status") == "not submitted":
        return "" if missing == "blank" else 0
    return row.get("score", 0)


def score_of(rows: list[dict]) -> tuple[float, float]:
    return sum(r.get("score", 0) for r in rows), sum(r.get("max_score", 0) for r in rows)


def number(value: float) -> str:
    """A score as people write it: 7, 7.5."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def protections(rows: list[dict]) -> tuple[list[str], list[str]]:
    """The protections that were active and those that were not, over all the rows."""
    active, missing = [], []
    for row in rows:
        for item in row.get("protections") or []:
            target, text = (missing, item.removeprefix("not active: ")) if item.startswith("not active: ") \
                else (active, item)
            if text not in target:
                target.append(text)
    return active, missing


# ----------------------------------------------------------------------------- Markdown and HTML


def fence(text: str) -> str:
    """``text`` as a Markdown code block that nothing inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}\n{text}\n{marks}"


def md_text(text: str) -> str:
    """Plain text for a Markdown line: no HTML, no emphasis, no links."""
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", html.escape(text, quote=False))


def markdown(student: str, rows: list[dict], exercises: list[str], show_hidden: bool) -> str:
    table = {row["exercise"]: row for row in rows}
    score, top = score_of([table[e] for e in exercises if e in table])
    lines = [f"# Feedback for {md_text(student)}", "", f"**Total: {number(score)}/{number(top)}**", ""]
    for exercise_id in exercises:
        row = table.get(exercise_id)
        got, best = (row.get("score", 0), row.get("max_score", 0)) if row else (0, 0)
        lines += [f"## {md_text(exercise_id)}: {number(got)}/{number(best)}", ""]
        why = problem(exercise_id, row)
        if why:
            lines += [md_text(why), ""]
            continue
        for note in row.get("notes") or []:
            lines.append(f"- note: {md_text(str(note))}")
        for view in check_views(row, show_hidden):
            mark = "PASS" if view.passed else "FAIL"
            tag = " (hidden)" if view.hidden else ""
            lines.append(f"- **{mark}** {md_text(view.description)}{tag} "
                         f"[{number(view.points)}/{number(view.max_points)}]")
            if view.message is None:
                lines.append(f"  ({HIDDEN_WITHHELD})")
            elif view.message and not view.passed:
                lines.append("")
                lines.extend("  " + line for line in fence(view.message).splitlines())
                lines.append("")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


STYLE = ("body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
         ".pass{color:#176f2c}.fail{color:#b00020}pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap}")


def html_page(student: str, rows: list[dict], exercises: list[str], show_hidden: bool) -> str:
    e = html.escape
    table = {row["exercise"]: row for row in rows}
    score, top = score_of([table[x] for x in exercises if x in table])
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Feedback for {e(student)}</title><style>{STYLE}</style></head><body>",
           f"<h1>Feedback for {e(student)}</h1>", f"<p><strong>Total: {number(score)}/{number(top)}</strong></p>"]
    for exercise_id in exercises:
        row = table.get(exercise_id)
        got, best = (row.get("score", 0), row.get("max_score", 0)) if row else (0, 0)
        out.append(f"<h2>{e(exercise_id)}: {number(got)}/{number(best)}</h2>")
        why = problem(exercise_id, row)
        if why:
            out.append(f"<p>{e(why)}</p>")
            continue
        out += [f"<p>note: {e(str(note))}</p>" for note in row.get("notes") or []]
        out.append("<ul>")
        for view in check_views(row, show_hidden):
            css, mark = ("pass", "PASS") if view.passed else ("fail", "FAIL")
            tag = " (hidden)" if view.hidden else ""
            item = (f'<li><span class="{css}">{mark}</span> {e(view.description)}{tag} '
                    f"[{number(view.points)}/{number(view.max_points)}]")
            if view.message is None:
                item += f" <em>({HIDDEN_WITHHELD})</em>"
            elif view.message and not view.passed:
                item += f"<pre>{e(view.message)}</pre>"
            out.append(item + "</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def plain(row: dict | None, exercise_id: str, show_hidden: bool) -> str:
    """One exercise's feedback as plain text (a gradebook's comment cell)."""
    why = problem(exercise_id, row)
    if why:
        return why
    lines = [f"{number(row.get('score', 0))}/{number(row.get('max_score', 0))}"]
    lines += [f"note: {note}" for note in row.get("notes") or []]
    for view in check_views(row, show_hidden):
        line = f"{'PASS' if view.passed else 'FAIL'} {view.description}{' (hidden)' if view.hidden else ''}"
        if not view.passed and view.message:
            line += ": " + " ".join(view.message.split())
        lines.append(line)
    return "\n".join(lines)
