"""The command line, driven through click's CliRunner (and a subprocess where imports matter)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader import course
from pttutor.grader.cli import main

EX = "ex02-cost-surface"


def invoke(*args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(main, list(args))


def test_help_and_version_do_not_import_torch():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom pttutor.grader.cli import main\n"
            "for args in (['--help'], ['--version'], ['list', '--json'], ['hint', 'ex02-cost-surface']):\n"
            "    assert CliRunner().invoke(main, args).exit_code == 0, args\n"
            "heavy = [m for m in ('torch', 'numpy', 'nbformat', 'pytest') if m in sys.modules]\n"
            "print(heavy)\nsys.exit(1 if heavy else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_console_script_version():
    exe = shutil.which("pttutor-grade")
    assert exe is not None
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "pttutor-grade" in done.stdout


def test_list_json_fields():
    result = invoke("list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [row["id"] for row in data] == [ex.id for ex in course.default().exercises]
    for row in data:
        assert {"id", "chapter", "title", "file", "points"} <= set(row)
        assert row["chapter"] == int(row["id"][2:4])


def test_list_text_shows_every_exercise():
    result = invoke("list")
    assert result.exit_code == 0
    for ex in course.default().exercises:
        assert ex.id in result.output and ex.file in result.output


def test_hint_and_unknown_ids():
    assert "meshgrid" in invoke("hint", EX).output
    for args in (("hint", "ex99-nothing"), ("check", "ex99-nothing"), ("selftest", "ex99-nothing")):
        result = invoke(*args)
        assert result.exit_code == 2
        assert "unknown exercise" in result.output


def test_check_missing_file_is_a_usage_error(tmp_path):
    result = invoke("check", EX, cwd=tmp_path)
    assert result.exit_code == 2
    assert "ex02_cost_surface.py" in result.output
    result = invoke("check", EX, "--path", str(tmp_path / "nope.py"))
    assert result.exit_code == 2


def test_check_with_no_id_and_no_file(tmp_path):
    result = invoke("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no exercise file" in result.output


def test_check_json_on_solution_passes(tmp_path):
    path = tmp_path / "ex02_cost_surface.py"
    path.write_text(solution_source(EX))
    result = invoke("check", "--path", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["exercise"] == EX
    assert data["score"] == data["max_score"] > 0
    assert all(not c["hidden"] for c in data["checks"])
    for check in data["checks"]:
        assert set(check) >= {"name", "passed", "points", "max_points", "hidden", "message"}


def test_check_default_file_in_cwd_and_hidden(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        with open("ex02_cost_surface.py", "w") as f:
            f.write(stub_source(EX))
        result = runner.invoke(main, ["check", "--hidden", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and data["max_score"] == course.default().get(EX).points
    assert any(c["hidden"] for c in data["checks"])
    assert all("NotImplementedError" in c["message"] for c in data["checks"])


def test_check_text_report_explains_failures(tmp_path):
    path = tmp_path / "ex02_cost_surface.py"
    path.write_text(solution_source(EX).replace("return x * w + b", "return x * w"))
    result = invoke("check", "--path", str(path))
    assert result.exit_code == 1
    assert "FAIL forward(x, w, b)" in result.output
    assert "expected 7, got 6" in result.output
    assert "Traceback" not in result.output and "pttutor/grader" not in result.output


def test_check_several_ids_gives_an_array(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        with open("ex02_cost_surface.py", "w") as f:
            f.write(solution_source(EX))
        result = runner.invoke(main, ["check", EX, EX, "--json"])
    assert result.exit_code == 0
    assert isinstance(json.loads(result.output), list)


def test_check_cuda_without_gpu_is_a_clear_error(tmp_path):
    import torch

    if torch.cuda.is_available():
        return
    path = tmp_path / "ex02_cost_surface.py"
    path.write_text(solution_source(EX))
    result = invoke("check", "--path", str(path), "--device", "cuda", "--json")
    assert result.exit_code == 2
    assert "no usable CUDA device" in result.output


def test_selftest_one_exercise():
    result = invoke("selftest", EX)
    assert result.exit_code == 0, result.output
    assert f"ok   {EX}: solution 10/10, stub 0/10" in result.output


def test_check_takes_a_prefix_a_file_name_or_a_path(tmp_path):
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (work / "ex02_cost_surface.py").write_text(solution_source(EX))
    runner = CliRunner()
    old = os.getcwd()
    try:
        os.chdir(work)
        for arg in ("ex02", "ex02_cost_surface.py"):
            result = runner.invoke(main, ["check", arg, "--json"])
            assert result.exit_code == 0, (arg, result.output)
            assert json.loads(result.output)["exercise"] == EX
        os.chdir(elsewhere)
        result = runner.invoke(main, ["check", "../work/ex02_cost_surface.py", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["file"] == "../work/ex02_cost_surface.py"
        (elsewhere / "homework2.py").write_text(solution_source(EX))
        result = runner.invoke(main, ["check", "homework2.py"])
        assert result.exit_code == 2 and "cannot tell which exercise homework2.py is" in result.output
    finally:
        os.chdir(old)


def test_check_with_an_ambiguous_prefix_names_the_candidates():
    ids = [ex.id for ex in course.default().exercises if ex.id.startswith("ex09")]
    assert len(ids) > 1
    result = invoke("check", "ex09")
    assert result.exit_code == 2 and all(i in result.output for i in ids)


def test_local_report_says_what_the_hidden_checks_hold(tmp_path):
    path = tmp_path / "ex02_cost_surface.py"
    path.write_text(solution_source(EX))
    full = course.default().get(EX).points
    data = json.loads(invoke("check", "--path", str(path), "--json").output)
    assert 0 < data["max_score"] < full
    assert data["hidden_points_not_run"] == full - data["max_score"]
    text = invoke("check", "--path", str(path)).output
    assert (f"public {data['max_score']}/{data['max_score']}; {full - data['max_score']} more points come from "
            f"checks your instructor runs") in text
    data = json.loads(invoke("check", "--hidden", "--path", str(path), "--json").output)
    assert data["hidden_points_not_run"] == 0 and data["max_score"] == full


def test_hint_without_an_id_outside_a_workspace_names_the_ids(tmp_path):
    result = invoke("hint", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not in a workspace" in result.output
    assert all(ex.id in result.output for ex in course.default().exercises)
