"""Helpers shared by an exercise's public and hidden checks live in ``common.py`` beside them.

Check files are loaded by path (their folders are named after exercise ids, which are not
Python identifiers), so they import their shared helpers with::

    from pttutor.grader.checkmodule import common
    helpers = common(__file__)

``common.py`` ships in the student kit with the public checks, so it must hold nothing that
gives a hidden check away.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def common(check_file: str) -> ModuleType:
    """The ``common.py`` module next to ``check_file``, imported once."""
    path = Path(check_file).resolve().parent / "common.py"
    name = f"pttutor_checks_{path.parent.name.replace('-', '_')}_common"
    module = sys.modules.get(name)
    if module is None or getattr(module, "__file__", None) != str(path):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module
