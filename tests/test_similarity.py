"""The similarity report: copies found whatever was renamed, reordered or re-commented; the stub
never counts; the reference takes part; bad input is reported; the report is safe to open."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from pttutor.grader.classroom import similarity
from pttutor.grader.classroom.similarity_report import csv_safe, highlighted
from pttutor.grader.cli import main
from pttutor.grader.student.notebooks import notebook_from_source

EX3, F3 = "ex03-gradient-descent", "ex03_gradient_descent.py"
NB3 = "ex03_gradient_descent.ipynb"
REF = similarity.REFERENCE
THRESHOLD = 0.5  # the command's default

ALICE = '''import numpy as np

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w):
    # the model has no bias term
    return w * x


def cost(xs, ys, w):
    # average the squared residuals by hand
    total = 0.0
    for x, y in zip(xs, ys):
        total += (forward(x, w) - y) ** 2
    return total / len(xs)


def gradient(xs, ys, w):
    # d/dw of the mean squared error
    total = 0.0
    for x, y in zip(xs, ys):
        total += 2 * x * (forward(x, w) - y)
    return total / len(xs)


def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    w = w0
    history = []
    for _ in range(epochs):
        history.append(cost(xs, ys, w))
        grad = gradient(xs, ys, w)
        w -= lr * grad
    return w, history


def sgd_gradient(x, y, w):
    return 2 * x * (forward(x, w) - y)


def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    w = w0
    history = []
    for _ in range(epochs):
        loss = None
        for x, y in zip(xs, ys):
            w -= lr * sgd_gradient(x, y, w)
            loss = (forward(x, w) - y) ** 2
        history.append(loss)
    return w, history
'''

ERIN = '''"""My solution."""
import numpy as np

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w):
    return np.multiply(x, w)


def cost(xs, ys, w):
    errors = forward(np.array(xs), w) - np.array(ys)
    return float(errors @ errors) / len(errors)


def gradient(xs, ys, w):
    xs, ys = np.array(xs), np.array(ys)
    return float(np.dot(2 * xs, forward(xs, w) - ys) / xs.size)


def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    losses = [0.0] * epochs
    w = w0
    e = 0
    while e < epochs:
        losses[e] = cost(xs, ys, w)
        w = w - lr * gradient(xs, ys, w)
        e += 1
    return w, losses


def sgd_gradient(x, y, w):
    residual = x * w - y
    return 2.0 * residual * x


def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    w, losses = w0, []
    samples = list(zip(xs, ys))
    for e in range(epochs):
        for x, y in samples:
            w = w - lr * sgd_gradient(x, y, w)
        x_last, y_last = samples[-1]
        losses.append((x_last * w - y_last) ** 2)
    return w, losses
'''


def renamed(source: str) -> str:
    names = {"xs": "inputs", "ys": "targets", "w": "weight", "total": "acc", "history": "trace",
             "grad": "g", "loss": "err", "x": "xi", "y": "yi"}
    return re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: names[m.group(1)], source)


def reordered(source: str) -> str:
    head, *functions = source.split("\n\n\ndef ")
    return "\n\n\ndef ".join([head, *reversed(functions)]) + "\n"


def recommented(source: str) -> str:
    lines = []
    for line in source.splitlines():
        line = re.sub(r"\s*#.*", "", line)
        if line.strip().startswith(("for ", "return ")):
            lines.append(re.match(r"\s*", line).group() + "# this is where the work happens")
        lines.append(line.replace(", ", ",").replace(" * ", "*"))
        if not line.strip():
            lines.append("")
    return "\n".join(lines) + "\n\n# end of my submission\n"


def notebook_with_magics(source: str) -> str:
    nb = nbformat.reads(notebook_from_source(source), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("%matplotlib inline\n!pip install numpy"))
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("# My work"))
    return nbformat.writes(nb)


def write(folder: Path, name: str, text: str | bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def read_csv(out: Path) -> dict[frozenset, dict]:
    rows = list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text())))
    return {frozenset((r["student_a"], r["student_b"])): r for r in rows}


def sim(rows: dict, a: str, b: str) -> float:
    row = rows.get(frozenset((a, b)))
    return float(row["similarity"]) if row else 0.0


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs, out = root / "submissions", root / "results"
    write(subs / "alice", F3, ALICE)
    write(subs / "bob", F3, renamed(ALICE))
    write(subs / "carol", F3, reordered(ALICE))
    write(subs / "dave", F3, recommented(ALICE).replace("\n", "\r\n"))  # and Windows line endings
    write(subs / "erin", F3, ERIN)
    write(subs / "frank", F3, solution_source(EX3))
    write(subs / "henry", NB3, notebook_with_magics(ALICE))
    with zipfile.ZipFile(subs / "gina.zip", "w") as zf:
        zf.writestr(f"gina/{NB3}", notebook_from_source(ERIN))
    write(subs / "stubby", F3, stub_source(EX3))
    write(subs / "stubbier", NB3, notebook_from_source(stub_source(EX3)))
    (subs / "ivan.zip").write_bytes(b"this is not a zip")
    write(subs / "judy", NB3, "{not a notebook")
    write(subs / "kim", F3, "x = 'caf\xe9'\n".encode("latin-1"))
    (subs / "lee").mkdir()
    (subs / "lee" / F3).symlink_to(course_solution())
    # Results of grading the class, which the similarity report must leave as they are.
    out.mkdir()
    (out / "gradebook.csv").write_text("student,ex03-gradient-descent,total\nalice,10,10\n")
    (out / "results.jsonl").write_text(json.dumps({"student": "alice", "exercise": EX3, "score": 10}) + "\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = cli("similarity", subs, "--out", out, "--exercises", EX3)
    return subs, out, result, before


def course_solution() -> Path:
    from pttutor.grader import course

    return course.default().get(EX3).solution_path


def test_copies_and_the_reference_are_flagged(klass):
    _, out, result, _ = klass
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    for copy in ("bob", "carol", "dave", "henry"):  # renamed, reordered, re-commented, a notebook
        assert sim(rows, "alice", copy) >= 0.9, copy
    assert sim(rows, "frank", REF) == 1.0  # handed in the reference solution
    assert sim(rows, "erin", "gina") == 1.0  # a .py file and a notebook in a .zip: the same code
    for pair in [("alice", "erin"), ("alice", REF), ("erin", REF)]:  # independent solutions
        assert sim(rows, *pair) < THRESHOLD, pair
    assert all(0 <= float(r["similarity"]) <= 1 for r in rows.values())


def test_the_stub_never_counts(klass):
    _, out, _, _ = klass
    rows = read_csv(out)
    # Two untouched stubs (a script and the notebook students get) are the same code, yet share nothing.
    assert not [pair for pair in rows if pair & {"stubby", "stubbier"}]


def test_csv_is_sorted_and_counts_tokens(klass):
    _, out, _, _ = klass
    rows = list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text())))
    assert list(rows[0]) == ["exercise", "student_a", "student_b", "similarity", "matched_tokens",
                             "share_a", "share_b"]
    values = [float(r["similarity"]) for r in rows]
    assert values == sorted(values, reverse=True)
    reference_row = next(r for r in rows if {r["student_a"], r["student_b"]} == {"frank", REF})
    assert reference_row["student_b"] == REF  # the student's side first
    assert int(reference_row["matched_tokens"]) > 100
    assert {r["exercise"] for r in rows} == {EX3}


def test_bad_input_is_reported_per_student_and_the_run_goes_on(klass):
    _, out, result, _ = klass
    output = result.output
    assert "could not read ivan: ivan.zip is not a readable zip archive" in output
    assert re.search(r"could not read judy \(ex03-gradient-descent\): not a valid Jupyter notebook", output)
    assert "could not read kim (ex03-gradient-descent): ex03_gradient_descent.py is not UTF-8 text" in output
    assert "could not read lee (ex03-gradient-descent): ex03_gradient_descent.py is a link" in output
    rows = read_csv(out)
    assert not [pair for pair in rows if pair & {"ivan", "judy", "kim", "lee"}]
    page = (out / "similarity" / f"{EX3}.html").read_text()
    assert "Could not be read" in page and "ivan.zip is not a readable zip archive" in page


def test_output_says_it_is_no_verdict_and_lists_flagged_pairs(klass):
    _, out, result, _ = klass
    assert "a reason to look, not a verdict" in result.output
    assert re.search(r"1\.00  frank  \(reference\)  \(\d+ tokens shared\)", result.output)
    assert re.search(r"\d\.\d\d  alice  bob ", result.output)
    assert " alice  erin " not in result.output
    page = (out / "similarity" / f"{EX3}.html").read_text()
    assert "a reason to look, not a verdict" in page and "for instructors only" in page


def test_scores_are_left_as_they_were(klass):
    _, out, _, before = klass
    for name, content in before.items():
        assert (out / name).read_bytes() == content


def test_report_is_private(klass):
    _, out, _, _ = klass
    assert stat.S_IMODE((out / "similarity").stat().st_mode) == 0o700
    for path in [out / "similarity.csv", out / "similarity" / f"{EX3}.html"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_html_shows_pairs_side_by_side_with_the_shared_code_marked(klass):
    _, out, _, _ = klass
    page = (out / "similarity" / f"{EX3}.html").read_text()
    section = re.search(r'<section id="pair-\d+">.*?frank &ndash; \(reference\).*?</section>', page, re.S).group()
    assert section.count("<pre>") == 2
    marked = "".join(re.findall(r"<mark>(.*?)</mark>", section, re.S))
    assert "sgd_gradient" in marked
    assert "raise NotImplementedError" not in marked  # nor any other line of the stub
    # The reference's code is shown (the report is for instructors only).
    assert "loss_history.append(last_loss)" in section
    # Marks begin and end on whole tokens, never inside a name.
    def word(c: str) -> bool:
        return c.isalnum() or c == "_"

    for before, inside, after in re.findall(r"(.)<mark>(.*?)</mark>(.)", section, re.S):
        assert not (word(before) and word(inside[0])) and not (word(inside[-1]) and word(after)), inside


def test_other_copydetect_tokenizers_fall_back_to_characters(monkeypatch):
    """If copydetect normalizes differently, tokens are counted as characters and marks still fit the code."""
    monkeypatch.setattr(similarity, "_NAMES", set())  # no longer rebuilds copydetect's text
    none = np.array([], dtype=np.int64)
    a, b = (similarity.document(s, "f.py", ALICE, none) for s in "ab")
    assert a.weights.sum() == len(a.filtered)
    (pair,) = similarity.pairs(EX3, [a, b])
    assert pair.similarity == 1.0 and pair.matched == len(a.filtered)
    slices = similarity.shared_slices(a, b)
    assert slices.shape[1] >= 1 and 0 <= slices.min() and slices.max() <= len(a.code)


def test_out_inside_submissions_is_refused(klass):
    subs, _, _, _ = klass
    result = cli("similarity", subs, "--out", subs / "report", "--exercises", EX3)
    assert result.exit_code == 2 and "inside the submissions folder" in result.output
    assert not (subs / "report").exists()


def test_hostile_names_and_code_are_escaped(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    payload = "</pre><script>alert(1)</script>"
    evil = ALICE.replace("# the model has no bias term", f"# {payload}")
    for name in ("=HYPERLINK(\"evil\")", "+1", "-2", "@SUM(A1)", "<img src=x onerror=alert(1)>"):
        write(subs / name, F3, evil)
    write(subs / "\tTAB", F3, evil)
    result = cli("similarity", subs, "--out", out, "--exercises", EX3)
    assert result.exit_code == 0, result.output
    text = (out / "similarity.csv").read_text()
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row[1:3]]
    assert "'=HYPERLINK(\"evil\")" in cells and "'+1" in cells and "'-2" in cells
    assert "'@SUM(A1)" in cells and "'\tTAB" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    page = (out / "similarity" / f"{EX3}.html").read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Content-Security-Policy" in page


def test_csv_safe_and_highlight_escape():
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("\rx") == "'\rx" and csv_safe("alice") == "alice"
    assert csv_safe(0.5) == 0.5
    code = "a<b>&c"
    assert highlighted(code, np.array([[1], [4]])) == "a<mark>&lt;b&gt;</mark>&amp;c"


def test_token_count_follows_the_lexer():
    code = "x = 1 + foo(y)  # a comment\n"
    filtered = similarity.kgram_hashes(code)[0]
    assert filtered == "V=1+V(V)"
    assert similarity.token_map(code, filtered, np.array([]))[0].tolist() == [1, 1, 1, 1, 1, 1, 1, 1]
    code = "def f(a):\n    return a * 2.5\n"
    filtered = similarity.kgram_hashes(code)[0]
    assert filtered == "defF(V):returnV*2.5"
    starts = similarity.token_map(code, filtered, np.array([]))[0].tolist()
    assert starts == [1, 0, 0, 1, 1, 1, 1, 1, 1] + [0] * 5 + [1, 1, 1, 0, 0]  # def F ( V ) : return V * 2.5


def _variant(rng: random.Random, source: str) -> str:
    lines = source.splitlines()
    keep = [line for line in lines if rng.random() > 0.3]
    return "\n".join(keep) + "\n"


def test_measurement_equals_copydetects_own_comparison():
    """The inverted index measures exactly what copydetect's compare_files finds, pair by pair."""
    from copydetect import CodeFingerprint, compare_files

    from pttutor.grader import course

    rng = random.Random(3)
    sources = [ALICE, ERIN, renamed(ALICE)] + [ex.solution_path.read_text() for ex in course.default().exercises[:5]]
    sources += [_variant(rng, s) for s in sources for _ in range(2)]
    none = np.array([], dtype=np.int64)
    docs = [similarity.document(str(i), "f.py", s, none) for i, s in enumerate(sources)]
    for doc in docs:  # count characters, as copydetect does
        doc.weights = np.ones(len(doc.filtered))
        starts = np.zeros(len(doc.filtered) + 1, dtype=np.int32)
        starts[doc.starts] = 1
        doc.tokens = float(similarity.covered(starts, len(doc.filtered)) @ doc.weights)
    m = similarity.matched_tokens(docs)
    prints = [CodeFingerprint("f.py", similarity.K, 1, fp=io.StringIO(d.code)) for d in docs]
    for a in range(len(docs)):
        for b in range(len(docs)):
            if a != b:
                overlap, (share, _), _ = compare_files(prints[a], prints[b])
                assert m[a, b] == overlap, (a, b)
                assert m[a, b] / docs[a].tokens == pytest.approx(share), (a, b)
    assert (m > 0).sum() > len(docs)  # the files do share code


