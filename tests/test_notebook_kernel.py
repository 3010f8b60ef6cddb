"""``pttutor.check()`` in real Jupyter kernels (ipykernel, driven by nbclient): a student's
session, a notebook that replaces the grader's functions, and the installed student kit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import solution_source

from pttutor.grader import course
from pttutor.grader.grading import engine
from pttutor.grader.notebook.history import read_history
from pttutor.grader.student.notebooks import stub_text
from pttutor.grader.student.workspace import STATE_FILE, init

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.slow

EX2 = "ex02-cost-surface"
BODY = solution_source(EX2).split('if __name__ == "__main__":')[0]
WRONG_FORWARD = "def forward(x, w, b):\n    return x * w"
RIGHT_FORWARD_THEN_FAILS = "def forward(x, w, b):\n    return x * w + b\nprint(name_that_does_not_exist)"
SUM_NOT_MEAN = ("def mse(x, y, w, b):\n"
                "    return float(np.sum((forward(np.asarray(x), w, b) - np.asarray(y)) ** 2))")


def kernel_spec(root: Path, python: str) -> Path:
    """A kernel spec named ``pttutor-test`` that starts ``python``; returns the Jupyter path holding it."""
    spec = root / "kernels" / "pttutor-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pttutor test", "language": "python"}))
    return root


def execute(cells: list[str], cwd: Path, jupyter_path: Path, **env: str) -> list[dict]:
    """Run ``cells`` in a fresh kernel started in ``cwd``; each cell's outputs."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    kernel_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | env
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter_path))
        client = nbclient.NotebookClient(nb, kernel_name="pttutor-test", timeout=600, allow_errors=True,
                                         resources={"metadata": {"path": str(cwd)}})
        client.execute(env=kernel_env)
    return [cell.outputs for cell in nb.cells]


def shown(outputs: list[dict], mime: str = "text/html") -> str:
    return "".join(o.get("data", {}).get(mime, "") for o in outputs if o["output_type"] in ("display_data",
                                                                                             "execute_result"))


def printed(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


def errors(outputs: list[dict]) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory) -> Path:
    return kernel_spec(tmp_path_factory.mktemp("jupyter"), sys.executable)


# ---------------------------------------------------------------- a student's session
SESSION = [
    "%matplotlib inline",
    BODY + "\n" + WRONG_FORWARD,
    RIGHT_FORWARD_THEN_FAILS,  # fails when run, after defining the right forward: still included
    "import pttutor\nr = pttutor.check()\nr",  # no id: the notebook's metadata says which exercise
    "r",  # shown again when asked for in a later cell
    SUM_NOT_MEAN,
    "r2 = pttutor.check()",
    "import json\nprint(json.dumps({'first': [r.score, r.max_score, r.passed], "
    "'second': [r2.score, r2.max_score, r2.passed], 'failed': [c.name for c in r2.checks if not c.passed]}))",
    "print(pttutor.export())",
    "pttutor.export(to='.')",  # never over the notebook the student works in
    "saved = pttutor.check(saved=True)\nprint(saved.score, saved.max_score)",  # the file: still the stub
    "pttutor.hint()",
]


@pytest.fixture(scope="module")
def session(jupyter, tmp_path_factory):
    workspace = tmp_path_factory.mktemp("workspace")
    init(workspace, "ipynb")
    notebook = workspace / course.default().get(EX2).notebook
    # Jupyter Server names the kernel's notebook in $JPY_SESSION_NAME
    outputs = execute(SESSION, workspace, jupyter, JPY_SESSION_NAME=str(notebook))
    return workspace, outputs


