"""``pttutor-grade``: the command line of pttutor (a thin click layer over the engine).

Heavy modules (torch, pytest, nbformat) are imported only by the commands that grade, so
``pttutor-grade --help``, ``--version``, ``list`` and ``hint`` answer at once.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from pttutor.grader import __version__, registry
from pttutor.grader.report import ExerciseReport, render
from pttutor.grader.workspace import DONE, NOT_STARTED, Workspace

DEVICE_CHOICE = click.Choice(["cpu", "cuda", "auto"])


def _exercise(exercise_id: str) -> registry.Exercise:
    try:
        return registry.get(exercise_id)
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _default_file(ex: registry.Exercise, folder: Path) -> Path | None:
    """The student's file for ``ex`` in ``folder``: the ``.py`` file, else the notebook."""
    for name in (ex.file, ex.notebook):
        if (folder / name).is_file():
            return folder / name
    return None


def _exercise_for_file(path: Path) -> registry.Exercise:
    for ex in registry.exercises():
        if path.stem == ex.stem:
            return ex
    raise click.UsageError(f"cannot tell which exercise {path.name} is; name the exercise id")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pttutor-grade")
def main() -> None:
    """Graded PyTorch exercises: check your work, get hints, grade a class."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the exercises as a JSON array.")
def list_command(as_json: bool) -> None:
    """List the exercises in course order."""
    exercises = registry.exercises()
    workspace = Workspace.here(Path.cwd())
    rows = []
    for ex in exercises:
        row = ex.as_dict()
        if workspace is not None:
            row["status"] = workspace.status(ex)
            entry = workspace.progress.get(ex.id, {})
            row["score"], row["max_score"] = entry.get("score"), entry.get("max_score")
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    marks = {DONE: ("done", "32"), NOT_STARTED: ("not started", "2")}
    for row in rows:
        line = f"{row['id']:<24} {row['points']:>3} pts  {row['file']:<28} {row['title']}"
        if "status" in row:
            label, code = marks.get(row["status"], ("pending", "33"))
            score = f"{row['score']}/{row['max_score']}" if row["score"] is not None else "-"
            status = f"{label:<12} {score:>6}"
            line = f"{click.style(status, fg=None) if not _color() else _paint(status, code)}  {line}"
        click.echo(line)


def _paint(text: str, code: str) -> str:
    return f"\x1b[{code}m{text}\x1b[0m"


@main.command()
@click.argument("exercise_id", metavar="ID")
def hint(exercise_id: str) -> None:
    """Show the hint of exercise ID."""
    ex = _exercise(exercise_id)
    click.echo(f"{ex.id}: {ex.title}\n\n{ex.hint}\n\nCourse: {ex.course}")


def _grade(ex: registry.Exercise, path: Path, **options) -> ExerciseReport:
    from pttutor.grader.engine import DeviceUnavailable, GradingError, grade

    try:
        return grade(ex, path, **options)
    except DeviceUnavailable as exc:
        raise click.UsageError(str(exc)) from None
    except GradingError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("exercise_ids", metavar="[ID]...", nargs=-1)
@click.option("--path", "path", type=click.Path(path_type=Path, dir_okay=False),
              help="The file to grade (a .py file or a notebook); default: the exercise's file in this folder.")
@click.option("--hidden", is_flag=True, help="Run the hidden checks too (instructors).")
@click.option("--device", type=DEVICE_CHOICE, default="cpu", show_default=True,
              help="Where your code runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--show-output", is_flag=True, help="Show what your code printed while it was graded.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the inputs the checks choose.")
def check(exercise_ids: tuple[str, ...], path: Path | None, hidden: bool, device: str, as_json: bool,
          show_output: bool, seed: int) -> None:
    """Grade your exercise file(s) and explain every failed check.

    Exit status: 0 when every check passed, 1 when any failed, 2 for a usage error.
    """
    exercises = [_exercise(i) for i in exercise_ids]
    workspace = Workspace.here(Path.cwd())
    if path is not None:
        if len(exercises) > 1:
            raise click.UsageError("--path grades one exercise; give at most one ID with it")
        if not path.is_file():
            raise click.UsageError(f"{path} does not exist")
        jobs = [(exercises[0] if exercises else _exercise_for_file(path), path)]
    else:
        cwd = Path.cwd()
        if not exercises and workspace is not None:
            upcoming = workspace.next_pending()
            if upcoming is None:
                click.echo("Every exercise is done. Well done!")
                return
            exercises = [upcoming]
        if not exercises:
            exercises = [ex for ex in registry.exercises() if _default_file(ex, cwd)]
            if not exercises:
                raise click.UsageError(f"no exercise file in {cwd}; name an exercise id or use --path")
        jobs = []
        for ex in exercises:
            found = workspace.file_for(ex) if workspace is not None else _default_file(ex, cwd)
            if found is None or not found.is_file():
                raise click.UsageError(f"{ex.file} (or {ex.notebook}) is not in {cwd}; use --path FILE")
            jobs.append((ex, found))
    reports = [_grade(ex, p, hidden=hidden, device=device, seed=seed) for ex, p in jobs]
    if workspace is not None and not hidden:
        for (ex, p), r in zip(jobs, reports):
            if p.resolve().parent == workspace.root.resolve():
                workspace.record(ex.id, r.score, r.max_score, r.passed)
    if as_json:
        data = [r.as_dict() for r in reports]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    else:
        click.echo("\n\n".join(render(r, color=_color(), show_output=show_output) for r in reports))
    sys.exit(0 if all(r.passed for r in reports) else 1)


@main.command()
@click.argument("exercise_ids", metavar="[ID]...", nargs=-1)
def selftest(exercise_ids: tuple[str, ...]) -> None:
    """Check the course itself: every reference solution passes all its checks, every stub fails them."""
    exercises = [_exercise(i) for i in exercise_ids] or list(registry.exercises())
    failures = 0
    for ex in exercises:
        problems = [f"missing {p}" for p in registry.missing_files(ex)]
        if not problems:
            solution = _grade(ex, ex.solution_path, hidden=True)
            stub = _grade(ex, ex.stub_path, hidden=True)
            if solution.max_score != ex.points:
                problems.append(f"checks are worth {solution.max_score} points, the registry says {ex.points}")
            problems += [f"solution fails {c.name}: {c.message.splitlines()[0] if c.message else ''}"
                         for c in solution.checks if not c.passed]
            problems += [f"stub passes {c.name}" for c in stub.checks if c.passed]
            summary = f"solution {solution.score}/{solution.max_score}, stub {stub.score}/{stub.max_score}"
        else:
            summary = "incomplete"
        failures += bool(problems)
        click.echo(f"{'ok  ' if not problems else 'FAIL'} {ex.id}: {summary}")
        for problem in problems:
            click.echo(f"       {problem}")
    click.echo(f"{len(exercises) - failures} of {len(exercises)} exercises pass the self-test")
    sys.exit(1 if failures else 0)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default="pttutor-exercises")
@click.option("--format", "fmt", type=click.Choice(["py", "ipynb"]), default="py", show_default=True,
              help="Write the stubs as Python files or as notebooks.")
def init(directory: Path, fmt: str) -> None:
    """Start a workspace in DIRECTORY with every exercise stub and a short README."""
    from pttutor.grader.workspace import init as make_workspace

    written, kept = make_workspace(directory, fmt)
    click.echo(f"Workspace ready in {directory}: {len(written)} file(s) written.")
    for path in kept:
        click.echo(f"  kept your existing {path.name} (not overwritten)")
    first = registry.exercises()[0]
    click.echo(f"Next: cd {directory}, open {first.notebook if fmt == 'ipynb' else first.file}, "
               f"then run pttutor-grade check (or pttutor-grade watch).")


@main.command()
@click.argument("exercise_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(exercise_id: str, yes: bool) -> None:
    """Put the original stub of exercise ID back (your changes are lost)."""
    from pttutor.grader.workspace import stub_text, write_atomic

    ex = _exercise(exercise_id)
    workspace = Workspace.here(Path.cwd())
    if workspace is None:
        raise click.UsageError("not in a pttutor workspace (run pttutor-grade init first)")
    path = workspace.file_for(ex)
    if path.exists() and not yes:
        click.confirm(f"Replace {path.name} with the original stub? Your changes will be lost", abort=True)
    write_atomic(path, stub_text(ex, workspace.format_of(path)))
    workspace.progress.pop(ex.id, None)
    workspace.save()
    click.echo(f"{path.name} is the original stub again.")


@main.command()
@click.argument("exercise_id", metavar="[ID]", required=False)
@click.option("--device", type=DEVICE_CHOICE, default="cpu", show_default=True, help="Where your code runs.")
@click.option("--interval", type=float, default=1.0, show_default=True,
              help="Seconds between checks of the file when file events are not available.")
def watch(exercise_id: str | None, device: str, interval: float) -> None:
    """Re-grade the current exercise on every save; move on when all its checks pass.

    Stop with Ctrl-C.
    """
    from pttutor.grader.watch import Changes, fingerprint

    workspace = Workspace.here(Path.cwd())
    if workspace is None:
        raise click.UsageError("not in a pttutor workspace (run pttutor-grade init first)")
    current = _exercise(exercise_id) if exercise_id else workspace.next_pending()
    changes = Changes(workspace.root, interval)
    try:
        while current is not None:
            path = workspace.file_for(current)
            seen = fingerprint(path)
            if _color():
                click.clear()
            if seen is None:
                click.echo(f"Waiting for {path.name} to appear ...")
            else:
                report = _grade(current, path, device=device)
                workspace.record(current.id, report.score, report.max_score, report.passed)
                click.echo(render(report, color=_color()))
                if report.passed:
                    done = current
                    current = workspace.next_pending()
                    if current is None:
                        click.echo(f"\nAll checks of {done.id} passed, and every exercise is done. Well done!")
                        return
                    click.echo(f"\nAll checks of {done.id} passed. Next: {current.id}"
                               f" ({workspace.file_for(current).name})")
                    continue
            click.echo(f"\nWatching {path.name} ({changes.mode}); save it to re-grade, Ctrl-C to stop.")
            changes.wait(path, seen)
    except KeyboardInterrupt:
        click.echo("\nStopped watching.")
    finally:
        changes.close()


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for results.jsonl, gradebook.csv and the exports.")
@click.option("--workers", type=click.IntRange(1, 256), default=os.cpu_count() or 1, show_default="cores",
              help="Grader processes working in parallel.")
@click.option("--device", type=DEVICE_CHOICE, default="cpu", show_default=True, help="Where submissions run.")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Grade only these exercises (repeat, or separate with commas); default: all.")
@click.option("--timeout", type=float, default=None,
              help="Seconds each exercise's code may use (default: the exercise's budget).")
@click.option("--resume", is_flag=True, help="Continue a batch that was interrupted, grading only what is missing.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["gradescope", "lms"]),
              help="Also write Gradescope results.json files (gradescope) or a Canvas/Moodle CSV (lms).")
def batch(submissions: Path, out: Path, workers: int, device: str, exercise_ids: tuple[str, ...],
          timeout: float | None, resume: bool, formats: tuple[str, ...]) -> None:
    """Grade every student in SUBMISSIONS (a folder or .zip per student) into a gradebook."""
    from pttutor.grader import batch as batching

    ids = [i for group in exercise_ids for i in group.split(",") if i] or [e.id for e in registry.exercises()]
    for i in ids:
        _exercise(i)
    options = batching.Options(tuple(ids), device, timeout)
    try:
        job, todo = batching.prepare(submissions, out, options, resume)
    except batching.BatchError as exc:
        raise click.UsageError(str(exc)) from None
    total = len(todo) * len(ids)
    click.echo(f"{len(job.students)} students, {len(ids)} exercises: {total} to grade with {workers} worker(s)"
               + (f" ({len(job.students) - len(todo)} students already done)" if resume else ""))
    count = 0
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="Grading", show_eta=True, show_pos=True) as bar:
            batching.run(job, todo, workers, on_rows=lambda rows: bar.update(len(rows)))
    else:
        def report(rows: list[dict]) -> None:
            nonlocal count
            for row in rows:
                count += 1
                click.echo(f"[{count}/{total}] {row['student']} {row['exercise']}: "
                           f"{row['score']}/{row['max_score']} ({row['status']})")

        batching.run(job, todo, workers, on_rows=report)
    for path in batching.finish(job, formats):
        if path.name != "results.json":
            click.echo(f"wrote {path}")
    if "gradescope" in formats:
        click.echo(f"wrote {job.out / 'gradescope'}/<student>/results.json")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default="pttutor-demo")
@click.option("--workers", type=click.IntRange(1, 256), default=os.cpu_count() or 1, show_default="cores")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Exercises in the sample class (default: the first four).")
@click.pass_context
def demo(ctx: click.Context, directory: Path, workers: int, exercise_ids: tuple[str, ...]) -> None:
    """Write a small made-up class into DIRECTORY/submissions and batch-grade it into DIRECTORY/results.

    Five students: alice (perfect), bob (half done), carol (broken), dana (notebooks in a .zip)
    and erin (one exercise never finishes).
    """
    from pttutor.grader.demo import write_class

    ids = [i for group in exercise_ids for i in group.split(",") if i] or [e.id for e in registry.exercises()[:4]]
    exercises = [_exercise(i) for i in ids]
    submissions = write_class(directory / "submissions", exercises)
    out = directory / "results"
    ctx.invoke(batch, submissions=submissions, out=out, workers=workers, device="cpu",
               exercise_ids=tuple(ids), timeout=20.0, resume=(out / "results.jsonl").exists(), formats=("lms",))
    click.echo((out / "gradebook.csv").read_text(encoding="utf-8"))


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
def release(out: Path) -> None:
    """Write the student kit to OUT: stubs, public checks and the grader, no solutions or hidden checks."""
    from pttutor.grader.release import ReleaseError
    from pttutor.grader.release import release as make_kit

    try:
        ids = make_kit(out)
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Student kit for {len(ids)} exercises written to {out}; students install it with "
               f"python -m pip install {out}")


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The data folder (default: $PTTUTOR_DATA, else pttutor/data in your cache folder).")
@click.option("--download", "downloads", multiple=True, metavar="NAME",
              help="Download a public data set (diabetes, names, mnist) first; repeatable.")
def data(data_dir: Path | None, downloads: tuple[str, ...]) -> None:
    """Show where each course data set is found (and download the public ones)."""
    from pttutor.datasets import catalog
    from pttutor.datasets.folder import DataError
    from pttutor.datasets.folder import data_dir as resolve

    click.echo(f"data folder: {resolve(data_dir)}")
    for name in downloads:
        try:
            catalog.get(name).fetch(data_dir)
        except KeyError as exc:
            raise click.UsageError(exc.args[0]) from None
        except DataError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"downloaded {name}")
    missing = 0
    for entry in catalog.ENTRIES:
        try:
            paths = entry.locate(data_dir)
        except DataError as exc:
            missing += 1
            click.echo(f"  {entry.name:<10} missing: {exc}")
        else:
            click.echo(f"  {entry.name:<10} {', '.join(str(p) for p in paths)}")
    sys.exit(0 if not missing else 1)
