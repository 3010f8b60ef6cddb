"""Batch grading a class: a mixed class, exports, resume after SIGKILL, archive attacks, isolation."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader.classroom import archive, batch
from pttutor.grader.cli import main
from pttutor.grader.student.notebooks import notebook_from_source

EX2, EX3 = "ex02-cost-surface", "ex03-gradient-descent"
F2, F3 = "ex02_cost_surface.py", "ex03_gradient_descent.py"


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}


def results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs, out = root / "submissions", root / "out"
    write(subs / "alice", {F2: solution_source(EX2), F3: solution_source(EX3)})
    write(subs / "bob", {F2: solution_source(EX2), F3: stub_source(EX3)})
    write(subs / "carol", {F2: "def forward(x, w, b)\n", "notes.txt": "hello"})
    with zipfile.ZipFile(subs / "dana.zip", "w") as zf:
        zf.writestr("dana/ex02_cost_surface.ipynb", notebook_from_source(solution_source(EX2)))
        zf.writestr("dana/ex03_gradient_descent.py", solution_source(EX3))
    thief = (
        "import pathlib\n"
        f"SUBS = pathlib.Path({str(subs)!r})\n"
        f"OUT = pathlib.Path({str(out)!r})\n"
        "def _steal():\n"
        "    try:\n"
        "        return (SUBS / 'alice' / 'ex02_cost_surface.py').read_text()\n"
        "    except OSError:\n"
        "        return ''\n"
        "try:\n"
        "    (OUT / 'gradebook.csv').write_text('student,total\\nmallory,999\\n')\n"
        "except OSError:\n"
        "    pass\n"
        "exec(_steal())\n"
    )
    write(subs / "mallory", {F2: stub_source(EX2) + "\n" + thief})
    result = cli("batch", subs, "--out", out, "--exercises", f"{EX2},{EX3}", "--workers", "2",
                 "--format", "lms", "--format", "gradescope")
    return subs, out, result


def test_mixed_class_gradebook(mixed_class):
    _, out, result = mixed_class
    assert result.exit_code == 0, result.output
    book = gradebook(out)
    assert list(book) == ["alice", "bob", "carol", "dana", "mallory"]
    assert book["alice"] == {"student": "alice", EX2: "10", EX3: "10", "total": "20"}
    assert (book["bob"][EX2], book["bob"][EX3]) == ("10", "0")
    assert book["carol"]["total"] == "0"
    assert book["dana"]["total"] == "20"  # a notebook and a script, in a .zip
    assert book["mallory"]["total"] == "0"  # could not read alice's file nor write the gradebook
    rows = {(r["student"], r["exercise"]): r for r in results(out)}
    assert len(rows) == len(results(out)) == 10
    assert rows[("carol", EX3)]["status"] == "not submitted"
    assert rows[("alice", EX2)]["status"] == "graded" and rows[("alice", EX2)]["checks"]
    assert "[10/10]" in result.output  # plain progress lines when not on a terminal


def test_exports(mixed_class):
    _, out, _ = mixed_class
    lms = list(csv.reader(io.StringIO((out / "lms.csv").read_text())))
    assert lms[0] == ["Student ID", EX2, EX3] and ["alice", "10", "10"] in lms
    data = json.loads((out / "gradescope" / "bob" / "results.json").read_text())
    assert data["score"] == 10
    visibilities = {t["visibility"] for t in data["tests"]}
    assert visibilities == {"visible", "after_due_date"}
    assert sum(t["max_score"] for t in data["tests"]) == 20


def test_existing_results_need_resume(mixed_class):
    subs, out, _ = mixed_class
    result = cli("batch", subs, "--out", out, "--exercises", EX2)
    assert result.exit_code == 2 and "--resume" in result.output
    result = cli("batch", subs, "--out", subs / "inside", "--exercises", EX2)
    assert result.exit_code == 2


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    students = [f"s{i}" for i in range(6)]
    for name in students:
        write(subs / name, {F2: solution_source(EX2)})
    cmd = [sys.executable, "-c", "from pttutor.grader.cli import main; main()", "batch", str(subs),
           "--out", str(out), "--exercises", EX2, "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if (out / "results.jsonl").exists() and len((out / "results.jsonl").read_text().splitlines()) >= 2:
            break
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = results(out)
    assert 2 <= len(before) < len(students)
    with open(out / "results.jsonl", "a") as f:
        f.write('{"student": "s5", "exercise": "ex0')  # a line torn by the crash
    time.sleep(1.5)  # grader processes notice their parent is gone
    done = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{len(before)} students already done" in done.stdout
    assert done.stdout.count("(graded)") == len(students) - len(before)
    after = results(out)
    assert sorted(r["student"] for r in after) == students
    assert after[:len(before)] == before
    assert set(gradebook(out)) == set(students)
    assert all(row[EX2] == "10" for row in gradebook(out).values())


def _zip(path: Path, entries: dict[str, bytes], links: dict[str, str] = {}) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, target)
    return path


@pytest.mark.parametrize(("entries", "links", "message"), [
    ({"/etc/evil.py": b"x"}, {}, "absolute path"),
    ({"../../evil.py": b"x"}, {}, "outside the archive"),
    ({"a/../../evil.py": b"x"}, {}, "outside the archive"),
    ({}, {"ex02_cost_surface.py": "/etc/passwd"}, "symbolic link"),
    ({"big.bin": bytes(60 * 1024 * 1024)}, {}, "expands to more than"),
])
def test_archive_attacks_are_refused(tmp_path, entries, links, message):
    zpath = _zip(tmp_path / "x.zip", entries, links)
    with pytest.raises(archive.ArchiveError, match=message):
        archive.extract(zpath, tmp_path / "dest")
    assert not (tmp_path / "evil.py").exists() and not (tmp_path.parent / "evil.py").exists()


def test_refused_archive_scores_zero_and_the_batch_goes_on(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "alice", {F2: solution_source(EX2)})
    _zip(subs / "zed.zip", {"../escape.py": b"print(1)"})
    (subs / "broken.zip").write_bytes(b"not a zip")
    result = cli("batch", subs, "--out", out, "--exercises", EX2, "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = {r["student"]: r for r in results(out)}
    assert rows["alice"]["score"] == 10
    assert rows["zed"]["status"] == "refused" and "outside the archive" in rows["zed"]["message"]
    assert rows["broken"]["status"] == "refused" and "not a readable zip" in rows["broken"]["message"]


def test_discover_rejects_a_student_twice(tmp_path):
    write(tmp_path / "amy", {F2: ""})
    _zip(tmp_path / "amy.zip", {F2: b""})
    with pytest.raises(batch.BatchError, match="amy"):
        batch.discover(tmp_path)
