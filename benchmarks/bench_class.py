"""A class graded four ways, measured in one run (on demand, not in CI).

    python benchmarks/bench_class.py [--students 20] [--exercises ex02-cost-surface,ex03-gradient-descent]

The class: STUDENTS students, copies of the demo class in turn (alice: the reference solutions;
bob: half done; carol: broken; dana: notebooks; erin: an endless loop in the second exercise),
each a folder. It is graded by:

1. STUDENTS sequential ``pttutor-grade check --hidden ID...`` runs, one per student, in the
   student's folder (what grading a class one student at a time costs);
2. ``pttutor-grade batch --workers 1`` and 3. ``--workers 2``;
4. ``batch --scheduler`` on a Dask cluster of 2 workers (``dask scheduler`` and
   ``dask worker --nthreads 1``, started here as real processes on 127.0.0.1; needs the
   ``cluster`` extra). The cluster is started before the clock starts, as one would be.

Printed: seconds, students per minute, the speed-up over the sequential checks, and the peak
memory of each kind of process (PSS: pages shared between processes split among them; RSS).
The batches' gradebooks are compared with the sequential checks' scores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from bench_grading import memory_of
from pttutor.grader import course
from pttutor.grader.classroom.demo import STUDENTS, write_class

GRADE = [sys.executable, "-c", "from pttutor.grader.cli import main; main()"]
ROLES = (("fork server", b"pttutor.grader.sandbox.forkserver"), ("grader process", b"multiprocessing"),
         ("dask worker", b"dask worker"), ("dask scheduler", b"dask scheduler"), ("pttutor-grade", b"pttutor.grader.cli"))


class Sampler(threading.Thread):
    """Peak PSS and RSS of the processes started from ``roots`` (and their descendants), by the
    kinds in ROLES (sandboxed workers are the fork server's children)."""

    def __init__(self, roots: set[int]) -> None:
        super().__init__(daemon=True)
        self.roots = roots
        self.peaks: dict[str, tuple[int, int]] = {}
        self.stop = threading.Event()

    def _tree(self) -> list[Path]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        mine = set(self.roots)
        for _ in range(8):  # a few generations: batch, grader process, fork server, worker...
            mine |= {pid for pid, ppid in parents.items() if ppid in mine}
        return [Path(f"/proc/{pid}") for pid in mine]

    @staticmethod
    def _role(entry: Path, cmdline: bytes) -> str | None:
        for role, mark in ROLES:
            if mark in cmdline:
                if role in ("fork server", "grader process"):
                    try:
                        ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                        parent = Path(f"/proc/{ppid}/cmdline").read_bytes().replace(b"\0", b" ")
                    except (OSError, IndexError):
                        return None
                    if role == "fork server" and mark in parent:
                        return "sandboxed worker"
                    if role == "grader process" and b"dask worker" in parent:
                        return "dask worker"  # the process a Dask nanny runs its worker in
                return role
        return None

    def run(self) -> None:
        while not self.stop.is_set():
            for entry in self._tree():
                try:
                    role = self._role(entry, (entry / "cmdline").read_bytes().replace(b"\0", b" "))
                except OSError:
                    continue
                if role is None:
                    continue
                pss, rss = memory_of(entry.name)
                old = self.peaks.get(role, (0, 0))
                self.peaks[role] = (max(old[0], pss), max(old[1], rss))
            time.sleep(0.1)


def measured(cmds: list[tuple[list[str], Path | None]], roots: set[int] = frozenset()
             ) -> tuple[float, dict[str, tuple[int, int]]]:
    """Run ``cmds`` one after the other; their time and peak memory (and that of ``roots``' processes)."""
    sampler = Sampler(set(roots))
    sampler.start()
    began = time.perf_counter()
    for cmd, cwd in cmds:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sampler.roots.add(proc.pid)
        proc.wait()
        sampler.roots.discard(proc.pid)
    seconds = time.perf_counter() - began
    sampler.stop.set()
    sampler.join()
    return seconds, sampler.peaks


def make_class(root: Path, n: int, exercises: list) -> Path:
    demo = write_class(root / "demo", exercises)
    with zipfile.ZipFile(demo / "dana.zip") as zf:  # check needs files: dana's notebooks as a folder
        zf.extractall(demo)
    subs = root / "class"
    for i in range(n):
        source = STUDENTS[i % len(STUDENTS)]
        shutil.copytree(demo / source, subs / f"{source}{i:03d}")
    return subs


class DaskCluster:
    def __init__(self, folder: Path, workers: int = 2) -> None:
        dask = str(Path(sys.executable).with_name("dask"))
        self.file = folder / "scheduler.json"
        self.procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                        "--scheduler-file", str(self.file)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)]
        while not self.file.exists():
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]
        for i in range(workers):
            self.procs.append(subprocess.Popen([dask, "worker", self.address, "--nthreads", "1", "--host",
                                                "127.0.0.1", "--no-dashboard", "--name", f"w{i}"],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                               start_new_session=True))
        import distributed

        with distributed.Client(self.address) as client:
            client.wait_for_workers(workers, timeout=120)

    def stop(self) -> None:
        import os

        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            proc.wait()


def scores(out: Path) -> dict[str, str]:
    lines = (out / "gradebook.csv").read_text().splitlines()[1:]
    return {line.split(",")[0]: line.rsplit(",", 1)[1] for line in lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--exercises", default="ex02-cost-surface,ex03-gradient-descent,ex04-backprop")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = parser.parse_args()
    exercises = [course.default().get(i) for i in args.exercises.split(",") if i]
    ids = [ex.id for ex in exercises]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subs = make_class(root, args.students, exercises)
        folders = sorted(subs.iterdir())
        seconds, peaks = measured([([*GRADE, "check", "--hidden", *ids], folder) for folder in folders])
        results.append((f"{args.students} sequential `check --hidden`", seconds, peaks))
        batch = [*GRADE, "batch", str(subs), "--exercises", ",".join(ids)]
        for workers in (1, 2):
            seconds, peaks = measured([([*batch, "--out", str(root / f"out{workers}"), "--workers", str(workers)],
                                        None)])
            results.append((f"`batch --workers {workers}`", seconds, peaks))
        if not args.no_dask:
            cluster = DaskCluster(root)
            try:
                seconds, peaks = measured([([*batch, "--out", str(root / "dask"), "--scheduler", cluster.address],
                                            None)], {proc.pid for proc in cluster.procs})
            finally:
                cluster.stop()
            results.append(("`batch --scheduler` (Dask, 2 workers)", seconds, peaks))
        books = {name: scores(root / name) for name in ("out1", "out2", "dask") if (root / name).exists()}
    sequential = results[0][1]
    print(f"\n{args.students} students (demo class copies), exercises {', '.join(ids)}, hidden checks included")
    print("| how | seconds | students/min | speed-up | peak memory per process, MiB PSS (RSS) |")
    print("|---|---:|---:|---:|---|")
    for name, seconds, peaks in results:
        memory = "; ".join(f"{role} {pss / 1024:.0f} ({rss / 1024:.0f})" for role, (pss, rss) in sorted(peaks.items()))
        print(f"| {name} | {seconds:.1f} | {60 * args.students / seconds:.1f} | {sequential / seconds:.2f} "
              f"| {memory} |")
    same = len({json.dumps(book, sort_keys=True) for book in books.values()}) == 1
    print(f"\nthe batches' gradebooks agree: {same}")


if __name__ == "__main__":
    main()
