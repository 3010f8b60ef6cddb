"""What of a submission the worker runs, piece by piece, and what it leaves out.

A submission's source is run as *units*: the cells of a notebook, or a script as a whole.
Each unit is parsed on its own. A unit that does not parse is cut into its top-level blocks
(:func:`blocks`: statements found by the tokenizer, which knows strings and brackets, so a
cut never falls inside one); the blocks that parse are kept and the others are reported and
never run. Every kept top-level statement is then compiled on its own, so that the worker
can run them in order and go on after one that fails.

Which statements are kept depends on the *level*: ``full`` keeps everything; when a file's
top-level code fails or trains for longer than allowed, grading falls back to its
definitions: imports, functions, classes and assignments (``definitions``), and if that is
not enough, to imports, functions, classes and constant assignments only (``signatures``).

Plain Python: parsing and compiling only. Nothing here runs the submission; the worker does.
"""

from __future__ import annotations

import __future__
import ast
import re
import tokenize
from dataclasses import dataclass, field
from types import CodeType

LEVELS = ("full", "definitions", "signatures")
COMPILE_ERRORS = (SyntaxError, ValueError, MemoryError, RecursionError)
FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
CONTINUES = {"else", "elif", "except", "finally"}  # keywords that carry on the statement above
RESTART = re.compile(r"[^\s#)\]}]")  # a line that may start a new top-level statement
DEFINES = re.compile(r"^(?:async[ \t]+)?(?:def|class)\b[^\w\n]*(\w+)", re.MULTILINE)  # even if mistyped
NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """``text`` cut into lines where Python's parser counts them (``\\n``, ``\\r\\n``, ``\\r``), ends kept."""
    out, at = [], 0
    for match in NEWLINE.finditer(text):
        out.append(text[at:match.end()])
        at = match.end()
    if at < len(text):
        out.append(text[at:])
    return out


@dataclass
class Statement:
    """One top-level statement, compiled on its own."""

    line: int
    code: CodeType
    fallback: bool  # kept at the ``definitions`` level: run even after the code before it failed
    names: tuple[str, ...] = ()  # the functions or classes it defines


@dataclass
class Unit:
    """One unit's code: compiled whole where it compiles at the ``full`` level (the usual case),
    else statement by statement."""

    first: int  # its first line in the source
    text: str
    flags: int  # the ``from __future__`` flags in force
    code: CodeType | None = None
    statements: list[Statement] = field(default_factory=list)


@dataclass
class Plan:
    """The code of each unit, in order, and the parts left out because they do not compile."""

    units: list[Unit] = field(default_factory=list)
    broken: list[dict] = field(default_factory=list)  # {"kind": "syntax", "line", "first", "last", "error", "names"}
    first_error: SyntaxError | None = None

    @property
    def empty(self) -> bool:
        return not any(unit.code is not None or unit.statements for unit in self.units)


def _literal(node: ast.AST | None) -> bool:
    if node is None:
        return True
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def keep(node: ast.stmt, level: str) -> bool:
    """Whether the top-level statement ``node`` runs at ``level``."""
    if level == "full" or isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                                            ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return level == "definitions" or _literal(node.value)
    return False


def _starts_from(lines: list[str], begin: int) -> tuple[list[tuple[int, str]], tuple[bool, int] | None]:
    """The logical lines that start at column 0, as (line number, first token), tokenizing from
    line index ``begin``; then where the tokenizer stopped: None at the end of the text, else
    (whether a string runs to the end, the line it gave up on)."""
    rest = iter(lines[begin:])
    found: list[tuple[int, str]] = []
    at_start = True
    try:
        for tok in tokenize.generate_tokens(lambda: next(rest, "")):
            if tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if tok.type == tokenize.ENDMARKER:
                break
            if tok.type == tokenize.NEWLINE:
                at_start = True
                continue
            if at_start:
                at_start = False
                if tok.start[1] == 0:
                    found.append((begin + tok.start[0], tok.string))
    except tokenize.TokenError as exc:
        where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else (1, 0)
        return found, ("string" in str(exc.args[0]), begin + where[0])
    except SyntaxError as exc:  # IndentationError, and what newer tokenizers refuse
        return found, (False, begin + (exc.lineno or 1))
    return found, None


def blocks(text: str) -> list[tuple[int, int]]:
    """The top-level blocks of ``text``, as (first, last) line numbers counted from 1.

    A block is one top-level statement with its decorators and its ``else``/``except``/...
    clauses. Where the tokenizer gives up (an unclosed bracket, a bad dedent), the statement
    it was reading is a block of its own and reading starts again at the next line that can
    begin a statement; a string that is never closed takes the rest of the text with it.
    """
    lines = split_lines(text)
    starts: list[tuple[int, str]] = []
    begin = 0
    while begin < len(lines):
        found, stopped = _starts_from(lines, begin)
        starts += found
        if stopped is None:
            break
        to_end, _line = stopped
        broken = found[-1][0] if found else begin + 1
        if not found:
            starts.append((broken, ""))
        if to_end:
            break
        following = (i for i in range(broken, len(lines)) if RESTART.match(lines[i])
                     and not re.match(r"(else|elif|except|finally)\b", lines[i]))
        begin = next(following, len(lines))
    kept: list[int] = []
    previous = ""
    for line, token in starts:
        if token not in CONTINUES and previous != "@" and (not kept or line > kept[-1]):
            kept.append(line)
        previous = token
    return [(first, (kept[i + 1] - 1) if i + 1 < len(kept) else len(lines)) for i, first in enumerate(kept)]


