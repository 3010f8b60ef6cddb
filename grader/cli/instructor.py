"""Instructor commands: batch, demo, release, export, autograder, similarity."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pttutor.grader.classroom.exports import FORMATS, ExportError, Settings, Written
from pttutor.grader.cli.app import DEVICE_CHOICE, exercises, main, sandbox_option, workers_default


def export_options(command):
    """The options of the exports, shared by batch and export."""
    for option in reversed([
        click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
                     help="Also write: lms (lms.csv), canvas (canvas.csv for Canvas's importer; needs --roster), "
                          "moodle (moodle.csv for Moodle's grade import), gradescope (results.json per student), "
                          "feedback (feedback/<student>.md and .html). Repeatable."),
        click.option("--roster", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                     help="The gradebook CSV exported from Canvas (for --format canvas)."),
        click.option("--missing", type=click.Choice(["zero", "blank"]), default="zero", show_default=True,
                     help="Missing work in canvas.csv and moodle.csv: 0, or an empty cell."),
        click.option("--show-hidden-feedback", is_flag=True,
                     help="Show hidden checks' messages in feedback files and moodle.csv (default: name and verdict)."),
    ]):
        command = option(command)
    return command


def export_settings(formats: tuple[str, ...], roster: Path | None, missing: str,
                    show_hidden_feedback: bool) -> Settings:
    """The export settings, refused before any grading when they cannot work (e.g. canvas without a roster)."""
    settings = Settings(tuple(dict.fromkeys(formats)), roster, missing, show_hidden_feedback)
    try:
        settings.check()
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    return settings


def show_written(out: Path, written: Written) -> None:
    """Name the files written: each top-level one, and per-student folders once."""
    folders: dict[str, int] = {}
    for path in written.paths:
        relative = path.relative_to(out)
        if len(relative.parts) > 1:
            folders[relative.parts[0]] = folders.get(relative.parts[0], 0) + 1
        else:
            click.echo(f"wrote {path}")
    for folder, count in folders.items():
        click.echo(f"wrote {count} file(s) in {out / folder}")
    for problem in written.problems:
        click.echo(f"canvas: {problem}")


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
@export_options
@sandbox_option
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Grade on this running Dask cluster (one grader process per Dask worker); its address or "
                   "the file dask scheduler --scheduler-file wrote.")
@click.option("--cluster", type=click.Choice(["slurm", "pbs", "sge", "local"]), default=None,
              help="Start --workers Dask workers through dask-jobqueue on this batch system (local: as "
                   "processes here, to try it out).")
@click.option("--cluster-option", "cluster_options", multiple=True, metavar="KEY=VALUE",
              help="A dask-jobqueue setting for --cluster (queue=gpu, walltime=02:00:00, memory=8GiB, "
                   "job_extra_directives=--gres=gpu:1, ...; repeat).")
@click.option("--shard", "shard_text", metavar="K/N", default=None,
              help="Grade only the K-th of N fixed slices of the class (merge the slices with merge).")
@click.option("--reference-cache/--no-reference-cache", default=True, show_default=True,
              help="Compute the reference's answers that do not depend on the student once per grader process.")
def batch(submissions: Path, out: Path, workers: int, device: str, exercise_ids: tuple[str, ...],
          timeout: float | None, resume: bool, formats: tuple[str, ...], roster: Path | None, missing: str,
          show_hidden_feedback: bool, sandbox: str, scheduler: str | None = None, cluster: str | None = None,
          cluster_options: tuple[str, ...] = (), shard_text: str | None = None, reference_cache: bool = True) -> None:
    """Grade every student in SUBMISSIONS (a folder or .zip per student) into a gradebook."""
    from pttutor.grader.classroom import batch as batching
    from pttutor.grader.classroom import shards
    from pttutor.grader.classroom.progress import progress

    settings = export_settings(formats, roster, missing, show_hidden_feedback)
    ids = [ex.id for ex in exercises(exercise_ids)]
    options = batching.Options(tuple(ids), device, timeout, sandbox=sandbox, reuse_reference=reference_cache)
    if scheduler and cluster:
        raise click.UsageError("use --scheduler (a running cluster) or --cluster (start one), not both")
    try:
        shard = shards.parse(shard_text) if shard_text is not None else None
        job, todo = batching.prepare(submissions, out, options, resume, shard)
    except (batching.BatchError, shards.ShardError) as exc:
        raise click.UsageError(str(exc)) from None
    total = len(todo) * len(ids)
    where = (f"the Dask cluster at {scheduler}" if scheduler else f"{workers} {cluster} Dask worker(s)" if cluster
             else f"{workers} worker(s)")
    click.echo((f"shard {shard[0]}/{shard[1]}: " if shard else "")
               + f"{len(job.students)} students, {len(ids)} exercises: {total} to grade with {where}"
               + (f" ({len(job.students) - len(todo)} students already done)" if resume else ""))
    with progress(total, sys.stdout.isatty()) as on_rows:
        if scheduler or cluster:
            from pttutor.grader.classroom import cluster as dask_cluster

            try:
                dask_cluster.run(job, todo, scheduler=scheduler, cluster=cluster, workers=workers,
                                 cluster_options=dask_cluster.parse_cluster_options(cluster_options),
                                 on_rows=on_rows)
            except batching.BatchError as exc:
                raise click.UsageError(str(exc)) from None
        else:
            batching.run(job, todo, workers, on_rows=on_rows)
    show_written(job.out, batching.finish(job, settings))


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
@main.command("export")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False, exists=True))
@export_options
def export(out: Path, formats: tuple[str, ...], roster: Path | None, missing: str, show_hidden_feedback: bool) -> None:
    """Write the gradebook and the exports again from OUT/results.jsonl (a batch's --out), without grading."""
    from pttutor.grader.classroom.batch import RESULTS, read_results
    from pttutor.grader.classroom.exports import write_exports

    settings = export_settings(formats, roster, missing, show_hidden_feedback)
    rows = read_results(out / RESULTS)
    if not rows:
        raise click.UsageError(f"{out / RESULTS} holds no results: run pttutor-grade batch ... --out {out} first")
    show_written(out, write_exports(out, rows, settings))


VISIBILITY = click.Choice(["hidden", "after_due_date", "after_published", "visible"])  # Gradescope's values


@main.group()
def autograder() -> None:
    """Autograders for Gradescope and PrairieLearn, and the command they run for each submission."""


@autograder.command("gradescope")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False), metavar="OUT.zip")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Exercises the autograder grades (repeat, or separate with commas); default: all.")
@click.option("--public-visibility", type=VISIBILITY, default="visible", show_default=True,
              help="When students see the public checks' results.")
