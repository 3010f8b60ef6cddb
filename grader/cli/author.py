"""Course-author commands: selftest."""

from __future__ import annotations

import sys

import click

from pttutor.grader.cli.app import exercises, main


@main.command()
@click.argument("exercise_ids", metavar="[ID]...", nargs=-1)
@click.option("--no-mistakes", is_flag=True, help="Skip the recorded mistakes (faster).")
def selftest(exercise_ids: tuple[str, ...], no_mistakes: bool) -> None:
    """Check the course itself: every reference solution passes all its checks, every stub fails
    them, and every recorded mistake is caught by the checks it names."""
    from pttutor.grader.authoring.selftest import check_exercise

    chosen = exercises(exercise_ids)
    failures = 0
    for ex in chosen:
        outcome = check_exercise(ex, with_mistakes=not no_mistakes)
        failures += bool(outcome.problems)
        click.echo(f"{'ok  ' if not outcome.problems else 'FAIL'} {ex.id}: {outcome.summary}")
        for problem in outcome.problems:
            click.echo(f"       {problem}")
    click.echo(f"{len(chosen) - failures} of {len(chosen)} exercises pass the self-test")
    sys.exit(1 if failures else 0)
