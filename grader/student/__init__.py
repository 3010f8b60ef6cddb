"""The student's side: the workspace and its progress, stubs as notebooks, and watch mode."""
