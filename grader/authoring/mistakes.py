"""Recorded student mistakes, stored as the few top-level definitions that differ from the
reference solution and applied onto it when the course tests itself.

A mistake file lives in ``solutions/<id>/mistakes/<name>.py`` and reads::

    # fails: cost_surface_not_transposed, plot_is_a_surface
    # delete: __main__                      (optional: definitions the mistake removes)

    def cost_surface(x, y, w_values, b_values):
        ...                                 # the student's version, bug included

Each top-level statement of the file replaces the reference's statement of the same name
(a function or class by its name, an assignment by its targets, the ``if __name__ ==
"__main__":`` block as ``__main__``) where it stood; statements the reference does not have
are added before its ``__main__`` block (imports after its last import). The result is a
whole student file: the reference with exactly this mistake in it.

A class named in ``# partial: ClassName`` replaces only the methods (and class-level
statements) it defines; the rest of the reference's class stays, so a mistake in one method
is recorded as that method alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

MAIN = "__main__"
MODULE = "<module>"  # the part that stands for a file's top-level code


class MistakeError(ValueError):
    """A mistake file that cannot be applied (bad header, syntax error, unknown name)."""


@dataclass(frozen=True)
class Mistake:
    path: Path
    fails: tuple[str, ...]
    deletes: tuple[str, ...]
    source: str
    partial: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.stem

    def parts(self) -> tuple[str, ...]:
        """The parts of the exercise this mistake breaks: the functions and classes it changes,
        or, when it changes none, the file's top-level code (``<module>``)."""
        tree = ast.parse(self.source, str(self.path))
        names = tuple(node.name for node in tree.body
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
        return names or (MODULE,)


def key(node: ast.stmt) -> str:
    """The name under which a top-level statement is replaced."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        return "=" + ",".join(names)
    if isinstance(node, ast.If) and "__name__" in ast.dump(node.test):
        return MAIN
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import " + ast.dump(node)
    return "statement " + ast.dump(node)


def _span(node: ast.stmt, lines: list[str]) -> tuple[int, int]:
    """0-based [start, end) line span of ``node``, with its decorators and the comments just above it."""
    start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start, node.end_lineno


def read(path: Path) -> Mistake:
    text = path.read_text(encoding="utf-8")
    header: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.startswith("# ") or ":" not in line:
            break
        field, _, value = line[2:].partition(":")
        header[field.strip()] = tuple(v.strip() for v in value.split(",") if v.strip())
    if "fails" not in header:
        raise MistakeError(f"{path}: the first line must be '# fails: check, ...'")
    try:
        ast.parse(text, str(path))
    except SyntaxError as exc:
        raise MistakeError(f"{path}: {exc}") from None
    return Mistake(path, header["fails"], header.get("delete", ()), text, header.get("partial", ()))


def apply(reference: str, mistake: Mistake) -> str:
    """The reference solution's source with ``mistake`` applied."""
    ref_lines = reference.splitlines()
    ref_tree = ast.parse(reference)
    patch_lines = mistake.source.splitlines()
    patch_tree = ast.parse(mistake.source)
    spans = {key(node): _span(node, ref_lines) for node in ref_tree.body}
    for name in mistake.deletes:
        if name not in spans:
            raise MistakeError(f"{mistake.path}: '# delete: {name}': the reference has no {name}")
    replaced: dict[tuple[int, int], list[str]] = {spans[name]: [] for name in mistake.deletes}
    added_imports: list[str] = []
    added: list[str] = []
    for node in patch_tree.body:
        start, end = _span(node, patch_lines)
        while start < end and patch_lines[start].startswith("# ") and start < 3 and ":" in patch_lines[start]:
            start += 1  # the header is no comment of the first definition
        segment = patch_lines[start:end]
        name = key(node)
        if name in mistake.partial:
            if name not in spans or not isinstance(node, ast.ClassDef):
                raise MistakeError(f"{mistake.path}: '# partial: {name}': the reference has no class {name}")
            reference_class = next(n for n in ref_tree.body if key(n) == name)
            segment = _merge_class(reference_class, ref_lines, node, patch_lines, mistake.path)
        if name in spans:
            replaced[spans[name]] = segment
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            added_imports += segment
        else:
            added += ["", ""] + segment
    imports_end = max((n.end_lineno for n in ref_tree.body if isinstance(n, (ast.Import, ast.ImportFrom))),
                      default=0)
    main = spans.get(MAIN)
    out: list[str] = []
    i = 0
    while i < len(ref_lines):
        if main is not None and i == main[0]:
            out += added[2:] + ["", ""] if added else []
        span = next((s for s in replaced if s[0] == i), None)
        if span is not None:
            out += replaced[span]
            i = span[1]
            continue
        out.append(ref_lines[i])
        i += 1
        if i == imports_end:
            out += added_imports
    if main is None:
        out += added
    return "\n".join(out) + "\n"


def _merge_class(reference: ast.ClassDef, ref_lines: list[str], patch: ast.ClassDef, patch_lines: list[str],
                 path: Path) -> list[str]:
    """The reference's class with the methods and class-level statements of ``patch`` in place of its own."""
    start, end = _span(reference, ref_lines)
    spans = {key(node): _span(node, ref_lines) for node in reference.body}
    replaced = {}
    for node in patch.body:
        name = key(node)
        if name not in spans:
            raise MistakeError(f"{path}: class {patch.name} of the reference has no {name}")
        replaced[spans[name]] = patch_lines[slice(*_span(node, patch_lines))]
    out: list[str] = []
    i = start
    while i < end:
        span = next((s for s in replaced if s[0] == i), None)
        if span is not None:
            out += replaced[span]
            i = span[1]
            continue
        out.append(ref_lines[i])
        i += 1
    return out


def mistakes_of(folder: Path) -> list[Mistake]:
    """The recorded mistakes in ``folder`` (sorted by name)."""
    return [read(path) for path in sorted(folder.glob("*.py"))]


def _asks_for(node: ast.stmt) -> bool:
    return any(isinstance(n, ast.Raise) and "NotImplementedError" in ast.dump(n) for n in ast.walk(node))


def stub_parts(stub: str) -> list[str]:
    """The parts a stub asks for: its top-level functions and classes that raise NotImplementedError."""
    return [node.name for node in ast.parse(stub).body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _asks_for(node)]


def knock_out(reference: str, stub: str, part: str) -> str:
    """The reference solution with ``part`` replaced by the stub's unfinished version of it."""
    lines = stub.splitlines()
    node = next(n for n in ast.parse(stub).body if key(n) == part)
    start, end = _span(node, lines)
    return apply(reference, Mistake(Path(f"<knock-out {part}>"), (), (), "\n".join(lines[start:end]) + "\n"))
