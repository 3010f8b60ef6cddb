"""A student's workspace: the stubs, a short README, and the progress kept by exercise id.

``pttutor-grade init`` writes every stub (as ``.py`` files or as notebooks made from the same
source) and a state file ``.pttutor-progress.json``. The state file is found in the current
folder or the nearest parent that has one, like ``.git``, and is always written atomically
(a temporary file renamed over the old one), so an interrupted write never corrupts it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pttutor.grader import course
from pttutor.grader.atomicfile import write_atomic
from pttutor.grader.course import Exercise
from pttutor.grader.student.notebooks import stub_text

STATE_FILE = ".pttutor-progress.json"
DONE, PENDING, NOT_STARTED = "done", "pending", "not started"

STUDENT_README = """# PyTorch exercises

Each file here is one exercise of the course; its docstring (or first notebook cell) says
what to do. Fill in every `# TODO`, save, and check your work:

    pttutor-grade check            # grades the next exercise that is not done yet
    pttutor-grade watch            # re-grades on every save, moves on when all checks pass
    pttutor-grade hint ID          # a hint for exercise ID
    pttutor-grade list             # every exercise: done, pending or not started
    pttutor-grade reset ID         # put the original stub back (asks first)

Your code runs under the same limits as when your instructor grades it: what passes here
within its time budget passes there.
"""


def find_state(start: Path) -> Path | None:
    """The workspace state file in ``start`` or the nearest parent folder that has one."""
    for folder in [start, *start.parents]:
        if (folder / STATE_FILE).is_file():
            return folder / STATE_FILE
    return None


@dataclass
class Workspace:
    root: Path
    format: str  # "py" or "ipynb"
    progress: dict[str, dict]

    @property
    def state_path(self) -> Path:
        return self.root / STATE_FILE

    @classmethod
    def load(cls, state_path: Path) -> Workspace:
        try:
            data = json.loads(state_path.read_text(encoding="utf-8"))
            fmt = data["format"] if data.get("format") in ("py", "ipynb") else "py"
            progress = {k: v for k, v in data.get("progress", {}).items() if isinstance(v, dict)}
        except (OSError, ValueError, AttributeError, KeyError):
            fmt, progress = "py", {}
        return cls(state_path.parent, fmt, progress)

    @classmethod
    def here(cls, cwd: Path) -> Workspace | None:
        state = find_state(cwd.resolve())
        return cls.load(state) if state else None

    def save(self) -> None:
        write_atomic(self.state_path, json.dumps({"format": self.format, "progress": self.progress}, indent=2))

    def file_for(self, ex: Exercise) -> Path:
        """The student's file: the one of the workspace's format, else whichever exists."""
        found = ex.file_in(self.root, prefer_notebook=self.format == "ipynb")
        return found or self.root / (ex.notebook if self.format == "ipynb" else ex.file)

    def status(self, ex: Exercise) -> str:
        entry = self.progress.get(ex.id)
        if entry:
            return DONE if entry.get("status") == DONE else PENDING
        path = self.file_for(ex)
        if path.is_file() and path.read_text(encoding="utf-8") != stub_text(ex, self.format_of(path)):
            return PENDING
        return NOT_STARTED

    @staticmethod
    def format_of(path: Path) -> str:
        return "ipynb" if path.suffix == ".ipynb" else "py"

    def record(self, exercise_id: str, score: int, max_score: int, passed: bool) -> None:
        self.progress[exercise_id] = {
            "status": DONE if passed else PENDING,
            "score": score,
            "max_score": max_score,
            "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self.save()

    def next_pending(self) -> Exercise | None:
        """The first exercise in course order that is not done."""
        for ex in course.default().exercises:
            if self.status(ex) != DONE:
                return ex
        return None


def init(root: Path, fmt: str) -> tuple[list[Path], list[Path]]:
    """Write every stub and the README into ``root``; returns (written, kept) paths.

    A file that already exists is never overwritten: it is kept and reported.
    """
    root.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    targets = [(root / "README.md", STUDENT_README)]
    for ex in course.default().exercises:
        name = ex.notebook if fmt == "ipynb" else ex.file
        targets.append((root / name, None))
    for path, text in targets:
        if path.exists():
            kept.append(path)
            continue
        if text is None:
            ex = next(e for e in course.default().exercises if path.name in (e.file, e.notebook))
            text = stub_text(ex, fmt)
        write_atomic(path, text)
        written.append(path)
    state = root / STATE_FILE
    workspace = Workspace.load(state) if state.is_file() else Workspace(root, fmt, {})
    workspace.format = fmt
    workspace.save()
    return written, kept


class NothingToGrade(Exception):
    """No file to grade was found; the message says where it was looked for."""


def files_to_grade(named: list[Exercise], path: Path | None, cwd: Path,
                   workspace: Workspace | None) -> list[tuple[Exercise, Path]]:
    """Which file of which exercise ``check`` grades: ``path`` if given; else the named
    exercises' files here; else, in a workspace, the next exercise not done; else every
    exercise file in ``cwd``. Empty when every exercise of the workspace is done."""
    if path is not None:
        if len(named) > 1:
            raise NothingToGrade("--path grades one exercise; give at most one ID with it")
        if not path.is_file():
            raise NothingToGrade(f"{path} does not exist")
        if named:
            return [(named[0], path)]
        try:
            return [(course.default().find(path.name), path)]
        except KeyError:
            raise NothingToGrade(f"cannot tell which exercise {path.name} is; name the exercise id") from None
    if not named and workspace is not None:
        upcoming = workspace.next_pending()
        named = [upcoming] if upcoming is not None else []
        if not named:
            return []
    if not named:
        named = [ex for ex in course.default().exercises if ex.file_in(cwd)]
        if not named:
            raise NothingToGrade(f"no exercise file in {cwd}; name an exercise id or use --path")
    jobs = []
    for ex in named:
        found = workspace.file_for(ex) if workspace is not None else ex.file_in(cwd)
        if found is None or not found.is_file():
            raise NothingToGrade(f"{ex.file} (or {ex.notebook}) is not in {cwd}; use --path FILE")
        jobs.append((ex, found))
    return jobs
