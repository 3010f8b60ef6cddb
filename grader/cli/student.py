"""Student commands: init, list, check, watch, hint, reset, data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pttutor.grader import course
from pttutor.grader.cli.app import DEVICE_CHOICE, color, exercise, grade, main, paint, prepare, sandbox_option
from pttutor.grader.course import Exercise
from pttutor.grader.report import render
from pttutor.grader.student.workspace import DONE, NOT_STARTED, NothingToGrade, Workspace, files_to_grade


def _workspace() -> Workspace:
    workspace = Workspace.here(Path.cwd())
    if workspace is None:
        raise click.UsageError("not in a pttutor workspace (run pttutor-grade init first)")
    return workspace


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default="pttutor-exercises")
@click.option("--format", "fmt", type=click.Choice(["py", "ipynb"]), default="py", show_default=True,
              help="Write the stubs as Python files or as notebooks.")
def init(directory: Path, fmt: str) -> None:
    """Start a workspace in DIRECTORY with every exercise stub and a short README."""
    from pttutor.grader.student.workspace import init as make_workspace

    written, kept = make_workspace(directory, fmt)
    click.echo(f"Workspace ready in {directory}: {len(written)} file(s) written.")
    for path in kept:
        click.echo(f"  kept your existing {path.name} (not overwritten)")
    first = course.default().exercises[0]
    click.echo(f"Next: cd {directory}, open {first.notebook if fmt == 'ipynb' else first.file}, "
               f"then run pttutor-grade check (or pttutor-grade watch).")


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the exercises as a JSON array.")
def list_command(as_json: bool) -> None:
    """List the exercises in course order."""
    workspace = Workspace.here(Path.cwd())
    rows = []
    for ex in course.default().exercises:
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
            line = f"{paint(f'{label:<12} {score:>6}', code)}  {line}"
        click.echo(line)


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
@sandbox_option
def check(exercise_ids: tuple[str, ...], path: Path | None, hidden: bool, device: str, as_json: bool,
          show_output: bool, seed: int, sandbox: str) -> None:
    """Grade your exercise file(s) and explain every failed check.

    ID may be an exercise id, a unique start of one (ex02), or a file name or path
    (ex02_cost_surface.py, ../other/ex02_cost_surface.ipynb).
    Exit status: 0 when every check passed, 1 when any failed, 2 for a usage error.
    """
    workspace = Workspace.here(Path.cwd())
    try:
        if path is not None or not exercise_ids:
            jobs = files_to_grade([exercise(text) for text in exercise_ids], path, Path.cwd(), workspace)
        else:
            jobs = [job for text in exercise_ids for job in
                    _named_file(text) or files_to_grade([exercise(text)], None, Path.cwd(), workspace)]
    except NothingToGrade as exc:
        raise click.UsageError(str(exc)) from None
    if not jobs:
        click.echo("Every exercise is done. Well done!")
        return
    prepare(jobs[0][0], sandbox)
    reports = [grade(ex, p, hidden=hidden, device=device, seed=seed, sandbox=sandbox) for ex, p in jobs]
    if workspace is not None:
        for (ex, p), r in zip(jobs, reports):
            if p.resolve().parent == workspace.root.resolve():
                workspace.record(ex.id, r.score, r.max_score, r.passed)
    if as_json:
        data = [r.as_dict() for r in reports]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    else:
        click.echo("\n\n".join(render(r, color=color(), show_output=show_output) for r in reports))
    sys.exit(0 if all(r.passed for r in reports) else 1)


def _named_file(text: str) -> list[tuple[Exercise, Path]]:
    """``[(exercise, file)]`` when ``text`` is an existing exercise file (by its name), else ``[]``."""
    candidate = Path(text)
    if candidate.suffix not in (".py", ".ipynb") or not candidate.is_file():
        return []
    try:
        return [(course.default().find(candidate.name), candidate)]
    except KeyError:
        raise click.UsageError(f"cannot tell which exercise {text} is; name it: "
                               f"pttutor-grade check ID --path {text}") from None


@main.command()
@click.argument("exercise_id", metavar="[ID]", required=False)
@click.option("--device", type=DEVICE_CHOICE, default="cpu", show_default=True, help="Where your code runs.")
@click.option("--interval", type=float, default=1.0, show_default=True,
              help="Seconds between checks of the file when file events are not available.")
def watch(exercise_id: str | None, device: str, interval: float) -> None:
    """Re-grade the current exercise on every save; move on when all its checks pass.

    Stop with Ctrl-C.
    """
    from pttutor.grader.student.watch import watch as run

    workspace = _workspace()
    current = exercise(exercise_id) if exercise_id else workspace.next_pending()
    try:
        run(workspace, current, lambda ex, p: grade(ex, p, device=device),
            lambda report: render(report, color=color()), click.echo,
            lambda: click.clear() if color() else None, interval)
    except KeyboardInterrupt:
        click.echo("\nStopped watching.")


@main.command()
@click.argument("exercise_id", metavar="[ID]", required=False)
def hint(exercise_id: str | None) -> None:
    """Show the hint of exercise ID (default: the exercise you are on in this workspace)."""
    if exercise_id is not None:
        ex = exercise(exercise_id)
    else:
        workspace = Workspace.here(Path.cwd())
        ex = workspace.next_pending() if workspace is not None else None
        if ex is None:
            ids = ", ".join(e.id for e in course.default().exercises)
            where = "every exercise of this workspace is done" if workspace is not None else "not in a workspace"
            raise click.UsageError(f"{where}; name the exercise: pttutor-grade hint ID, one of {ids}")
    click.echo(f"{ex.id}: {ex.title}\n\n{ex.hint}\n\nCourse: {ex.course}")


@main.command()
@click.argument("exercise_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(exercise_id: str, yes: bool) -> None:
    """Put the original stub of exercise ID back (your changes are lost)."""
    from pttutor.grader.atomicfile import write_atomic
    from pttutor.grader.student.notebooks import stub_text

    ex = exercise(exercise_id)
    workspace = _workspace()
    path = workspace.file_for(ex)
    if path.exists() and not yes \
            and not click.confirm(f"Replace {path.name} with the original stub? Your changes will be lost"):
        click.echo(f"Kept your file {path.name}.")
        return
    write_atomic(path, stub_text(ex, workspace.format_of(path)))
    workspace.progress.pop(ex.id, None)
    workspace.save()
    click.echo(f"{path.name} is the original stub again.")


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
