"""Loading a submission in the worker when its top-level code cannot run to the end.

If a file's top-level code fails or trains for longer than allowed, grading falls back to
its *definitions*: imports, functions, classes and assignments, each run on its own
(``definitions``), and if that is not enough, to imports, functions, classes and constant
assignments only (``signatures``). Plain Python: the grader and the worker both use it.
"""

from __future__ import annotations

import ast

LEVELS = ("full", "definitions", "signatures")


def _literal(node: ast.AST | None) -> bool:
    if node is None:
        return True
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _keep(node: ast.stmt, level: str) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return level == "definitions" or _literal(node.value)
    return False


def statements(source: str, filename: str, level: str) -> list[tuple[int, object]]:
    """The statements run at a fallback ``level``, compiled one by one, with their line numbers.

    ``definitions`` keeps imports, functions, classes and every plain assignment;
    ``signatures`` keeps only assignments of literal values (for a file whose assignments
    themselves train a model or read a missing file).
    """
    tree = ast.parse(source, filename)
    out = []
    for node in tree.body:
        if _keep(node, level):
            module = ast.Module(body=[node], type_ignores=[])
            out.append((node.lineno, compile(module, filename, "exec")))
    return out
