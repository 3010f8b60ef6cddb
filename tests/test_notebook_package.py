"""The top-level ``pttutor`` package: light to import, present in every kind of install, and
harmless where there is no kernel (a script, or a worker re-running a notebook)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pttutor
from pttutor.grader import course
from pttutor.grader.authoring.release import _packages
from pttutor.grader.notebook.kernel import Notebook
from pttutor.grader.student.workspace import init

PROJECT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "numpy", "pytest", "nbformat", "IPython", "pttutor.grader", "subprocess")


def test_import_pttutor_stays_light_and_outside_a_kernel_its_calls_import_nothing():
    # a grading worker re-running a notebook that calls them may not even see the grader
    code = ("import sys, json, pttutor\n"
            "r = pttutor.check(); pttutor.export(); pttutor.hint()\n"
            "assert r.score is None\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_outside_a_kernel_check_hint_and_export_do_nothing_but_say_so(capsys):
    result = pttutor.check()
    assert not result and result.score is None and result.passed is None and list(result.checks) == []
    assert not result.report.notes and result.as_dict() is result and list(result) == []
    assert pttutor.export() is None and pttutor.hint() is None
    said = capsys.readouterr().out
    assert said.count("this is not one") == 3 and "pttutor-grade check" in said
    pttutor.hint("ex02")
    assert "np.meshgrid" in capsys.readouterr().out


def test_outside_a_kernel_check_grades_a_named_file_and_tells_its_exercise_by_name(tmp_path, capsys):
    from conftest import solution_source

    ex = course.default().get("ex02-cost-surface")
    (tmp_path / ex.file).write_text(solution_source(ex.id) + "\nimport pttutor\nr = pttutor.check()\n"
                                   "print(r.score, r.report.notes, [c.name for c in r.checks])\n")
    result = pttutor.check(path=tmp_path / ex.file)
    assert result.score == result.max_score > 0 and result.passed
    assert not any("not run to the end" in note for note in result.report.notes)  # check() in the file ran inertly
    said = capsys.readouterr().out
    assert f"{ex.id}" in said and f"{result.score}/{result.max_score}" in said and "graded: the file" in said


def test_init_records_each_notebooks_exercise_in_its_metadata(tmp_path):
    init(tmp_path, "ipynb")
    for ex in course.default().exercises:
        text = (tmp_path / ex.notebook).read_text(encoding="utf-8")
        assert json.loads(text)["metadata"]["pttutor"] == {"exercise": ex.id}
        assert Notebook(tmp_path / "renamed.ipynb", text).exercise_id() == ex.id


def test_the_kit_maps_the_top_level_package():
    assert _packages(PROJECT)["pttutor"] == "pttutor"


@pytest.mark.slow
def test_a_regular_install_has_the_package_and_its_grader_process(tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(PROJECT)], check=True, timeout=600, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(site))
    code = ("import pttutor, pttutor.grader.notebook.api as api\n"
            f"assert pttutor.__file__.startswith({str(site)!r}), pttutor.__file__\n"
            f"assert api.__file__.startswith({str(site)!r}), api.__file__\n"
            "assert pttutor.check() is not None\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    request = json.dumps({"id": 1, "exercise": "ex99-missing", "cells": []}) + "\n"
    done = subprocess.run([sys.executable, "-m", "pttutor.grader.notebook.service"], input=request, env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0] == {"ready": True}, done.stderr
    assert replies[1]["id"] == 1 and "unknown exercise" in replies[1]["error"]
