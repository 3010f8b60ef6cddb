"""Similarity report speed for a large class, measured in one run (on demand, not in CI).

    python benchmarks/bench_similarity.py [--students 500] [--exercise ex03-gradient-descent]
                                          [--sample 2000] [--seed 1]

Generates a class of STUDENTS files for one exercise, built from the exercise's reference
solution and recorded mistakes: each student takes every function from one of those
versions, and about a quarter of the lines of each function are replaced by lines of its own
(so two independent students share some code, as real ones do); names are renamed, functions
reordered and comments added at random. One student in ten copies an earlier one (renamed,
reordered, re-commented); one in a hundred hands in the reference solution, renamed.

Then measures, in one run:

1. ``pttutor-grade similarity`` on the class, end to end (a fresh process: start-up, reading
   every file, fingerprinting, comparing every pair, writing the CSV and the HTML page);
2. the same stages in this process, one by one;
3. copydetect's own way: a ``CodeFingerprint`` per file and ``compare_files`` on every pair,
   timed on SAMPLE random pairs and extrapolated to all pairs.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import keyword
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pttutor.grader import course

GRADE = [sys.executable, "-c", "from pttutor.grader.cli import main; main()"]
KEEP = set(keyword.kwlist) | set(dir(__builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)))
OPS = ["+", "-", "*", "/", "**", "//", "%"]


def versions(ex) -> dict[str, list[str]]:
    """Each top-level statement of the reference, by name, with the recorded mistakes' versions of it."""
    def segments(source: str) -> dict[str, str]:
        tree = ast.parse(source)
        out = {}
        for node in tree.body:
            name = getattr(node, "name", None) or ast.unparse(node)[:40]
            out[name] = ast.get_source_segment(source, node)
        return out

    pools = {name: [text] for name, text in segments(ex.solution_path.read_text(encoding="utf-8")).items()}
    for mistake in sorted(ex.mistakes_dir.glob("*.py")) if ex.mistakes_dir.is_dir() else []:
        for name, text in segments(mistake.read_text(encoding="utf-8")).items():
            if name in pools:
                pools[name].append(text)
    return pools


def own_line(rng: random.Random, indent: str) -> str:
    a, b = (f"{rng.choice('abcdefghkmnpqrstuvz')}{rng.randint(0, 99)}" for _ in range(2))
    return f"{indent}{a} = {b} {rng.choice(OPS)} {rng.randint(2, 999)}"


def rewrite(rng: random.Random, text: str, rate: float) -> str:
    lines = text.splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        indent = re.match(r"\s*", line).group()
        if line.strip() and rng.random() < rate:
            out.append(own_line(rng, indent))
        else:
            out.append(line)
        if line.strip() and rng.random() < rate / 3:
            out.append(own_line(rng, indent))
    return "\n".join(out)


def disguise(rng: random.Random, source: str) -> str:
    """Rename about half the names, reorder the functions, add comments."""
    names = {n for n in re.findall(r"\b[A-Za-z_]\w*\b", source) if n not in KEEP}
    mapping = {n: f"{n[:3]}_{rng.randint(0, 9999)}" for n in sorted(names) if rng.random() < 0.5}
    source = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: mapping.get(m.group(), m.group()), source)
    head, *functions = source.split("\n\n\ndef ")
    rng.shuffle(functions)
    lines = []
    for line in "\n\n\ndef ".join([head, *functions]).splitlines():
        if line.strip() and rng.random() < 0.1:
            lines.append(re.match(r"\s*", line).group() + f"# note {rng.randint(0, 10**6)}")
        lines.append(line)
    return "\n".join(lines) + "\n"


def make_class(ex, folder: Path, students: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    pools = versions(ex)
    reference = ex.solution_path.read_text(encoding="utf-8")
    files: dict[str, str] = {}
    for i in range(students):
        if files and rng.random() < 0.1:
            source = disguise(rng, rng.choice(list(files.values())))
        elif rng.random() < 0.01:
            source = disguise(rng, reference)
        else:
            source = disguise(rng, "\n\n\n".join(rewrite(rng, rng.choice(pool), 0.25) for pool in pools.values()))
        files[f"s{i:04d}"] = source
        (folder / f"s{i:04d}").mkdir(parents=True)
        (folder / f"s{i:04d}" / ex.file).write_text(source, encoding="utf-8")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--exercise", default="ex03-gradient-descent")
    parser.add_argument("--sample", type=int, default=2000, help="pairs timed with copydetect's compare_files")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ex = course.default().get(args.exercise)
    n = args.students
    all_pairs = n * (n + 1) // 2  # the reference takes part
    with tempfile.TemporaryDirectory(prefix="pttutor-bench-similarity-") as tmp:
        subs, out = Path(tmp) / "submissions", Path(tmp) / "out"
        files = make_class(ex, subs, n, args.seed)
        lines = sum(s.count("\n") for s in files.values()) / n
        print(f"{n} students of {ex.id} (about {lines:.0f} lines each), {all_pairs} pairs with the reference; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        began = time.perf_counter()
        done = subprocess.run(GRADE + ["similarity", str(subs), "--out", str(out), "--exercises", ex.id],
                              capture_output=True, text=True, check=False)
        command = time.perf_counter() - began
        if done.returncode:
            sys.exit(done.stdout + done.stderr)
        rows = list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text(encoding="utf-8"))))
        flagged = sum(float(r["similarity"]) >= 0.5 for r in rows)
        print(f"pttutor-grade similarity, end to end: {command:.1f} s "
              f"({len(rows)} pairs share code, {flagged} at or above 0.5)")

        from pttutor.grader.classroom import similarity, similarity_report

        stages = {}
        began = time.perf_counter()
        found, _ = similarity.read_class(subs, [ex])
        stages["read files"] = time.perf_counter() - began
        began = time.perf_counter()
        stub = similarity.boilerplate(ex)
        entries = found[ex.id] + [(similarity.REFERENCE, ex.file, ex.solution_path.read_text(encoding="utf-8"))]
        docs = [similarity.document(s, name, text, stub) for s, name, text in entries]
        stages["tokenize and fingerprint"] = time.perf_counter() - began
        began = time.perf_counter()
        pairs = similarity.pairs(ex.id, docs)
        stages["compare every pair (inverted index)"] = time.perf_counter() - began
        began = time.perf_counter()
        comparison = similarity.Comparison(ex, docs, pairs)
        similarity_report.write(Path(tmp) / "again", [comparison], [], 0.5)
        stages["write CSV and HTML"] = time.perf_counter() - began
        for stage, seconds in stages.items():
            print(f"  {stage:<40} {seconds:6.2f} s")

        from copydetect import CodeFingerprint, compare_files

        began = time.perf_counter()
        prints = [CodeFingerprint(ex.file, similarity.K, 1, fp=io.StringIO(d.code)) for d in docs]
        fingerprinting = time.perf_counter() - began
        rng = random.Random(args.seed)
        sample = [tuple(rng.sample(range(len(docs)), 2)) for _ in range(args.sample)]
        began = time.perf_counter()
        for a, b in sample:
            compare_files(prints[a], prints[b])
        per_pair = (time.perf_counter() - began) / len(sample)
        ours = stages["compare every pair (inverted index)"]
        print(f"copydetect, every pair: fingerprints {fingerprinting:.2f} s, compare_files {per_pair * 1e3:.2f} ms "
              f"a pair x {all_pairs} pairs = {per_pair * all_pairs:.1f} s (extrapolated from {len(sample)} pairs); "
              f"{per_pair * all_pairs / ours:.1f} x the inverted index's {ours:.2f} s")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
