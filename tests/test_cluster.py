"""A batch on a Dask cluster: a scheduler and workers started here as real processes on 127.0.0.1.

Needs the cluster extra (``pip install -e .[cluster]``); skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader.cli import main

distributed = pytest.importorskip("distributed")

EX2, EX3 = "ex02-cost-surface", "ex03-gradient-descent"
F2, F3 = "ex02_cost_surface.py", "ex03_gradient_descent.py"
pytestmark = pytest.mark.slow


def dask_command(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    return [str(exe), *args] if exe.exists() else [shutil.which("dask") or "dask", *args]


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes, each in its own process group."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.procs: dict[str, subprocess.Popen] = {}
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(self.file))
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]
        for i in range(workers):
            self._start(f"w{i}", "worker", self.address, "--nthreads", "1", "--host", "127.0.0.1",
                        "--no-dashboard", "--name", f"w{i}")
        self.wait_for(workers)

    def _start(self, name: str, *args: str) -> None:
        log = open(self.folder / f"{name}.log", "wb")
        self.procs[name] = subprocess.Popen(dask_command(*args), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def workers(self) -> int:
        with distributed.Client(self.address, timeout="20s") as client:
            return len(client.scheduler_info(n_workers=-1)["workers"])

    def wait_for(self, n: int) -> None:
        deadline = time.monotonic() + 120
        while self.workers() != n:
            assert time.monotonic() < deadline, f"the cluster did not reach {n} workers"
            time.sleep(0.5)

    def group(self, name: str) -> list[int]:
        """The processes of one started program's process group (the worker, its nanny, its grader process...)."""
        pgid = self.procs[name].pid
        out = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
        return out

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name)


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def raw_rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def comparable(out: Path) -> dict:
    rows = {}
    for row in raw_rows(out):
        for volatile in ("time_used", "reference_calls"):
            row.pop(volatile, None)
        rows[(row["student"], row["exercise"])] = row
    return rows


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    subs = tmp_path_factory.mktemp("class") / "subs"
    write(subs / "alice", {F2: solution_source(EX2), F3: solution_source(EX3)})
    write(subs / "bob", {F2: solution_source(EX2), F3: stub_source(EX3)})
    write(subs / "carol", {F2: "def forward(x, w, b)\n"})
    import zipfile

    with zipfile.ZipFile(subs / "dana.zip", "w") as zf:
        zf.writestr("dana/ex02_cost_surface.py", solution_source(EX2))
        zf.writestr("dana/ex03_gradient_descent.py", solution_source(EX3))
    with zipfile.ZipFile(subs / "zed.zip", "w") as zf:
        zf.writestr("../escape.py", "print(1)")
    return subs


def test_cluster_batch_equals_the_local_pool(cluster, small_class, tmp_path):
    args = [small_class, "--exercises", f"{EX2},{EX3}", "--format", "lms"]
    local = cli("batch", *args, "--out", tmp_path / "local", "--workers", "1")
    assert local.exit_code == 0, local.output
    on_dask = cli("batch", *args, "--out", tmp_path / "dask", "--scheduler", cluster.address)
    assert on_dask.exit_code == 0, on_dask.output
    assert "the Dask cluster at tcp://127.0.0.1" in on_dask.output and "[10/10]" in on_dask.output
    assert comparable(tmp_path / "dask") == comparable(tmp_path / "local")
    for name in ("gradebook.csv", "lms.csv"):
        assert (tmp_path / "dask" / name).read_text() == (tmp_path / "local" / name).read_text()
    book = (tmp_path / "dask" / "gradebook.csv").read_text().splitlines()
    assert "alice,10,10,20" in book and "dana,10,10,20" in book and "zed,0,0,0" in book
    resumed = cli("batch", *args, "--out", tmp_path / "dask", "--scheduler", cluster.file, "--resume")
    assert resumed.exit_code == 0 and "0 to grade" in resumed.output
    assert len(raw_rows(tmp_path / "dask")) == 10


def test_cuda_needs_workers_with_a_gpu_resource(cluster, small_class, tmp_path):
    result = cli("batch", small_class, "--out", tmp_path / "out", "--exercises", EX2, "--device", "cuda",
                 "--scheduler", cluster.address)
    assert result.exit_code == 2 and "no Dask worker offers a GPU" in result.output


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    students = [f"s{i}" for i in range(8)]
    for i, name in enumerate(students):
        write(subs / name, {F2: solution_source(EX2) if i % 2 == 0 else stub_source(EX2)})
    dask = Cluster(tmp_path, workers=2)
    try:
        cmd = [sys.executable, "-c", "from pttutor.grader.cli import main; main()", "batch", str(subs),
               "--out", str(out), "--exercises", EX2, "--scheduler", dask.address]
        batch = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 240
        while not (len(dask.group("w0")) >= 3 and (out / "results.jsonl").exists()
                   and len((out / "results.jsonl").read_text().splitlines()) >= 1):
            assert time.monotonic() < deadline and batch.poll() is None, "the batch never started grading"
            time.sleep(0.1)
        done_before = len(raw_rows(out))
        assert done_before < len(students)
        dask.kill("w0")  # the worker, its nanny, its grader process and its fork server
        output, _ = batch.communicate(timeout=400)
        assert batch.returncode == 0, output
        assert dask.workers() == 1
    finally:
        dask.stop()
    rows = raw_rows(out)
    assert sorted(r["student"] for r in rows) == students  # every student exactly once
    assert all(r["status"] == "graded" for r in rows), [r["message"] for r in rows]
    assert {r["student"]: r["score"] for r in rows} == {s: 10 if i % 2 == 0 else 0 for i, s in enumerate(students)}


def test_dask_jobqueue_local_cluster(small_class, tmp_path):
    pytest.importorskip("dask_jobqueue")
    result = cli("batch", small_class, "--out", tmp_path / "out", "--exercises", EX2, "--cluster", "local",
                 "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "1 local Dask worker(s)" in result.output
    book = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    assert book == ["student,ex02-cost-surface,total", "alice,10,10", "bob,10,10", "carol,0,0", "dana,10,10",
                    "zed,0,0"]
