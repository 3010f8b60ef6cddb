"""PrairieLearn's external-grader ``results.json``, from one submission's result rows.

``score`` is a fraction in [0, 1]; ``gradable`` is false when nothing could be graded (no file
named like an exercise, an unreadable notebook): PrairieLearn then neither scores the attempt
nor counts it, and ``format_errors`` says why. ``tests`` holds one entry per check with
``name``, ``description``, ``points``, ``max_points``, ``message`` and ``output``. Students see
all of it at once, so a hidden check shows its verdict only, unless the question is built with
``--show-hidden-feedback``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pttutor.grader.platforms.feedback import HIDDEN_WITHHELD, check_views, heading, number, problem, protections

MAX_MESSAGE = 4000  # characters; the whole file must stay under PrairieLearn's 1 MB


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "\n... (cut)"


def results(rows: list[dict], exercises: Sequence[str], show_hidden: bool = False, notes: Sequence[str] = ()) -> dict:
    table = {row["exercise"]: row for row in rows}
    tests, problems = [], []
    for exercise_id in exercises:
        row = table.get(exercise_id)
        why = problem(exercise_id, row)
        if why:
            problems.append(f"{exercise_id}: {why}")
            tests.append({"name": heading(exercise_id, row), "description": exercise_id, "points": 0,
                          "max_points": row.get("max_score", 0) if row else 0, "message": why, "output": ""})
            continue
        for view in check_views(row, show_hidden):
            if view.message is None:
                message = ("passed" if view.passed else "failed") + f" ({HIDDEN_WITHHELD})"
            else:
                message = "passed" if view.passed else _clip(view.message) or "failed"
            tests.append({"name": f"{exercise_id}: {view.description}", "description": exercise_id,
                          "points": view.points, "max_points": view.max_points, "message": message,
                          "output": "" if view.message is None or view.passed else _clip(view.message)})
    graded = [table[e] for e in exercises if e in table]
    got = sum(r.get("score", 0) for r in graded)
    best = sum(r.get("max_score", 0) for r in graded)
    gradable = any(r.get("status") == "graded" for r in graded)
    lines = [f"Score {number(got)}/{number(best)}."]
    lines += [f"{r['exercise']}: note: {note}" for r in graded for note in r.get("notes") or []]
    lines += list(notes)
    active, missing = protections(graded)
    output = ""
    if active or missing:
        output = "Your code ran in a sandbox: " + "; ".join(active or ["none"]) + "."
        if missing:
            output += "\nNot active here: " + "; ".join(missing) + "."
    data = {"gradable": gradable, "score": min(1.0, max(0.0, got / best)) if best else 0.0,
            "message": "\n".join(lines), "output": output, "tests": tests}
    if not gradable:
        data["format_errors"] = problems or ["nothing could be graded"]
    return data
