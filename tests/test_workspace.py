"""The student workflow: init, progress, check with no id, reset, notebooks and watch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader import course
from pttutor.grader.grading import engine
from pttutor.grader.cli import main
from pttutor.grader.student.notebooks import notebook_from_source
from pttutor.grader.student.workspace import STATE_FILE, Workspace

FIRST, SECOND = course.default().exercises[0], course.default().exercises[1]


def run(args, cwd: Path, input: str | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, input=input)
    finally:
        os.chdir(old)


@pytest.fixture
def ws(tmp_path) -> Path:
    result = run(["init", "course"], tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path / "course"


def test_init_writes_every_stub_readme_and_state(ws):
    for ex in course.default().exercises:
        assert (ws / ex.file).read_text() == stub_source(ex.id)
    assert "pttutor-grade check" in (ws / "README.md").read_text()
    assert json.loads((ws / STATE_FILE).read_text()) == {"format": "py", "progress": {}}
    assert not list(ws.glob("*.tmp"))


def test_init_never_overwrites_a_students_file(ws, tmp_path):
    (ws / FIRST.file).write_text("# my work\n")
    result = run(["init", "course"], tmp_path)
    assert result.exit_code == 0
    assert f"kept your existing {FIRST.file}" in result.output
    assert (ws / FIRST.file).read_text() == "# my work\n"


def test_list_shows_progress_and_check_grades_the_next_pending(ws):
    result = run(["list", "--json"], ws)
    assert {row["status"] for row in json.loads(result.output)} == {"not started"}
    result = run(["check", "--json"], ws)  # no id: the first exercise
    assert result.exit_code == 1 and json.loads(result.output)["exercise"] == FIRST.id
    (ws / FIRST.file).write_text(solution_source(FIRST.id))
    result = run(["check"], ws)
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(run(["list", "--json"], ws).output)}
    assert rows[FIRST.id]["status"] == "done" and rows[FIRST.id]["score"] == rows[FIRST.id]["max_score"] > 0
    assert rows[SECOND.id]["status"] == "not started"
    (ws / SECOND.file).write_text(stub_source(SECOND.id) + "\n# started\n")
    rows = {row["id"]: row for row in json.loads(run(["list", "--json"], ws).output)}
    assert rows[SECOND.id]["status"] == "pending"
    result = run(["check", "--json"], ws)  # moves on to the next exercise
    assert json.loads(result.output)["exercise"] == SECOND.id
    text = run(["list"], ws).output
    assert "done" in text and "pending" in text and "not started" in text


def test_failed_report_points_to_the_hint_and_the_course(ws):
    result = run(["check", FIRST.id], ws)
    assert f"pttutor-grade hint {FIRST.id}" in result.output
    assert FIRST.course in result.output


def test_reset_asks_then_restores_the_stub(ws):
    (ws / FIRST.file).write_text(solution_source(FIRST.id))
    run(["check", FIRST.id], ws)
    result = run(["reset", FIRST.id], ws, input="n\n")
    assert result.exit_code == 0 and f"Kept your file {FIRST.file}" in result.output
    assert "Aborted" not in result.output
    assert (ws / FIRST.file).read_text() == solution_source(FIRST.id)
    result = run(["reset", FIRST.id], ws, input="y\n")
    assert result.exit_code == 0
    assert (ws / FIRST.file).read_text() == stub_source(FIRST.id)
    assert FIRST.id not in Workspace.load(ws / STATE_FILE).progress


def test_reset_outside_a_workspace_is_a_usage_error(tmp_path):
    result = run(["reset", FIRST.id, "--yes"], tmp_path)
    assert result.exit_code == 2 and "workspace" in result.output


def test_corrupt_state_file_does_not_break_commands(ws):
    (ws / STATE_FILE).write_text("{ not json")
    result = run(["list", "--json"], ws)
    assert result.exit_code == 0
    assert json.loads(result.output)[0]["status"] == "not started"


def test_notebook_workspace_grades_like_the_script(tmp_path):
    result = run(["init", "nb", "--format", "ipynb"], tmp_path)
    assert result.exit_code == 0
    ws = tmp_path / "nb"
    nb = nbformat.read(ws / FIRST.notebook, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and "TODO" not in nb.cells[0].source
    assert sum(c.cell_type == "code" for c in nb.cells) >= 3
    stub = engine.grade(FIRST, ws / FIRST.notebook, hidden=True)
    assert stub.score == 0
    (ws / FIRST.notebook).write_text(notebook_from_source(solution_source(FIRST.id)))
    result = run(["check", "--json"], ws)
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["file"].endswith(FIRST.notebook) and data["score"] == data["max_score"]


def _read_until(proc: subprocess.Popen, needle: str, timeout: float, seen: list[str]) -> None:
    found = threading.Event()

    def reader():
        for line in proc.stdout:
            seen.append(line)
            if needle in line:
                found.set()
                return

    threading.Thread(target=reader, daemon=True).start()
    assert found.wait(timeout), f"{needle!r} not seen in:\n{''.join(seen)}"


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_watch_regrades_on_save_and_moves_on(ws, events):
    env = dict(os.environ)
    if not events:
        env["PTTUTOR_WATCH_POLL"] = "1"
    proc = subprocess.Popen([sys.executable, "-c", "from pttutor.grader.cli import main; main()", "watch",
                             "--interval", "0.3"], cwd=ws, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    seen: list[str] = []
    try:
        _read_until(proc, f"Watching {FIRST.file}", 120, seen)
        assert any(f"{FIRST.id}" in line and "0/" in line for line in seen)
        assert ("file events" in seen[-1]) == events
        time.sleep(0.5)
        (ws / FIRST.file).write_text(solution_source(FIRST.id))
        _read_until(proc, f"Next: {SECOND.id}", 120, seen)
        _read_until(proc, f"Watching {SECOND.file}", 120, seen)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert Workspace.load(ws / STATE_FILE).progress[FIRST.id]["status"] == "done"


def test_hint_without_an_id_is_for_the_current_exercise(ws):
    result = run(["hint"], ws)
    assert result.exit_code == 0 and result.output.startswith(f"{FIRST.id}: ") and FIRST.hint in result.output
    Workspace.load(ws / STATE_FILE).record(FIRST.id, 10, 10, True)
    result = run(["hint"], ws)
    assert result.exit_code == 0 and result.output.startswith(f"{SECOND.id}: ")


def test_check_hidden_counts_for_progress(ws):
    (ws / FIRST.file).write_text(solution_source(FIRST.id))
    result = run(["check", "--hidden", FIRST.id], ws)
    assert result.exit_code == 0, result.output
    entry = Workspace.load(ws / STATE_FILE).progress[FIRST.id]
    assert entry["status"] == "done" and entry["score"] == entry["max_score"] == FIRST.points


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_workspace_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        assert run(["init", "course"], tmp_path).exit_code == 0
        ws = tmp_path / "course"
        Workspace.load(ws / STATE_FILE).record(FIRST.id, 1, 10, False)
        assert run(["reset", FIRST.id, "--yes"], ws).exit_code == 0
    finally:
        os.umask(old)
    wanted = 0o666 & ~umask
    for path in [ws / STATE_FILE, ws / "README.md", ws / FIRST.file, ws / SECOND.file]:
        assert path.stat().st_mode & 0o777 == wanted, (path.name, oct(path.stat().st_mode))