@click.option("--hidden-visibility", type=VISIBILITY, default="after_due_date", show_default=True,
              help="When students see the hidden checks' results.")
def autograder_gradescope(out: Path, exercise_ids: tuple[str, ...], public_visibility: str,
                          hidden_visibility: str) -> None:
    """Write OUT.zip, the autograder.zip to upload to a Gradescope programming assignment."""
    from pttutor.grader.platforms import bundles

    ids = [ex.id for ex in exercises(exercise_ids)]
    try:
        names = bundles.gradescope(out, ids, public_visibility, hidden_visibility)
    except bundles.BundleError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {out} ({', '.join(names)}) for {len(ids)} exercise(s): {', '.join(ids)}")
    click.echo(f"Upload it under Configure Autograder; allow at least {bundles.timeout(ids) // 60 + 1} minutes "
               f"(Autograder timeout) and see the README's Gradescope section for memory.")


@autograder.command("prairielearn")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False), metavar="OUT_DIR")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID",
              help="Exercises the grader grades when a question names none; default: all.")
@click.option("--show-hidden-feedback", is_flag=True, help="Show hidden checks' messages to students.")
def autograder_prairielearn(out: Path, exercise_ids: tuple[str, ...], show_hidden_feedback: bool) -> None:
    """Write OUT_DIR: the Dockerfile, the entrypoint and a README for a PrairieLearn external grader."""
    from pttutor.grader.platforms import bundles

    ids = [ex.id for ex in exercises(exercise_ids)]
    try:
        written = bundles.prairielearn(out, ids, show_hidden_feedback)
    except bundles.BundleError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Next: read {out / 'README.md'}")


@autograder.command("grade")
@click.argument("platform", type=click.Choice(["gradescope", "prairielearn"]))
@click.argument("submission", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID", help="Exercises to grade; default: all.")
@click.option("--public-visibility", type=VISIBILITY, default="visible", show_default=True)
@click.option("--hidden-visibility", type=VISIBILITY, default="after_due_date", show_default=True)
@click.option("--show-hidden-feedback", is_flag=True, help="PrairieLearn: show hidden checks' messages.")
@click.option("--hide", "hide", multiple=True, type=click.Path(), metavar="PATH",
              help="A further folder the graded code must not see (repeatable).")
@sandbox_option
def autograder_grade(platform: str, submission: Path, results: Path, exercise_ids: tuple[str, ...],
                     public_visibility: str, hidden_visibility: str, show_hidden_feedback: bool,
                     hide: tuple[str, ...], sandbox: str) -> None:
    """Grade the files in SUBMISSION and write the platform's RESULTS file (what the bundles' scripts run)."""
    from pttutor.grader.platforms.runner import Request, grade

    ids = tuple(ex.id for ex in exercises(exercise_ids))
    data = grade(Request(platform, submission.resolve(), results.resolve(), ids, sandbox, hide,
                         public_visibility, hidden_visibility, show_hidden_feedback))
    score = data["score"]
    click.echo(f"wrote {results}: score {score:g}" + (f" ({len(data['tests'])} tests)" if data.get("tests") else ""))


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.argument("folders", metavar="DIR...", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@export_options
def merge(out: Path, folders: tuple[Path, ...], formats: tuple[str, ...], roster: Path | None, missing: str,
          show_hidden_feedback: bool) -> None:
    """Combine the results folders of batch --shard K/N runs (DIR...) into one results folder OUT.

    Writes OUT/results.jsonl, the gradebook and the exports asked for (without --format: every
    export that needs no roster).
    """
    from pttutor.grader.classroom import shards
    from pttutor.grader.classroom.exports import write_exports

    formats = formats or tuple(f for f in FORMATS if f != "canvas")
    settings = export_settings(formats, roster, missing, show_hidden_feedback)
    try:
        rows, students, ids = shards.merge(out, list(folders))
    except shards.ShardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(folders)} shards: {len(students)} students, {len(ids)} exercises, {len(rows)} results")
    click.echo(f"wrote {out / shards.RESULTS}")
    show_written(out, write_exports(out, rows, settings))
