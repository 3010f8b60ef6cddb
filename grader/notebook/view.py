"""A report as a notebook shows it: an HTML table where the front end renders HTML, text elsewhere.

Every piece of text that comes from grading (check messages, notes, what the code printed,
even names) is escaped: messages quote the student's values and output, which are
untrusted text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from html import escape

from pttutor.grader.report import CheckResult, ExerciseReport, render

GREEN, RED, GREY = "#1a7f37", "#cf222e", "#57606a"
CELL = "text-align:left;vertical-align:top;padding:2px 8px"


def report_from_dict(data: dict) -> ExerciseReport:
    """Rebuild a report from its plain-data form (what the grader process sends)."""
    names = {f.name for f in fields(ExerciseReport)} - {"checks"}
    report = ExerciseReport(**{k: v for k, v in data.items() if k in names})
    check_names = {f.name for f in fields(CheckResult)}
    report.checks = [CheckResult(**{k: (tuple(v) if isinstance(v, list) else v)
                                    for k, v in c.items() if k in check_names}) for c in data.get("checks", [])]
    return report


def _pre(text: str) -> str:
    return f'<pre style="white-space:pre-wrap;margin:0;font-size:inherit">{escape(text)}</pre>'


@dataclass
class NotebookReport:
    """What ``pttutor.check()`` returns: the report, and what was graded.

    ``score``, ``max_score``, ``passed`` and ``checks`` are the report's; ``report`` is the
    whole :class:`~pttutor.grader.report.ExerciseReport`; ``graded`` says which code was
    graded; ``hidden_points`` are the points of the checks that only an instructor runs.
    """

    report: ExerciseReport
    graded: str
    hidden_points: int = 0
    show_output: bool = False
    _shown_at: object = None  # the execution count of the cell that displayed it

    @property
    def score(self) -> int:
        return self.report.score

    @property
    def max_score(self) -> int:
        return self.report.max_score

    @property
    def passed(self) -> bool:
        return self.report.passed

    @property
    def checks(self) -> list[CheckResult]:
        return self.report.checks

    def as_dict(self) -> dict:
        return {**self.report.as_dict(), "graded": self.graded, "hidden_points": self.hidden_points}

    def _sandbox_line(self, list_missing: bool = True) -> str:
        missing = [p.removeprefix("not active: ") for p in self.report.protections if p.startswith("not active: ")]
        mode = self.report.sandbox or "unknown"
        line = f"sandbox: {mode}"
        if mode != "full" or missing:
            listed = f"; not active here: {'; '.join(missing)}" if missing and list_missing else ""
            line += (f" (weaker than the full sandbox{listed}). "
                     "This check is feedback: grading for marks is your instructor's.")
        return line

    def _hint_call(self) -> str:
        return f'pttutor.hint("{self.report.exercise}")'

    def text(self) -> str:
        lines = [render(self.report, show_output=self.show_output), f"  graded: {self.graded}"]
        if self.hidden_points:
            lines.append(f"  hidden checks: {self.hidden_points} more points, run when your instructor grades")
        lines.append(f"  {self._sandbox_line(list_missing=False)}")  # render() lists them
        if not self.passed:
            lines.append(f"  In the notebook: {self._hint_call()}")
        return "\n".join(lines)

    def html(self) -> str:
        r = self.report
        colour = GREEN if r.passed else RED
        out = [f'<div class="pttutor-report"><p><b>{escape(r.exercise)}</b> {escape(r.title)} '
               f'<b style="color:{colour}">{r.score}/{r.max_score}</b></p>',
               f'<p style="color:{GREY}">graded: {escape(self.graded)}</p>']
        out.append(f'<table><thead><tr><th style="{CELL}"></th><th style="{CELL}">check</th>'
                   f'<th style="{CELL}">points</th><th style="{CELL}">message</th></tr></thead><tbody>')
        for c in r.checks:
            mark = f'<b style="color:{GREEN}">PASS</b>' if c.passed else f'<b style="color:{RED}">FAIL</b>'
            name = escape(c.description or c.name) + (" (hidden)" if c.hidden else "")
            message = _pre(c.message) if c.message and not c.passed else ""
            out.append(f'<tr><td style="{CELL}">{mark}</td><td style="{CELL}">{name}</td>'
                       f'<td style="{CELL}">{c.points}/{c.max_points}</td><td style="{CELL}">{message}</td></tr>')
        out.append("</tbody></table><ul>")
        items = [f"score: {r.score}/{r.max_score}" + (" (every check passed)" if r.passed else "")]
        if self.hidden_points:
            items.append(f"hidden checks: {self.hidden_points} more points, run when your instructor grades")
        items.append(f"time: {r.time_used:.1f} s of your {r.budget:g} s budget, on {r.device}")
        items.append(self._sandbox_line())
        out += [f"<li>{escape(item)}</li>" for item in items]
        out += [f"<li>note: {_pre(note)}</li>" for note in r.notes]
        if not r.passed:
            where = f" (course: {r.course})" if r.course else ""
            out.append(f"<li>Stuck? <code>{escape(self._hint_call())}</code>{escape(where)}</li>")
        out.append("</ul>")
        if self.show_output and r.output.strip():
            out.append(f"<details open><summary>what your code printed (not part of the grade)</summary>"
                       f"{_pre(r.output)}</details>")
        out.append("</div>")
        return "".join(out)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<pttutor report {self.report.exercise}: {self.score}/{self.max_score}>"

    def _repr_html_(self) -> str:
        return self.html()

    def _ipython_display_(self) -> None:
        """Show the report once per cell: ``check()`` shows it, and returning it does not show it again."""
        from IPython import get_ipython
        from IPython.display import display

        count = getattr(get_ipython(), "execution_count", None)
        if count is not None and self._shown_at == count:
            return
        self._shown_at = count
        display({"text/html": self.html(), "text/plain": self.text()}, raw=True)
