"""Result rows shaped like the ones ``batch`` appends to ``results.jsonl``, for the platform tests."""

from __future__ import annotations

EX2, EX3, EX4 = "ex02-cost-surface", "ex03-gradient-descent", "ex04-backprop"


def check(name: str, passed: bool, points: int = 1, hidden: bool = False, message: str = "") -> dict:
    return {"name": name, "description": f"{name} is right", "passed": passed, "points": points if passed else 0,
            "max_points": points, "hidden": hidden, "message": message, "parts": [], "uses": []}


def graded(student: str, exercise: str, checks: list[dict], notes: tuple[str, ...] = ()) -> dict:
    return {"student": student, "exercise": exercise, "status": "graded",
            "score": sum(c["points"] for c in checks), "max_score": sum(c["max_points"] for c in checks),
            "message": "", "file": exercise.replace("-", "_") + ".py", "checks": checks, "notes": list(notes),
            "time_used": 1.25, "sandbox": "container",
            "protections": ["own session and process group", "all capabilities dropped",
                            "not active: namespaces (not permitted here)"]}


def missing(student: str, exercise: str) -> dict:
    return {"student": student, "exercise": exercise, "status": "not submitted", "score": 0, "max_score": 10,
            "message": "not submitted", "checks": [], "notes": []}


def perfect(student: str, exercise: str) -> dict:
    return graded(student, exercise, [check("public_a", True, 4), check("public_b", True, 3),
                                      check("hidden_a", True, 3, hidden=True)])


def partial(student: str, exercise: str) -> dict:
    return graded(student, exercise, [
        check("public_a", True, 4),
        check("public_b", False, 3, message="expected shape (3, 4), got (4, 3): looks like cost_surface_not_transposed"),
        check("hidden_a", False, 3, hidden=True, message="SECRET-HIDDEN-DETAIL expected 1.5, got 2.0"),
    ], notes=("Your file's top-level code was not run to the end",))
