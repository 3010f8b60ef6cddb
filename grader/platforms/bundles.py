"""The autograder bundles: what Gradescope and PrairieLearn need to grade with pttutor.

Both carry pttutor as a wheel built here from the installed grader and the course (both
halves: the reference solutions and hidden checks are what grading needs), so the platform
installs exactly the course this instructor has, without any package index holding it.

- Gradescope (``autograder.zip``): ``setup.sh`` and ``run_autograder`` at the root, per its
  specification, and the wheel. Gradescope builds a private image from it.
- PrairieLearn (a folder): a ``Dockerfile`` for an image with torch and pttutor's
  dependencies but no course content (images are pulled from a registry, often public), and
  ``serverFilesCourse/pttutor/`` with the entrypoint and the wheel, which live in the
  course's own repository; ``README.md`` has the questions' ``externalGradingOptions``.

Archives are reproducible: entries sorted, fixed timestamps.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pttutor.grader import __version__, course

TEMPLATES = Path(__file__).with_name("templates")
EPOCH = (1980, 1, 1, 0, 0, 0)
WHEEL = f"pttutor-{__version__}-py3-none-any.whl"
ENTRY_POINTS = "[console_scripts]\npttutor-grade = pttutor.grader.cli:main\n"
EXTRA_SECONDS = 120  # start-up and loading on top of an exercise's budget, for platform timeouts


class BundleError(Exception):
    """A bundle cannot be built here (e.g. the reference solutions are not installed)."""


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not path.is_symlink() and "__pycache__" not in parts \
                and not any(p.startswith(".") for p in parts) and path.suffix != ".pyc":
            yield path


def _sources() -> list[tuple[str, Path]]:
    """(name in the wheel, folder) for each part of pttutor: the grader, the data loaders, the course."""
    import pttutor.datasets
    import pttutor.grader

    here = course.default()
    if not here.has_private_half:
        raise BundleError("the reference solutions are not installed here: build autograders from an instructor's "
                          "copy of pttutor (or set PTTUTOR_COURSE to a course with exercises/ and solutions/)")
    return [("pttutor/grader", Path(pttutor.grader.__file__).parent),
            ("pttutor/datasets", Path(pttutor.datasets.__file__).parent),
            ("pttutor/exercises", here.public_root), ("pttutor/solutions", here.private_root)]


def requirements() -> list[str]:
    """pttutor's dependencies, as installed here (without extras)."""
    try:
        found = importlib.metadata.requires("pttutor") or []
    except importlib.metadata.PackageNotFoundError:
        found = []
    return [r for r in found if "extra ==" not in r]


def _entry(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    zf.writestr(info, data)


def wheel() -> bytes:
    """A wheel of pttutor with this course, both halves included."""
    files: dict[str, bytes] = {}
    for prefix, folder in _sources():
        for path in _files(folder):
            files[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    for package in ("pttutor/exercises", "pttutor/solutions"):
        files.setdefault(f"{package}/__init__.py", b"")
    info = f"pttutor-{__version__}.dist-info"
    metadata = ["Metadata-Version: 2.1", "Name: pttutor", f"Version: {__version__}",
                "Summary: pttutor with a course's reference solutions and hidden checks (an autograder build)",
                "Requires-Python: >=3.10", *(f"Requires-Dist: {r}" for r in requirements())]
    files[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: pttutor-grade\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = ENTRY_POINTS.encode()
    record = []
    for name, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            _entry(zf, name, files[name])
    return buffer.getvalue()


def _template(name: str, **values: str) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise BundleError(f"template {name} has unfilled fields {left}")
    return text


def gradescope(out: Path, exercises: list[str], public: str = "visible", hidden: str = "after_due_date") -> list[str]:
    """Write Gradescope's ``autograder.zip`` to ``out``; the names it holds."""
    files = {
        "setup.sh": (_template("gradescope-setup.sh", WHEEL=WHEEL), True),
        "run_autograder": (_template("gradescope-run_autograder", EXERCISES=",".join(exercises),
                                     PUBLIC=public, HIDDEN=hidden), True),
        WHEEL: (wheel(), False),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        for name in sorted(files):
            data, executable = files[name]
            _entry(zf, name, data.encode() if isinstance(data, str) else data, executable)
    return sorted(files)


def timeout(exercise_ids: list[str]) -> int:
    """Seconds a platform should allow for grading these exercises: their budgets and start-up."""
    budgets = sum(course.default().get(e).budget for e in exercise_ids)
    return int(math.ceil(budgets + EXTRA_SECONDS))


def prairielearn(out: Path, exercises: list[str], show_hidden: bool = False) -> list[Path]:
    """Write the PrairieLearn external grader into the folder ``out``; the files written."""
    shared = out / "serverFilesCourse" / "pttutor"
    shared.mkdir(parents=True, exist_ok=True)
    wanted = [r for r in requirements() if not re.match(r"(torch|torchvision)\b", r)]
    written = {
        out / "Dockerfile": _template("prairielearn-Dockerfile",
                                      REQUIREMENTS=" ".join(json.dumps(r) for r in wanted)),
        shared / "entrypoint": _template("prairielearn-entrypoint", EXERCISES=",".join(exercises), WHEEL=WHEEL,
                                         SHOW_HIDDEN="--show-hidden-feedback" if show_hidden else ""),
        out / "README.md": prairielearn_readme(exercises),
        out / ".dockerignore": "serverFilesCourse\n",  # the course stays out of the image
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    (shared / "entrypoint").chmod(0o755)
    (shared / WHEEL).write_bytes(wheel())
    return [*written, shared / WHEEL]


def prairielearn_readme(exercises: list[str]) -> str:
    ex = course.default().get(exercises[0])
    options = {"enabled": True, "image": "YOUR-DOCKER-HUB-NAME/pttutor-grader",
               "serverFilesCourse": ["pttutor/"],
               "entrypoint": f"/grade/serverFilesCourse/pttutor/entrypoint {ex.id}",
               "timeout": min(600, timeout([ex.id]))}
    rows = "\n".join(f"| `{e}` | `{course.default().get(e).file}` | {min(600, timeout([e]))} |" for e in exercises)
    return _template("prairielearn-README.md", OPTIONS=json.dumps({"externalGradingOptions": options}, indent=2),
                     EXERCISE=ex.id, FILE=ex.file, ROWS=rows)
