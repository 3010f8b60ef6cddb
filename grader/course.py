"""A course: its registry of exercises (``info.toml``) and every path derived from it.

A course is two folders. The *public half* (``exercises/``) holds what a student may see: the
registry, and per exercise its stub, its public checks and the helpers they share. The
*private half* (``solutions/``) holds what only instructors may see: per exercise the
reference solution, the hidden checks and the recorded student mistakes::

    exercises/info.toml
    exercises/<id>/<file>             the stub
    exercises/<id>/public.py          public checks
    exercises/<id>/common.py          helpers of the public and hidden checks (optional)
    solutions/<id>/<file>             the reference solution
    solutions/<id>/hidden.py          hidden checks
    solutions/<id>/mistakes/*.py      recorded mistakes (see pttutor.grader.authoring.mistakes)

The student kit is the public half alone. The grader knows nothing else of a course:
:func:`default` is the course installed with pttutor, or the one ``$PTTUTOR_COURSE`` names
(a folder holding ``exercises/`` and, for instructors, ``solutions/``).

This module is imported by ``pttutor-grade --help``: it must stay free of heavy imports.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REGISTRY = "info.toml"
ANSWERS = "public-answers.json"  # the reference's recorded answers, in the student kit
ID_PATTERN = re.compile(r"^ex(\d\d)-[a-z0-9]+(-[a-z0-9]+)*$")
FILE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*\.py$")
FIELDS = {"id", "title", "file", "points", "budget", "hint", "course"}


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    file: str
    points: int
    budget: float
    hint: str
    course: str
    public_root: Path
    private_root: Path

    @property
    def chapter(self) -> int:
        """The lecture the exercise belongs to, read from its id (``ex02-...`` is lecture 2)."""
        return int(self.id[2:4])

    @property
    def stem(self) -> str:
        return self.file[: -len(".py")]

    @property
    def notebook(self) -> str:
        """The notebook a student may hand in instead of the ``.py`` file."""
        return self.stem + ".ipynb"

    @property
    def public_dir(self) -> Path:
        return self.public_root / self.id

    @property
    def private_dir(self) -> Path:
        return self.private_root / self.id

    @property
    def stub_path(self) -> Path:
        return self.public_dir / self.file

    @property
    def solution_path(self) -> Path:
        return self.private_dir / self.file

    @property
    def answers_path(self) -> Path:
        return self.public_dir / ANSWERS

    @property
    def mistakes_dir(self) -> Path:
        return self.private_dir / "mistakes"

    def file_in(self, folder: Path, prefer_notebook: bool = False) -> Path | None:
        """The student's file for this exercise in ``folder`` (the ``.py`` file, else the notebook)."""
        names = (self.notebook, self.file) if prefer_notebook else (self.file, self.notebook)
        return next((folder / name for name in names if (folder / name).is_file()), None)

    def check_files(self, hidden: bool) -> list[Path]:
        files = [self.public_dir / "public.py"]
        return files + [self.private_dir / "hidden.py"] if hidden else files

    def missing_files(self) -> list[Path]:
        """The files of the exercise that do not exist (empty when complete)."""
        wanted = [self.stub_path, self.solution_path, *self.check_files(hidden=True)]
        return [path for path in wanted if not path.is_file()]

    def as_dict(self) -> dict:
        return {"id": self.id, "chapter": self.chapter, "title": self.title, "file": self.file,
                "points": self.points, "budget": self.budget, "course": self.course}


