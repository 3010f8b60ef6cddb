"""The fork server and the plain-process fallback."""

from __future__ import annotations

import io
import os
import signal
import sys

from conftest import solution_source
import pytest

from pttutor.grader.grading import engine
from pttutor.grader.sandbox import process

EX = "ex02-cost-surface"


def test_spawned_workers_where_there_is_no_fork_server(grade_source, monkeypatch):
    monkeypatch.setenv("PTTUTOR_SPAWN_WORKERS", "1")
    assert not process.use_fork_server()
    with pytest.raises(engine.GradingError, match="the full sandbox cannot be built here"):
        grade_source(EX, solution_source(EX))  # fails closed: a plain process confines nothing
    report = grade_source(EX, solution_source(EX), sandbox="process")
    assert report.score == report.max_score
    assert report.sandbox == "process"
    assert any("no fork server" in p for p in report.protections)


def test_a_dead_fork_server_is_restarted(grade_source):
    first = process.fork_server()
    os.kill(first.proc.pid, signal.SIGKILL)
    first.proc.wait(timeout=10)
    report = grade_source(EX, solution_source(EX))
    assert report.score == report.max_score
    assert process.fork_server() is not first and process.fork_server().alive()


def test_workers_are_forked_from_one_server(grade_source):
    grade_source(EX, solution_source(EX))  # the sandbox's host is set up before its server starts
    server = process.fork_server()
    for _ in range(2):
        assert grade_source(EX, solution_source(EX)).score > 0
    assert process.fork_server() is server


def test_what_a_worker_prints_reaches_its_output_whoever_forked_the_server(grade_source, monkeypatch):
    """A fork server forked from a process whose sys.stdout is an object of its own (pytest's
    capture, a notebook's stream): the workers' print() still reaches their output pipe."""
    grade_source(EX, solution_source(EX))  # the sandbox's host is set up before its server starts
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    server = process.ForkServer(fork_self=True)
    monkeypatch.setattr(process, "_server", server)
    try:
        source = (solution_source(EX) + "\nprint('printed at import')\n"
                  "print('and to stderr', file=__import__('sys').stderr)\n")
        report = grade_source(EX, source)
    finally:
        server.close()
    assert sys.stdout.getvalue() == "" and sys.stderr.getvalue() == ""  # nothing went to the grader's streams
    assert "printed at import" in report.output and "and to stderr" in report.output, report.output


def test_nothing_outlives_a_grader_killed_mid_check(tmp_path):
    """SIGKILL the grading process while the student's code loops: its worker and children die too."""
    import subprocess
    import sys
    import time

    from conftest import stub_source
    from test_hostile import _processes_with

    token = f"4343.{os.getpid()}"
    source = stub_source(EX).replace(
        '    raise NotImplementedError("forward")',
        f"    import subprocess\n    subprocess.Popen(['sleep', '{token}'])\n    while True:\n        pass")
    (tmp_path / "ex02_cost_surface.py").write_text(source)
    code = ("from pathlib import Path\nfrom pttutor.grader import course\nfrom pttutor.grader.grading import engine\n"
            f"engine.grade(course.default().get({EX!r}), Path({str(tmp_path / 'ex02_cost_surface.py')!r}))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not _processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(token), "the student's child never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(token) == []
