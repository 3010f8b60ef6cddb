"""The exercise registry: one ordered list of exercises, read from ``exercises/info.toml``.

Everything else derives its paths from here: an exercise ``ex02-cost-surface`` with file
``ex02_cost_surface.py`` has its stub at ``exercises/ex02-cost-surface/ex02_cost_surface.py``,
its reference solution at ``solutions/ex02-cost-surface/ex02_cost_surface.py`` and its checks
at ``grader/checks/ex02-cost-surface/{public,hidden}.py``.

This module is imported by ``pttutor-grade --help``: it must stay free of heavy imports.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pttutor.exercises
import pttutor.solutions

EXERCISES_DIR = Path(pttutor.exercises.__file__).resolve().parent
SOLUTIONS_DIR = Path(pttutor.solutions.__file__).resolve().parent
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
REGISTRY_FILE = EXERCISES_DIR / "info.toml"

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
    def stub_path(self) -> Path:
        return EXERCISES_DIR / self.id / self.file

    @property
    def solution_path(self) -> Path:
        return SOLUTIONS_DIR / self.id / self.file

    @property
    def checks_dir(self) -> Path:
        return CHECKS_DIR / self.id

    def check_files(self, hidden: bool) -> list[Path]:
        names = ["public.py", "hidden.py"] if hidden else ["public.py"]
        return [self.checks_dir / name for name in names]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "chapter": self.chapter,
            "title": self.title,
            "file": self.file,
            "points": self.points,
            "budget": self.budget,
            "course": self.course,
        }


def _entry(raw: object, index: int) -> Exercise:
    where = f"{REGISTRY_FILE.name}: exercise #{index + 1}"
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: expected a table, got {type(raw).__name__}")
    missing = FIELDS - raw.keys()
    unknown = raw.keys() - FIELDS
    if missing:
        raise RegistryError(f"{where}: missing field(s) {', '.join(sorted(missing))}")
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    where = f"{REGISTRY_FILE.name}: {raw['id']!r}"
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
    return Exercise(
        id=raw["id"],
        title=raw["title"].strip(),
        file=raw["file"],
        points=raw["points"],
        budget=float(raw["budget"]),
        hint=raw["hint"].strip(),
        course=raw["course"].strip(),
    )


def parse(text: str) -> tuple[Exercise, ...]:
    """Parse and validate registry text; raises :class:`RegistryError` on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{REGISTRY_FILE.name}: {exc}") from None
    entries = data.get("exercises")
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{REGISTRY_FILE.name}: no [[exercises]] entries")
    exercises = tuple(_entry(raw, i) for i, raw in enumerate(entries))
    for attr in ("id", "file"):
        seen: set[str] = set()
        for ex in exercises:
            value = getattr(ex, attr)
            if value in seen:
                raise RegistryError(f"{REGISTRY_FILE.name}: duplicate {attr} {value!r}")
            seen.add(value)
    chapters = [ex.chapter for ex in exercises]
    if chapters != sorted(chapters):
        raise RegistryError(f"{REGISTRY_FILE.name}: exercises must be listed in lecture order")
    return exercises


@cache
def exercises() -> tuple[Exercise, ...]:
    """All exercises, in course order."""
    return parse(REGISTRY_FILE.read_text(encoding="utf-8"))


def get(exercise_id: str) -> Exercise:
    for ex in exercises():
        if ex.id == exercise_id:
            return ex
    known = ", ".join(ex.id for ex in exercises())
    raise KeyError(f"unknown exercise {exercise_id!r}; known exercises: {known}")


def missing_files(ex: Exercise) -> list[Path]:
    """The files of an exercise's mirror trees that do not exist (empty when complete)."""
    wanted = [ex.stub_path, ex.solution_path, *ex.check_files(hidden=True)]
    return [path for path in wanted if not path.is_file()]
