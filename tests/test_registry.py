"""The registry: one ordered list, validated when loaded, from which every path derives."""

from __future__ import annotations

import pytest

from pttutor.grader import course

GOOD = """
[[exercises]]
id = "ex02-cost-surface"
title = "t"
file = "ex02_cost_surface.py"
points = 10
budget = 60
hint = "h"
course = "c"
"""


def test_real_registry_loads_in_course_order():
    exercises = course.default().exercises
    assert exercises[0].id == "ex02-cost-surface"
    assert [e.chapter for e in exercises] == sorted(e.chapter for e in exercises)


def test_paths_derive_from_id_and_file(tmp_path):
    public, private = tmp_path / "exercises", tmp_path / "solutions"
    ex = course.parse(GOOD, public, private)[0]
    assert ex.chapter == 2
    assert ex.stub_path == public / "ex02-cost-surface" / "ex02_cost_surface.py"
    assert ex.solution_path == private / "ex02-cost-surface" / "ex02_cost_surface.py"
    assert ex.check_files(hidden=True) == [public / "ex02-cost-surface" / "public.py",
                                           private / "ex02-cost-surface" / "hidden.py"]
    assert ex.mistakes_dir == private / "ex02-cost-surface" / "mistakes"
    assert ex.notebook == "ex02_cost_surface.ipynb"


@pytest.mark.parametrize(("change", "message"), [
    (("id = \"ex02-cost-surface\"", "id = \"Ex2 cost\""), "id must look like"),
    (("points = 10", "points = 0"), "points must be a positive integer"),
    (("points = 10", "points = true"), "points must be a positive integer"),
    (("budget = 60", "budget = -1"), "budget must be"),
    (("file = \"ex02_cost_surface.py\"", "file = \"../x.py\""), "file must be"),
    (("hint = \"h\"", "hint = \"  \""), "hint must be a non-empty string"),
    (("course = \"c\"", "colour = \"c\""), "missing field(s) course"),
    (("title = \"t\"", "title = \"t\"\nextra = 1"), "unknown field(s) extra"),
    (("[[exercises]]", "[[exercises]"), "info.toml"),
])
def test_invalid_entries_are_refused(change, message):
    with pytest.raises(course.RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        course.parse(GOOD.replace(*change))


def test_duplicates_and_order_are_refused():
    with pytest.raises(course.RegistryError, match="duplicate id"):
        course.parse(GOOD + GOOD)
    other = GOOD.replace("ex02-cost-surface", "ex01-intro").replace("ex02_cost_surface", "ex01_intro")
    with pytest.raises(course.RegistryError, match="lecture order"):
        course.parse(GOOD + other)
    with pytest.raises(course.RegistryError, match="no \\[\\[exercises\\]\\]"):
        course.parse("")


def test_unknown_id_lists_the_known_ones():
    with pytest.raises(KeyError, match="ex02-cost-surface"):
        course.default().get("ex00-nothing")
