"""The grader process behind ``pttutor.check()``: started once per kernel, it grades on request.

A kernel has run the student's code, so the checks cannot run there: a cell may have
replaced any function of the grader, of pytest or of torch in it. This process starts from
a fresh interpreter, imports the engine once, keeps its fork server (so every check after
the first costs a fork, not an interpreter start) and grades with
:func:`pttutor.grader.grading.engine.grade`, exactly as ``pttutor-grade check`` does.

It reads one JSON request per line on stdin and writes one JSON reply per line on the
descriptor that was its stdout (its own stdout goes to stderr, so nothing printed while
grading can corrupt a reply). A request names the exercise and carries the code to grade
as data: the cells the kernel ran, a notebook's text, or a file's path. Replies hold the
report as plain data, or an error message.

Run as ``python -m pttutor.grader.notebook.service``; it ends when its stdin closes (when
the kernel that started it ends, however it ends).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.notebook.history import read_history, read_notebook_text
from pttutor.grader.submission import Submission

OPTION_TYPES = {"hidden": bool, "device": str, "seed": int, "sandbox": str}


class RequestError(ValueError):
    """The request is malformed or names something that does not exist."""


def _options(raw: object) -> dict:
    if not isinstance(raw, dict):
        raise RequestError("options must be an object")
    options = {}
    for name, value in raw.items():
        wanted = OPTION_TYPES.get(name)
        if wanted is None or type(value) is not wanted:
            raise RequestError(f"unknown or malformed option {name!r}")
        options[name] = value
    return options


def _submission(request: dict, exercise: course.Exercise) -> Submission | Path:
    cwd = Path(str(request.get("cwd") or os.getcwd()))
    shown = Path(str(request["notebook"])) if request.get("notebook") else cwd / exercise.notebook
    if "cells" in request:
        cells = request["cells"]
        if not isinstance(cells, list) or not all(isinstance(c, str) for c in cells):
            raise RequestError("cells must be a list of strings")
        return read_history(cells, shown, exercise.id)[0]
    if "text" in request:
        if not isinstance(request["text"], str):
            raise RequestError("text must be a string")
        return read_notebook_text(request["text"], shown)
    if "path" in request:
        return cwd / str(request["path"])
    raise RequestError("nothing to grade: give cells, text or path")


_started = False


def _start_fork_server(exercise: course.Exercise, options: dict) -> None:
    """Before the first grading, where the engine offers it (``engine.prepare``), start the fork
    server as a fork of this process: it has imported torch and read nothing a worker must not
    see, so the fork server costs no import of its own. Elsewhere :func:`main` started it."""
    global _started
    from pttutor.grader.grading import engine

    prepare = getattr(engine, "prepare", None)
    if not _started and prepare is not None:
        prepare(exercise, engine.Options(**options), fork_self=True)
    _started = True


def handle(request: object) -> dict:
    """Grade what ``request`` names; the reply as plain data."""
    from pttutor.grader.grading import engine
    from pttutor.grader.submission import SubmissionFileError

    if not isinstance(request, dict) or not isinstance(request.get("exercise"), str):
        raise RequestError("a request is an object naming an exercise")
    try:
        exercise = course.default().find(request["exercise"])
    except KeyError as exc:
        raise RequestError(exc.args[0]) from None
    options = _options(request.get("options", {}))
    submission = _submission(request, exercise)
    try:
        _start_fork_server(exercise, options)
        report = engine.grade(exercise, submission, **options)
    except SubmissionFileError as exc:
        raise RequestError(str(exc)) from None
    except engine.GradingError as exc:
        raise RequestError(str(exc)) from None
    data = report.as_dict()
    data.update(course=report.course, output=report.output,
                hidden_points=0 if options.get("hidden") else max(exercise.points - report.max_score, 0))
    return data


def _reply(line: str) -> dict:
    try:
        request = json.loads(line)
    except ValueError as exc:
        return {"id": None, "error": f"malformed request: {exc}"}
    request_id = request.get("id") if isinstance(request, dict) and type(request.get("id")) is int else None
    try:
        return {"id": request_id, "report": handle(request)}
    except RequestError as exc:
        return {"id": request_id, "error": str(exc)}
    except Exception as exc:  # a bug here must not end the process the kernel relies on
        traceback.print_exc()
        return {"id": request_id, "error": f"the grader failed: {type(exc).__name__}: {exc}"}


def serve(requests, replies) -> None:
    """Answer each request line on ``requests`` with one reply line on ``replies``."""
    first = True
    for line in requests:
        replies.write(json.dumps(_reply(line)) + "\n")
        replies.flush()
        if first:
            # What the first grading imported lives as long as this process: keep it out of
            # later garbage collections (pytest collects several times per grading run).
            gc.collect()
            gc.freeze()
            first = False


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever grading prints goes to stderr, never into a reply
    from pttutor.grader.grading import engine
    from pttutor.grader.sandbox.process import prestart

    if not hasattr(engine, "prepare"):
        prestart()  # the fork server imports torch while this process does the same
    import torch  # noqa: F401

    gc.collect()
    gc.freeze()
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    serve(sys.stdin, replies)


if __name__ == "__main__":
    main()
