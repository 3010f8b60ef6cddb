"""The similarity report: ``similarity.csv`` and one HTML page per exercise, for instructors only.

The pages show flagged pairs side by side with the shared code highlighted, and where a
student's file matches the reference solution they show the reference's code too: the
folder is created ``0700`` and every file ``0600``, like other outputs that must not reach
students. Every piece of submitted text (code, file names, student ids) is escaped, and the
pages forbid scripts outright (Content-Security-Policy). CSV cells that a spreadsheet would
read as a formula are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import html
import io
import os
from pathlib import Path

import numpy as np

from pttutor.grader.atomicfile import write_atomic
from pttutor.grader.classroom.similarity import REFERENCE, Comparison, Document, Pair, Problem, shared_slices

CSV_NAME = "similarity.csv"
FOLDER = "similarity"
HTML_PAIRS = 200  # flagged pairs shown side by side per exercise; the CSV has them all
CAUTION = ("Similarity is a reason to look, not a verdict: solutions to a small, well-specified exercise "
           "are often alike, and shared code may come from the course itself. Read each flagged pair "
           "side by side before drawing any conclusion. No score was changed.")
SECRET = (f"This report shows the code of the reference solution where a student's file matches it "
          f"(the pseudo-student {REFERENCE}): it is for instructors only; do not share it with students.")
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: object) -> object:
    """A cell a spreadsheet will not run as a formula (text starting with = + - @ tab or CR gets a quote)."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA) else cell


def table(comparisons: list[Comparison]) -> str:
    """``similarity.csv``: every pair that shares any code, most similar first, over all exercises."""
    rows = sorted((p for c in comparisons for p in c.pairs),
                  key=lambda p: (-p.similarity, -p.matched, p.exercise, p.a, p.b))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["exercise", "student_a", "student_b", "similarity", "matched_tokens", "share_a", "share_b"])
    for p in rows:
        writer.writerow([csv_safe(p.exercise), csv_safe(p.a), csv_safe(p.b), f"{p.similarity:.3f}", p.matched,
                         f"{p.share_a:.3f}", f"{p.share_b:.3f}"])
    return buffer.getvalue()


def highlighted(code: str, slices: np.ndarray) -> str:
    """``code`` escaped for HTML, with the shared slices in ``<mark>``."""
    out, at = [], 0
    for start, end in zip(*slices.tolist()):
        start, end = max(start, at), min(end, len(code))
        if start >= end:
            continue
        out += [html.escape(code[at:start]), "<mark>", html.escape(code[start:end]), "</mark>"]
        at = end
    out.append(html.escape(code[at:]))
    return "".join(out)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
.caution { background: #fff6d5; border: 1px solid #e0c060; padding: .6em 1em; }
.secret { background: #fde8e8; border: 1px solid #d08080; padding: .6em 1em; }
table { border-collapse: collapse; } td, th { padding: .2em .8em; text-align: left; border-bottom: 1px solid #ddd; }
.side { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1em; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: 12px; }
mark { background: #ffd27f; }
"""


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pair_section(n: int, pair: Pair, docs: dict[str, Document]) -> str:
    a, b = docs[pair.a], docs[pair.b]
    e = html.escape
    sides = "".join(
        f"<div><h4>{e(doc.student)} &middot; {e(doc.name)}</h4>"
        f"<pre>{highlighted(doc.code, shared_slices(doc, other))}</pre></div>"
        for doc, other in ((a, b), (b, a)))
    return (f'<section id="pair-{n}"><details{" open" if n <= 20 else ""}><summary><b>{n}. {e(pair.a)} &ndash; '
            f"{e(pair.b)}</b>: similarity {pair.similarity:.2f}, {pair.matched} tokens shared "
            f"({_percent(pair.share_a)} of {e(pair.a)}'s code, {_percent(pair.share_b)} of {e(pair.b)}'s)"
            f'</summary><div class="side">{sides}</div></details></section>')


def page(comparison: Comparison, problems: list[Problem], threshold: float) -> str:
    """The HTML page of one exercise: the flagged pairs side by side, shared code highlighted."""
    e = html.escape
    ex = comparison.exercise
    flagged = [p for p in comparison.pairs if p.similarity >= threshold]
    docs = {d.student: d for d in comparison.documents}
    students = sum(d.student != REFERENCE for d in comparison.documents)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<meta name='robots' content='noindex'><title>Similarity: {e(ex.id)}</title><style>{STYLE}</style>",
        f"</head><body><h1>Similarity: {e(ex.id)}</h1><p>{e(ex.title)}</p>",
        f"<p class='caution'>{e(CAUTION)}</p><p class='secret'>{e(SECRET)}</p>",
        f"<p>{students} students' files and {'the' if REFERENCE in docs else 'no'} reference solution; "
        f"{comparison.compared} pairs compared, {len(comparison.pairs)} share code; "
        f"<b>{len(flagged)} at or above the threshold {threshold:.2f}</b>. The stub's code never counts. "
        f"Similarity is (tokens of a found in b + tokens of b found in a) / (tokens of a + tokens of b), "
        f"after names, strings, comments and layout are normalized away.</p>",
    ]
    for note in comparison.notes:
        parts.append(f"<p>{e(note)}</p>")
    mine = [p for p in problems if p.exercise in (None, ex.id)]
    if mine:
        parts.append("<h2>Could not be read</h2><ul>")
        parts += [f"<li>{e(p.student)}: {e(p.message)}</li>" for p in mine]
        parts.append("</ul>")
    if flagged:
        parts.append("<h2>Flagged pairs</h2><table><tr><th>#</th><th>student a</th><th>student b</th>"
                     "<th>similarity</th><th>tokens shared</th></tr>")
        parts += [f"<tr><td><a href='#pair-{n}'>{n}</a></td><td>{e(p.a)}</td><td>{e(p.b)}</td>"
                  f"<td>{p.similarity:.2f}</td><td>{p.matched}</td></tr>"
                  for n, p in enumerate(flagged[:HTML_PAIRS], 1)]
        parts.append("</table>")
        if len(flagged) > HTML_PAIRS:
            parts.append(f"<p>{len(flagged) - HTML_PAIRS} more flagged pairs are listed in {CSV_NAME}.</p>")
        parts += [_pair_section(n, p, docs) for n, p in enumerate(flagged[:HTML_PAIRS], 1)]
    else:
        parts.append("<p>No pair reaches the threshold.</p>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write(out: Path, comparisons: list[Comparison], problems: list[Problem], threshold: float) -> list[Path]:
    """Write ``out/similarity.csv`` and ``out/similarity/<exercise>.html``, readable by the owner only."""
    if not out.exists():
        out.mkdir(mode=0o700, parents=True)
    folder = out / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    written = [out / CSV_NAME]
    write_atomic(written[0], table(comparisons), mode=0o600)
    for comparison in comparisons:
        written.append(folder / f"{comparison.exercise.id}.html")
        write_atomic(written[-1], page(comparison, problems, threshold), mode=0o600)
    return written