def _parse(text: str, first: int, filename: str) -> list[ast.stmt]:
    """``text`` parsed with its lines numbered from ``first``."""
    return ast.parse("\n" * (first - 1) + text, filename).body


def _message(exc: BaseException) -> str:
    """``Type: message`` for a note; never fails, whatever the exception does."""
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg}"
    if isinstance(exc, SystemExit):
        return "your code called sys.exit()"
    try:
        text = str(exc)
    except Exception:
        text = "<the exception's message could not be shown>"
    return f"{type(exc).__name__}: {text[:200]}"


def _names(node: ast.stmt) -> tuple[str, ...]:
    return (node.name,) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else ()


def _bare_string(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _flags(node: ast.stmt) -> int:
    if isinstance(node, ast.ImportFrom) and node.module == "__future__":
        return sum(getattr(getattr(__future__, a.name, None), "compiler_flag", 0) for a in node.names)
    return 0


def _broken(out: Plan, exc: BaseException, line: int, first: int, last: int, names: list[str]) -> None:
    out.broken.append({"kind": "syntax", "line": getattr(exc, "lineno", None) or line, "first": first,
                       "last": last, "error": _message(exc), "names": names})
    if out.first_error is None:
        out.first_error = exc if isinstance(exc, SyntaxError) else SyntaxError(_message(exc))


def _nodes(out: Plan, text: str, first: int, filename: str) -> list[ast.stmt]:
    """The top-level statements of a unit; where it does not parse, those of its blocks that do."""
    try:
        return _parse(text, first, filename)
    except COMPILE_ERRORS:
        pass
    nodes: list[ast.stmt] = []
    cut = split_lines(text)
    found = blocks(text)
    if len(found) == 1:  # one statement (and comments around it): the whole unit is left out
        found = [(1, len(cut))]
    for a, b in found:
        chunk = "".join(cut[a - 1:b])
        try:
            nodes += _parse(chunk, first + a - 1, filename)
        except COMPILE_ERRORS as exc:
            _broken(out, exc, first + a - 1, first + a - 1, first + b - 1, DEFINES.findall(chunk))
    return nodes


def _statements(out: Plan, nodes: list[ast.stmt], filename: str, level: str, flags: int,
                docstring: bool) -> list[Statement]:
    """The ``nodes`` kept at ``level``, each compiled on its own."""
    statements = []
    for node in nodes:
        if not keep(node, level) or (_bare_string(node) and not (docstring and node is nodes[0])):
            continue  # a string on its own line is a comment; compiled alone it would become __doc__
        try:
            code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec", flags, dont_inherit=True)
        except COMPILE_ERRORS as exc:  # e.g. `return` outside a function
            _broken(out, exc, node.lineno, node.lineno, getattr(node, "end_lineno", None) or node.lineno,
                    list(_names(node)))
            continue
        statements.append(Statement(node.lineno, code, keep(node, "definitions"), _names(node)))
    return statements


def plan(source: str, filename: str, level: str, units: list[tuple[int, int]] | None = None) -> Plan:
    """The code to run at ``level`` for each unit (``(first, last)`` lines of ``source``; the
    whole source when None), and the parts that do not compile."""
    lines = split_lines(source)
    out = Plan()
    flags = 0
    for first, last in units if units is not None else [(1, len(lines))]:
        text = "".join(lines[first - 1:last])
        if level == "full":
            try:
                code = compile("\n" * (first - 1) + text, filename, "exec", flags, dont_inherit=True)
            except COMPILE_ERRORS:
                code = None
            if code is not None:
                flags |= code.co_flags & FUTURE_FLAGS
                out.units.append(Unit(first, text, flags, code))
                continue
        nodes = _nodes(out, text, first, filename)
        for node in nodes:
            flags |= _flags(node)
        out.units.append(Unit(first, text, flags, None,
                              _statements(out, nodes, filename, level, flags, docstring=not out.units)))
    return out


def after_failure(unit: Unit, exc: BaseException, filename: str) -> tuple[int, tuple[str, ...], list[Statement]]:
    """Where a unit run whole failed (its line), what the failing statement defines, and the
    unit's statements after it that run at the ``definitions`` level."""
    line, tb = unit.first, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is unit.code:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        nodes = _parse(unit.text, unit.first, filename)
    except COMPILE_ERRORS:
        return line, (), []
    failing = [n for n in nodes if min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) <= line]
    names = _names(failing[-1]) if failing else ()
    rest = [n for n in nodes if n.lineno > line and (not failing or n is not failing[-1])]
    return line, names, _statements(Plan(), rest, filename, "definitions", unit.flags, docstring=False)


def statements(source: str, filename: str, level: str) -> list[tuple[int, CodeType]]:
    """The statements of a whole file run at ``level`` (not ``full``), with their line numbers."""
    return [(s.line, s.code) for unit in plan(source, filename, level).units for s in unit.statements]


def problem(kind: str, line: int, exc: BaseException, names: tuple[str, ...] = ()) -> dict:
    """A statement that failed when run (``failed``) or was skipped after failing (``skipped``), as plain data."""
    return {"kind": kind, "line": line, "first": line, "last": line, "error": _message(exc), "names": list(names)}
