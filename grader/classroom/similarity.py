"""Code similarity across a class: which pairs of students share unusually much code.

Per exercise, each student's file is read into code the way grading reads it (a notebook's
code cells joined, IPython-only lines dropped) and normalized by copydetect's tokenizer:
every name becomes ``V``, function names ``F``, class names ``O``, strings ``S``; comments
and whitespace vanish. So renamed variables, changed comments and reformatting change
nothing, and because matches are counted as sets of k-grams (runs of ``K`` normalized
characters), reordering functions loses only the k-grams that crossed their edges.

- The stub's k-grams are boilerplate and never count, in the .py form and the notebook form.
- The reference solution takes part as the pseudo-student ``(reference)``, so a leaked
  solution shows up.
- An inverted index from k-gram hashes to files finds, for each file, the files that share
  any; only those are measured. For a pair (a, b), ``matched_a`` is the number of tokens of
  a's code covered by k-grams that b also has (and the other way round), and the pair's
  similarity is ``(matched_a + matched_b) / (tokens_a + tokens_b)``: 1 for the same code,
  0 for nothing in common, and not inflated by a tiny file that happens to lie inside a big
  one. ``share_a = matched_a / tokens_a`` says how much of a's own code is also in b's.

Every k-gram is kept (a winnowing window of 1, as copydetect's defaults), which makes the
result exact and the same on every run (copydetect hashes with Python's per-process
``hash``, so a wider window would pick different fingerprints each run).

Similarity is a reason to look, not a verdict. Nothing here reads or changes a score.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from copydetect.utils import filter_code, get_copied_slices, hashed_kgrams
from pygments import lexers, token

from pttutor.grader.classroom.archive import MAX_TOTAL, ArchiveError, extract
from pttutor.grader.classroom.batch import discover
from pttutor.grader.course import Exercise
from pttutor.grader.submission import SubmissionFileError, notebook_source, read_submission

REFERENCE = "(reference)"
K = 25  # the shortest run of normalized code that counts as shared (copydetect's noise threshold)
CELLS = 4_000_000  # bound on the (files x characters) matrix measured at once


@dataclass
class Document:
    """One file of one exercise, tokenized and fingerprinted."""

    student: str
    name: str  # the file's name, shown in the report
    code: str  # the source, line endings normalized (what the report shows)
    filtered: str  # copydetect's normalized code
    starts: np.ndarray  # positions in ``filtered`` of the k-grams that count (not boilerplate)
    hashes: np.ndarray  # their hashes
    weights: np.ndarray  # 1.0 where a token begins in ``filtered``
    begin: np.ndarray  # per character of ``filtered``: where its token begins in ``code``
    end: np.ndarray  # ... and where it ends
    tokens: float = 0.0  # tokens covered by the k-grams that count


@dataclass(frozen=True)
class Pair:
    exercise: str
    a: str
    b: str
    similarity: float
    matched: int  # tokens shared, counted on the side that has fewer
    share_a: float
    share_b: float


@dataclass(frozen=True)
class Problem:
    student: str
    exercise: str | None  # None: every exercise of the student
    message: str


@dataclass
class Comparison:
    """What was compared for one exercise."""

    exercise: Exercise
    documents: list[Document]
    pairs: list[Pair]  # every pair that shares any code, most similar first
    notes: list[str] = field(default_factory=list)

    @property
    def compared(self) -> int:
        n = len(self.documents)
        return n * (n - 1) // 2


# ----------------------------------------------------------------------------- reading


def normalize(source: str) -> str:
    """Line endings as ``\\n``, no byte-order mark, no blank lines around: what the tokenizer
    sees, so that positions in the normalized code map back onto the code shown."""
    return source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"


def _read(path: Path, in_folder: bool) -> str:
    if in_folder and path.is_symlink():
        raise SubmissionFileError(f"{path.name} is a link, not a file")
    if path.stat().st_size > MAX_TOTAL:
        raise SubmissionFileError(f"{path.name} is larger than {MAX_TOTAL // (1024 * 1024)} MiB")
    return read_submission(path).source


def read_class(submissions: Path, exercises: list[Exercise]) -> tuple[dict[str, list[tuple[str, str, str]]],
                                                                      list[Problem]]:
    """Every student's file per exercise as ``(student, file name, source)``, and what could not be read."""
    found: dict[str, list[tuple[str, str, str]]] = {ex.id: [] for ex in exercises}
    problems: list[Problem] = []
    for student in discover(submissions):
        if student.id == REFERENCE:
            problems.append(Problem(student.id, None, f"a student may not be called {REFERENCE}; skipped"))
            continue
        with tempfile.TemporaryDirectory(prefix="pttutor-similarity-") as tmp:
            folder = student.entry
            if not folder.is_dir():
                try:
                    folder = extract(student.entry, Path(tmp) / "files")
                except ArchiveError as exc:
                    problems.append(Problem(student.id, None, str(exc)))
                    continue
                except Exception as exc:  # a damaged archive (bad CRC, encrypted, ...) stops only its student
                    problems.append(Problem(student.id, None, f"{student.entry.name} could not be unpacked: "
                                                              f"{type(exc).__name__}: {exc}"))
                    continue
            for ex in exercises:
                path = ex.file_in(folder)
                if path is None:
                    continue
                try:
                    found[ex.id].append((student.id, path.name, _read(path, folder == student.entry)))
                except (SubmissionFileError, OSError) as exc:
                    problems.append(Problem(student.id, ex.id, str(exc)))
    return found, problems


