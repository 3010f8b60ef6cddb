"""Exports from a real batch: written from results.jsonl, so `--resume` and `pttutor-grade export`
give the same files; options that cannot work are refused before any grading."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader.cli import main

EX2 = "ex02-cost-surface"
F2 = "ex02_cost_surface.py"
ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section,ex02-cost-surface (77)\n"
          "Points Possible,,,,,10\n"
          '"Lovelace, Ada",1,S1,ada,A,\n"Turing, Alan",2,S2,alan,A,\n"Hopper, Grace",3,S3,grace,B,\n')
FORMATS = ["--format", "lms", "--format", "canvas", "--format", "moodle", "--format", "gradescope",
           "--format", "feedback"]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "results.jsonl"}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs, out = root / "subs", root / "out"
    for name, text in {"ada": solution_source(EX2), "alan": stub_source(EX2),
                       '=HYPERLINK("evil.example","x")': stub_source(EX2)}.items():
        (subs / name).mkdir(parents=True)
        (subs / name / F2).write_text(text)
    (root / "roster.csv").write_text(ROSTER)
    result = cli("batch", subs, "--out", out, "--exercises", EX2, "--workers", "1", *FORMATS,
                 "--roster", root / "roster.csv")
    assert result.exit_code == 0, result.output
    return root, subs, out, result.output


def test_batch_writes_every_format(graded_class):
    root, _, out, output = graded_class
    files = snapshot(out)
    assert {"gradebook.csv", "lms.csv", "canvas.csv", "canvas-matching.csv", "moodle.csv",
            "feedback/ada.md", "feedback/ada.html", "gradescope/ada/results.json"} <= set(files)
    canvas = list(csv.reader(io.StringIO(files["canvas.csv"].decode())))
    assert canvas[0][-1] == "ex02-cost-surface (77)" and canvas[1][0] == "Points Possible"
    assert [line[-1] for line in canvas[2:]] == ["10", "0", "0"]
    assert "Hopper, Grace (ID 3) has no submission" in output
    assert "matches no roster student" in output and "'=HYPERLINK" in files["canvas-matching.csv"].decode()
    assert files["gradebook.csv"].decode().splitlines()[1].startswith("\"'=HYPERLINK")


def test_export_and_resume_rewrite_the_same_files(graded_class, tmp_path):
    root, subs, out, _ = graded_class
    before = snapshot(out)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(out / "results.jsonl", copy / "results.jsonl")
    result = cli("export", copy, *FORMATS, "--roster", root / "roster.csv")
    assert result.exit_code == 0, result.output
    assert snapshot(copy) == before
    result = cli("batch", subs, "--out", out, "--exercises", EX2, "--resume", *FORMATS, "--roster", root / "roster.csv")
    assert result.exit_code == 0 and "0 to grade" in result.output
    assert snapshot(out) == before
    result = cli("export", copy, "--format", "canvas", "--roster", root / "roster.csv", "--missing", "blank")
    assert result.exit_code == 0, result.output
    assert [line.split(",")[-1] for line in (copy / "canvas.csv").read_text().splitlines()[2:]] == ["10", "0", ""]


def test_canvas_without_roster_is_refused_before_grading(tmp_path):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    result = cli("batch", tmp_path / "subs", "--out", tmp_path / "out", "--format", "canvas")
    assert result.exit_code == 2 and "--roster" in result.output
    assert not (tmp_path / "out").exists()
    (tmp_path / "bad.csv").write_text("name,score\nada,1\n")
    result = cli("batch", tmp_path / "subs", "--out", tmp_path / "out", "--format", "canvas",
                 "--roster", tmp_path / "bad.csv")
    assert result.exit_code == 2 and "not a Canvas gradebook export" in result.output


def test_export_needs_results(tmp_path):
    result = cli("export", tmp_path, "--format", "lms")
    assert result.exit_code == 2 and "holds no results" in result.output
