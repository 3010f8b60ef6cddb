"""What runs in a grader process of a batch: one student's exercises, graded one after the other.

A grader process imports torch once and keeps a warm fork server; it is started by the local
pool (:mod:`pttutor.grader.classroom.batch`) or, one per Dask worker, by the cluster runner
(:mod:`pttutor.grader.classroom.cluster`). It ends itself when the process that started it is
gone. With ``reuse_reference`` the reference's answers that do not depend on the student are
computed once in the process (:mod:`pttutor.grader.grading.cached`).

A student's files arrive either as a path (a folder or a ``.zip`` this machine can read) or,
for another machine, as the bytes of a zip made by :func:`pack_entry`; either way they are
copied or safely unpacked into a private folder before grading.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.classroom.archive import MAX_TOTAL, ArchiveError, copy_folder, extract
from pttutor.grader.course import Exercise

PACKED_ROOT = "submission"  # the one folder a packed entry's zip holds


@dataclass(frozen=True)
class Student:
    id: str
    entry: Path | None = None  # None where the files arrive packed (on another machine)


@dataclass
class Options:
    exercises: tuple[str, ...]
    device: str = "cpu"
    timeout: float | None = None
    hide: tuple[str, ...] = ()
    sandbox: str = "full"
    reuse_reference: bool = True  # answers of the reference not depending on the student, computed once


def row(student: str, ex: Exercise, status: str, message: str, **extra) -> dict:
    """A result row for an exercise that was not graded (not submitted, refused, failed)."""
    return {"student": student, "exercise": ex.id, "status": status, "score": 0, "max_score": ex.points,
            "message": message, "checks": [], "notes": [], **extra}


def _watch_parent() -> None:
    """End this grader process if the process that started it is gone (e.g. killed with SIGKILL)."""
    parent = os.getppid()

    def loop() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=loop, daemon=True).start()


def init_grader(reuse_reference: bool = True, sandbox: str = "auto", exercise_id: str | None = None) -> None:
    """Start a grader process: its sandbox and fork server first (forked from this process, which
    has read nothing yet and runs no other thread: torch is imported once for both)."""
    from pttutor.grader.grading import engine, reference  # import torch and pytest once, here
    from pttutor.grader.sandbox import process

    if exercise_id is not None:
        engine.prepare(course.default().get(exercise_id), engine.Options(sandbox=sandbox), fork_self=True)
    else:
        process.prestart()
    _watch_parent()
    reference.reuse_answers(reuse_reference)


def pack_entry(entry: Path) -> bytes:
    """A student's folder or ``.zip`` as bytes another machine can unpack with :func:`grade_student`.

    A folder becomes a zip of its regular files under one folder (links are left out, as when
    a folder is copied); a ``.zip`` is sent as it is, and checked where it is unpacked.
    """
    if not entry.is_dir():
        if entry.stat().st_size > 2 * MAX_TOTAL:
            raise ArchiveError(f"{entry.name} is larger than {2 * MAX_TOTAL // (1024 * 1024)} MiB")
        return entry.read_bytes()
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for folder, dirs, files in os.walk(entry, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(folder, d)))
            for name in sorted(files):
                path = Path(folder, name)
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    continue
                total += info.st_size
                if total > MAX_TOTAL:
                    raise ArchiveError(f"{entry.name} holds more than {MAX_TOTAL // (1024 * 1024)} MiB")
                zf.write(path, f"{PACKED_ROOT}/{path.relative_to(entry).as_posix()}")
        if total == 0:
            zf.writestr(f"{PACKED_ROOT}/", b"")
    return buffer.getvalue()


def _unpack(student: Student, packed: bytes | None, tmp: Path) -> Path:
    if packed is not None:
        archive = tmp / f"{student.id}.zip"
        archive.write_bytes(packed)
        folder = extract(archive, tmp / "files")
        archive.unlink()
        return folder
    if student.entry is None:
        raise ArchiveError("no files were sent")
    if student.entry.is_dir():
        return copy_folder(student.entry, tmp / "files")
    return extract(student.entry, tmp / "files")


def grade_student(student: Student, exercise_ids: tuple[str, ...], options: Options,
                  packed: bytes | None = None) -> list[dict]:
    """Grade one student's exercises (in a grader process); one row per exercise."""
    from pttutor.grader.grading import engine, reference

    exercises = [course.default().get(i) for i in exercise_ids]
    hide = tuple(p for p in options.hide if Path(p).is_dir())  # folders of the coordinator's machine
    rows = []
    with tempfile.TemporaryDirectory(prefix="pttutor-student-") as tmp:
        try:
            folder = _unpack(student, packed, Path(tmp))
        except ArchiveError as exc:
            return [row(student.id, ex, "refused", str(exc)) for ex in exercises]
        for ex in exercises:
            path = ex.file_in(folder)
            if path is None:
                rows.append(row(student.id, ex, "not submitted", "not submitted"))
                continue
            before = reference.answer_stats()
            before = before.as_dict() if before is not None else None
            try:
                report = engine.grade(ex, path, hidden=True, device=options.device, budget=options.timeout,
                                      hide=hide, sandbox=options.sandbox)
            except engine.GradingError as exc:
                rows.append(row(student.id, ex, "error", str(exc), file=path.name))
                continue
            data = report.as_dict()
            rows.append({"student": student.id, "exercise": ex.id, "status": "graded",
                         "score": data["score"], "max_score": data["max_score"], "message": "",
                         "file": path.name, "checks": data["checks"], "notes": data["notes"],
                         "time_used": data["time_used"], "protections": data["protections"],
                         "sandbox": data.get("sandbox", "")})
            after = reference.answer_stats()
            if before is not None and after is not None:
                rows[-1]["reference_calls"] = {k: round(v - before[k], 4) for k, v in after.as_dict().items()}
    return rows
