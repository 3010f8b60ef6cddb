"""A kernel's history as a submission, and the report as a notebook shows it (no kernel needed)."""

from __future__ import annotations

import json
from pathlib import Path

from pttutor.grader.notebook.history import history_notebook, read_history
from pttutor.grader.notebook.kernel import Notebook, exercise_for
from pttutor.grader.notebook.view import NotebookReport, report_from_dict
from pttutor.grader.report import CheckResult, ExerciseReport

HERE = Path("/nowhere/ex02_cost_surface.ipynb")


def test_cells_run_in_execution_order_magics_dropped_and_listed_by_their_in_number():
    cells = ["import math", "%matplotlib inline\nx = 1", "!pip install -q something", "%%time\ny = 2", "x = x + 1"]
    submission, left_out = read_history(cells, HERE)
    source = submission.source
    assert left_out == []
    assert source.index("import math") < source.index("x = 1") < source.index("x = x + 1")
    assert "matplotlib" not in source and "pip" not in source and "y = 2" not in source
    note = " ".join(submission.notes)
    assert "In [2]: %matplotlib inline" in note and "In [3]: !pip install -q something" in note
    assert "In [4]: %%time (whole cell)" in note
    namespace: dict = {}
    exec(compile(source, "history", "exec"), namespace)
    assert namespace["x"] == 2
    assert submission.path == HERE


def test_a_cell_that_raised_is_kept_and_a_cell_that_is_not_python_is_left_out_alone():
    cells = ["def forward(x):\n    return 2 * x\nraise RuntimeError('it failed when it ran')",
             "def broken(:\n    pass",
             "forward?",
             "y = forward(3)"]
    submission, left_out = read_history(cells, HERE)
    assert left_out == [2, 3]
    assert "raise RuntimeError('it failed when it ran')" in submission.source
    assert "def broken" not in submission.source and "forward?" not in submission.source
    assert "y = forward(3)" in submission.source
    note = submission.notes[-1]
    assert "In [2] (invalid syntax on line 1)" in note and "In [3]" in note
    compile(submission.source, "history", "exec")  # the rest still compiles as one file


def test_history_notebook_for_hand_in_keeps_numbers_and_records_the_exercise():
    text = history_notebook(["a = 1", "", "bad(:", "b = 2"], "ex02-cost-surface", skip=[3], keep_empty=False)
    nb = json.loads(text)
    assert nb["metadata"]["pttutor"] == {"exercise": "ex02-cost-surface"}
    assert [(c["execution_count"], "".join(c["source"])) for c in nb["cells"]] == [(1, "a = 1"), (4, "b = 2")]
    assert Notebook(None, text).exercise_id() == "ex02-cost-surface"


def test_exercise_of_a_notebook_from_metadata_else_file_name_else_a_clear_error():
    assert Notebook(Path("/x/ex04_backprop.ipynb"), "{}").exercise_id() == "ex04-backprop"
    assert Notebook(Path("/x/Untitled.ipynb"), "not json").exercise_id() is None
    assert exercise_for(None, Notebook(Path("/x/ex04_backprop.ipynb"), None)).id == "ex04-backprop"
    assert exercise_for("ex02", None).id == "ex02-cost-surface"
    for notebook, said in ((None, "cannot tell which notebook"), (Notebook(Path("/x/a.ipynb"), "{}"), "does not say")):
        try:
            exercise_for(None, notebook)
        except LookupError as exc:
            assert said in str(exc) and "pttutor.check(\"ex02-cost-surface\")" in str(exc)
        else:
            raise AssertionError("no error")


def _report(**changes) -> ExerciseReport:
    report = ExerciseReport(exercise="ex02-cost-surface", title="The <b>cost</b> surface", file="f.ipynb",
                            course="Lecture 2", time_used=1.5, budget=60, sandbox="full",
                            protections=["PID namespace"], output="<img src=x onerror=alert(1)>")
    report.checks = [
        CheckResult("test_a", "forward works", True, 1, 1, False),
        CheckResult("test_b", "mse <averages>", False, 0, 2, False,
                    message="expected 7, got <script>alert('x')</script>\nsecond line", parts=("mse",)),
    ]
    for key, value in changes.items():
        setattr(report, key, value)
    return report


def test_html_shows_every_check_score_hidden_points_time_and_hint_with_everything_escaped():
    shown = NotebookReport(_report(), "the 3 cells this kernel ran", hidden_points=5, show_output=True)
    html = shown.html()
    assert "<script>" not in html and "<img" not in html and "<b>cost</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert html.count("PASS") == 1 and html.count("FAIL") == 1
    assert "1/3" in html and "0/2" in html and "5 more points" in html
    assert "1.5 s of your 60 s budget" in html
    assert "pttutor.hint(&quot;ex02-cost-surface&quot;)" in html
    text = shown.text()
    assert "FAIL mse <averages>" in text and "5 more points" in text and "the 3 cells this kernel ran" in text
    assert shown.score == 1 and shown.max_score == 3 and shown.passed is False and len(shown.checks) == 2


def test_a_weaker_sandbox_is_named_and_marks_stay_the_instructors():
    weak = NotebookReport(_report(sandbox="process", protections=["not active: namespaces (not permitted here)"]),
                          "the cells")
    for shown in (weak.html(), weak.text()):
        assert "sandbox: process (weaker than the full sandbox" in shown
        assert "grading for marks is your instructor" in shown
    assert "namespaces (not permitted here)" in weak.html()
    full = NotebookReport(_report(), "the cells")
    assert "weaker" not in full.html() and "weaker" not in full.text()


def test_report_crosses_as_plain_data_and_comes_back_equal():
    report = _report()
    data = json.loads(json.dumps({**report.as_dict(), "course": report.course, "output": report.output}))
    again = report_from_dict(data)
    assert again.as_dict() == report.as_dict()
    assert again.checks[1].parts == ("mse",) and again.output == report.output
