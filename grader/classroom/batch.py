"""Grading a whole class: every (student, exercise) pair, in parallel, resumable.

``SUBMISSIONS`` holds one entry per student: a folder of files named like the stubs, or a
``.zip`` of one; the entry's name is the student id. Each pair is graded by one of
``workers`` grader processes (each imports torch once and keeps its own fork server, so a
submission costs a fork, not an interpreter). Every result is appended to
``results.jsonl`` the moment it is known, flushed and synced; ``--resume`` reads that file,
drops a line cut short by a crash, and grades only what is missing. The gradebook and the
exports are written from ``results.jsonl`` at the end, each atomically.

A student's files are copied (or safely unpacked) into a private folder before grading, and
the submissions folder, the output folder, the reference solutions and the hidden checks
are all hidden from the worker.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.atomicfile import write_atomic
from pttutor.grader.classroom.archive import ArchiveError, copy_folder, extract
from pttutor.grader.classroom.exports import Settings, Written, write_exports
from pttutor.grader.course import Exercise

RESULTS = "results.jsonl"


class BatchError(Exception):
    """The batch cannot start (bad folders, results already there without --resume)."""


@dataclass(frozen=True)
class Student:
    id: str
    entry: Path


@dataclass
class Options:
    exercises: tuple[str, ...]
    device: str = "cpu"
    timeout: float | None = None
    hide: tuple[str, ...] = ()
    sandbox: str = "full"


@dataclass
class Batch:
    submissions: Path
    out: Path
    options: Options
    students: list[Student] = field(default_factory=list)

    @property
    def results_path(self) -> Path:
        return self.out / RESULTS


def discover(submissions: Path) -> list[Student]:
    """One student per folder or ``.zip`` in ``submissions`` (hidden entries skipped), sorted by id."""
    if not submissions.is_dir():
        raise BatchError(f"{submissions} is not a folder")
    students = []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            students.append(Student(entry.name, entry))
        elif entry.suffix == ".zip":
            students.append(Student(entry.stem, entry))
    ids = [s.id for s in students]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise BatchError(f"student ids given twice (a folder and a .zip?): {', '.join(sorted(duplicates))}")
    return students


def read_results(path: Path) -> list[dict]:
    """The complete, distinct rows of a results file; a line cut short by a crash is dropped."""
    rows, seen = [], set()
    if not path.is_file():
        return rows
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if not isinstance(row, dict) or "student" not in row or "exercise" not in row:
            continue
        key = (row["student"], row["exercise"])
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def _row(student: str, ex: Exercise, status: str, message: str, **extra) -> dict:
    return {"student": student, "exercise": ex.id, "status": status, "score": 0, "max_score": ex.points,
            "message": message, "checks": [], "notes": [], **extra}


# ----------------------------------------------------------------------------- in grader processes


def _watch_parent() -> None:
    """End this grader process if the batch that started it is gone (e.g. killed with SIGKILL)."""
    parent = os.getppid()

    def loop() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=loop, daemon=True).start()


def _init_grader() -> None:
    _watch_parent()
    from pttutor.grader.grading import engine  # noqa: F401  (import torch and pytest once, here)
    from pttutor.grader.sandbox import process

    process.prestart()


def grade_student(student: Student, exercise_ids: tuple[str, ...], options: Options) -> list[dict]:
    """Grade one student's exercises (in a grader process); one row per exercise."""
    from pttutor.grader.grading import engine

    exercises = [course.default().get(i) for i in exercise_ids]
    rows = []
    with tempfile.TemporaryDirectory(prefix="pttutor-student-") as tmp:
        try:
            if student.entry.is_dir():
                folder = copy_folder(student.entry, Path(tmp) / "files")
            else:
                folder = extract(student.entry, Path(tmp) / "files")
        except ArchiveError as exc:
            return [_row(student.id, ex, "refused", str(exc)) for ex in exercises]
        for ex in exercises:
            path = ex.file_in(folder)
            if path is None:
                rows.append(_row(student.id, ex, "not submitted", "not submitted"))
                continue
            try:
                report = engine.grade(ex, path, hidden=True, device=options.device, budget=options.timeout,
                                      hide=options.hide, sandbox=options.sandbox)
            except engine.GradingError as exc:
                rows.append(_row(student.id, ex, "error", str(exc), file=path.name))
                continue
            data = report.as_dict()
            rows.append({"student": student.id, "exercise": ex.id, "status": "graded",
                         "score": data["score"], "max_score": data["max_score"], "message": "",
                         "file": path.name, "checks": data["checks"], "notes": data["notes"],
                         "time_used": data["time_used"], "protections": data["protections"],
                         "sandbox": data.get("sandbox", "")})
    return rows


# ----------------------------------------------------------------------------- the coordinator


def _append(path: Path, rows: list[dict]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
        f.flush()
        os.fsync(f.fileno())


def prepare(submissions: Path, out: Path, options: Options, resume: bool) -> tuple[Batch, list[Student]]:
    """Check the folders, recover ``results.jsonl`` on resume, and list the students still to grade."""
    batch = Batch(submissions.resolve(), out.resolve(), options, discover(submissions))
    if batch.out == batch.submissions or batch.out.is_relative_to(batch.submissions):
        raise BatchError("--out must not be inside the submissions folder")
    batch.out.mkdir(parents=True, exist_ok=True)
    done = read_results(batch.results_path)
    if done and not resume:
        raise BatchError(f"{batch.results_path} already holds results; use --resume to continue it")
    # Rewrite without a torn last line, so that new rows start on a line of their own.
    write_atomic(batch.results_path, "".join(json.dumps(row) + "\n" for row in done))
    finished = {(row["student"], row["exercise"]) for row in done}
    todo = [s for s in batch.students if any((s.id, e) not in finished for e in options.exercises)]
    return batch, todo


def run(batch: Batch, todo: list[Student], workers: int,
        on_rows: Callable[[list[dict]], None] = lambda rows: None) -> None:
    """Grade ``todo`` with ``workers`` grader processes, appending rows as they come."""
    finished = {(row["student"], row["exercise"]) for row in read_results(batch.results_path)}
    options = dataclasses.replace(batch.options, hide=(*batch.options.hide, str(batch.submissions), str(batch.out)))
    pending = iter(todo)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=_init_grader) as pool:
        running = {}

        def submit_next() -> bool:
            student = next(pending, None)
            if student is None:
                return False
            ids = tuple(e for e in options.exercises if (student.id, e) not in finished)
            running[pool.submit(grade_student, student, ids, options)] = student
            return True

        for _ in range(workers * 2):
            if not submit_next():
                break
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                student = running.pop(future)
                try:
                    rows = future.result()
                except Exception as exc:  # a grader process died: record it, never lose the student
                    rows = [_row(student.id, course.default().get(e), "error", f"grading failed: {exc}")
                            for e in options.exercises if (student.id, e) not in finished]
                _append(batch.results_path, rows)
                on_rows(rows)
                submit_next()


def finish(batch: Batch, settings: Settings) -> Written:
    """Write the gradebook and the requested exports from ``results.jsonl``."""
    return write_exports(batch.out, read_results(batch.results_path), settings)
