"""The registry: one ordered list, validated when loaded, from which every path derives."""

from __future__ import annotations

import pytest

from pttutor.grader import registry

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
    exercises = registry.exercises()
    assert exercises[0].id == "ex02-cost-surface"
    assert [e.chapter for e in exercises] == sorted(e.chapter for e in exercises)


def test_paths_derive_from_id_and_file():
    ex = registry.parse(GOOD)[0]
    assert ex.chapter == 2
    assert ex.stub_path == registry.EXERCISES_DIR / "ex02-cost-surface" / "ex02_cost_surface.py"
    assert ex.solution_path == registry.SOLUTIONS_DIR / "ex02-cost-surface" / "ex02_cost_surface.py"
    assert [p.name for p in ex.check_files(hidden=True)] == ["public.py", "hidden.py"]
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
    with pytest.raises(registry.RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry.parse(GOOD.replace(*change))


def test_duplicates_and_order_are_refused():
    with pytest.raises(registry.RegistryError, match="duplicate id"):
        registry.parse(GOOD + GOOD)
    other = GOOD.replace("ex02-cost-surface", "ex01-intro").replace("ex02_cost_surface", "ex01_intro")
    with pytest.raises(registry.RegistryError, match="lecture order"):
        registry.parse(GOOD + other)
    with pytest.raises(registry.RegistryError, match="no \\[\\[exercises\\]\\]"):
        registry.parse("")


def test_unknown_id_lists_the_known_ones():
    with pytest.raises(KeyError, match="ex02-cost-surface"):
        registry.get("ex00-nothing")
