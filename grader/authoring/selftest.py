"""The course tests itself: every reference solution passes all its checks, every stub fails
every check, and every recorded mistake is caught by the checks it names."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pttutor.grader.authoring import mistakes
from pttutor.grader.course import Exercise
from pttutor.grader.grading import engine
from pttutor.grader.report import CheckResult, ExerciseReport


@dataclass
class Outcome:
    exercise: Exercise
    summary: str = ""
    problems: list[str] = field(default_factory=list)


def grade_mistake(ex: Exercise, mistake: mistakes.Mistake, **options) -> ExerciseReport:
    """Grade the reference solution with ``mistake`` applied, as a student's file."""
    source = mistakes.apply(ex.solution_path.read_text(encoding="utf-8"), mistake)
    with tempfile.TemporaryDirectory(prefix="pttutor-mistake-") as folder:
        path = Path(folder) / ex.file
        path.write_text(source, encoding="utf-8")
        return engine.grade(ex, path, hidden=True, **options)


def names(message: str, part: str) -> bool:
    """Whether ``message`` names ``part`` as a word of its own."""
    return re.search(rf"(?<![\w.]){re.escape(part)}(?!\w)", message) is not None


def unfair(failed: list[CheckResult], broken: tuple[str, ...]) -> list[str]:
    """The failed checks that judge none of the ``broken`` parts and do not name one they use."""
    out = []
    for c in failed:
        if set(c.parts) & set(broken):
            continue
        if any(p in c.uses and names(c.message, p) for p in broken):
            continue
        out.append(f"{c.name} (judges {', '.join(c.parts) or 'nothing declared'}): {c.message[:200]}")
    return out


def mistake_problems(ex: Exercise, mistake: mistakes.Mistake, report: ExerciseReport) -> list[str]:
    """What is wrong with how the checks treat a recorded mistake (empty when it is caught)."""
    names = {c.name for c in report.checks}
    failed = {c.name: c.message for c in report.checks if not c.passed}
    unknown = set(mistake.fails) - names
    if unknown:
        return [f"mistake {mistake.name}: names unknown checks {sorted(unknown)}"]
    problems = [f"mistake {mistake.name}: not caught by {name}" for name in mistake.fails if name not in failed]
    problems += [f"mistake {mistake.name}: {name} fails without a message" for name in mistake.fails
                 if name in failed and not failed[name].strip()]
    problems += [f"mistake {mistake.name} breaks {', '.join(mistake.parts())} but is also charged in {what}"
                 for what in unfair([c for c in report.checks if not c.passed], mistake.parts())]
    return problems


def check_exercise(ex: Exercise, with_mistakes: bool = True) -> Outcome:
    outcome = Outcome(ex)
    outcome.problems = [f"missing {p}" for p in ex.missing_files()]
    if outcome.problems:
        outcome.summary = "incomplete"
        return outcome
    solution = engine.grade(ex, ex.solution_path, hidden=True)
    stub = engine.grade(ex, ex.stub_path, hidden=True)
    if solution.max_score != ex.points:
        outcome.problems.append(f"checks are worth {solution.max_score} points, the registry says {ex.points}")
    outcome.problems += [f"solution fails {c.name}: {c.message.splitlines()[0] if c.message else ''}"
                         for c in solution.checks if not c.passed]
    outcome.problems += [f"stub passes {c.name}" for c in stub.checks if c.passed]
    outcome.summary = f"solution {solution.score}/{solution.max_score}, stub {stub.score}/{stub.max_score}"
    if with_mistakes:
        recorded = mistakes.mistakes_of(ex.mistakes_dir)
        for mistake in recorded:
            outcome.problems += mistake_problems(ex, mistake, grade_mistake(ex, mistake))
        outcome.summary += f", {len(recorded)} recorded mistakes"
    return outcome
