"""`pttutor-grade data`: where each data set is found, with one convention for every loader."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import SHARED_DATA
from pttutor.datasets import catalog
from pttutor.grader.cli import main


def test_empty_folder_lists_every_data_set_as_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("PTTUTOR_DATA", raising=False)
    result = CliRunner().invoke(main, ["data", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"data folder: {tmp_path}" in result.output
    for entry in catalog.ENTRIES:
        assert f"{entry.name:<10} missing:" in result.output
    assert "pttutor-grade data --download diabetes" in result.output
    assert "kaggle.com/competitions/titanic" in result.output


def test_environment_variable_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PTTUTOR_DATA", str(tmp_path))
    result = CliRunner().invoke(main, ["data"])
    assert f"data folder: {tmp_path}" in result.output


def test_kaggle_data_cannot_be_downloaded_and_unknown_names_are_refused(tmp_path):
    result = CliRunner().invoke(main, ["data", "--data-dir", str(tmp_path), "--download", "otto"])
    assert result.exit_code == 1 and "Kaggle" in result.output
    result = CliRunner().invoke(main, ["data", "--data-dir", str(tmp_path), "--download", "imagenet"])
    assert result.exit_code == 2 and "unknown data set" in result.output


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the shared course data is not here")
def test_real_course_data_is_found():
    result = CliRunner().invoke(main, ["data", "--data-dir", str(SHARED_DATA)])
    for name in ("diabetes", "titanic", "otto", "names", "sentiment"):
        line = next(line for line in result.output.splitlines() if line.strip().startswith(name))
        assert "missing" not in line, line