def test_a_correct_notebook_shows_the_full_public_score(session):
    workspace, outputs = session
    assert errors(outputs[2]) and "name_that_does_not_exist" in errors(outputs[2])[0]
    assert errors(outputs[3]) == [], printed(outputs[3])
    results = json.loads(printed(outputs[7]))
    score, max_score, passed = results["first"]
    assert score == max_score > 0 and passed is True
    html = shown(outputs[3])
    assert f"<b>{EX2}</b>" in html and f"{score}/{max_score}</b>" in html and "FAIL" not in html
    hidden = course.default().get(EX2).points - max_score
    assert f"hidden checks: {hidden} more points" in html
    assert "of your 60 s budget" in html and "sandbox: " in html
    assert "In [1]: %matplotlib inline" in html  # the magic was dropped and listed
    assert "run for its definitions only" in html  # the failing cell was re-run too, and its forward graded
    text = shown(outputs[3], "text/plain")
    assert f"{score}/{max_score}" in text and "PASS" in text
    # check() shows the report; the same report as that cell's value is not shown twice
    assert [o["output_type"] for o in outputs[3]] == ["display_data"]
    assert shown(outputs[4]) == html


def test_a_notebook_with_a_mistake_shows_the_message(session):
    workspace, outputs = session
    results = json.loads(printed(outputs[7]))
    score, max_score, passed = results["second"]
    assert results["failed"] == ["mse"] and passed is False and score < max_score
    html = shown(outputs[6])
    assert "FAIL" in html and "average them instead" in html
    assert f"pttutor.hint(&quot;{EX2}&quot;)" in html


def test_export_writes_what_check_graded(session):
    workspace, outputs = session
    exported = workspace / "hand-in" / course.default().get(EX2).notebook
    assert str(exported.relative_to(workspace)) in printed(outputs[8])
    notebook = json.loads(exported.read_text())
    assert notebook["metadata"]["pttutor"] == {"exercise": EX2}
    upto = SESSION.index("print(pttutor.export())") + 1  # every cell run before, and the exporting one
    assert [c["execution_count"] for c in notebook["cells"]] == list(range(1, upto + 1))
    assert errors(outputs[9]) and "is your exercise file itself" in errors(outputs[9])[0]
    sources = [c["source"] for c in json.loads((workspace / exported.name).read_text())["cells"]]
    assert sources == [c["source"] for c in json.loads(stub_text(course.default().get(EX2), "ipynb"))["cells"]]
    report = engine.grade(course.default().get(EX2), exported)
    second = json.loads(printed(outputs[7]))["second"]
    assert [report.score, report.max_score] == second[:2]


def test_the_saved_notebook_and_the_hint_when_asked_for(session):
    workspace, outputs = session
    ex = course.default().get(EX2)
    score, max_score = printed(outputs[10]).split()
    assert score == "0" and int(max_score) > 0  # the notebook as saved is still init's stub
    assert f"graded: the notebook as saved in {workspace / ex.notebook}" in shown(outputs[10], "text/plain")
    assert "np.meshgrid" in shown(outputs[11]) and ex.title in shown(outputs[11])
    # each check is recorded in the workspace, like pttutor-grade check's; the last one counts
    progress = json.loads((workspace / STATE_FILE).read_text())["progress"][EX2]
    assert (progress["score"], progress["max_score"], progress["status"]) == (0, int(max_score), "pending")


# ---------------------------------------------------------------- replacing the grader's functions
CHEAT = [
    BODY + "\n" + WRONG_FORWARD + "\n" + SUM_NOT_MEAN,
    "import numpy, torch, pytest\n"
    "from pttutor.grader import check as c\n"
    "from pttutor.grader.grading import engine\n"
    "c.close = c.that = c.number = lambda *a, **k: None\n"
    "torch.allclose = numpy.allclose = lambda *a, **k: True\n"
    "pytest.main = lambda *a, **k: 0\n"
    "engine.grade = lambda *a, **k: None",
    "import pttutor\nr = pttutor.check('ex02')\nprint(r.score, r.max_score)",
    "pttutor.check = lambda *a, **k: print('5/5 every check passed')\npttutor.check()",
]


