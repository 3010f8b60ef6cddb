"""The kernel's grader process: it grades the cells a kernel ran, and nothing in the kernel's
process (this test process plays the kernel) changes its verdicts."""

from __future__ import annotations

import json
import os
import signal
import threading

import numpy
import pytest
import torch

from pttutor.grader import check as check_helpers
from pttutor.grader import course
from pttutor.grader.grading import engine
from conftest import solution_source

from pttutor.grader.notebook import client, service
from pttutor.grader.notebook.history import read_history

EX2 = "ex02-cost-surface"
SUM_NOT_MEAN = ("def mse(x, y, w, b):\n"
                "    return float(np.sum((forward(np.asarray(x), w, b) - np.asarray(y)) ** 2))")


def _cells(*extra: str) -> list[str]:
    body = solution_source(EX2).split('if __name__ == "__main__":')[0]
    return ["%matplotlib inline", body, *extra]


def _grade(cells: list[str], **options) -> dict:
    return client.grade({"exercise": EX2, "cells": cells, "options": options})


def test_the_cells_a_kernel_ran_get_the_full_public_score_and_the_hidden_points_are_named():
    report = _grade(_cells("import pttutor\nr = pttutor.check()\nprint(r.score)"))
    ex = course.default().get(EX2)
    assert report["score"] == report["max_score"] > 0, report
    assert report["hidden_points"] == ex.points - report["max_score"] > 0
    assert not any(c["hidden"] for c in report["checks"])
    assert any("In [1]: %matplotlib inline" in note for note in report["notes"])
    # the re-run reached the end: a cell using check()'s result does not break it
    assert not any("definitions only" in note for note in report["notes"]), report["notes"]
    assert report["sandbox"] and report["protections"]


def test_a_later_cell_that_redefines_a_function_is_what_is_graded():
    report = _grade(_cells(SUM_NOT_MEAN))
    failed = [c for c in report["checks"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["mse"]
    assert "average them instead" in failed[0]["message"]


def test_one_grader_process_per_kernel_restarted_only_when_it_is_gone():
    _grade(_cells())
    first = client._grader.proc.pid
    _grade(_cells())
    assert client._grader.proc.pid == first
    client._grader.proc.kill()
    client._grader.proc.wait()
    assert _grade(_cells())["score"] > 0
    assert client._grader.proc.pid != first


def test_an_interrupted_check_stops_its_grader_and_the_next_check_starts_another():
    _grade(_cells())
    interrupted = client._grader.proc
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        _grade(_cells("import time\ntime.sleep(60)"))  # long enough for the interrupt to land
    timer.join()
    assert interrupted.poll() is not None  # its reply would otherwise answer the next request
    assert _grade(_cells())["score"] > 0
    assert client._grader.proc is not interrupted


def test_what_the_kernel_process_replaced_does_not_reach_the_checks(monkeypatch, tmp_path):
    wrong = _cells("def forward(x, w, b):\n    return x * w", SUM_NOT_MEAN)
    honest = engine.grade(course.default().get(EX2), read_history(wrong, tmp_path / "ex02_cost_surface.ipynb")[0])
    assert 0 < honest.score < honest.max_score
    # Everything a cell in the kernel could replace that the checks rely on:
    monkeypatch.setattr(check_helpers, "close", lambda *a, **k: None)
    monkeypatch.setattr(check_helpers, "that", lambda *a, **k: None)
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(numpy, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(engine, "grade", lambda *a, **k: pytest.fail("the kernel's engine was used"))
    report = _grade(wrong)
    assert (report["score"], report["max_score"]) == (honest.score, honest.max_score)
    assert {c["name"] for c in report["checks"] if not c["passed"]} == {c.name for c in honest.checks if not c.passed}


@pytest.mark.parametrize(("request_", "said"), [
    ({"exercise": "ex99-nothing", "cells": []}, "unknown exercise"),
    ({"exercise": EX2, "cells": "x = 1"}, "cells must be a list of strings"),
    ({"exercise": EX2, "cells": [], "options": {"budget": 1000}}, "unknown or malformed option 'budget'"),
    ({"exercise": EX2, "cells": [], "options": {"hidden": "yes"}}, "malformed option 'hidden'"),
    ({"exercise": EX2}, "nothing to grade"),
    ([1, 2], "a request is an object"),
])
def test_malformed_requests_are_refused_with_a_reason(request_, said):
    reply = service._reply(json.dumps(request_))
    assert said in reply["error"] and "report" not in reply
    assert service._reply("{not json")["error"].startswith("malformed request")


def test_an_error_of_the_engine_comes_back_as_a_message(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        client.grade({"exercise": EX2, "path": str(tmp_path / "missing.ipynb")})


def test_a_grader_process_that_cannot_start_says_why(monkeypatch, tmp_path):
    (tmp_path / "torch.py").write_text("raise ImportError('this torch is broken')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(client.GraderUnavailable, match="this torch is broken"):
        client.Grader()
