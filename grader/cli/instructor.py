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
          timeout: float | None, resume: bool, formats: tuple[str, ...], sandbox: str, scheduler: str | None = None,
          cluster: str | None = None, cluster_options: tuple[str, ...] = (), shard_text: str | None = None,
          reference_cache: bool = True) -> None:
    """Grade every student in SUBMISSIONS (a folder or .zip per student) into a gradebook."""
    from pttutor.grader.classroom import batch as batching
    from pttutor.grader.classroom import shards
    from pttutor.grader.classroom.progress import progress

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
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.argument("folders", metavar="DIR...", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
def merge(out: Path, folders: tuple[Path, ...]) -> None:
    """Combine the results folders of batch --shard K/N runs (DIR...) into one results folder OUT."""
    from pttutor.grader.classroom import shards
    from pttutor.grader.classroom.exports import FORMATS, write_exports

    try:
        rows, students, ids = shards.merge(out, list(folders))
    except shards.ShardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(folders)} shards: {len(students)} students, {len(ids)} exercises, {len(rows)} results")
    click.echo(f"wrote {out / shards.RESULTS}")
    for path in write_exports(out, rows, students, ids, FORMATS):
        if path.name != "results.json":
            click.echo(f"wrote {path}")
    if "gradescope" in FORMATS:
        click.echo(f"wrote {out / 'gradescope'}/<student>/results.json")
