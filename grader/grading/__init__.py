"""The grading side: the engine, the pytest plugin and fixtures that run an exercise's checks in
this trusted process, the verdicts, and access to the reference solution."""
