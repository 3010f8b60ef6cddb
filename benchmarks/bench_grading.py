"""Grading speed and memory, measured in one run (on demand, not in CI).

    python benchmarks/bench_grading.py [--runs 3] [--copies 8] [--exercise ex02-cost-surface]

1. Latency: ``python -c "import torch"`` next to ``pttutor-grade check EXERCISE`` on the
   reference solution, interleaved so both see the same machine load; medians and ratios.
2. Throughput: a class of COPIES students who all hand in the reference solution, graded by
   COPIES sequential ``pttutor-grade check`` runs, then by ``pttutor-grade batch`` with 1 and
   with 2 workers.
3. Memory: while the 2-worker batch runs, the peak proportional set size (PSS: shared pages
   split between the processes sharing them) and resident size of every worker process.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pttutor.grader import course

GRADE = [sys.executable, "-c", "from pttutor.grader.cli import main; main()"]


def timed(cmd: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - began


def memory_of(pid: str) -> tuple[int, int]:
    """(PSS, RSS) of a process in KiB, or (0, 0) once it is gone."""
    try:
        pss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/smaps_rollup") if line.startswith("Pss:"))
        rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS:"))
        return pss, rss
    except (OSError, StopIteration, ValueError):
        return 0, 0


class Sampler(threading.Thread):
    """Peak memory of each process whose command line runs the fork server (workers are its forks)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[str, tuple[int, int]] = {}
        self.roles: dict[str, str] = {}
        self.stop = threading.Event()

    @staticmethod
    def _forked(entry: Path) -> bool:
        """Whether the process is a fork of the fork server (its parent runs the server too)."""
        try:
            ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            return b"pttutor.grader.sandbox.forkserver" in Path(f"/proc/{ppid}/cmdline").read_bytes()
        except (OSError, IndexError):
            return True

    def run(self) -> None:
        while not self.stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if b"pttutor.grader.sandbox.forkserver" in cmdline:
                    pss, rss = memory_of(entry.name)
                    old = self.peaks.get(entry.name, (0, 0))
                    self.peaks[entry.name] = (max(old[0], pss), max(old[1], rss))
                    if entry.name not in self.roles:
                        self.roles[entry.name] = "worker" if self._forked(entry) else "server"
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--exercise", default="ex02-cost-surface")
    args = parser.parse_args()
    ex = course.default().get(args.exercise)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        submission = root / ex.file
        shutil.copy(ex.solution_path, submission)
        check = [*GRADE, "check", ex.id, "--path", str(submission)]
        latency = {'python -c "import torch"': [sys.executable, "-c", "import torch"],
                   f"pttutor-grade check {ex.id}": check,
                   f"pttutor-grade check {ex.id} --hidden": [*check, "--hidden"]}
        times: dict[str, list[float]] = {name: [] for name in latency}
        for _ in range(args.runs):
            for name, cmd in latency.items():
                times[name].append(timed(cmd))
        base = statistics.median(next(iter(times.values())))
        print(f"\nLatency (median of {args.runs} runs)")
        print(f"| {'command':<48} | seconds | x import torch |\n|{'-' * 50}|---------|----------------|")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"| {name:<48} | {median:7.2f} | {median / base:14.2f} |")

        subs = root / "class"
        for i in range(args.copies):
            (subs / f"student{i:03d}").mkdir(parents=True)
            shutil.copy(ex.solution_path, subs / f"student{i:03d}" / ex.file)
        sequential = sum(timed([*GRADE, "check", ex.id, "--hidden", "--path", str(subs / f"student{i:03d}" / ex.file)])
                         for i in range(args.copies))
        rows = [(f"{args.copies} sequential `check --hidden` runs", sequential)]
        sampler = None
        for workers in (1, 2):
            if workers == 2:
                sampler = Sampler()
                sampler.start()
            seconds = timed([*GRADE, "batch", str(subs), "--out", str(root / f"out{workers}"),
                             "--exercises", ex.id, "--workers", str(workers)])
            rows.append((f"`batch --workers {workers}`", seconds))
        sampler.stop.set()
        print(f"\nThroughput: {args.copies} copies of the reference solution of {ex.id} (hidden checks included)")
        print(f"| {'how':<40} | seconds | submissions/min | speed-up |\n|{'-' * 42}|---------|-----------------|----------|")
        for name, seconds in rows:
            print(f"| {name:<40} | {seconds:7.1f} | {60 * args.copies / seconds:15.1f} | {sequential / seconds:8.2f} |")

        servers = [v for pid, v in sampler.peaks.items() if sampler.roles.get(pid) == "server"]
        workers_ = [v for pid, v in sampler.peaks.items() if sampler.roles.get(pid) == "worker" and v[0]]
        print("\nMemory during `batch --workers 2` (peak per process, MiB; PSS splits shared pages)")
        for label, values in (("fork servers", servers), ("worker processes", workers_)):
            if values:
                print(f"- {label} ({len(values)}): PSS up to {max(p for p, _ in values) / 1024:.0f}, "
                      f"RSS up to {max(r for _, r in values) / 1024:.0f}")

if __name__ == "__main__":
    main()
