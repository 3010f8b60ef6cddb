"""Gradescope's ``results.json`` (its autograder specification), from one student's result rows.

One test per check: ``name``, ``number`` ("exercise.check"), ``score``, ``max_score``,
``status`` ("passed"/"failed"), ``output`` in Markdown (``output_format`` "md"),
``visibility`` and ``tags``. An exercise that was not graded (a missing file, an unreadable
notebook) is one failed test that says which file names were expected. Top level: ``score``,
``execution_time`` (whole seconds), ``output`` (the notes and which protections were active)
and ``stdout_visibility`` "hidden" (stdout is for the instructor only).
"""

from __future__ import annotations

from collections.abc import Sequence

from pttutor.grader.platforms.feedback import check_views, fence, heading, md_text, number, problem, protections

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
STATUSES = ("passed", "failed")
OUTPUT_FORMATS = ("text", "html", "simple_format", "md", "ansi")
MAX_OUTPUT = 10_000  # characters of one test's output


def _clip(text: str) -> str:
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + "\n... (cut)"


def _tests(rows: dict[str, dict], exercises: Sequence[str], public: str, hidden: str) -> list[dict]:
    tests = []
    for i, exercise_id in enumerate(exercises, 1):
        row = rows.get(exercise_id)
        why = problem(exercise_id, row)
        if why:
            tests.append({"name": heading(exercise_id, row), "number": f"{i}.0", "score": 0,
                          "max_score": row.get("max_score", 0) if row else 0, "status": "failed",
                          "output": md_text(why), "output_format": "md", "visibility": public,
                          "tags": [exercise_id, "submission"]})
            continue
        for j, view in enumerate(check_views(row, show_hidden=True), 1):
            if view.passed:
                output = "Passed."
            else:
                output = "Failed." + ("\n\n" + fence(_clip(view.message)) if view.message else "")
            tests.append({"name": f"{exercise_id}: {view.description}", "number": f"{i}.{j}",
                          "score": view.points, "max_score": view.max_points,
                          "status": "passed" if view.passed else "failed",
                          "output": output, "output_format": "md",
                          "visibility": hidden if view.hidden else public,
                          "tags": [exercise_id, "hidden" if view.hidden else "public"]})
    return tests


def _summary(rows: dict[str, dict], exercises: Sequence[str], notes: Sequence[str]) -> str:
    graded = [rows[e] for e in exercises if e in rows]
    lines = []
    for exercise_id in exercises:
        row = rows.get(exercise_id) or {}
        file = f" ({md_text(row['file'])})" if row.get("file") else ""
        lines.append(f"- **{md_text(exercise_id)}**{file}: "
                     f"{number(row.get('score', 0))}/{number(row.get('max_score', 0))}")
        lines += [f"  - note: {md_text(str(note))}" for note in row.get("notes") or []]
    lines += [f"- {md_text(note)}" for note in notes]
    active, missing = protections(graded)
    if active or missing:
        sandbox = next((r["sandbox"] for r in graded if r.get("sandbox")), "")
        lines += ["", f"Your code ran in a sandbox{f' ({md_text(sandbox)})' if sandbox else ''}: "
                  + md_text("; ".join(active) or "none") + "."]
        if missing:
            lines.append("Not active here: " + md_text("; ".join(missing)) + ".")
    return "\n".join(lines)


def results(rows: list[dict], exercises: Sequence[str], public: str = "visible", hidden: str = "after_due_date",
            execution_time: float | None = None, notes: Sequence[str] = ()) -> dict:
    """``results.json`` for one student: ``rows`` are that student's result rows.

    ``public`` and ``hidden`` are the visibilities of public and hidden checks; ``notes`` are
    said once at the top (e.g. which submitted files were used).
    """
    for visibility in (public, hidden):
        if visibility not in VISIBILITIES:
            raise ValueError(f"unknown Gradescope visibility {visibility!r}; use one of {', '.join(VISIBILITIES)}")
    table = {row["exercise"]: row for row in rows}
    if execution_time is None:
        execution_time = sum(table[e].get("time_used", 0) for e in exercises if e in table)
    return {
        "score": sum(table[e].get("score", 0) for e in exercises if e in table),
        "execution_time": int(round(execution_time)),
        "output": _summary(table, exercises, notes),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "tests": _tests(table, exercises, public, hidden),
    }