def test_a_notebook_that_replaces_the_graders_functions_gains_nothing(jupyter, tmp_path):
    outputs = execute(CHEAT, tmp_path, jupyter)
    assert not any(errors(o) for o in outputs), [errors(o) for o in outputs]
    ex = course.default().get(EX2)
    honest = engine.grade(ex, read_history(CHEAT, tmp_path / ex.notebook)[0])
    assert 0 < honest.score < honest.max_score
    assert printed(outputs[2]).split() == [str(honest.score), str(honest.max_score)]
    assert "average them instead" in shown(outputs[2])
    # Redefining pttutor.check fools only the kernel that did it: the notebook, graded as a
    # file the way an instructor grades it, earns the same.
    assert "every check passed" in printed(outputs[3])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CHEAT]
    saved = tmp_path / "saved" / ex.notebook
    saved.parent.mkdir()
    saved.write_text(nbformat.writes(nb))
    graded = engine.grade(ex, saved)
    assert (graded.score, graded.max_score) == (honest.score, honest.max_score)


# ---------------------------------------------------------------- the student kit
def _one_exercise_course(root: Path, ex: course.Exercise) -> Path:
    the_course = course.default()
    (root / "exercises").mkdir(parents=True)
    shutil.copy(the_course.public_root / "__init__.py", root / "exercises" / "__init__.py")
    shutil.copytree(ex.public_dir, root / "exercises" / ex.id, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ex.private_dir, root / "solutions" / ex.id, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(the_course.private_root / "__init__.py", root / "solutions" / "__init__.py")
    fields = {"id": ex.id, "title": ex.title, "file": ex.file, "points": ex.points, "budget": ex.budget,
              "hint": ex.hint, "course": ex.course}
    (root / "exercises" / "info.toml").write_text(
        "[[exercises]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items()))
    return root


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    source = _one_exercise_course(tmp_path_factory.mktemp("course"), course.default().get(EX2))
    out = tmp_path_factory.mktemp("release") / "kit"
    env = dict(os.environ, PTTUTOR_COURSE=str(source))
    done = subprocess.run([sys.executable, "-c", "from pttutor.grader.cli import main; main()", "release", str(out)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "pttutor" / "__init__.py").is_file() and not any(out.glob("solutions/*/*.py"))
    readme = (out / "README.md").read_text()
    assert "%pip install" in readme and f'pttutor.check("{EX2}")' in readme
    return out


def test_the_installed_student_kit_checks_in_a_notebook(kit, tmp_path):
    # A Python environment of its own, as in Colab: torch and friends are already there, the
    # kit is not; the notebook installs it with one line.
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env_dir)],
                   check=True, timeout=120)
    python = str(env_dir / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in sys.path if p.endswith("site-packages") and "ipykernel" in os.listdir(p)]
    Path(site, "jupyter-tools.pth").write_text("\n".join(here) + "\n")  # ipykernel for the kernel itself
    jupyter = kernel_spec(tmp_path / "jupyter", python)
    cells = [
        f"%pip install -q --no-deps --no-build-isolation {kit}",
        "import pttutor, pttutor.grader\n"
        "from pttutor.grader import course\n"
        "print(pttutor.grader.__file__)\n"
        "print(course.default().get('ex02-cost-surface').solution_path.exists())",
        BODY,
        "r = pttutor.check('ex02-cost-surface')\nprint(r.score, r.max_score, r.passed)",
        "weak = pttutor.check('ex02-cost-surface', sandbox='process')",
    ]
    outputs = execute(cells, tmp_path, jupyter)
    assert not any(errors(o) for o in outputs), [errors(o) for o in outputs]
    where, solution_there = printed(outputs[1]).split()
    assert where.startswith(site) and solution_there == "False"
    score, max_score, passed = printed(outputs[3]).split()
    assert score == max_score and int(score) > 0 and passed == "True"
    assert f"{score}/{max_score}</b>" in shown(outputs[3])
    assert "sandbox: process (weaker than the full sandbox" in shown(outputs[4])
    assert "grading for marks is your instructor" in shown(outputs[4])