def test_repeated_code_counts_in_full():
    block = "def area(width, height):\n    return width * height + width / height - height\n"
    stub = np.array([], dtype=np.int64)
    twice = similarity.document("a", "f.py", block + "\n" + block.replace("area", "area2"), stub)
    once = similarity.document("b", "f.py", block, stub)
    (pair,) = similarity.pairs(EX3, [twice, once])
    assert pair.share_a == 1.0 and pair.share_b == 1.0 and pair.similarity == 1.0


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def _flag_encrypted(data: bytes) -> bytes:
    data = bytearray(data)
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(signature)
        data[i + at] |= 1
    return bytes(data)


def _unknown_method(data: bytes) -> bytes:
    data = bytearray(data)
    for signature, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        i = data.find(signature)
        data[i + at:i + at + 2] = (99).to_bytes(2, "little")
    return bytes(data)


def test_damaged_archives_are_reported_and_the_run_goes_on(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    good = _zip({F3: ALICE})
    (subs).mkdir()
    (subs / "crc.zip").write_bytes(good.replace(b"the model has no bias", b"the model has no BIAS"))
    (subs / "locked.zip").write_bytes(_flag_encrypted(good))
    (subs / "method.zip").write_bytes(_unknown_method(good))
    write(subs / "alice", F3, ALICE)
    write(subs / "bob", F3, renamed(ALICE))
    result = cli("similarity", subs, "--out", out, "--exercises", EX3)
    assert result.exit_code == 0, result.output
    for name in ("crc", "locked", "method"):
        assert f"could not read {name}: {name}.zip" in result.output
    assert sim(read_csv(out), "alice", "bob") >= 0.9


def test_help_imports_nothing_heavy():
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "from pttutor.grader.cli import main; main()",
                           "similarity", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--threshold" in done.stdout, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "click" in imported
    assert not imported & {"torch", "numpy", "nbformat", "pytest", "copydetect", "pygments"}
