"""Peak memory and time of the autograder on one submission of each exercise (on demand, not in CI).

    python benchmarks/bench_autograder.py [--exercises ID ...] [--limit-mb 768] [--cpus 0.5] [--container]

For each exercise, ``pttutor-grade autograder grade gradescope`` (what ``run_autograder`` runs)
grades a submission holding the exercise's reference solution, in a memory cgroup of its own
(a child of this process's cgroup, removed afterwards; cgroup v1 or v2). Reported per exercise:
wall seconds, the score, the cgroup's peak charge (anonymous memory plus the page cache it was
charged for: files already cached by others are not charged here, so a cold container sees
more), and the peak of its anonymous memory (``memory.stat``, sampled every 20 ms; a page shared
by the fork server and a worker counts once): the part a container's limit cannot reclaim. ``--limit-mb`` runs it again under that
memory limit, as Gradescope's container does (768 MB by default there), and says whether the
grading finished with the full score. ``--cpus`` caps the CPU time (Gradescope gives 0.5 CPU by
default) where the cpu controller can be used. ``--container`` runs it as root without
CAP_SYS_ADMIN (``setpriv``), like Gradescope's container.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pttutor.grader import course

GRADE = [sys.executable, "-c", "from pttutor.grader.cli import main; main()"]
NO_SYS_ADMIN = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]


def own_cgroup(controller: str) -> Path | None:
    """This process's cgroup folder for ``controller`` (v1), or its unified one (v2)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            folder = Path("/sys/fs/cgroup") / controller / path.lstrip("/")
            return folder if folder.is_dir() else None
    unified = Path("/sys/fs/cgroup/cgroup.controllers")
    if unified.is_file() and controller in unified.read_text().split():
        path = next(line.split(":", 2)[2] for line in Path("/proc/self/cgroup").read_text().splitlines()
                    if line.startswith("0::"))
        return Path("/sys/fs/cgroup") / path.lstrip("/")
    return None


class Group:
    """A memory (and optionally cpu) cgroup made for one run, removed on exit."""

    def __init__(self, name: str, limit_mb: int | None, cpus: float | None) -> None:
        base = own_cgroup("memory")
        if base is None:
            raise SystemExit("no memory cgroup is available here")
        self.v2 = (base / "memory.max").exists() or (base / "cgroup.controllers").exists()
        self.folders = [base / name]
        self.folders[0].mkdir()
        if limit_mb:
            self._write(self.folders[0], "memory.max" if self.v2 else "memory.limit_in_bytes", str(limit_mb << 20))
        if cpus:
            cpu = self.folders[0] if self.v2 else own_cgroup("cpu")
            if cpu is not None and not self.v2:
                cpu = cpu / name
                cpu.mkdir()
                self.folders.append(cpu)
                self._write(cpu, "cpu.cfs_period_us", "100000")
                self._write(cpu, "cpu.cfs_quota_us", str(int(cpus * 100000)))
            elif cpu is not None:
                self._write(cpu, "cpu.max", f"{int(cpus * 100000)} 100000")

    @staticmethod
    def _write(folder: Path, name: str, value: str) -> None:
        (folder / name).write_text(value)

    def join(self) -> None:
        """Put the calling process in the group (called in the child, before exec)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def peak(self) -> int:
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        path = self.folders[0] / name
        return int(path.read_text()) if path.exists() else 0

    def anon(self) -> int:
        """Anonymous memory charged to the group now, in bytes (each page once, shared or not)."""
        key = "anon" if self.v2 else "total_rss"
        for line in (self.folders[0] / "memory.stat").read_text().splitlines():
            name, value = line.split()
            if name == key:
                return int(value)
        return 0

    def events(self) -> str:
        name = "memory.events" if self.v2 else "memory.failcnt"
        path = self.folders[0] / name
        return " ".join(path.read_text().split()) if path.exists() else ""

    def remove(self) -> None:
        for folder in self.folders:
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


def run(ex_id: str, args: argparse.Namespace, limit_mb: int | None) -> dict:
    ex = course.default().get(ex_id)
    with tempfile.TemporaryDirectory(prefix="bench-autograder-") as tmp:
        submission = Path(tmp) / "submission"
        submission.mkdir()
        shutil.copy(ex.solution_path, submission / ex.file)
        results = Path(tmp) / "results" / "results.json"
        group = Group(f"pttutor-bench-{os.getpid()}-{ex_id}", limit_mb, args.cpus)
        peak_anon = 0
        try:
            cmd = [*(NO_SYS_ADMIN if args.container else []), *GRADE, "autograder", "grade", "gradescope",
                   str(submission), str(results), "--exercises", ex_id, "--sandbox", args.sandbox]
            began = time.perf_counter()
            env = os.environ | dict(item.split("=", 1) for item in args.env)
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=group.join,
                                    env=env)
            while proc.poll() is None:
                peak_anon = max(peak_anon, group.anon())
                time.sleep(0.02)
            seconds = time.perf_counter() - began
            stderr = proc.stderr.read().decode(errors="replace")
            peak, events = group.peak(), group.events()
        finally:
            group.remove()
        data = json.loads(results.read_text()) if results.exists() else {}
    return {"exercise": ex_id, "seconds": round(seconds, 1), "exit": proc.returncode,
            "score": data.get("score"), "max": ex.points, "peak_cgroup_mib": round(peak / 2**20),
            "peak_anon_mib": round(peak_anon / 2**20), "events": events, "stderr": stderr[-300:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercises", nargs="*", default=None)
    parser.add_argument("--limit-mb", type=int, default=None, help="Also run under this memory limit.")
    parser.add_argument("--cpus", type=float, default=None, help="CPU cap, e.g. 0.5.")
    parser.add_argument("--container", action="store_true", help="Run as root without CAP_SYS_ADMIN.")
    parser.add_argument("--sandbox", default="container")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="An environment variable for the autograder (repeatable).")
    args = parser.parse_args()
    ids = args.exercises or [ex.id for ex in course.default().exercises]
    print("| exercise | seconds | score | peak cgroup MiB | peak anon MiB |"
          + (f" under {args.limit_mb} MB |" if args.limit_mb else ""))
    print("|---|---:|---:|---:|---:|" + ("---|" if args.limit_mb else ""))
    for ex_id in ids:
        free = run(ex_id, args, None)
        line = (f"| {ex_id} | {free['seconds']} | {free['score']}/{free['max']} | {free['peak_cgroup_mib']} "
                f"| {free['peak_anon_mib']} |")
        if args.limit_mb:
            capped = run(ex_id, args, args.limit_mb)
            ok = capped["score"] == capped["max"]
            line += (f" {'full score' if ok else 'FAILED'} in {capped['seconds']} s"
                     f"{'' if ok else ' (' + capped['events'] + ')'} |")
        print(line, flush=True)
        if free["exit"] != 0:
            print(f"  exit {free['exit']}: {free['stderr']}", file=sys.stderr)


if __name__ == "__main__":
    main()
