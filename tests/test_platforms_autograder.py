"""run_autograder and the PrairieLearn entrypoint, run as the platforms run them.

Each run happens in a mount namespace where ``/autograder`` (or ``/grade``) is a fresh tmpfs laid
out as the platform lays it out, and the script runs as root without CAP_SYS_ADMIN (``setpriv
--bounding-set -sys_admin``), like a default Docker container: the sandbox's container mode.
The scripts use the pttutor installed here (``setup.sh`` and the Docker build install from the
network and are not run). Submissions: a correct one, a partial one (a recorded student mistake
applied to the reference, inside a zip), a missing one, and a thief that reads the planted
reference solution and the autograder's files and writes into the results.

The thief is run twice: without isolation (``PTTUTOR_SANDBOX=process``), where the attack must
succeed, so that the test is known to attack; and in container mode, where it must get
nothing. The container-mode runs are skipped until the sandbox reports that mode.
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import solution_source, stub_source
from platforms_support import assert_gradescope_format, assert_prairielearn_format
from pttutor.grader import course
from pttutor.grader.authoring import mistakes
from pttutor.grader.cli import main

EX2, EX3, EX4 = "ex02-cost-surface", "ex03-gradient-descent", "ex04-backprop"
F2, F3 = "ex02_cost_surface.py", "ex03_gradient_descent.py"
NO_SYS_ADMIN = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]
SECRET = "pttutor-planted-secret-7f3a"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("unshare")
                       or not shutil.which("setpriv"), reason="needs Linux, root, unshare and setpriv"),
]

PROBE = """
import pathlib, sys, tempfile
from pttutor.grader.sandbox.session import Session
folder = pathlib.Path(tempfile.mkdtemp())
session = Session(source="x = 1\\n", filename=str(folder / "probe.py"), module_name="probe", folder=folder,
                  sandbox="container")
try:
    session.start()
    print(session.mode)
finally:
    session.close()
"""


@functools.cache
def container_mode_available() -> bool:
    """Whether the sandbox builds its container mode where CAP_SYS_ADMIN is missing (it reports the mode)."""
    done = subprocess.run([*NO_SYS_ADMIN, sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    return done.returncode == 0 and done.stdout.strip().splitlines()[-1:] == ["container"]


@pytest.fixture
def container_mode():
    if not container_mode_available():
        pytest.skip("the sandbox's container mode (root without CAP_SYS_ADMIN) is not available yet")
    return "container"


def partial_source() -> str:
    ex = course.default().get(EX3)
    mistake = mistakes.read(sorted(ex.mistakes_dir.glob("*.py"))[0])
    return mistakes.apply(solution_source(EX3), mistake)


THIEF = f"""
import pathlib
STOLEN = ""
for secret in ("{{root}}/source/{F2}", "{{root}}/serverFilesCourse/{F2}"):
    try:
        STOLEN = pathlib.Path(secret).read_text()
        break
    except OSError:
        pass
for target in ("{{root}}/results/results.json", "{{root}}/results/stolen.txt"):
    try:
        pathlib.Path(target).write_text('{{"score": 1000, "gradable": true, "tests": []}}')
    except OSError:
        pass
