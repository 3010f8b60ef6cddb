"""What the autograder takes from a platform's submission folder, and the results file it always writes."""

from __future__ import annotations

import io
import json
import os
import zipfile

from platforms_support import assert_gradescope_format, assert_prairielearn_format
from pttutor.grader import course
from pttutor.grader.platforms import runner

EX2, EX3, EX4 = "ex02-cost-surface", "ex03-gradient-descent", "ex04-backprop"
F2, F3, N4 = "ex02_cost_surface.py", "ex03_gradient_descent.py", "ex04_backprop.ipynb"


def exercises(*ids):
    return [course.default().get(i) for i in ids]


def layout(root, files):
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_collect_finds_files_anywhere_prefers_shallow_plain_scripts_and_says_what_it_skipped(tmp_path):
    sub, dest = tmp_path / "sub", tmp_path / "dest"
    dest.mkdir()
    layout(sub, {f"repo/hw/{F2}": "deep", f"repo/{F2}": "shallow", f"repo/{F2[:-3]}.ipynb": "{}",
                 "bundle.zip": zipped({f"inner/{F3}": "zipped", f"inner/{F2}": "zipped two"}),
                 f"repo/.git/{N4}": "{}", "misc/helper.py": "x = 1", "ex03.py": "wrong name"})
    os.symlink("/etc/passwd", sub / N4)
    notes = runner.collect(sub, dest, exercises(EX2, EX3, EX4), tmp_path / "scratch")
    assert sorted(p.name for p in dest.iterdir()) == [F2, F3]
    assert (dest / F2).read_text() == "shallow" and (dest / F3).read_text() == "zipped"
    joined = "\n".join(notes)
    assert f"graded repo/{F2}; ignored" in joined and f"repo/hw/{F2}" in joined and f"bundle.zip: {F2}" in joined
    assert f"graded bundle.zip: {F3}" in joined
    assert "misc/helper.py" in joined and "ex03.py" in joined
    assert ".git" not in joined and "passwd" not in joined  # hidden folders and links are never read


def test_a_refused_archive_is_reported(tmp_path):
    sub, dest = tmp_path / "sub", tmp_path / "dest"
    dest.mkdir()
    layout(sub, {"evil.zip": zipped({f"../{F2}": "escape"})})
    notes = runner.collect(sub, dest, exercises(EX2), tmp_path / "scratch")
    assert list(dest.iterdir()) == [] and "evil.zip was not unpacked" in notes[0]
    assert not (tmp_path / F2).exists()


def test_a_results_file_is_written_whatever_fails(tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a process in the pool was terminated abruptly")

    monkeypatch.setattr(runner.batch, "run", crash)
    layout(tmp_path / "sub", {F2: "x = 1"})
    for platform, check_format in (("gradescope", assert_gradescope_format),
                                   ("prairielearn", assert_prairielearn_format)):
        results = tmp_path / platform / "results.json"
        runner.grade(runner.Request(platform, tmp_path / "sub", results, (EX2, EX3), "process"))
        data = json.loads(results.read_text())
        check_format(data)
        assert data["score"] == 0 and runner.STOPPED in json.dumps(data)
    assert not (tmp_path / "prairielearn" / "results.json").stat().st_mode & 0o077