@dataclass(frozen=True)
class Course:
    public_root: Path
    private_root: Path
    exercises: tuple[Exercise, ...]

    @classmethod
    def load(cls, public_root: Path, private_root: Path) -> Course:
        public_root, private_root = public_root.resolve(), private_root.resolve()
        loaded = cls(public_root, private_root,
                     parse((public_root / REGISTRY).read_text(encoding="utf-8"), public_root, private_root))
        _LOADED.append(loaded)
        return loaded

    @property
    def has_private_half(self) -> bool:
        """True where the reference solutions are installed (an instructor's copy, not the kit)."""
        return any(ex.solution_path.is_file() for ex in self.exercises)

    def get(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        known = ", ".join(ex.id for ex in self.exercises)
        raise KeyError(f"unknown exercise {exercise_id!r}; known exercises: {known}")

    def find(self, text: str) -> Exercise:
        """The exercise named by its id, a unique prefix of it, or its file name (``.py``/``.ipynb``)."""
        name = Path(text).name
        for ex in self.exercises:
            if text == ex.id or name in (ex.file, ex.notebook, ex.stem):
                return ex
        matches = [ex for ex in self.exercises if ex.id.startswith(text)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise KeyError(f"{text!r} could be any of {', '.join(ex.id for ex in matches)}; say which")
        return self.get(text)



def _entry(raw: object, index: int, public_root: Path, private_root: Path) -> Exercise:
    where = f"{REGISTRY}: exercise #{index + 1}"
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: expected a table, got {type(raw).__name__}")
    missing = FIELDS - raw.keys()
    unknown = raw.keys() - FIELDS
    if missing:
        raise RegistryError(f"{where}: missing field(s) {', '.join(sorted(missing))}")
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    where = f"{REGISTRY}: {raw['id']!r}"
    if not isinstance(raw["id"], str) or not ID_PATTERN.match(raw["id"]):
        raise RegistryError(f"{where}: id must look like 'ex02-cost-surface'")
    if not isinstance(raw["file"], str) or not FILE_PATTERN.match(raw["file"]):
        raise RegistryError(f"{where}: file must be a lower-case Python file name, got {raw['file']!r}")
    if not isinstance(raw["points"], int) or isinstance(raw["points"], bool) or raw["points"] <= 0:
        raise RegistryError(f"{where}: points must be a positive integer")
    if not isinstance(raw["budget"], (int, float)) or isinstance(raw["budget"], bool) or raw["budget"] <= 0:
        raise RegistryError(f"{where}: budget must be a positive number of seconds")
    for text in ("title", "hint", "course"):
        if not isinstance(raw[text], str) or not raw[text].strip():
            raise RegistryError(f"{where}: {text} must be a non-empty string")
    return Exercise(id=raw["id"], title=raw["title"].strip(), file=raw["file"], points=raw["points"],
                    budget=float(raw["budget"]), hint=raw["hint"].strip(), course=raw["course"].strip(),
                    public_root=public_root, private_root=private_root)


def parse(text: str, public_root: Path = Path("exercises"),
          private_root: Path = Path("solutions")) -> tuple[Exercise, ...]:
    """Parse and validate registry text; raises :class:`RegistryError` on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{REGISTRY}: {exc}") from None
    entries = data.get("exercises")
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{REGISTRY}: no [[exercises]] entries")
    exercises = tuple(_entry(raw, i, public_root, private_root) for i, raw in enumerate(entries))
    for attr in ("id", "file"):
        seen: set[str] = set()
        for ex in exercises:
            value = getattr(ex, attr)
            if value in seen:
                raise RegistryError(f"{REGISTRY}: duplicate {attr} {value!r}")
            seen.add(value)
    chapters = [ex.chapter for ex in exercises]
    if chapters != sorted(chapters):
        raise RegistryError(f"{REGISTRY}: exercises must be listed in lecture order")
    return exercises


ENV_VAR = "PTTUTOR_COURSE"
_LOADED: list[Course] = []


def exercise_of(folder: Path) -> Exercise:
    """The exercise whose public or private folder is ``folder``, in any course loaded here."""
    folder = folder.resolve()
    for loaded in reversed(_LOADED):
        if folder.parent in (loaded.public_root, loaded.private_root):
            return loaded.get(folder.name)
    raise KeyError(f"{folder} is no exercise folder of a loaded course")


@cache
def default() -> Course:
    """The course ``$PTTUTOR_COURSE`` names, else the one installed with pttutor."""
    folder = os.environ.get(ENV_VAR)
    if folder:
        return Course.load(Path(folder) / "exercises", Path(folder) / "solutions")
    import pttutor.exercises
    import pttutor.solutions

    return Course.load(Path(pttutor.exercises.__file__).parent, Path(pttutor.solutions.__file__).parent)
