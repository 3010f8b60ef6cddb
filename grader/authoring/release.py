"""``pttutor-grade release OUT``: the student kit, which is the public half of the course.

The kit is an installable copy of pttutor with the course's public half (``exercises/``:
the registry, the stubs, the public checks and their helpers), the grader, the data
loaders and the top-level ``pttutor`` package (``pttutor.check()`` in a notebook), and an
empty private half: no reference solution, hidden check or recorded mistake.
Public checks compare with the reference solution, so the kit carries the reference's
recorded answers to the public checks' questions instead of the solution itself (see
:mod:`pttutor.grader.grading.recorded`).
"""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pttutor
import pttutor.datasets
from pttutor.grader import __version__, course
from pttutor.grader.student.workspace import STUDENT_README

GRADER_DIR = Path(__file__).resolve().parent.parent
DATASETS_DIR = Path(pttutor.datasets.__file__).resolve().parent
TOP_INIT = Path(pttutor.__file__).resolve()  # the top-level package: pttutor.check() and friends


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
packages = {packages}

[tool.setuptools.package-dir]
{package_dirs}

[tool.setuptools.package-data]
"pttutor.grader.grading" = ["pytest.ini"]
"pttutor.exercises" = ["info.toml", "*/*.py", "*/*.json"]
"""

KIT_README = """# PyTorch course exercises: student kit

Install once (inside a virtual environment if you like), then start a workspace:

    python -m pip install .
    pttutor-grade init my-exercises
    cd my-exercises

In a notebook (Jupyter, VS Code or Colab), install with one cell, then check from any cell:

    %pip install -q /path/to/this/kit        (or the address your instructor gives you)
    import pttutor
    pttutor.check("FIRST_EXERCISE")          # also pttutor.hint(...) and pttutor.export(...)

""" + STUDENT_README.split("\n", 2)[2]


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith((".pyc", ".egg-info"))}


def _packages(root: Path) -> dict[str, str]:
    """Every package of the kit (a folder with ``__init__.py``) and its folder."""
    out = {"pttutor": "pttutor"}
    for top in ("grader", "exercises", "solutions", "datasets"):
        for init in sorted((root / top).rglob("__init__.py")):
            folder = init.parent.relative_to(root)
            out["pttutor." + ".".join((top, *folder.parts[1:]))] = folder.as_posix()
    return out


def _pyproject(root: Path) -> str:
    try:
        dependencies = [r for r in importlib.metadata.requires("pttutor") or [] if "extra ==" not in r]
    except importlib.metadata.PackageNotFoundError:
        dependencies = []
    packages = _packages(root)
    dirs = "\n".join(f'"{name}" = "{folder}"' for name, folder in packages.items())
    return PYPROJECT.format(version=__version__, dependencies=dependencies, packages=list(packages),
                            package_dirs=dirs)


def release(out: Path) -> list[str]:
    """Write the kit into ``out`` (which must be empty or absent); returns the exercise ids."""
    from pttutor.grader.grading import engine

    the_course = course.default()
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    (out / "pttutor").mkdir()
    shutil.copy(TOP_INIT, out / "pttutor" / "__init__.py")
    shutil.copytree(GRADER_DIR, out / "grader", ignore=_ignore)
    shutil.copytree(DATASETS_DIR, out / "datasets", ignore=_ignore)
    shutil.copytree(the_course.public_root, out / "exercises", ignore=_ignore)
    (out / "solutions").mkdir()
    (out / "solutions" / "__init__.py").write_text('"""The private half of the course: empty in the student kit."""\n')
    (out / "pyproject.toml").write_text(_pyproject(out))
    (out / "README.md").write_text(KIT_README.replace("FIRST_EXERCISE", the_course.exercises[0].id))
    for ex in the_course.exercises:
        report = engine.grade(ex, ex.solution_path, record=out / "exercises" / ex.id / course.ANSWERS)
        failed = [c.name for c in report.checks if not c.passed]
        if failed:
            raise ReleaseError(f"the reference solution of {ex.id} fails {', '.join(failed)}")
    return [ex.id for ex in the_course.exercises]
