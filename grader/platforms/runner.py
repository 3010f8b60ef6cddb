"""Grading one submission as a platform hands it over, into the platform's results file.

The bundles' scripts call ``pttutor-grade autograder grade PLATFORM SUBMISSION RESULTS``. The
submission folder may hold a ``.py`` or ``.ipynb`` per exercise, anywhere in its tree (a
repository checkout, a folder inside an upload), or ``.zip`` archives of them, unpacked with
the batch's safe unpacking. The files named like the stubs are copied into a private folder
(a file outside an archive before one inside, then the shallowest, then a script before a
notebook) and graded as one
student by the batch machinery, with hidden checks, in the sandbox mode asked for; every file
that was skipped, and why, is said in the results. A results file is written whatever
happens: if grading itself fails, every exercise says so.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.atomicfile import write_atomic
from pttutor.grader.classroom import batch, graderprocess
from pttutor.grader.classroom.archive import ArchiveError, extract
from pttutor.grader.course import Exercise
from pttutor.grader.platforms import gradescope, prairielearn

PLATFORMS = ("gradescope", "prairielearn")
STUDENT = "submission"
MAX_DEPTH = 6
MAX_FILES = 2000
MAX_ZIPS = 5
STOPPED = ("Grading stopped before it finished, which says nothing about your code: the grading process was "
           "killed, most often because the autograder ran out of memory. Your instructor can raise the "
           "assignment's memory limit and grade it again.")


@dataclass(frozen=True)
class Request:
    platform: str
    submission: Path
    results: Path
    exercises: tuple[str, ...]
    sandbox: str = "container"
    hide: tuple[str, ...] = ()
    public: str = "visible"  # Gradescope visibility of public checks
    hidden: str = "after_due_date"  # Gradescope visibility of hidden checks
    show_hidden: bool = False  # PrairieLearn: hidden checks' messages


def _walk(root: Path) -> list[Path]:
    """Regular files under ``root`` (no links, no hidden or ``__MACOSX`` folders), shallow first."""
    found = []
    for folder, dirs, files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        dirs[:] = [] if depth >= MAX_DEPTH else sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for name in sorted(files):
            path = Path(folder) / name
            if not name.startswith(".") and not path.is_symlink() and path.is_file():
                found.append(path)
        if len(found) > MAX_FILES:
            break
    return sorted(found[:MAX_FILES], key=lambda p: (len(p.relative_to(root).parts), str(p)))


def collect(submission: Path, dest: Path, exercises: Sequence[Exercise], scratch: Path) -> list[str]:
    """Copy the student's file for each exercise from ``submission`` into ``dest`` (unpacking archives
    in ``scratch``); notes for the student."""
    notes: list[str] = []
    trees = [(submission, "")]
    for i, archive in enumerate([p for p in _walk(submission) if p.suffix.lower() == ".zip"][:MAX_ZIPS]):
        try:
            trees.append((extract(archive, scratch / str(i)), f"{archive.name}: "))
        except ArchiveError as exc:
            notes.append(f"{archive.name} was not unpacked: {exc}")
    # (file, its tree's root, how to name it); files outside archives first, then the shallowest.
    candidates = [(path, root, label) for root, label in trees for path in _walk(root)]
    used = set()
    for ex in exercises:
        named = [c for c in candidates if c[0].name in (ex.file, ex.notebook)]
        if not named:
            continue
        best = min(named, key=lambda c: (bool(c[2]), len(c[0].relative_to(c[1]).parts), c[0].name != ex.file))
        shutil.copyfile(best[0], dest / best[0].name)
        used.add(best[0])
        where = best[2] + best[0].relative_to(best[1]).as_posix()
        if len(named) > 1:
            skipped = ", ".join(lbl + p.relative_to(r).as_posix() for p, r, lbl in named if p != best[0])
            notes.append(f"{ex.id}: graded {where}; ignored {skipped}")
        elif where != best[0].name:
            notes.append(f"{ex.id}: graded {where}")
    strays = [lbl + p.relative_to(r).as_posix() for p, r, lbl in candidates
              if p not in used and p.suffix in (".py", ".ipynb")]
    if strays:
        expected = ", ".join(ex.file for ex in exercises)
        notes.append(f"not graded (this assignment grades {expected}): {', '.join(strays[:10])}"
                     + (" ..." if len(strays) > 10 else ""))
    return notes


def render(request: Request, rows: list[dict], notes: Sequence[str], seconds: float) -> dict:
    if request.platform == "gradescope":
        return gradescope.results(rows, request.exercises, request.public, request.hidden, seconds, notes)
    return prairielearn.results(rows, request.exercises, request.show_hidden, notes)


def grade(request: Request) -> dict:
    """Grade the submission, write the results file (atomically) and return what it holds."""
    started = time.monotonic()
    exercises = [course.default().get(e) for e in request.exercises]
    request.results.parent.mkdir(parents=True, exist_ok=True)
    hide = tuple(p for p in (str(request.submission), str(request.results.parent), *request.hide) if os.path.exists(p))
    notes: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="pttutor-autograder-") as tmp:
            folder = Path(tmp) / "submissions" / STUDENT
            folder.mkdir(parents=True)
            notes = collect(request.submission, folder, exercises, Path(tmp) / "unpacked")
            options = batch.Options(request.exercises, hide=hide, sandbox=request.sandbox)
            job, todo = batch.prepare(folder.parent, Path(tmp) / "out", options, resume=False)
            batch.run(job, todo, workers=1)
            rows = batch.read_results(job.results_path)
    except Exception as exc:  # noqa: BLE001  (the platform must get a results file, whatever failed)
        rows = [graderprocess.row(STUDENT, ex, "error", f"grading failed: {exc}") for ex in exercises]
    if any(str(row.get("message", "")).startswith("grading failed") for row in rows):
        notes.append(STOPPED)
    data = render(request, rows, notes, time.monotonic() - started)
    write_atomic(request.results, json.dumps(data, indent=2) + "\n", mode=0o600)
    return data
