"""A student's workspace: the stubs, a short README, and the progress kept by exercise id.

``pttutor-grade init`` writes every stub (as ``.py`` files or as notebooks made from the same
source) and a state file ``.pttutor-progress.json``. The state file is found in the current
folder or the nearest parent that has one, like ``.git``, and is always written atomically
(a temporary file renamed over the old one), so an interrupted write never corrupts it.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pttutor.grader import registry

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


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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

    def file_for(self, ex: registry.Exercise) -> Path:
        """The student's file: the one of the workspace's format, else whichever exists."""
        preferred = ex.notebook if self.format == "ipynb" else ex.file
        for name in (preferred, ex.file, ex.notebook):
            if (self.root / name).is_file():
                return self.root / name
        return self.root / preferred

    def status(self, ex: registry.Exercise) -> str:
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

    def next_pending(self) -> registry.Exercise | None:
        """The first exercise in course order that is not done."""
        for ex in registry.exercises():
            if self.status(ex) != DONE:
                return ex
        return None


# --------------------------------------------------------------------------- stubs as notebooks


def stub_text(ex: registry.Exercise, fmt: str) -> str:
    source = ex.stub_path.read_text(encoding="utf-8")
    return source if fmt == "py" else notebook_from_source(source)


def notebook_from_source(source: str) -> str:
    """A notebook made from a stub: its docstring as a markdown cell, then one code cell for
    the imports and module-level data and one per function, class or ``__main__`` block."""
    import nbformat

    tree = ast.parse(source)
    lines = source.splitlines()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    body = tree.body
    doc = ast.get_docstring(tree)
    if doc is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(doc))
        body = body[1:]
    chunk: list[str] = []
    for node in body:
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = node.decorator_list[0].lineno - 1
        text = "\n".join(lines[start:node.end_lineno]).strip("\n")
        standalone = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If))
        if standalone:
            if chunk:
                nb.cells.append(nbformat.v4.new_code_cell("\n".join(chunk)))
                chunk = []
            nb.cells.append(nbformat.v4.new_code_cell(text))
        else:
            chunk.append(text)
    if chunk:
        nb.cells.append(nbformat.v4.new_code_cell("\n".join(chunk)))
    return nbformat.writes(nb)


def init(root: Path, fmt: str) -> tuple[list[Path], list[Path]]:
    """Write every stub and the README into ``root``; returns (written, kept) paths.

    A file that already exists is never overwritten: it is kept and reported.
    """
    root.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    targets = [(root / "README.md", STUDENT_README)]
    for ex in registry.exercises():
        name = ex.notebook if fmt == "ipynb" else ex.file
        targets.append((root / name, None))
    for path, text in targets:
        if path.exists():
            kept.append(path)
            continue
        if text is None:
            ex = next(e for e in registry.exercises() if path.name in (e.file, e.notebook))
            text = stub_text(ex, fmt)
        write_atomic(path, text)
        written.append(path)
    state = root / STATE_FILE
    workspace = Workspace.load(state) if state.is_file() else Workspace(root, fmt, {})
    workspace.format = fmt
    workspace.save()
    return written, kept
