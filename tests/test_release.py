"""The student kit: no reference solution and no hidden check in it, by content; and it works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pttutor.grader import course
from pttutor.grader.cli import main


def _distinctive_lines(text: str, known: str) -> set[str]:
    """Lines of ``text`` long enough to be telling that do not also appear in ``known``."""
    others = {line.strip() for line in known.splitlines()}
    return {line.strip() for line in text.splitlines()
            if len(line.strip()) >= 25 and line.strip() not in others and not line.strip().startswith("#")}


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "kit"
    result = CliRunner().invoke(main, ["release", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_kit_holds_no_solution_and_no_hidden_check_by_content(kit):
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in kit.rglob("*") if p.is_file()}
    kit_lines = {line.strip() for text in texts.values() for line in text.splitlines()}
    the_course = course.default()
    public = "\n".join(p.read_text() for p in [*the_course.public_root.rglob("*.py"),
                                                *Path(course.__file__).parent.rglob("*.py")])
    for ex in the_course.exercises:
        secret = _distinctive_lines(ex.solution_path.read_text(), public)
        secret |= _distinctive_lines((ex.private_dir / "hidden.py").read_text(), public)
        for mistake in ex.mistakes_dir.glob("*.py"):
            secret |= _distinctive_lines(mistake.read_text(), public)
        assert secret, ex.id
        leaked = secret & kit_lines
        assert leaked == set(), f"{ex.id}: {sorted(leaked)[:5]}"


def test_kit_has_every_stub_and_public_check(kit):
    for ex in course.default().exercises:
        assert (kit / "exercises" / ex.id / ex.file).read_text() == ex.stub_path.read_text()
        assert (kit / "exercises" / ex.id / "public.py").is_file()
        assert (kit / "exercises" / ex.id / course.ANSWERS).is_file()
    assert "pttutor-grade init" in (kit / "README.md").read_text()


def test_release_refuses_a_folder_that_is_not_empty(kit):
    result = CliRunner().invoke(main, ["release", str(kit)])
    assert result.exit_code == 1 and "not empty" in result.output


@pytest.fixture(scope="module")
def installed_kit(kit, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(kit)], check=True, timeout=300)
    return site


@pytest.mark.parametrize("exercise_id", [ex.id for ex in course.default().exercises])
def test_installed_kit_grades_solution_full_and_stub_zero(installed_kit, tmp_path, exercise_id):
    ex = course.default().get(exercise_id)
    shutil.copy(ex.solution_path, tmp_path / ex.file)
    code = (
        "import sys\nfrom pathlib import Path\nimport pttutor.grader\n"
        f"assert pttutor.grader.__file__.startswith({str(installed_kit)!r}), pttutor.grader.__file__\n"
        "from pttutor.grader import course\nfrom pttutor.grader.grading import engine\n"
        f"ex = course.default().get({exercise_id!r})\n"
        "assert not ex.solution_path.exists()\n"
        f"full = engine.grade(ex, Path({str(tmp_path)!r}) / ex.file)\n"
        "stub = engine.grade(ex, ex.stub_path)\n"
        "print(full.score, full.max_score, stub.score, [c.message for c in full.checks if not c.passed])\n"
        "sys.exit(0 if full.score == full.max_score and stub.score == 0 else 1)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(installed_kit))
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)  # not the checkout's folder, whose pttutor/ would come first
    assert done.returncode == 0, done.stdout + done.stderr


INSTRUCTOR_COMMANDS = ("batch", "demo", "release", "selftest")


def test_installed_kit_has_no_instructor_commands(installed_kit, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(installed_kit))
    cli = [sys.executable, "-c", "from pttutor.grader.cli import main; main()"]
    done = subprocess.run([*cli, "--help"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"check", "init", "hint"} <= listed
    assert not listed & set(INSTRUCTOR_COMMANDS), listed
    for command in INSTRUCTOR_COMMANDS:
        done = subprocess.run([*cli, command, "x"], env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert f"No such command '{command}'" in done.stderr and "Traceback" not in done.stderr