exec(STOLEN)
"""


def thief_source(root: str) -> str:
    return stub_source(EX2) + THIEF.replace("{root}", root)


def run_in_layout(tmp_path: Path, root: str, stage: Path, command: list[str], sandbox: str) -> tuple[dict, list[str], str]:
    """Run ``command`` (as root without CAP_SYS_ADMIN) with ``root`` a tmpfs holding a copy of ``stage``.

    Returns the results.json it wrote, the names in the results folder, and what it printed;
    ``readable`` is set to the top-level folders that an unprivileged user could list afterwards.
    """
    Path(root).mkdir(exist_ok=True)  # the mount point; the namespace puts a tmpfs over it
    out = tmp_path / "out"
    out.mkdir()
    script = ('set -eu\nmount -t tmpfs -o size=256m,mode=755 tmpfs "$ROOT"\ncp -a "$STAGE"/. "$ROOT"/\n'
              '"$@" > "$OUT/stdout" 2>&1 || echo "exit status $?" >> "$OUT/stdout"\n'
              'ls -A "$ROOT/results" > "$OUT/listing"\ncp "$ROOT/results/results.json" "$OUT/results.json"\n'
              # What an unprivileged user (the uid graded code runs as) can do in the layout afterwards.
              'for path in "$ROOT"/*/; do\n'
              '  if setpriv --reuid 65534 --regid 65534 --clear-groups ls "$path" >/dev/null 2>&1; then\n'
              '    echo "$(basename "$path")" >> "$OUT/readable"; fi\ndone\ntouch "$OUT/readable"\n')
    env = os.environ | {"ROOT": root, "STAGE": str(stage), "OUT": str(out), "PTTUTOR_SANDBOX": sandbox,
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PTTUTOR_COURSE", None)
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script, "layout",
                           *NO_SYS_ADMIN, *command], env=env, capture_output=True, text=True, timeout=900)
    printed = (out / "stdout").read_text() if (out / "stdout").exists() else ""
    assert done.returncode == 0, done.stderr + printed
    run_in_layout.readable = (out / "readable").read_text().split()
    return json.loads((out / "results.json").read_text()), (out / "listing").read_text().split(), printed


def gradescope_stage(tmp_path: Path, submission: dict[str, str | bytes], exercises: list[str]) -> Path:
    stage = tmp_path / "stage"
    bundle = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["autograder", "gradescope", str(bundle), "--exercises", ",".join(exercises)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(stage / "source")
    shutil.copy(stage / "source" / "run_autograder", stage / "run_autograder")
    os.chmod(stage / "run_autograder", 0o755)
    (stage / "source" / F2).write_text(solution_source(EX2))  # what a thief would like to read
    (stage / "source" / "secret.txt").write_text(SECRET)
    for name, data in submission.items():
        path = stage / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return stage


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def by_exercise(data: dict, key: str = "tags") -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for test in data["tests"]:
        name = test[key][0] if key == "tags" else test["name"].split(":")[0]
        groups.setdefault(name, []).append(test)
    return groups


def test_gradescope_correct_partial_and_missing(tmp_path):
    sandbox = "container" if container_mode_available() else "process"
    submission = {F2: solution_source(EX2), "notes/scratch.py": "print('hello')\n",
                  "work.zip": zipped({f"hw/{F3}": partial_source()})}
    stage = gradescope_stage(tmp_path, submission, [EX2, EX3, EX4])
    data, listing, printed = run_in_layout(tmp_path, "/autograder", stage, ["/autograder/run_autograder"], sandbox)
    assert_gradescope_format(data)
    assert listing == ["results.json"], printed
    tests = by_exercise(data)
    assert sum(t["score"] for t in tests[EX2]) == 10 and all(t["status"] == "passed" for t in tests[EX2])
    partial = sum(t["score"] for t in tests[EX3])
    assert 0 < partial < 10 and any(t["status"] == "failed" for t in tests[EX3])
    assert [t["name"] for t in tests[EX4]] == [f"{EX4}: not submitted"] and tests[EX4][0]["max_score"] == 10
    assert data["score"] == 10 + partial
    assert {t["visibility"] for t in data["tests"] if "hidden" in t["tags"]} == {"after_due_date"}
    assert "graded work.zip: ex03\\_gradient\\_descent.py" in data["output"]
    assert "notes/scratch.py" in data["output"] and f"({sandbox})" in data["output"]
    assert data["stdout_visibility"] == "hidden" and data["execution_time"] >= 1
    # run_autograder's own part of the protection: whatever the sandbox does, an unprivileged uid
    # can list neither the autograder's files nor the results.
    # (in the container mode the grader also makes the submission itself private to root)
    assert run_in_layout.readable == ([] if sandbox == "container" else ["submission"])


def test_gradescope_thief_succeeds_without_isolation(tmp_path):
    """The control: with no isolation the attack works, so the container-mode test below attacks for real."""
    stage = gradescope_stage(tmp_path, {F2: thief_source("/autograder")}, [EX2])
    data, listing, printed = run_in_layout(tmp_path, "/autograder", stage, ["/autograder/run_autograder"], "process")
    assert data["score"] == 10, printed  # it read the planted reference solution
    assert "stolen.txt" in listing


def test_gradescope_thief_gets_nothing_in_container_mode(tmp_path, container_mode):
    stage = gradescope_stage(tmp_path, {F2: thief_source("/autograder")}, [EX2])
    data, listing, printed = run_in_layout(tmp_path, "/autograder", stage, ["/autograder/run_autograder"],
                                           container_mode)
    assert_gradescope_format(data)
    assert data["score"] == 0, printed
    assert listing == ["results.json"] and SECRET not in json.dumps(data)
    assert "(container)" in data["output"]


def prairielearn_stage(tmp_path: Path, student: dict[str, str]) -> Path:
    stage = tmp_path / "stage"
    result = CliRunner().invoke(main, ["autograder", "prairielearn", str(tmp_path / "pl"), "--exercises", EX2])
    assert result.exit_code == 0, result.output
    shutil.copytree(tmp_path / "pl" / "serverFilesCourse", stage / "serverFilesCourse")
    (stage / "serverFilesCourse" / F2).write_text(solution_source(EX2))
    (stage / "data").mkdir(parents=True)
    (stage / "data" / "data.json").write_text(json.dumps({"params": {}, "correct_answers": {"secret": SECRET}}))
    (stage / "student").mkdir()
    for name, text in student.items():
        (stage / "student" / name).write_text(text)
    return stage


ENTRYPOINT = "/grade/serverFilesCourse/pttutor/entrypoint"


def test_prairielearn_correct_and_missing(tmp_path):
    sandbox = "container" if container_mode_available() else "process"
    stage = prairielearn_stage(tmp_path, {F2: solution_source(EX2)})
    data, listing, printed = run_in_layout(tmp_path, "/grade", stage, [ENTRYPOINT, EX2, EX4], sandbox)
    assert_prairielearn_format(data)
    assert listing == ["results.json"], printed
    assert data["gradable"] is True and data["score"] == pytest.approx(0.5)
    # not serverFilesCourse, data nor results (nor, in the container mode, the student's own files)
    assert run_in_layout.readable == ([] if sandbox == "container" else ["student"])
    names = [t["name"] for t in data["tests"]]
    assert f"{EX4}: not submitted" in names and sum(n.startswith(EX2) for n in names) > 1
    assert all(t["points"] == t["max_points"] for t in data["tests"] if t["name"].startswith(EX2))
    nothing = prairielearn_stage(tmp_path / "again", {"answer.txt": "42"})
    data, _, _ = run_in_layout(tmp_path / "again", "/grade", nothing, [ENTRYPOINT], sandbox)
    assert_prairielearn_format(data)
    assert data["gradable"] is False and "ex02_cost_surface.py" in " ".join(data["format_errors"])


def test_prairielearn_thief_gets_nothing_in_container_mode(tmp_path, container_mode):
    stage = prairielearn_stage(tmp_path, {F2: thief_source("/grade")})
    data, listing, printed = run_in_layout(tmp_path, "/grade", stage, [ENTRYPOINT, EX2], container_mode)
    assert_prairielearn_format(data)
    assert data["score"] == 0.0, printed
    assert listing == ["results.json"] and SECRET not in json.dumps(data)
