"""What grading an exercise produced, and how it is shown (text for people, JSON for tools)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pttutor.grader.safetext import clean


@dataclass
class CheckResult:
    name: str
    description: str
    passed: bool
    points: int
    max_points: int
    hidden: bool
    message: str = ""
    parts: tuple[str, ...] = ()  # the parts of the exercise the check judges (its judges marker)
    uses: tuple[str, ...] = ()  # parts the stub makes it depend on; a failure there is named


@dataclass
class ExerciseReport:
    exercise: str
    title: str
    file: str | None
    course: str = ""
    points: int = 0  # the exercise's registered points: its public and hidden checks together
    checks: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    time_used: float = 0.0
    budget: float = 0.0
    device: str = "cpu"
    protections: list[str] = field(default_factory=list)
    sandbox: str = ""  # the isolation mode that ran: full, container or process
    output: str = ""

    @property
    def score(self) -> int:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> int:
        return sum(c.max_points for c in self.checks)

    @property
    def hidden_points_not_run(self) -> int:
        """The points held by checks that did not run here (the hidden ones, run by the instructor)."""
        if any(c.hidden for c in self.checks):
            return 0
        return max(self.points - self.max_score, 0)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def as_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "title": self.title,
            "file": self.file,
            "score": self.score,
            "max_score": self.max_score,
            "hidden_points_not_run": self.hidden_points_not_run,
            "passed": self.passed,
            "checks": [asdict(c) for c in self.checks],
            "notes": self.notes,
            "time_used": round(self.time_used, 3),
            "budget": self.budget,
            "device": self.device,
            "protections": self.protections,
            "sandbox": self.sandbox,
        }


def render(report: ExerciseReport, color: bool = False, show_output: bool = False) -> str:
    """The report a student reads: each check with its verdict, why it failed, score and time."""

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    lines = []
    head = f"{report.exercise}  {report.title}"
    score = f"{report.score}/{report.max_score}"
    lines.append(f"{paint(head, '1')}  {paint(score, '32;1' if report.passed else '31;1')}")
    if report.file:
        lines.append(f"  file: {clean(report.file)}")
    for note in report.notes:
        lines.append(f"  {paint('note:', '33')} {clean(note)}")
    for check in report.checks:
        mark = paint("PASS", "32") if check.passed else paint("FAIL", "31")
        tag = " (hidden)" if check.hidden else ""
        lines.append(f"  {mark} {check.description}{tag}  [{check.points}/{check.max_points}]")
        if check.message and not check.passed:
            for line in clean(check.message).splitlines():
                lines.append(f"         {line}")
    if report.hidden_points_not_run:
        lines.append(f"  public {score}; {report.hidden_points_not_run} more points come from checks "
                     f"your instructor runs")
    lines.append(f"  time: {report.time_used:.1f} s of your {report.budget:g} s budget, on {report.device}")
    missing = [p.removeprefix("not active: ") for p in report.protections if p.startswith("not active: ")]
    if missing:
        lines.append(f"  sandbox: not active here: {'; '.join(missing)}")
    if not report.passed:
        where = f" (course: {report.course})" if report.course else ""
        lines.append(f"  Stuck? pttutor-grade hint {report.exercise}{where}")
    if show_output and report.output.strip():
        lines.append("  ---- what your code printed (not part of the grade) ----")
        lines.extend(f"  | {line}" for line in clean(report.output).splitlines())
        lines.append("  ---- end of your code's output ----")
    return "\n".join(lines)
