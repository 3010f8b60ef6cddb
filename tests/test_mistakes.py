"""Recorded mistakes are stored as the definitions that differ and applied onto the reference."""

from __future__ import annotations

import ast

import pytest

from pttutor.grader.authoring import mistakes

REFERENCE = '''"""doc"""

import numpy as np

X = 1


def forward(x):
    return x * 2


def loss(x):
    return forward(x) ** 2


if __name__ == "__main__":
    print(loss(X))
'''


def _mistake(tmp_path, text: str) -> mistakes.Mistake:
    path = tmp_path / "m.py"
    path.write_text(text)
    return mistakes.read(path)


def _functions(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    return {n.name: ast.unparse(n) for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_a_definition_replaces_the_reference_one_in_place(tmp_path):
    m = _mistake(tmp_path, "# fails: forward_doubles\n\ndef forward(x):\n    return x * 3\n")
    out = mistakes.apply(REFERENCE, m)
    assert _functions(out)["forward"] == "def forward(x):\n    return x * 3"
    assert _functions(out)["loss"] == _functions(REFERENCE)["loss"]
    assert out.index("def forward") < out.index("def loss") < out.index("__main__")
    assert m.fails == ("forward_doubles",) and m.parts() == ("forward",)


def test_new_statements_and_imports_are_added_and_main_can_be_deleted(tmp_path):
    text = "# fails: a, b\n# delete: __main__\n\nimport math\n\nY = math.pi\n\n\ndef helper():\n    return Y\n"
    out = mistakes.apply(REFERENCE, _mistake(tmp_path, text))
    tree = ast.parse(out)
    assert "__main__" not in out
    assert [type(n).__name__ for n in tree.body][:3] == ["Expr", "Import", "Import"]
    assert "helper" in _functions(out) and "Y = math.pi" in out
    exec(compile(out, "m", "exec"), {"__name__": "m"})


def test_bad_mistake_files_are_refused(tmp_path):
    with pytest.raises(mistakes.MistakeError, match="fails"):
        _mistake(tmp_path, "def forward(x):\n    return x\n")
    with pytest.raises(mistakes.MistakeError, match="reference has no"):
        mistakes.apply(REFERENCE, _mistake(tmp_path, "# fails: a\n# delete: nothing\n"))


CLASS_REFERENCE = '''class Net:
    """doc"""

    def __init__(self):
        self.w = 2

    def forward(self, x):
        return self.w * x

    def name(self):
        return "net"
'''


def test_a_partial_class_replaces_only_the_methods_it_defines(tmp_path):
    m = _mistake(tmp_path, "# fails: forward\n# partial: Net\n\nclass Net:\n    def forward(self, x):\n"
                           "        return self.w + x\n")
    out = mistakes.apply(CLASS_REFERENCE, m)
    namespace = {}
    exec(compile(out, "m", "exec"), namespace)
    net = namespace["Net"]()
    assert net.forward(3) == 5 and net.name() == "net" and namespace["Net"].__doc__ == "doc"
    assert m.parts() == ("Net",)
    whole = mistakes.apply(CLASS_REFERENCE, _mistake(tmp_path, "# fails: forward\n\nclass Net:\n"
                                                               "    def forward(self, x):\n        return x\n"))
    assert "def name" not in whole  # without the header the class is replaced whole
    with pytest.raises(mistakes.MistakeError, match="has no"):
        mistakes.apply(CLASS_REFERENCE, _mistake(tmp_path, "# fails: a\n# partial: Net\n\nclass Net:\n"
                                                           "    def other(self):\n        return 1\n"))
