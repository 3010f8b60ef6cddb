"""How a submission file is read and run: notebooks, the __main__ guard, and the fallback to a
file's definitions when its top-level code fails or overruns."""

from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader import course
from pttutor.grader.grading import engine
from pttutor.grader.cli import main
from pttutor.grader.sandbox.loading import after_failure, blocks, plan, statements
from pttutor.grader.sandbox.loadnotes import Places, problems_of
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
    report = grade_source(EX, src, load_timeout=10)
    assert report.score == FULL
    assert report.notes == []


def test_failing_top_level_code_falls_back_to_definitions(grade_source):
    src = solution_source(EX).replace(
        "x_data = np.array([1.0, 2.0, 3.0])",
        "x_data = np.array([1.0, 2.0, 3.0])\nraw = np.loadtxt('diabetes.csv.gz', delimiter=',')\nprint(raw.shape)")
    line = src.splitlines().index("raw = np.loadtxt('diabetes.csv.gz', delimiter=',')") + 1
    report = grade_source(EX, src)
    assert report.score == FULL, [(c.name, c.message) for c in report.checks if not c.passed]
    notes = " ".join(report.notes)
    assert f"failed at line {line} (FileNotFoundError" in notes and "definitions only" in notes


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


def test_file_of_which_nothing_compiles_fails_every_check_with_the_line(grade_source):
    report = grade_source(EX, "\ndef forward(x, w, b)\n    return x * w + b\n")
    assert report.score == 0
    assert all("could not be loaded" in c.message and "SyntaxError" in c.message and "line 2" in c.message
               for c in report.checks), [c.message for c in report.checks]


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


# ----------------------------------------------------------------------------- piece by piece

STUB_MSE = stub_source(EX)[stub_source(EX).index("def mse("):stub_source(EX).index("def cost_surface(")]
MSE = solution_source(EX)[solution_source(EX).index("def mse("):solution_source(EX).index("def cost_surface(")]


def verdicts(report) -> dict[str, bool]:
    return {c.name: c.passed for c in report.checks}


@pytest.fixture(scope="module")
def mse_not_done(tmp_path_factory):
    """The reference with the stub's mse: what the checks charge for a missing mse."""
    path = tmp_path_factory.mktemp("knocked") / "ex02_cost_surface.py"
    path.write_text(solution_source(EX).replace(MSE, STUB_MSE))
    report = engine.grade(course.default().get(EX), path, hidden=True)
    assert 0 < report.score < FULL
    return report


def test_blocks_follow_statements_not_lines():
    src = ('import os\n\n@dec\n@dec2\ndef f():\n    """doc\nat column 0\n"""\n    return 1\n'
           'if a:\n    b\nelse:\n    c\n'
           'x = [\n1,\n]\n'
           'NOTES = """\ndef forward(x, w, b):\n    return 0\n"""\n')
    assert blocks(src) == [(1, 2), (3, 9), (10, 13), (14, 16), (17, 20)]


def test_blocks_start_again_after_what_the_tokenizer_cannot_read():
    assert blocks("x = foo(1,\ndef f():\n    return 1\ny = 2\n") == [(1, 1), (2, 3), (4, 4)]
    assert blocks("def f():\n        x = 1\n    return 2\ndef g():\n    return 3\n") == [(1, 3), (4, 5)]
    # a string that is never closed: nothing after it is taken for code
    assert blocks('x = 1\ns = """abc\ndef f():\n    return 1\n') == [(1, 1), (2, 4)]


def test_plan_never_keeps_a_statement_that_does_not_compile():
    src = ('import os\ndef f(x)\n    return x\nNOTES = """\ndef g():\n    return 0\n"""\n'
           'def h():\n    return 3\nreturn 5\n')
    planned = plan(src, "s.py", "full")
    assert planned.units[0].code is None and [s.line for s in planned.units[0].statements] == [1, 4, 8]
    assert [(b["line"], b["names"]) for b in planned.broken] == [(2, ["f"]), (10, [])]
    assert "expected ':'" in planned.broken[0]["error"] and "outside function" in planned.broken[1]["error"]
    cell = plan("# x\n# --- cell 2 ---\n# my mse\n\ndef mse(x)\n    return x\n", "s.ipynb", "full", [(3, 6)])
    assert [(b["first"], b["last"], b["names"]) for b in cell.broken] == [(3, 6, ["mse"])]  # the whole cell


