"""Feedback inside a notebook: ``pttutor.check()``, ``pttutor.hint()`` and ``pttutor.export()``.

The kernel a student works in has run the student's code, so nothing in it is trusted. It
sends only the code it has run (:mod:`.kernel` reads it) to a grader process of its own
(:mod:`.client` starts it once per kernel, :mod:`.service` is that process), which turns the
code into a submission (:mod:`.history`) and grades it with the same engine, sandbox and
limits as ``pttutor-grade check``. The report comes back as plain JSON and is shown as a
table (:mod:`.view`). :mod:`.api` is what the top-level ``pttutor`` package calls.
"""
