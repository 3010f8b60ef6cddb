"""pttutor's grader: the exercise registry, the sandboxed grading engine and the CLI."""

__version__ = "0.1.0"
