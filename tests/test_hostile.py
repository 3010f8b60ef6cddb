"""Hostile submissions: each is built on a stub (honest score 0) and must score 0, in bounded
time, with a clear message, while the grader carries on and no process of it survives."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import hostile
from pttutor.grader import course
from pttutor.grader.sandbox import process

EX = "ex02-cost-surface"
FAST = {"budget": 8.0, "load_timeout": 3.0}
PRINTS = {**FAST, "load_timeout": 8.0}  # what a file prints at import is read only if it loads in time


def assert_zero(report, *, within: float, began: float, message: str | None = None):
    elapsed = time.monotonic() - began
    assert report.score == 0, [c for c in report.checks if c.passed]
    assert report.max_score == 10
    assert elapsed < within, f"took {elapsed:.1f} s"
    assert all(c.message for c in report.checks)
    if message is not None:
        assert any(message in c.message for c in report.checks), [c.message for c in report.checks]


def test_infinite_loop_at_import_falls_back_to_definitions(grade_source):
    began = time.monotonic()
    report = grade_source(EX, hostile("while True:\n    pass\n"), **FAST)
    assert_zero(report, within=40, began=began, message="NotImplementedError")
    assert any("did not finish within 3 s" in n and "definitions only" in n for n in report.notes)


def test_long_sleep_at_import(grade_source):
    began = time.monotonic()
    report = grade_source(EX, hostile("import time\ntime.sleep(10_000)\n"), **FAST)
    assert_zero(report, within=40, began=began, message="NotImplementedError")
    assert any("definitions only" in n for n in report.notes)


def test_infinite_loop_in_functions_times_out(grade_source):
    began = time.monotonic()
    report = grade_source(EX, hostile(body="    while True:\n        pass"), **FAST)
    assert_zero(report, within=60, began=began)
    assert any("time limit" in c.message or "budget" in c.message for c in report.checks)


@pytest.mark.parametrize("where", ["import", "function"])
def test_os_exit(grade_source, where):
    began = time.monotonic()
    src = hostile("import os\nos._exit(0)\n") if where == "import" else \
        hostile(body="    import os\n    os._exit(0)")
    report = grade_source(EX, src, **FAST)
    assert_zero(report, within=60, began=began)
    if where == "function":
        assert any("exited with status 0" in c.message for c in report.checks)


@pytest.mark.parametrize("where", ["import", "function"])
def test_sys_exit(grade_source, where):
    began = time.monotonic()
    src = hostile("import sys\nsys.exit(0)\n") if where == "import" else \
        hostile(body="    import sys\n    sys.exit(0)")
    report = grade_source(EX, src, **FAST)
    assert_zero(report, within=60, began=began)
    if where == "function":
        assert any("sys.exit(0)" in c.message for c in report.checks)


def test_memory_blow_up(grade_source):
    began = time.monotonic()
    body = "    import torch\n    hog = [torch.ones(256, 1024, 1024) for _ in range(64)]\n    return hog"
    report = grade_source(EX, hostile(body=body), memory_mb=2048, **FAST)
    assert_zero(report, within=60, began=began)
    assert any("allocate" in c.message or "memory" in c.message.lower() for c in report.checks), \
        [c.message for c in report.checks]


def _processes_with(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to look for survivors")
def test_spawned_children_do_not_survive(grade_source):
    token = "4242.%d" % os.getpid()
    prelude = (
        "import os, subprocess\n"
        f"procs = [subprocess.Popen(['sleep', '{token}'], start_new_session=bool(i % 2)) for i in range(12)]\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        f"    os.execvp('sleep', ['sleep', '{token}'])\n"
    )
    began = time.monotonic()
    report = grade_source(EX, hostile(prelude), **FAST)
    assert_zero(report, within=60, began=began)
    time.sleep(0.5)
    survivors = _processes_with(token)
    if report.sandbox != "full":
        pytest.skip("no PID namespace here: children that call setsid() can outlive grading")
    assert survivors == []


def test_flooding_stdout_is_capped(grade_source):
    began = time.monotonic()
    body = "    import sys\n    for _ in range(20_000):\n        sys.stdout.write('x' * 10_000 + '\\n')\n    return 0"
    report = grade_source(EX, hostile(body=body), **PRINTS)
    assert_zero(report, within=90, began=began)
    assert len(report.output) < process.Limits().output_cap + 10_000
    assert "more bytes of output not kept" in report.output, (report.notes, [c.message for c in report.checks][:2])


def test_fake_passing_report_changes_nothing(tmp_path, grade_source):
    fake = {"exercise": EX, "score": 10, "max_score": 10, "passed": True, "checks": []}
    prelude = f"print({json.dumps(json.dumps(fake))})\nprint('PASS all checks 10/10')\n"
    body = f"    print({json.dumps(json.dumps(fake))})\n    return 0"
    began = time.monotonic()
    report = grade_source(EX, hostile(prelude, body), **PRINTS)
    assert_zero(report, within=60, began=began)
    assert "PASS all checks" in report.output, (report.notes, [c.message for c in report.checks][:2])


def test_monkeypatching_pytest_numpy_and_builtins(grade_source):
    prelude = (
        "import builtins, numpy, pytest, torch\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.len = lambda *a: 3\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.isclose = lambda *a, **k: True\n"
        "torch.allclose = lambda *a, **k: True\n"
        "pytest.approx = lambda *a, **k: object()\n"
        "import pttutor.grader.expect as e\n"
        "e.close = lambda *a, **k: None\n"
    )
    body = "    return [[0.0]]"
    began = time.monotonic()
    report = grade_source(EX, hostile(prelude, body), **FAST)
    assert_zero(report, within=60, began=began)


def test_lying_tensor_subclass_and_always_equal_object(grade_source):
    prelude = (
        "import torch\n"
        "class Liar(torch.Tensor):\n"
        "    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        if func in (torch.allclose, torch.equal, torch.Tensor.__eq__):\n"
        "            return True\n"
        "        return super().__torch_function__(func, types, args, kwargs or {})\n"
        "class Always:\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    def __float__(self): return 0.0\n"
        "    def __array__(self, *a, **k):\n"
        "        import numpy; return numpy.zeros(3)\n"
    )
    src = hostile(prelude, body="    return Liar(torch.zeros(3)) if 'w' in dir() else Always()")
    src = src.replace("def forward(x, w, b):", "def forward(x, w, b):\n    return Liar(torch.zeros(3))", 1)
    began = time.monotonic()
    report = grade_source(EX, src, **FAST)
    assert_zero(report, within=60, began=began)
    messages = " ".join(c.message for c in report.checks)
    assert "expected" in messages or "should" in messages


def test_killing_the_parent_and_everything_else(grade_source):
    body = (
        "    import os, signal\n"
        "    for target in (os.getppid(), 1):\n"
        "        try:\n"
        "            os.kill(target, signal.SIGKILL)\n"
        "        except OSError:\n"
        "            pass\n"
        "    for entry in os.listdir('/proc'):\n"
        "        if entry.isdigit() and int(entry) != os.getpid():\n"
        "            try:\n"
        "                os.kill(int(entry), signal.SIGKILL)\n"
        "            except OSError:\n"
        "                pass\n"
        "    os.killpg(0, signal.SIGKILL)"
    )
    began = time.monotonic()
    report = grade_source(EX, hostile(body=body), **FAST)
    if report.sandbox != "full":
        pytest.skip("without a PID namespace a submission can signal the grader")
    assert_zero(report, within=60, began=began)
    assert os.getppid() > 1  # the test process (and so the grader in it) is alive


def test_ignoring_sigterm(grade_source):
    body = ("    import signal, time\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "    while True:\n        time.sleep(0.1)")
    began = time.monotonic()
    report = grade_source(EX, hostile(body=body), **FAST)
    assert_zero(report, within=60, began=began)
    assert any("time limit" in c.message or "budget" in c.message for c in report.checks)


def test_segfault_via_ctypes(grade_source):
    body = "    import ctypes\n    ctypes.string_at(0)"
    began = time.monotonic()
    report = grade_source(EX, hostile(body=body), **FAST)
    assert_zero(report, within=60, began=began)
    assert any("SIGSEGV" in c.message for c in report.checks), [c.message for c in report.checks]


def test_no_network_inside_the_worker(grade_source):
    body = (
        "    import socket\n"
        "    s = socket.socket()\n"
        "    s.settimeout(2)\n"
        "    s.connect(('127.0.0.1', 9))\n"
        "    return 0"
    )
    report = grade_source(EX, hostile(body=body), **FAST)
    if report.sandbox != "full":
        pytest.skip("no network namespace on this system")
    assert any("unreachable" in c.message.lower() for c in report.checks), [c.message for c in report.checks]


def test_copying_the_reference_solution_gains_nothing(grade_source):
    from pttutor.grader import course

    solution = course.default().get(EX).solution_path
    prelude = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('stolen', {str(solution)!r})\n"
        "stolen = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(stolen)\n"
        "forward, mse, cost_surface, plot_cost_surface = (stolen.forward, stolen.mse, stolen.cost_surface,\n"
        "                                                 stolen.plot_cost_surface)\n"
    )
    report = grade_source(EX, hostile(prelude))
    if report.sandbox != "full":
        pytest.skip("no mount namespace here to hide the reference solutions")
    assert report.score == 0
    assert any("No such file" in n or "FileNotFoundError" in n for n in report.notes), report.notes


def test_checks_and_solutions_folders_look_empty(grade_source):
    body = f"    import os\n    raise RuntimeError(repr([os.listdir({str(course.default().private_root)!r})]))"
    report = grade_source(EX, hostile(body=body), **FAST)
    if report.sandbox != "full":
        pytest.skip("no mount namespace here to hide the reference solutions")
    assert all("RuntimeError: [[]]" in c.message or "No such file or directory" in c.message
               for c in report.checks), [c.message for c in report.checks]


@pytest.mark.parametrize("target", ["cwd", "/tmp", "/root"])
def test_cannot_write_outside_its_own_folder(grade_source, target):
    path = "os.path.join(os.getcwd(), 'planted.txt')" if target == "cwd" else repr(f"{target}/pttutor-planted.txt")
    body = f"    import os\n    open({path}, 'w').write('x')\n    return 0"
    report = grade_source(EX, hostile(body=body), **FAST)
    if report.sandbox != "full":
        pytest.skip("no mount namespace here to make the file system read-only")
    if target == "/tmp":  # a /tmp of its own, gone with the worker
        assert not Path("/tmp/pttutor-planted.txt").exists()
        return
    failures = ("Read-only file system", "No such file", "Permission denied")
    assert all(any(f in c.message for f in failures) for c in report.checks), [c.message for c in report.checks]
    assert not Path(f"{target}/pttutor-planted.txt").exists()


def test_cannot_raise_its_own_limits_or_see_other_processes(grade_source):
    body = (
        "    import os, resource\n"
        "    others = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    assert len(others) <= 2, f'sees {len(others)} processes'\n"
        "    resource.setrlimit(resource.RLIMIT_DATA, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
        "    return 0"
    )
    report = grade_source(EX, hostile(body=body), **FAST)
    if report.sandbox != "full":
        pytest.skip("this system does not allow dropping capabilities and a private /proc")
    messages = [c.message for c in report.checks]
    assert all("not allowed to raise" in m or "ValueError" in m or "PermissionError" in m for m in messages), messages
