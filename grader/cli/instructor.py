"""Instructor commands: batch, demo, release."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pttutor.grader.cli.app import DEVICE_CHOICE, exercises, main, sandbox_option, workers_default


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for results.jsonl, gradebook.csv and the exports.")
@click.option("--workers", type=click.IntRange(1, 256), default=workers_default, show_default="cores",
              help="Grader processes working in parallel.")
@click.option("--device", type=DEVICE_CHOICE, default="cpu", show_default=True, help="Where submissions run.")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Grade only these exercises (repeat, or separate with commas); default: all.")
@click.option("--timeout", type=float, default=None,
              help="Seconds each exercise's code may use (default: the exercise's budget).")
@click.option("--resume", is_flag=True, help="Continue a batch that was interrupted, grading only what is missing.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["gradescope", "lms"]),
              help="Also write Gradescope results.json files (gradescope) or a Canvas/Moodle CSV (lms).")
@sandbox_option
def batch(submissions: Path, out: Path, workers: int, device: str, exercise_ids: tuple[str, ...],
          timeout: float | None, resume: bool, formats: tuple[str, ...], sandbox: str) -> None:
    """Grade every student in SUBMISSIONS (a folder or .zip per student) into a gradebook."""
    from pttutor.grader.classroom import batch as batching
    from pttutor.grader.classroom.progress import progress

    ids = [ex.id for ex in exercises(exercise_ids)]
    options = batching.Options(tuple(ids), device, timeout, sandbox=sandbox)
    try:
        job, todo = batching.prepare(submissions, out, options, resume)
    except batching.BatchError as exc:
        raise click.UsageError(str(exc)) from None
    total = len(todo) * len(ids)
    click.echo(f"{len(job.students)} students, {len(ids)} exercises: {total} to grade with {workers} worker(s)"
               + (f" ({len(job.students) - len(todo)} students already done)" if resume else ""))
    with progress(total, sys.stdout.isatty()) as on_rows:
        batching.run(job, todo, workers, on_rows=on_rows)
    for path in batching.finish(job, formats):
        if path.name != "results.json":
            click.echo(f"wrote {path}")
    if "gradescope" in formats:
        click.echo(f"wrote {job.out / 'gradescope'}/<student>/results.json")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default="pttutor-demo")
@click.option("--workers", type=click.IntRange(1, 256), default=workers_default, show_default="cores")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Exercises in the sample class (default: the first four).")
@sandbox_option
@click.pass_context
def demo(ctx: click.Context, directory: Path, workers: int, exercise_ids: tuple[str, ...], sandbox: str) -> None:
    """Write a small made-up class into DIRECTORY/submissions and batch-grade it into DIRECTORY/results.

    Five students: alice (perfect), bob (half done), carol (broken), dana (notebooks in a .zip)
    and erin (one exercise never finishes). Prints each result's status and what to run next.
    """
    from pttutor.grader.classroom import demo as sample
    from pttutor.grader.classroom.batch import RESULTS, read_results

    chosen = exercises(exercise_ids) if exercise_ids else exercises(())[:4]
    click.echo(f"A made-up class of {len(sample.STUDENTS)} students and {len(chosen)} exercise(s):")
    for name, role in sample.roles(chosen).items():
        click.echo(f"  {name:<6} {role}")
    submissions = sample.write_class(directory / "submissions", chosen)
    out = directory / "results"
    ctx.invoke(batch, submissions=submissions, out=out, workers=workers, device="cpu",
               exercise_ids=tuple(ex.id for ex in chosen), timeout=20.0,
               resume=(out / RESULTS).exists(), formats=("lms",), sandbox=sandbox)
    click.echo("\n" + sample.table(read_results(out / RESULTS)) + "\n")
    click.echo(f"Every result, one JSON line per student and exercise (checks, messages, notes): {out / RESULTS}")
    first = chosen[0]
    click.echo("Next:\n"
               f"  pttutor-grade check --hidden --path {submissions / 'carol' / first.file} {first.id}"
               "   # one student's full report\n"
               "  pttutor-grade batch SUBMISSIONS --out RESULTS   # your own class: a folder or .zip per student")


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
def release(out: Path) -> None:
    """Write the student kit to OUT: the public half of the course and the grader, no solutions or hidden checks."""
    from pttutor.grader.authoring.release import ReleaseError
    from pttutor.grader.authoring.release import release as make_kit

    try:
        ids = make_kit(out)
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Student kit for {len(ids)} exercises written to {out}; students install it with "
               f"python -m pip install {out}")
