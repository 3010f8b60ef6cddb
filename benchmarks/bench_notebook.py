"""How fast ``pttutor.check()`` answers in a notebook, measured in one run (on demand, not in CI).

    python benchmarks/bench_notebook.py [--checks 5] [--exercise ex02-cost-surface]

A Jupyter kernel (ipykernel, driven by nbclient; ``pip install -e .[test]``) imports torch,
runs the reference solution's cells, then calls ``pttutor.check(EXERCISE)`` CHECKS times;
each call is timed inside the kernel. The first call starts the kernel's grader process
(a fresh interpreter that imports torch, and its fork server); later calls reuse both.
For scale, the same run times ``python -c "import torch"`` and ``pttutor-grade check`` on
the same code saved as a file, before and after the kernel.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pttutor.grader import course

GRADE = [sys.executable, "-c", "from pttutor.grader.cli import main; main()"]


def timed(cmd: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - began


def kernel_times(exercise: str, body: str, checks: int, cwd: Path) -> list[float]:
    import nbclient
    import nbformat

    cells = ["import time, json, torch, pttutor", body, "times = []"]
    cells += [f"t = time.perf_counter(); r = pttutor.check({exercise!r}); times.append(time.perf_counter() - t)"
              for _ in range(checks)]
    cells.append("print(json.dumps([times, r.score, r.max_score]))")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=900,
                            resources={"metadata": {"path": str(cwd)}}).execute()
    times, score, max_score = json.loads(nb.cells[-1].outputs[0]["text"])
    if score != max_score:
        raise SystemExit(f"the reference scored {score}/{max_score} in the kernel")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", type=int, default=5)
    parser.add_argument("--exercise", default="ex02-cost-surface")
    args = parser.parse_args()
    ex = course.default().get(args.exercise)
    body = ex.solution_path.read_text(encoding="utf-8").split('if __name__ == "__main__":')[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / ex.file).write_text(body, encoding="utf-8")
        torch_s, cli_s = [], []
        for _ in range(2):
            torch_s.append(timed([sys.executable, "-c", "import torch"], folder))
            cli_s.append(timed([*GRADE, "check", ex.id], folder))
        began = time.perf_counter()
        kernel_s = kernel_times(ex.id, body, args.checks, folder)
        kernel_wall = time.perf_counter() - began
        torch_s.append(timed([sys.executable, "-c", "import torch"], folder))
        cli_s.append(timed([*GRADE, "check", ex.id], folder))
    base = statistics.median(torch_s)
    later = kernel_s[1:]
    rows = [
        ('`python -c "import torch"`', base),
        (f"`pttutor-grade check {ex.id}` (a file)", statistics.median(cli_s)),
        ("first `pttutor.check()` in a kernel that imported torch", kernel_s[0]),
        (f"later `pttutor.check()` calls, median of {len(later)}", statistics.median(later) if later else float("nan")),
        ("later `pttutor.check()` calls, slowest", max(later) if later else float("nan")),
    ]
    print(f"{ex.id}; the whole notebook (kernel start included) took {kernel_wall:.1f} s\n")
    print("| what | seconds | x import torch |\n|---|---|---|")
    for what, seconds in rows:
        print(f"| {what} | {seconds:.2f} | {seconds / base:.2f} |")
    print("\nevery check, in order:", " ".join(f"{t:.2f}" for t in kernel_s))


if __name__ == "__main__":
    main()
