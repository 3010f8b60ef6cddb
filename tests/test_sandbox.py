"""The fork server and the plain-process fallback."""

from __future__ import annotations

import os
import signal

from conftest import solution_source
from pttutor.grader import sandbox

EX = "ex02-cost-surface"


def test_spawned_workers_where_there_is_no_fork_server(grade_source, monkeypatch):
    monkeypatch.setenv("PTTUTOR_SPAWN_WORKERS", "1")
    assert not sandbox.use_fork_server()
    report = grade_source(EX, solution_source(EX))
    assert report.score == report.max_score
    assert "own process" in report.protections
    assert any("no fork server" in p for p in report.protections)


def test_a_dead_fork_server_is_restarted(grade_source):
    first = sandbox.zygote()
    os.kill(first.proc.pid, signal.SIGKILL)
    first.proc.wait(timeout=10)
    report = grade_source(EX, solution_source(EX))
    assert report.score == report.max_score
    assert sandbox.zygote() is not first and sandbox.zygote().alive()


def test_workers_are_forked_from_one_server(grade_source):
    server = sandbox.zygote()
    for _ in range(2):
        assert grade_source(EX, solution_source(EX)).score > 0
    assert sandbox.zygote() is server