def test_py_file_with_one_broken_function_loses_only_what_needs_it(grade_source, mse_not_done):
    src = solution_source(EX).replace("def mse(x, y, w, b):", "def mse(x, y, w, b)")
    line = src.splitlines().index("def mse(x, y, w, b)") + 1
    report = grade_source(EX, src)
    assert verdicts(report) == verdicts(mse_not_done)
    assert any(f"syntax error at line {line}" in n and "mse" in n for n in report.notes), report.notes
    for check in report.checks:
        if not check.passed:
            assert "no function `mse`" in check.message and f"syntax error at line {line}" in check.message
            assert "the stub defines mse(x, y, w, b)" in check.message


def test_notebook_runs_cell_by_cell(tmp_path, mse_not_done):
    """One cell with a syntax error, one that raises: the other cells keep their points."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Lecture 2 homework"))
    for chunk in solution_source(EX).split('if __name__ == "__main__":')[0].split("\n\n\n"):
        broken = chunk.replace("def mse(x, y, w, b):", "def mse(x, y, w, b)")
        nb.cells.append(nbformat.v4.new_code_cell(broken))
        if broken != chunk:
            bad_cell = len(nb.cells)
            nb.cells.append(nbformat.v4.new_code_cell(
                "raw = np.loadtxt('diabetes.csv.gz', delimiter=',')\nprint(raw.shape)\nx_data = raw[:, 0]\n"
                "def helper():\n    return 1\n"))
    path = tmp_path / "ex02_cost_surface.ipynb"
    path.write_text(nbformat.writes(nb))
    report = engine.grade(course.default().get(EX), path, hidden=True)
    assert verdicts(report) == verdicts(mse_not_done)
    notes = " ".join(report.notes)
    assert f"cell {bad_cell} has a syntax error at line 1 (SyntaxError: expected ':')" in notes, notes
    assert f"cell {bad_cell + 1} failed at line 1 (FileNotFoundError" in notes, notes
    assert all(f"cell {bad_cell}" in c.message for c in report.checks if not c.passed)


def test_a_cell_that_exits_does_not_stop_the_others(grade_source):
    report = grade_source(EX, notebook_of(solution_source(EX).split('if __name__ == "__main__":')[0],
                                          ["import sys\nsys.exit(3)", "def late():\n    return 1"]),
                          name="ex02_cost_surface.ipynb")
    assert report.score == FULL
    assert any("failed at line 2 (your code called sys.exit())" in n for n in report.notes), report.notes


COURSE_STYLE = """import numpy as np
import matplotlib.pyplot as plt

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = 1.0


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) * (y_pred - y)


w_list, mse = [], np.zeros(41)
for i, w in enumerate(np.arange(0.0, 4.1, 0.1)):
    mse[i] = sum(loss(x, y) for x, y in zip(x_data, y_data)) / 3
    w_list.append(w)
