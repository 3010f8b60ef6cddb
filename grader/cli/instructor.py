"""Instructor commands: batch, demo, release, similarity."""

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
    and erin (one exercise never finishes).
    """
    from pttutor.grader.classroom.demo import write_class

    chosen = exercises(exercise_ids) if exercise_ids else exercises(())[:4]
    submissions = write_class(directory / "submissions", chosen)
    out = directory / "results"
    ctx.invoke(batch, submissions=submissions, out=out, workers=workers, device="cpu",
               exercise_ids=tuple(ex.id for ex in chosen), timeout=20.0,
               resume=(out / "results.jsonl").exists(), formats=("lms",), sandbox=sandbox)
    click.echo((out / "gradebook.csv").read_text(encoding="utf-8"))


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


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for similarity.csv and similarity/<exercise>.html (readable by you only).")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Compare only these exercises (repeat, or separate with commas); default: all.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Flag pairs whose similarity (0..1) is at least this.")
def similarity(submissions: Path, out: Path, exercise_ids: tuple[str, ...], threshold: float) -> None:
    """Compare every pair of students' files per exercise, the reference solution included.

    Writes OUT/similarity.csv (every pair that shares code, most similar first) and
    OUT/similarity/<exercise>.html (flagged pairs side by side, shared code highlighted).
    Similarity is a reason to look, not a verdict; no score is read or changed.
    """
    from pttutor.grader.classroom import similarity as measure
    from pttutor.grader.classroom import similarity_report as report
    from pttutor.grader.classroom.batch import BatchError

    chosen = exercises(exercise_ids)
    if out.resolve().is_relative_to(submissions.resolve()):
        raise click.UsageError("--out must not be inside the submissions folder")
    try:
        comparisons, problems = measure.run(submissions, chosen)
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(report.CAUTION)
    shown = 50

    def name(text: str) -> str:  # student ids are folder names: keep terminal escapes out
        return "".join(c if c.isprintable() else "?" for c in text)

    for c in comparisons:
        flagged = [p for p in c.pairs if p.similarity >= threshold]
        click.echo(f"{c.exercise.id}: files {len(c.documents)}, pairs {c.compared}, "
                   f"at or above {threshold:.2f}: {len(flagged)}")
        for p in flagged[:shown]:
            click.echo(f"  {p.similarity:.2f}  {name(p.a)}  {name(p.b)}  ({p.matched} tokens shared)")
        if len(flagged) > shown:
            click.echo(f"  ... and {len(flagged) - shown} more in {report.CSV_NAME}")
    for p in problems:
        click.echo(f"could not read {name(p.student)}" + (f" ({p.exercise})" if p.exercise else "")
                   + f": {name(p.message)}", err=True)
    for path in report.write(out, comparisons, problems, threshold):
        click.echo(f"wrote {path}")
