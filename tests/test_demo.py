"""pttutor-grade demo: the made-up class, the roles it prints, each row's real status, and
where the results are."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from conftest import PROJECT
from pttutor.grader import course
from pttutor.grader.classroom import demo
from pttutor.grader.cli import main

EX2, EX3 = "ex02-cost-surface", "ex03-gradient-descent"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "class"
    result = CliRunner().invoke(main, ["demo", str(folder), "--exercises", f"{EX2},{EX3}", "--workers", "2"])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_demo_prints_roles_statuses_and_where_the_results_are(demo_run):
    folder, output = demo_run
    for name, role in demo.roles([course.default().get(EX2), course.default().get(EX3)]).items():
        assert f"  {name:<6} {role}" in output
    rows = {tuple(line.split()[:2]): line for line in output.splitlines() if line.split()[:1] in
            [[s] for s in demo.STUDENTS] and len(line.split()) > 3}
    assert "every check passed" in rows[("alice", EX2)]
    assert "syntax error at line" in rows[("carol", EX2)]
    assert "timed out" in rows[("erin", EX3)]
    assert "not started (the stub)" in rows[("bob", EX3)]
    assert str(folder / "results" / "results.jsonl") in output
    assert "pttutor-grade check --hidden --path" in output and "pttutor-grade batch" in output


def test_demo_gradebook_keeps_what_carol_got_right(demo_run):
    folder, _ = demo_run
    book = {r["student"]: r for r in csv.DictReader(io.StringIO((folder / "results" / "gradebook.csv").read_text()))}
    assert book["alice"][EX2] == book["dana"][EX2] == book["bob"][EX2] == "10"
    assert 0 < int(book["carol"][EX2]) < 10  # a syntax error in forward costs only what needs forward
    assert int(book["erin"][EX3]) < 10 and book["erin"][EX2] == "10"


def test_status_of_rows_that_were_not_graded():
    row = {"student": "x", "exercise": EX2, "status": "not submitted", "message": "not submitted",
           "score": 0, "max_score": 10, "checks": [], "notes": []}
    assert demo.status(row) == "not submitted"
    stub = {**row, "status": "graded", "checks": [
        {"passed": False, "message": "Your code raised NotImplementedError: forward"},
        {"passed": False, "message": "mse(x, y) needs `forward`, which is not done yet (it raises ...)"}]}
    assert demo.status(stub) == "not started (the stub)"


def test_bob_misses_the_last_of_several_exercises(tmp_path):
    chosen = list(course.default().exercises[:3])
    demo.write_class(tmp_path, chosen)
    assert sorted(p.name for p in (tmp_path / "bob").iterdir()) == sorted(ex.file for ex in chosen[:2])
    assert f"did not hand in {chosen[2].id}" in demo.roles(chosen)["bob"]


@pytest.mark.skipif(shutil.which("git") is None or not (PROJECT / ".git").exists(), reason="needs a git checkout")
def test_the_default_demo_folder_is_ignored_by_git():
    for path in ("pttutor-demo/results/results.jsonl", "tests/pttutor-demo/submissions/alice/x.py"):
        done = subprocess.run(["git", "-C", str(PROJECT), "check-ignore", "-q", path], timeout=30)
        assert done.returncode == 0, path
