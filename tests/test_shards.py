"""Grading a class in slices (batch --shard K/N) and merging the slices (pttutor-grade merge)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader.classroom import shards
from pttutor.grader.cli import main

EX2, F2 = "ex02-cost-surface", "ex02_cost_surface.py"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def rows_of(folder: Path) -> list[dict]:
    rows = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("time_used", None)
        row.pop("reference_calls", None)
    return rows


def test_slices_are_fixed_balanced_and_cover_the_class_once():
    students = [f"s{i:02d}" for i in range(11)]
    slices = [shards.select(students, (k, 4)) for k in range(1, 5)]
    assert sorted(s for part in slices for s in part) == students
    assert {len(part) for part in slices} == {2, 3}
    assert slices[1] == ["s01", "s05", "s09"] == shards.select(students, (2, 4))
    assert shards.select(students, None) == students


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_bad_shard_is_a_usage_error(tmp_path, text):
    (tmp_path / "subs" / "amy").mkdir(parents=True)
    result = cli("batch", tmp_path / "subs", "--out", tmp_path / "out", "--exercises", EX2, "--shard", text)
    assert result.exit_code == 2 and "--shard" in result.output and not (tmp_path / "out" / "results.jsonl").exists()


@pytest.mark.slow
def test_two_shards_merged_equal_one_batch(tmp_path):
    subs = tmp_path / "subs"
    sources = {"amy": solution_source(EX2), "ben": stub_source(EX2), "cat": solution_source(EX2),
               "dan": "def forward(x, w, b)\n", "eve": solution_source(EX2).replace("return ", "return 1 + ", 1)}
    for name, text in sources.items():
        (subs / name).mkdir(parents=True)
        (subs / name / F2).write_text(text)
    whole = cli("batch", subs, "--out", tmp_path / "whole", "--exercises", EX2, "--workers", "1", "--format", "lms")
    assert whole.exit_code == 0, whole.output
    for k in (1, 2):
        part = cli("batch", subs, "--out", tmp_path / f"part{k}", "--exercises", EX2, "--workers", "1",
                   "--shard", f"{k}/2")
        assert part.exit_code == 0 and f"shard {k}/2: {3 if k == 1 else 2} students" in part.output, part.output
    assert [r["student"] for r in rows_of(tmp_path / "part1")] == ["amy", "cat", "eve"]
    merged = cli("merge", tmp_path / "merged", tmp_path / "part2", tmp_path / "part1")
    assert merged.exit_code == 0, merged.output
    assert rows_of(tmp_path / "merged") == rows_of(tmp_path / "whole")
    for name in ("gradebook.csv", "lms.csv"):
        assert (tmp_path / "merged" / name).read_text() == (tmp_path / "whole" / name).read_text()
    assert (tmp_path / "merged" / "gradescope" / "amy" / "results.json").is_file()
    again = cli("merge", tmp_path / "merged", tmp_path / "part2", tmp_path / "part1")
    assert again.exit_code == 1 and "already holds results" in again.output
    other = cli("batch", subs, "--out", tmp_path / "part1", "--exercises", EX2, "--shard", "2/2", "--resume")
    assert other.exit_code == 2 and "shard 1/2" in other.output  # a folder keeps its slice


# ---------------------------------------------------------------- merge refusals, on hand-made shards

CLASS = ["amy", "ben", "cat", "dan", "eve"]


def fake_shard(folder: Path, k: int, n: int, students: list[str] | None = None, rows_for: list[str] | None = None,
               exercises: tuple[str, ...] = (EX2,), klass: list[str] = CLASS) -> Path:
    folder.mkdir(parents=True)
    slice_ = shards.select(klass, (k, n))
    shards.describe(folder, (k, n), klass, slice_ if students is None else students, exercises)
    with open(folder / "results.jsonl", "w") as f:
        for s in slice_ if rows_for is None else rows_for:
            for e in exercises:
                f.write(json.dumps({"student": s, "exercise": e, "status": "graded", "score": 10,
                                    "max_score": 10, "message": "", "checks": [], "notes": []}) + "\n")
    return folder


def test_merge_of_hand_made_shards(tmp_path):
    a, b = fake_shard(tmp_path / "a", 1, 2), fake_shard(tmp_path / "b", 2, 2)
    result = cli("merge", tmp_path / "out", a, b)
    assert result.exit_code == 0, result.output
    assert [r["student"] for r in rows_of(tmp_path / "out")] == CLASS
    assert (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[1] == "amy,10,10"


@pytest.mark.parametrize(("make", "message"), [
    (lambda t: [fake_shard(t / "a", 1, 2)], "shard 2/2 is missing"),
    (lambda t: [fake_shard(t / "a", 1, 3), fake_shard(t / "b", 3, 3)], "shard 2/3 is missing"),
    (lambda t: [fake_shard(t / "a", 1, 2), fake_shard(t / "b", 1, 2)], "shard 1/2 is given twice"),
    (lambda t: [fake_shard(t / "a", 1, 2, rows_for=["amy", "cat"]), fake_shard(t / "b", 2, 2)],
     "has no results for eve"),
    (lambda t: [fake_shard(t / "a", 1, 2, rows_for=["amy", "cat", "eve", "ben"]), fake_shard(t / "b", 2, 2)],
     "both hold results for ben"),
    (lambda t: [fake_shard(t / "a", 1, 2), fake_shard(t / "b", 2, 2, klass=CLASS + ["zoe"])],
     "shards of different classes"),
    (lambda t: [fake_shard(t / "a", 1, 2), fake_shard(t / "b", 2, 2, exercises=(EX2, "ex03-gradient-descent"))],
     "shards of different exercises"),
    (lambda t: [fake_shard(t / "a", 1, 2, students=["amy"]), fake_shard(t / "b", 2, 2)],
     "does not describe a slice"),
    (lambda t: [(t / "plain").mkdir() or t / "plain"], "holds no shard.json"),
])
def test_merge_refuses_with_a_clear_message(tmp_path, make, message):
    folders = make(tmp_path)
    result = cli("merge", tmp_path / "out", *folders)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert not (tmp_path / "out" / "results.jsonl").exists()
