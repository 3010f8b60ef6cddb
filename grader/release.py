"""``pttutor-grade release OUT``: the student kit.

The kit is an installable copy of pttutor with the stubs, the public checks, the grader and a
README for students, and without any reference solution or hidden check. Public checks
compare with the reference solution, so the kit carries the reference's recorded answers to
the public checks' questions instead of the solution itself (see :mod:`pttutor.grader.oracle`).
"""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pttutor.datasets
from pttutor.grader import __version__, registry
from pttutor.grader.oracle import ANSWERS
from pttutor.grader.workspace import STUDENT_README

GRADER_DIR = Path(__file__).resolve().parent
DATASETS_DIR = Path(pttutor.datasets.__file__).resolve().parent


class ReleaseError(Exception):
    """The kit could not be made (the folder is not empty, a reference fails its checks)."""


PYPROJECT = """[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "pttutor"
version = "{version}"
description = "PyTorch course exercises and their checks (student kit)"
requires-python = ">=3.10"
dependencies = {dependencies}

[project.scripts]
pttutor-grade = "pttutor.grader.cli:main"

[tool.setuptools]
packages = ["pttutor.grader", "pttutor.exercises", "pttutor.solutions", "pttutor.datasets"]

[tool.setuptools.package-dir]
"pttutor.grader" = "grader"
"pttutor.exercises" = "exercises"
"pttutor.solutions" = "solutions"
"pttutor.datasets" = "datasets"

[tool.setuptools.package-data]
"pttutor.grader" = ["checks/checks.ini", "checks/*/*.py", "checks/*/*.json"]
"pttutor.exercises" = ["info.toml", "*/*.py"]
"""

KIT_README = """# PyTorch course exercises: student kit

Install once (inside a virtual environment if you like), then start a workspace:

    python -m pip install .
    pttutor-grade init my-exercises
    cd my-exercises

""" + STUDENT_README.split("\n", 2)[2]


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith((".pyc", ".egg-info"))}


def _copy_course(out: Path) -> None:
    """The grader without its checks, then per exercise only the stub and the public checks."""
    shutil.copytree(GRADER_DIR, out / "grader", ignore=lambda f, n: _ignore(f, n) | {"checks"})
    shutil.copytree(DATASETS_DIR, out / "datasets", ignore=_ignore)
    (out / "grader" / "checks").mkdir()
    shutil.copy2(registry.CHECKS_DIR / "checks.ini", out / "grader" / "checks")
    (out / "exercises").mkdir()
    for name in ("__init__.py", registry.REGISTRY_FILE.name):
        shutil.copy2(registry.EXERCISES_DIR / name, out / "exercises")
    for ex in registry.exercises():
        (out / "exercises" / ex.id).mkdir()
        shutil.copy2(ex.stub_path, out / "exercises" / ex.id)
        (out / "grader" / "checks" / ex.id).mkdir()
        for name in ("public.py", "common.py"):
            if (ex.checks_dir / name).is_file():
                shutil.copy2(ex.checks_dir / name, out / "grader" / "checks" / ex.id)
    (out / "solutions").mkdir()
    (out / "solutions" / "__init__.py").write_text('"""No reference solutions in the student kit."""\n')


def release(out: Path) -> list[str]:
    """Write the kit into ``out`` (which must be empty or absent); returns the exercise ids."""
    from pttutor.grader import engine

    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    _copy_course(out)
    try:
        dependencies = [r for r in importlib.metadata.requires("pttutor") or [] if "extra ==" not in r]
    except importlib.metadata.PackageNotFoundError:
        dependencies = []
    (out / "pyproject.toml").write_text(PYPROJECT.format(version=__version__, dependencies=dependencies))
    (out / "README.md").write_text(KIT_README)
    for ex in registry.exercises():
        report = engine.grade(ex, ex.solution_path, record=out / "grader" / "checks" / ex.id / ANSWERS)
        failed = [c.name for c in report.checks if not c.passed]
        if failed:
            raise ReleaseError(f"the reference solution of {ex.id} fails {', '.join(failed)}")
    return [ex.id for ex in registry.exercises()]
