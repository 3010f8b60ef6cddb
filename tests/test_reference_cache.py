"""The reference asked once: cached answers are exactly the live ones, or the live reference answers.

The unit tests use a small reference module written here; the last test grades the demo class
in a batch with and without the cache and compares every row.
"""

from __future__ import annotations

import importlib.util
import json
import random

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from pttutor.grader import course
from pttutor.grader.classroom.demo import write_class
from pttutor.grader.cli import main
from pttutor.grader.grading import cached

REFERENCE = '''
import numpy as np
import torch

SCALE = 2.0
history = []


def runs(name):
    """Counts calls in an attribute of a function, which the module's state digest leaves out."""
    runs.seen.append(name)


runs.seen = []


def square(x):
    runs("square")
    return x * x


def noisy(n):
    runs("noisy")
    return torch.rand(n) + float(np.random.rand()) 


def mean64(values):
    runs("mean64")
    return np.mean(np.asarray(values, dtype=np.float64))


def scaled(t):
    runs("scaled")
    return t * SCALE


def fit(model, x):
    runs("fit")
    with torch.no_grad():
        model.weight.add_(1.0)
    return model(x).sum().item()


def shift_in_place(t):
    runs("shift_in_place")
    t.add_(1.0)
    return t.sum().item()


def same_tensor(t):
    runs("same_tensor")
    return t[:2]


def remember(x):
    history.append(x)
    return len(history)


def needs_grad_mode(x):
    runs("needs_grad_mode")
    return (x * 2).requires_grad
'''


@pytest.fixture
def ref(tmp_path):
    path = tmp_path / "refmod.py"
    path.write_text(REFERENCE)
    spec = importlib.util.spec_from_file_location("pttutor_test_refmod", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cache = cached.AnswerCache()
    return cached.CachedModule(module, cache, "ex-test\0digest\0test_check"), module, cache


def runs(module, name):
    return module.runs.seen.count(name)


def test_a_plain_data_call_runs_once_and_gives_a_fresh_copy(ref):
    proxy, module, cache = ref
    x = torch.arange(4.0)
    first = proxy.square(x)
    first.add_(100)  # the check changes what it got: the kept answer is not affected
    again = proxy.square(torch.arange(4.0))
    assert runs(module, "square") == 1 and cache.stats.replayed == 1
    assert type(again) is torch.Tensor and torch.equal(again, torch.tensor([0.0, 1.0, 4.0, 9.0]))
    assert proxy.square(torch.arange(5.0)).shape == (5,) and runs(module, "square") == 2  # other data: live


def test_random_generators_are_keyed_and_restored(ref):
    proxy, module, cache = ref

    def seeded_call():
        torch.manual_seed(3)
        np.random.seed(3)
        random.seed(3)
        out = proxy.noisy(3)
        return out, torch.rand(2), np.random.rand(), random.random()

    live = seeded_call()
    replayed = seeded_call()
    assert runs(module, "noisy") == 1 and cache.stats.replayed == 1
    for a, b in zip(live, replayed):  # the answer and everything drawn after it are the live ones
        assert torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b
    torch.manual_seed(4)
    proxy.noisy(3)  # another generator state is another question
    assert runs(module, "noisy") == 2


def test_answers_keep_their_exact_types(ref):
    proxy, module, _ = ref
    first = proxy.mean64([1.0, 2.0, 4.0])
    second = proxy.mean64([1.0, 2.0, 4.0])
    assert runs(module, "mean64") == 1
    assert type(first) is type(second) is np.float64 and first == second
    assert proxy.mean64([1, 2, 4]) == first and runs(module, "mean64") == 2  # ints are other arguments


@pytest.mark.parametrize("call", [
    "fit",             # a live model among the arguments
    "shift_in_place",  # changes its argument
    "same_tensor",     # the answer is a view of the argument
])
def test_calls_that_cannot_be_replayed_exactly_always_run_live(ref, call):
    proxy, module, cache = ref
    answers = []
    for _ in range(3):
        torch.manual_seed(0)
        if call == "fit":
            model = torch.nn.Linear(2, 1)
            answers.append(proxy.fit(model, torch.ones(1, 2)))
        else:
            t = torch.arange(4.0)
            answers.append(getattr(proxy, call)(t))
            assert call != "shift_in_place" or torch.equal(t, torch.arange(4.0) + 1)  # the change happened
    assert runs(module, call) == 3 and cache.stats.replayed == 0


def test_a_call_that_changes_the_module_is_not_kept(ref):
    proxy, module, cache = ref
    assert [proxy.remember(1), proxy.remember(1), proxy.remember(1)] == [1, 2, 3]
    assert cache.stats.replayed == 0


def test_module_globals_are_part_of_the_key(ref):
    proxy, module, _ = ref
    assert torch.equal(proxy.scaled(torch.ones(2)), torch.full((2,), 2.0))
    proxy.SCALE = 3.0  # a check (or anything) changed the reference's globals
    assert torch.equal(proxy.scaled(torch.ones(2)), torch.full((2,), 3.0))
    assert runs(module, "scaled") == 2


def test_grad_mode_is_part_of_the_key(ref):
    proxy, module, _ = ref
    x = torch.ones(2)
    assert proxy.needs_grad_mode(x) is False
    with torch.no_grad():
        assert proxy.needs_grad_mode(x) is False
    assert runs(module, "needs_grad_mode") == 2


def test_other_attributes_are_the_module_s_own(ref):
    proxy, module, _ = ref
    assert proxy.history is module.history and proxy.np is np
    assert proxy.square.__name__ == "square" and proxy.square.__wrapped__ is module.square


def _rows(out):
    rows = {}
    for line in (out / "results.jsonl").read_text().splitlines():
        row = json.loads(line)
        calls = row.pop("reference_calls", None)
        row.pop("time_used", None)
        rows[(row["student"], row["exercise"])] = (row, calls)
    return rows


@pytest.mark.slow
def test_demo_class_verdicts_are_the_same_with_and_without_the_cache(tmp_path):
    chosen = [course.default().get(i) for i in ("ex03-gradient-descent", "ex04-backprop")]
    subs = write_class(tmp_path / "subs", chosen)
    args = ["batch", str(subs), "--exercises", ",".join(ex.id for ex in chosen), "--workers", "1", "--timeout", "20"]
    live = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "live"), "--no-reference-cache"])
    kept = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "kept")])
    assert live.exit_code == 0 and kept.exit_code == 0, live.output + kept.output
    without, with_cache = _rows(tmp_path / "live"), _rows(tmp_path / "kept")
    assert list(without) == list(with_cache) and len(without) == 10
    for key in without:
        assert without[key][0] == with_cache[key][0], key
    assert all(calls is None for _, calls in without.values())
    replayed = sum(calls["replayed"] for _, calls in with_cache.values() if calls)
    assert replayed > 0  # the cache was really used: answers were replayed
    assert (tmp_path / "live" / "gradebook.csv").read_text() == (tmp_path / "kept" / "gradebook.csv").read_text()


def test_least_recently_used_answers_go_first_when_the_cache_is_full(ref):
    proxy, module, cache = ref
    cache.max_bytes = 25_000  # room for two small answers
    for n in (1, 2, 3):
        proxy.square(torch.full((4,), float(n)))
    proxy.square(torch.full((4,), 3.0))
    assert runs(module, "square") == 3 and cache.stats.replayed == 1  # 3 was kept
    proxy.square(torch.full((4,), 1.0))
    assert runs(module, "square") == 4  # 1 was not
    assert cache.size <= cache.max_bytes and len(cache.answers) == 2
