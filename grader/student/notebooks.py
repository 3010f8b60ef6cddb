"""Stubs as notebooks: the same source, cut into cells a student can run one by one."""

from __future__ import annotations

import ast

from pttutor.grader.course import Exercise


def stub_text(ex: Exercise, fmt: str) -> str:
    source = ex.stub_path.read_text(encoding="utf-8")
    return source if fmt == "py" else notebook_from_source(source, ex.id)


def notebook_from_source(source: str, exercise_id: str | None = None) -> str:
    """A notebook made from a stub: its docstring as a markdown cell, then one code cell for
    the imports and module-level data and one per function, class or ``__main__`` block.

    ``exercise_id`` is recorded in the notebook's metadata (``{"pttutor": {"exercise": id}}``),
    where ``pttutor.check()`` without an id finds it."""
    import nbformat

    tree = ast.parse(source)
    lines = source.splitlines()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if exercise_id:
        nb.metadata["pttutor"] = {"exercise": exercise_id}
    body = tree.body
    doc = ast.get_docstring(tree)
    if doc is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(doc))
        body = body[1:]
    chunk: list[str] = []
    for node in body:
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = node.decorator_list[0].lineno - 1
        text = "\n".join(lines[start:node.end_lineno]).strip("\n")
        standalone = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If))
        if standalone:
            if chunk:
                nb.cells.append(nbformat.v4.new_code_cell("\n".join(chunk)))
                chunk = []
            nb.cells.append(nbformat.v4.new_code_cell(text))
        else:
            chunk.append(text)
    if chunk:
        nb.cells.append(nbformat.v4.new_code_cell("\n".join(chunk)))
    return nbformat.writes(nb)