"""


def test_course_style_file_gets_one_summary_and_named_parts(grade_source):
    report = grade_source(EX, COURSE_STYLE, hidden=False)
    assert report.score == 0
    assert report.notes[0].startswith("Your file defines only forward of the stub's forward, mse, cost_surface, "
                                      "plot_cost_surface: start from the stub (`pttutor-grade init`"), report.notes
    messages = [c.message for c in report.checks]
    assert any("positional argument" in m and "(the stub defines forward(x, w, b))" in m for m in messages)
    assert any("`mse` in your file is a numpy.ndarray, not a function (the stub defines mse(x, y, w, b))" in m
               for m in messages), messages
    assert any("Your file has no function `cost_surface` (the stub defines cost_surface(x, y, w_values, b_values))"
               in m for m in messages), messages
    assert not any("could not use what your code returned" in m for m in messages)


def test_file_missing_one_part_names_it_once_in_the_notes(grade_source):
    src = solution_source(EX)
    start = src.index("def plot_cost_surface(")
    report = grade_source(EX, src[:start] + src[src.index('if __name__ == "__main__":'):], hidden=False)
    assert report.notes == ["Your file has no function `plot_cost_surface` (the stub defines "
                            "plot_cost_surface(W, B, cost)); checks that use it fail."]
    failed = [c for c in report.checks if not c.passed]
    assert failed and len(failed) < len(report.checks)
    assert all("no function `plot_cost_surface`" in c.message for c in failed), [c.message for c in failed]


def test_a_lost_part_costs_only_the_checks_that_judge_it(grade_source):
    src = solution_source(EX).replace("def forward(", "def (forward(")
    line = src.splitlines().index("def (forward(x, w, b):") + 1
    report = grade_source(EX, src, hidden=False)
    assert report.notes == [f"Your file has a syntax error at line {line} (SyntaxError: invalid syntax): "
                            f"lines {line}-{line + 4} were left out (the definition of forward); the rest of it was run."]
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert list(failed) == ["forward"]  # mse and cost_surface are judged with the stub's forward standing in
    assert "no function `forward`: it is in lines" in failed["forward"] and f"syntax error at line {line}" in failed["forward"]


def test_parts_that_need_a_lost_part_name_it(grade_source):
    exercise_id = "ex07-activations"  # compare_activations trains with the student's own train
    src = solution_source(exercise_id).replace("def train(", "def (train(")
    line = next(i for i, text in enumerate(src.splitlines(), 1) if text.startswith("def (train("))
    report = grade_source(exercise_id, src, hidden=False)
    failed = [c.message for c in report.checks if not c.passed]
    assert failed and len(failed) < len(report.checks)
    assert any(m.startswith("`compare_activations` needs `train`, but your file has no function `train`: "
                            f"it is in lines {line}-") for m in failed), failed


def test_load_notes_name_the_cell_and_count_what_followed_a_failure():
    places = Places(((2, 6, "cell 2"), (8, 9, "cell 4")), 10)
    found = problems_of([
        {"kind": "syntax", "line": 9, "first": 8, "last": 9, "error": "SyntaxError: invalid syntax", "names": ["mse"]},
        {"kind": "failed", "line": 3, "first": 3, "last": 3, "error": "NameError: name 'df' is not defined",
         "names": []},
        {"kind": "skipped", "line": 4, "first": 4, "last": 4, "error": "NameError: x", "names": []},
        {"kind": "skipped", "line": 5, "first": 5, "last": 5, "error": "NameError: y", "names": ["helper"]},
        {"kind": "failed", "line": "3"}, ["not a dict"], {"kind": "anything", "line": 1, "first": 1, "last": 1},
    ])
    assert places.notes(found) == [
        "cell 4 has a syntax error at line 2 (SyntaxError: invalid syntax): it was left out (the definition of mse); "
        "the other cells were run.",
        "cell 2 failed at line 2 (NameError: name 'df' is not defined); the rest of cell 2 was run for its "
        "definitions only. 2 more statements of it failed after that."]
    assert places.lost(found) == {"mse": "it is in cell 4, which has a syntax error at line 2",
                                  "helper": "its definition at cell 2, line 4 failed (NameError: y)"}
    many = [{"kind": "skipped", "line": n, "first": n, "last": n, "error": "E", "names": []} for n in range(1, 12)]
    notes = Places((), 20).notes(problems_of(many))
    assert len(notes) == 9 and notes[0] == "Skipped line 1: E" and notes[-1] == "... and 3 more problems loading your file."


def test_statement_by_statement_keeps_the_module_docstring_and_future_imports():
    """As when a file with a syntax error runs the statements that compile, one by one."""
    src = '"""The docstring."""\nfrom __future__ import annotations\ndef f(x: Undefined) -> int:\n    return 1\n' \
          '"""a string used as a comment"""\ndef broken(:\n    pass\n'
    namespace: dict = {}
    for statement in plan(src, "s.py", "full").units[0].statements:
        exec(statement.code, namespace)
    assert namespace["__doc__"] == "The docstring."
    assert namespace["f"].__annotations__ == {"x": "Undefined", "return": "int"}


def test_after_a_failure_the_rest_of_the_unit_runs_for_its_definitions():
    src = "import os\nx = 1\n@undefined_decorator\ndef f():\n    return 1\nprint(x)\ny = x + 1\ndef g():\n    return 2\n"
    unit = plan(src, "s.py", "full").units[0]
    assert unit.code is not None
    namespace: dict = {}
    with pytest.raises(NameError) as failure:
        exec(unit.code, namespace)
    line, names, rest = after_failure(unit, failure.value, "s.py")
    assert (line, names) == (3, ("f",))
    assert [(s.line, s.names) for s in rest] == [(7, ()), (8, ("g",))]  # print(x) is not a definition