# ----------------------------------------------------------------------------- fingerprints

_NAMES = {token.Name, token.Name.Variable, token.Name.Attribute}


def token_map(code: str, filtered: str, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each character of copydetect's normalized code: 1.0 where a token of ``code`` begins
    (else 0.0), and where in ``code`` the token it stands for begins and ends.

    This follows copydetect's ``filter_code`` token by token (a name, a string piece or an
    operator is one token; whitespace and comments are none) and checks that it rebuilt the
    same text. Where it did not (another copydetect), every character counts as a token and
    positions come from copydetect's own offsets.
    """
    parts, sizes = [], []  # per token: what copydetect writes for it, and its length in ``code``
    for kind, text in lexers.get_lexer_by_name("python").get_tokens(code):
        if kind in _NAMES:
            out = "V"
        elif kind in token.Name.Function:
            out = "F"
        elif kind in token.Name.Class:
            out = "O"
        elif kind in (token.Comment.Preproc, token.Comment.Hashbang):
            out = "P"
        elif kind in token.Text or kind in token.Comment:
            out = ""
        elif kind in token.Literal.String:
            out = '"' if text in ("'", '"') else "S"
        else:
            out = text
        parts.append(out)
        sizes.append(len(text))
    if "".join(parts) == filtered and sum(sizes) == len(code):
        widths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        ends = np.cumsum(sizes, dtype=np.int64)
        weights = np.zeros(len(filtered))
        weights[(np.cumsum(widths) - widths)[widths > 0]] = 1.0
        return weights, np.repeat(ends - sizes, widths), np.repeat(ends, widths)
    begin = np.arange(len(filtered))
    if len(offsets):
        begin = begin + offsets[:, 1][np.clip(np.searchsorted(offsets[:, 0], begin), 0, len(offsets) - 1)]
    return np.ones(len(filtered)), begin, begin + 1


def kgram_hashes(code: str) -> tuple[str, np.ndarray, np.ndarray]:
    """copydetect's normalized code, its offsets, and the hash of every k-gram in it."""
    filtered, offsets = filter_code(code, "submission.py", "python")
    hashes = hashed_kgrams(filtered, K) if len(filtered) >= K else np.array([])
    return filtered, offsets, hashes.astype(np.int64)


def boilerplate(ex: Exercise) -> np.ndarray:
    """The hashes of every k-gram of the stub, as a script and as the notebook students get."""
    from pttutor.grader.student.notebooks import notebook_from_source

    stub = ex.stub_path.read_text(encoding="utf-8")
    forms = [stub, notebook_source(notebook_from_source(stub))[0]]
    return np.unique(np.concatenate([kgram_hashes(normalize(text))[2] for text in forms]))


def covered(starts: np.ndarray, length: int) -> np.ndarray:
    """For each row of 0/1 k-gram starts (``rows x length``), which characters some k-gram covers."""
    runs = np.cumsum(starts, axis=-1, dtype=np.int32)
    runs[..., K:] -= runs[..., :-K].copy()
    return runs[..., :length] > 0


def document(student: str, name: str, source: str, stub: np.ndarray) -> Document:
    code = normalize(source)
    filtered, offsets, hashes = kgram_hashes(code)
    keep = ~np.isin(hashes, stub)
    doc = Document(student, name, code, filtered, np.flatnonzero(keep), hashes[keep],
                   *token_map(code, filtered, offsets))
    mask = np.zeros(len(filtered) + 1, dtype=np.int32)
    mask[doc.starts] = 1
    doc.tokens = float(covered(mask, len(filtered)) @ doc.weights)
    return doc


