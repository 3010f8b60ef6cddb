"""How a submission file is read and run: notebooks, the __main__ guard, and the fallback to a
file's definitions when its top-level code fails or overruns."""

from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner

from conftest import solution_source
from pttutor.grader import course
from pttutor.grader.grading import engine
from pttutor.grader.cli import main
from pttutor.grader.sandbox.loading import statements
from pttutor.grader.submission import SubmissionFileError, notebook_source

EX = "ex02-cost-surface"
FULL = course.default().get(EX).points


def notebook_of(source: str, extra_cells: list[str] = ()) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "pytorch_learn", "display_name": "PyTorch", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# Lecture 2 homework"))
    nb.cells.append(nbformat.v4.new_code_cell("%matplotlib inline\n!pip install torch"))
    for chunk in source.split("\n\n\n"):
        nb.cells.append(nbformat.v4.new_code_cell(chunk))
    for cell in extra_cells:
        nb.cells.append(nbformat.v4.new_code_cell(cell))
    return nbformat.writes(nb)


def test_notebook_solution_scores_full_and_reports_dropped_magics(grade_source):
    src = solution_source(EX).split('if __name__ == "__main__":')[0]
    extra = ["W, B, cost = cost_surface(x_data, y_data, np.arange(0, 4, 0.5), np.arange(-2, 2, 0.5))\n"
             "fig = plot_cost_surface(W, B, cost)\ndisplay(fig)\nplt.show()",
             "%%time\nwhile True:\n    pass",
             "for i in range(3):\n    !echo {i}\n    print(i)"]
    report = grade_source(EX, notebook_of(src, extra), name="ex02_cost_surface.ipynb")
    assert report.score == FULL, [(c.name, c.message) for c in report.checks if not c.passed]
    notes = " ".join(report.notes)
    assert "%matplotlib inline" in notes and "!pip install torch" in notes and "%%time" in notes
    assert "definitions only" not in notes


def test_invalid_notebook_is_rejected(tmp_path):
    path = tmp_path / "ex02_cost_surface.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5,
                                "metadata": {}}))
    with pytest.raises(engine.GradingError, match="not a valid Jupyter notebook"):
        engine.grade(course.default().get(EX), path)
    path.write_text("{ not json")
    result = CliRunner().invoke(main, ["check", "--path", str(path)])
    assert result.exit_code == 1 and "not a valid Jupyter notebook" in result.output


def test_magic_inside_a_block_keeps_the_code_valid():
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("for i in range(2):\n    !ls\nx = 1"))
    code, dropped = notebook_source(nbformat.writes(nb))
    compile(code, "nb", "exec")
    assert dropped == ["cell 1: !ls"]


def test_cli_finds_a_notebook_in_the_folder(tmp_path):
    src = solution_source(EX).split('if __name__ == "__main__":')[0]
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        with open("ex02_cost_surface.ipynb", "w") as f:
            f.write(notebook_of(src))
        result = runner.invoke(main, ["check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["file"].endswith("ex02_cost_surface.ipynb")


def test_main_block_is_not_run(grade_source):
    src = solution_source(EX) + "\nif __name__ == '__main__':\n    while True:\n        pass\n"
    report = grade_source(EX, src, load_timeout=3)
    assert report.score == FULL
    assert report.notes == []


def test_failing_top_level_code_falls_back_to_definitions(grade_source):
    src = solution_source(EX).replace(
        "x_data = np.array([1.0, 2.0, 3.0])",
        "x_data = np.array([1.0, 2.0, 3.0])\nraw = np.loadtxt('diabetes.csv.gz', delimiter=',')\nprint(raw.shape)")
    report = grade_source(EX, src)
    assert report.score == FULL, [(c.name, c.message) for c in report.checks if not c.passed]
    notes = " ".join(report.notes)
    assert "definitions only" in notes and "FileNotFoundError" in notes
    assert "Skipped line" in notes  # the assignment that reads the missing file


def test_overrunning_top_level_training_falls_back(grade_source):
    src = solution_source(EX) + "\nlosses = []\nfor epoch in range(10**9):\n    losses.append(mse(x_data, y_data, 2.0, 0.0))\n"
    report = grade_source(EX, src, load_timeout=3)
    assert report.score == FULL
    assert any("did not finish within 3 s" in n for n in report.notes)


def test_assignment_that_overruns_falls_back_to_literals(grade_source):
    src = solution_source(EX) + "\ndef train():\n    while True:\n        pass\n\nresult = train()\n"
    report = grade_source(EX, src, load_timeout=3)
    assert report.score == FULL
    assert any("constant assignments" in n for n in report.notes)


def test_syntax_error_fails_every_check_with_the_line(grade_source):
    src = solution_source(EX).replace("def mse(x, y, w, b):", "def mse(x, y, w, b)")
    report = grade_source(EX, src)
    assert report.score == 0
    assert all("SyntaxError" in c.message and "could not be loaded" in c.message for c in report.checks)


def test_statements_levels():
    src = "import os\nx = 1\ny = f()\ndef f():\n    return 2\nprint('hi')\nclass A:\n    pass\n"
    assert [n for n, _ in statements(src, "s.py", "definitions")] == [1, 2, 3, 4, 7]
    assert [n for n, _ in statements(src, "s.py", "signatures")] == [1, 2, 4, 7]


def test_non_utf8_file_is_rejected(tmp_path):
    path = tmp_path / "ex02_cost_surface.py"
    path.write_bytes(b"x = '\xff\xfe'\n")
    with pytest.raises(engine.GradingError, match="not UTF-8"):
        engine.grade(course.default().get(EX), path)


def test_source_error_type():
    with pytest.raises(SubmissionFileError):
        notebook_source("[]")
