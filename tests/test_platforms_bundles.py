"""The autograder bundles: Gradescope's autograder.zip and PrairieLearn's external grader folder.

Gradescope's specification: a zip with ``setup.sh`` (run once, as root, to install) and an
executable ``run_autograder`` at its root; ``run_autograder`` grades ``/autograder/submission``
into ``/autograder/results/results.json``. PrairieLearn: an image, an entrypoint that grades
``/grade/student`` into ``/grade/results/results.json``, and a question's
``externalGradingOptions`` (``enabled``, ``image``, ``entrypoint``, ``serverFilesCourse``,
``timeout`` of at most 600 s). ``setup.sh`` and the Docker build install from the network, so
they are checked here as text and with ``bash -n``; the wheel they install is installed for real.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pttutor.grader import __version__, course
from pttutor.grader.cli import main
from pttutor.grader.platforms import bundles

EX2, EX3 = "ex02-cost-surface", "ex03-gradient-descent"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    result = cli("autograder", "gradescope", out, "--exercises", f"{EX2},{EX3}", "--hidden-visibility", "hidden")
    assert result.exit_code == 0, result.output
    return out


def test_gradescope_zip_has_its_two_scripts_at_the_root(gradescope_zip):
    with zipfile.ZipFile(gradescope_zip) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert set(infos) == {"setup.sh", "run_autograder", bundles.WHEEL}
        for name in ("setup.sh", "run_autograder"):
            assert stat.S_IMODE(infos[name].external_attr >> 16) == 0o755
            assert zf.read(name).startswith(b"#!/usr/bin/env bash\n")
        run = zf.read("run_autograder").decode()
        setup = zf.read("setup.sh").decode()
    assert "pttutor-grade autograder grade gradescope /autograder/submission" in run
    assert '"$results/results.json"' in run and "results=/autograder/results" in run
    assert f'--exercises "{EX2},{EX3}"' in run and '--hidden-visibility "hidden"' in run
    assert '--sandbox "${PTTUTOR_SANDBOX:-container}"' in run
    assert "chmod 700 /autograder/source" in run
    assert "https://download.pytorch.org/whl/cpu torch" in setup and f'"./{bundles.WHEEL}"' in setup
    assert "/usr/local/bin/pttutor-grade" in setup and "go-rwx" in setup


def test_bundle_scripts_are_valid_bash(gradescope_zip, tmp_path):
    with zipfile.ZipFile(gradescope_zip) as zf:
        zf.extractall(tmp_path)
    bundles.prairielearn(tmp_path / "pl", [EX2])
    for script in (tmp_path / "setup.sh", tmp_path / "run_autograder", tmp_path / "pl/serverFilesCourse/pttutor/entrypoint"):
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, (script, done.stderr)


def test_the_wheel_installs_pttutor_with_the_whole_course(gradescope_zip, tmp_path):
    with zipfile.ZipFile(gradescope_zip) as zf:
        wheel = tmp_path / bundles.WHEEL
        wheel.write_bytes(zf.read(bundles.WHEEL))
    with zipfile.ZipFile(wheel) as wz:
        record = wz.read(f"pttutor-{__version__}.dist-info/RECORD").decode()
        for line in record.splitlines():
            name, digest, size = line.rsplit(",", 2)
            if digest:
                data = wz.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert (digest, int(size)) == (f"sha256={expected}", len(data)), name
        names = set(wz.namelist())
    assert all(f"pttutor/solutions/{ex.id}/hidden.py" in names for ex in course.default().exercises)
    assert "pttutor/grader/platforms/templates/gradescope-run_autograder" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    probe = ("import pttutor.grader.course as c, pttutor.solutions as s; d = c.default(); "
             "print(s.__file__); print(d.has_private_half, len(d.exercises))")
    env = {k: v for k, v in os.environ.items() if k != "PTTUTOR_COURSE"} | {"PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    where, facts = done.stdout.splitlines()
    assert Path(where).is_relative_to(target)
    assert facts == f"True {len(course.default().exercises)}"
    assert (target / "bin" / "pttutor-grade").is_file()


def test_bundles_are_reproducible(tmp_path):
    bundles.gradescope(tmp_path / "a.zip", [EX2])
    bundles.gradescope(tmp_path / "b.zip", [EX2])
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_prairielearn_folder(tmp_path):
    out = tmp_path / "pl"
    result = cli("autograder", "prairielearn", out, "--exercises", EX3)
    assert result.exit_code == 0, result.output
    docker = (out / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", docker, re.M)
    assert "https://download.pytorch.org/whl/cpu torch" in docker
    assert '"pytest' in docker and '"nbformat' in docker
    assert "COPY" not in docker and ".whl" not in docker  # the image holds no course content
    assert (out / ".dockerignore").read_text().split() == ["serverFilesCourse"]
    entry = out / "serverFilesCourse" / "pttutor" / "entrypoint"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o755
    text = entry.read_text()
    assert "pttutor-grade autograder grade prairielearn /grade/student" in text
    assert '"$results/results.json"' in text and "results=/grade/results" in text
    assert f"${{exercises:-{EX3}}}" in text and '--sandbox "${PTTUTOR_SANDBOX:-container}"' in text
    assert (out / "serverFilesCourse" / "pttutor" / bundles.WHEEL).is_file()
    readme = (out / "README.md").read_text()
    options = json.loads(re.search(r"```json\n(.*?)\n```", readme, re.S).group(1))["externalGradingOptions"]
    assert options["enabled"] is True and options["serverFilesCourse"] == ["pttutor/"]
    assert options["entrypoint"] == f"/grade/serverFilesCourse/pttutor/entrypoint {EX3}"
    budget = course.default().get(EX3).budget
    assert budget < options["timeout"] <= 600
    assert "ex03_gradient_descent.py" in readme and not re.search(r"@[A-Z_]+@", readme)


def test_unknown_exercise_is_a_usage_error(tmp_path):
    result = cli("autograder", "gradescope", tmp_path / "a.zip", "--exercises", "ex99-nothing")
    assert result.exit_code == 2 and "ex99-nothing" in result.output
    assert not (tmp_path / "a.zip").exists()
