"""The reference solution as checks see it (the ``ref`` fixture).

Where the reference solution is installed, ``ref`` is the module itself, imported once per
process in this trusted grader; in a process that grades many students (a batch), the module
behind an answer cache that computes each question not depending on the student once (see
:mod:`pttutor.grader.grading.cached`); while the student kit is being made, a recorder around
it (see :mod:`pttutor.grader.grading.recorded`); in the kit, which ships without it, a
replayer of the recorded answers.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any

from pttutor.grader.course import Exercise
from pttutor.grader.grading import cached, recorded

_MODULES: dict[Path, Any] = {}
_DIGESTS: dict[Path, str] = {}
_CACHE: cached.AnswerCache | None = None


def reuse_answers(enabled: bool = True) -> None:
    """Keep the reference's answers that do not depend on the student for the rest of this process
    (or stop, and forget them)."""
    global _CACHE
    _CACHE = cached.AnswerCache() if enabled else None


def answer_stats() -> cached.Stats | None:
    """How many calls the answer cache replayed, computed and left live so far (None when it is off)."""
    return None if _CACHE is None else _CACHE.stats


class ReferenceMissing(Exception):
    """Neither the reference solution nor its recorded answers are installed."""


def _module(path: Path) -> Any:
    if path not in _MODULES:
        spec = importlib.util.spec_from_file_location(f"pttutor_reference_{path.parent.name.replace('-', '_')}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[path] = module
        _DIGESTS[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _MODULES[path]


class Reference:
    """The reference of one exercise for one grading: live, recording or replaying."""

    def __init__(self, exercise: Exercise, record_to: Path | None = None) -> None:
        self.exercise = exercise
        self.record_to = record_to
        self.recording: dict | None = {} if record_to is not None else None
        self.answers: dict | None = None

    def for_check(self, scope: str) -> Any:
        path = self.exercise.solution_path
        if not path.is_file():
            if self.answers is None:
                if not self.exercise.answers_path.is_file():
                    raise ReferenceMissing(f"neither the reference solution nor recorded answers exist "
                                           f"for {self.exercise.id}")
                self.answers = recorded.load(self.exercise.answers_path)
            return recorded.Replayer(self.answers, scope)
        if self.recording is not None:
            return recorded.Recorder(_module(path), self.recording, scope)
        module = _module(path)
        if _CACHE is not None:
            return cached.CachedModule(module, _CACHE, f"{self.exercise.id}\0{_DIGESTS[path]}\0{scope}")
        return module

    def finish(self) -> None:
        """Write the recorded answers, if this grading recorded them."""
        if self.recording is not None and self.record_to is not None:
            recorded.save(self.recording, self.record_to)
