"""Grading a whole class: every (student, exercise) pair, in parallel, resumable.

``SUBMISSIONS`` holds one entry per student: a folder of files named like the stubs, or a
``.zip`` of one; the entry's name is the student id. Each student is graded by one of
``workers`` grader processes (each imports torch once and keeps its own fork server, so a
submission costs a fork, not an interpreter; see :mod:`~pttutor.grader.classroom.graderprocess`),
here or on a Dask cluster (:mod:`~pttutor.grader.classroom.cluster`). This process is the only
writer of ``results.jsonl``: every result is appended the moment it is known, flushed and
synced; ``--resume`` reads that file, drops a line cut short by a crash, and grades only what
is missing. The gradebook and the exports are written from ``results.jsonl`` at the end, each
atomically. ``--shard K/N`` grades one fixed slice of the class
(:mod:`~pttutor.grader.classroom.shards`).

A student's files are copied (or safely unpacked) into a private folder before grading, and
the submissions folder, the output folder, the reference solutions and the hidden checks
are all hidden from the worker.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.atomicfile import write_atomic
from pttutor.grader.classroom import shards
from pttutor.grader.classroom.exports import Settings, Written, write_exports
from pttutor.grader.classroom.graderprocess import Options, Student, grade_student, init_grader, row

RESULTS = "results.jsonl"
__all__ = ["Batch", "BatchError", "Options", "Student", "discover", "finish", "prepare", "read_results", "run"]


class BatchError(Exception):
    """The batch cannot start (bad folders, results already there without --resume, no cluster)."""


@dataclass
class Batch:
    submissions: Path
    out: Path
    options: Options
    students: list[Student] = field(default_factory=list)  # those this run grades (its shard, if any)
    shard: tuple[int, int] | None = None  # (K, N): the K-th of N slices of the class
    class_ids: list[str] = field(default_factory=list)  # every student in SUBMISSIONS

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


# ----------------------------------------------------------------------------- the coordinator


def append(path: Path, rows: list[dict]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
        f.flush()
        os.fsync(f.fileno())


def prepare(submissions: Path, out: Path, options: Options, resume: bool,
            shard: tuple[int, int] | None = None) -> tuple[Batch, list[Student]]:
    """Check the folders, recover ``results.jsonl`` on resume, and list the students still to grade."""
    everyone = discover(submissions)
    batch = Batch(submissions.resolve(), out.resolve(), options, shards.select(everyone, shard), shard,
                  [s.id for s in everyone])
    if batch.out == batch.submissions or batch.out.is_relative_to(batch.submissions):
        raise BatchError("--out must not be inside the submissions folder")
    batch.out.mkdir(parents=True, exist_ok=True)
    done = read_results(batch.results_path)
    if done and not resume:
        raise BatchError(f"{batch.results_path} already holds results; use --resume to continue it")
    try:
        shards.describe(batch.out, shard, batch.class_ids, [s.id for s in batch.students], options.exercises)
    except shards.ShardError as exc:
        raise BatchError(str(exc)) from None
    # Rewrite without a torn last line, so that new rows start on a line of their own.
    write_atomic(batch.results_path, "".join(json.dumps(row) + "\n" for row in done))
    finished = {(row["student"], row["exercise"]) for row in done}
    todo = [s for s in batch.students if any((s.id, e) not in finished for e in options.exercises)]
    return batch, todo


def finished_pairs(batch: Batch) -> set[tuple[str, str]]:
    """The (student, exercise) pairs already in ``results.jsonl``."""
    return {(r["student"], r["exercise"]) for r in read_results(batch.results_path)}


def grading_options(batch: Batch) -> Options:
    """The batch's options as grader processes get them: the submissions and results folders hidden."""
    return dataclasses.replace(batch.options, hide=(*batch.options.hide, str(batch.submissions), str(batch.out)))


def failed_rows(student: Student, options: Options, finished: set[tuple[str, str]], exc: BaseException) -> list[dict]:
    """Rows for a student whose grading failed outright: recorded, never lost."""
    return [row(student.id, course.default().get(e), "error", f"grading failed: {exc}")
            for e in options.exercises if (student.id, e) not in finished]


def run(batch: Batch, todo: list[Student], workers: int,
        on_rows: Callable[[list[dict]], None] = lambda rows: None) -> None:
    """Grade ``todo`` with ``workers`` grader processes here, appending rows as they come."""
    finished = finished_pairs(batch)
    options = grading_options(batch)
    pending = iter(todo)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=functools.partial(init_grader, options.reuse_reference, options.sandbox,
                                                                 options.exercises[0])) as pool:
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
                    rows = failed_rows(student, options, finished, exc)
                append(batch.results_path, rows)
                on_rows(rows)
                submit_next()


def finish(batch: Batch, settings: Settings) -> Written:
    """Write the gradebook and the requested exports from ``results.jsonl``."""
    return write_exports(batch.out, read_results(batch.results_path), settings)