# ----------------------------------------------------------------------------- comparing


def matched_tokens(docs: list[Document]) -> np.ndarray:
    """``m[a, b]``: the tokens of ``docs[a]`` covered by k-grams that ``docs[b]`` also has.

    An inverted index (hash -> files holding it) gives, for each k-gram of ``a``, the files
    that share it; only those files get a row in the matrix measured for ``a``.
    """
    n = len(docs)
    m = np.zeros((n, n))
    if n < 2:
        return m
    owner = np.repeat(np.arange(n), [len(d.hashes) for d in docs])
    ids, inverse = np.unique(np.concatenate([d.hashes for d in docs]), return_inverse=True)
    inverse = inverse.reshape(-1)
    holders = np.unique(inverse * n + owner)  # (hash id, file), sorted by hash id
    holder_file = holders % n
    first = np.searchsorted(holders // n, np.arange(len(ids) + 1))
    begin = 0
    rows = np.full(n, -1)
    for a, doc in enumerate(docs):
        hid = inverse[begin:begin + len(doc.hashes)]
        begin += len(doc.hashes)
        counts = first[hid + 1] - first[hid]
        which = np.repeat(np.arange(len(hid)), counts)  # the k-gram of a, per (k-gram, file) entry
        step = np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)
        other = holder_file[first[hid][which] + step]
        keep = other != a
        other, which = other[keep], which[keep]
        partners = np.flatnonzero(np.bincount(other, minlength=n))
        if not len(partners):
            continue
        length = len(doc.filtered)
        chunk = max(1, CELLS // (length + 1))
        for lo in range(0, len(partners), chunk):
            part = partners[lo:lo + chunk]
            rows[part] = np.arange(len(part))
            sel = (other >= part[0]) & (other <= part[-1])
            starts = np.zeros((len(part), length + 1), dtype=np.int32)
            starts[rows[other[sel]], doc.starts[which[sel]]] = 1
            m[a, part] = covered(starts, length) @ doc.weights
            rows[part] = -1
    return m


def pairs(exercise: str, docs: list[Document]) -> list[Pair]:
    """Every pair of files that shares any code, most similar first."""
    m = matched_tokens(docs)
    tokens = np.maximum([d.tokens for d in docs], 1.0)  # a file without k-grams matches nothing (0 / 1)
    found = []
    for a, b in zip(*np.nonzero(np.triu(m + m.T, 1))):
        ma, mb = m[a, b], m[b, a]
        first, second = (b, a) if docs[a].student == REFERENCE else (a, b)
        share = {a: ma / tokens[a], b: mb / tokens[b]}
        found.append(Pair(exercise, docs[first].student, docs[second].student,
                          float((ma + mb) / (tokens[a] + tokens[b])), int(round(min(ma, mb))),
                          float(share[first]), float(share[second])))
    found.sort(key=lambda p: (-p.similarity, -p.matched, p.a, p.b))
    return found


def shared_slices(doc: Document, other: Document) -> np.ndarray:
    """Where ``doc``'s code is also in ``other``'s, as ``[starts, ends]`` in ``doc.code``, whole tokens."""
    slices = get_copied_slices(doc.starts[np.isin(doc.hashes, other.hashes)], K).astype(np.int64)
    if not slices.shape[1]:
        return slices
    return np.array([doc.begin[slices[0]], doc.end[slices[1] - 1]])


def compare(ex: Exercise, found: list[tuple[str, str, str]]) -> Comparison:
    """Fingerprint every file of one exercise (the reference included) and measure every pair."""
    stub = boilerplate(ex)
    notes = []
    entries = list(found)
    if ex.solution_path.is_file():
        entries.append((REFERENCE, ex.solution_path.name, ex.solution_path.read_text(encoding="utf-8")))
    else:
        notes.append("no reference solution installed: students are compared with each other only")
    docs = [document(student, name, source, stub) for student, name, source in entries]
    return Comparison(ex, docs, pairs(ex.id, docs), notes)


def run(submissions: Path, exercises: list[Exercise]) -> tuple[list[Comparison], list[Problem]]:
    """Compare every pair of files per exercise; what could not be read is reported, not fatal."""
    found, problems = read_class(submissions, exercises)
    return [compare(ex, found[ex.id]) for ex in exercises], problems
