"""For the platform tests: result rows shaped like the ones ``batch`` appends to ``results.jsonl``,
and the platforms' documented formats as assertions (see test_platforms_formats.py for the sources)."""

from __future__ import annotations

import csv
import io
import json
import re

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


GS_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GS_OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_gradescope_format(data: dict) -> None:
    assert isinstance(data["score"], (int, float))
    assert isinstance(data["execution_time"], int) and data["execution_time"] >= 0
    assert isinstance(data["output"], str)
    assert data["output_format"] in GS_OUTPUT_FORMATS
    assert data["stdout_visibility"] == "hidden"
    numbers = [t["number"] for t in data["tests"]]
    assert len(set(numbers)) == len(numbers)
    for test in data["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "output_format", "visibility", "tags"} \
            <= test.keys()
        assert isinstance(test["name"], str) and test["name"]
        assert re.fullmatch(r"\d+\.\d+", test["number"])
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["output_format"] == "md"
        assert test["visibility"] in GS_VISIBILITY
        assert test["tags"] and all(isinstance(t, str) for t in test["tags"])
    assert data["score"] == sum(t["score"] for t in data["tests"])


def assert_prairielearn_format(data: dict) -> None:
    assert isinstance(data["gradable"], bool)
    assert isinstance(data["score"], float) and 0.0 <= data["score"] <= 1.0
    assert isinstance(data["message"], str) and isinstance(data["output"], str)
    if not data["gradable"]:
        errors = data["format_errors"]
        assert isinstance(errors, str) or (errors and all(isinstance(e, str) for e in errors))
    for test in data["tests"]:
        assert {"name", "points", "max_points", "message", "output"} <= test.keys()
        assert 0 <= test["points"] <= test["max_points"]
        assert all(isinstance(test[k], str) for k in ("name", "message", "output"))
    assert len(json.dumps(data).encode()) < 1_000_000
