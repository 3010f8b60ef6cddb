"""A class graded in fixed slices (``batch --shard K/N``, e.g. the tasks of a job array) and the
slices' results merged into one results folder (``pttutor-grade merge OUT DIR...``).

Slice K of N holds the students at positions K-1, K-1+N, K-1+2N, ... of the class sorted by
id: fixed for a given submissions folder, and no two slices differ by more than one student.
Each shard's results folder holds ``shard.json``: which slice it is, the whole class, the
slice's students and the exercises. Merging refuses shards of different classes or exercises,
a slice given twice, a student graded in two folders, and a missing slice or missing results
(an unfinished shard), each with a message that says which; otherwise it writes
``results.jsonl``, the gradebook and every export for the whole class.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypeVar

from pttutor.grader.atomicfile import write_atomic

SHARD_FILE = "shard.json"
RESULTS = "results.jsonl"
T = TypeVar("T")


class ShardError(Exception):
    """A shard cannot be graded there, or shards cannot be merged; the message says why."""


def parse(text: str) -> tuple[int, int]:
    """``"K/N"`` as (K, N), with 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ShardError(f"--shard takes K/N (the K-th of N slices, e.g. 2/8), not {text!r}")
    k, n = int(match[1]), int(match[2])
    if not 1 <= k <= n:
        raise ShardError(f"--shard {k}/{n}: K must be between 1 and N")
    return k, n


def select(students: list[T], shard: tuple[int, int] | None) -> list[T]:
    """The students of slice K of N (all of them without a shard); ``students`` sorted by id."""
    if shard is None:
        return list(students)
    k, n = shard
    return list(students[k - 1::n])


def _read(folder: Path) -> dict | None:
    path = folder / SHARD_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ShardError(f"{path} is not readable: {exc}") from None
    if not isinstance(data, dict) or not {"shard", "of", "class", "students", "exercises"} <= set(data):
        raise ShardError(f"{path} is not a shard description")
    return data


def describe(out: Path, shard: tuple[int, int] | None, class_ids: list[str], students: list[str],
             exercises: tuple[str, ...]) -> Path | None:
    """Write ``shard.json`` into a shard's results folder, or check the one a resumed run left there."""
    old = _read(out)
    results_exist = (out / RESULTS).is_file() and (out / RESULTS).stat().st_size > 0
    if shard is None:
        if old is not None:
            raise ShardError(f"{out} holds shard {old['shard']}/{old['of']} of a class; resume it with "
                             f"--shard {old['shard']}/{old['of']}")
        return None
    data = {"shard": shard[0], "of": shard[1], "exercises": list(exercises), "class": list(class_ids),
            "students": list(students)}
    if old is not None and old != data:
        raise ShardError(f"{out} holds shard {old['shard']}/{old['of']} of {len(old['class'])} students and "
                         f"{len(old['exercises'])} exercises, not shard {shard[0]}/{shard[1]} of this class")
    if old is None and results_exist:
        raise ShardError(f"{out} holds the results of a batch that was not a shard")
    write_atomic(out / SHARD_FILE, json.dumps(data, indent=1) + "\n")
    return out / SHARD_FILE


def _rows(folder: Path) -> list[dict]:
    from pttutor.grader.classroom.batch import read_results

    return read_results(folder / RESULTS)


def _names(ids: list[str] | set[str], limit: int = 5) -> str:
    ids = sorted(ids)
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def merge(out: Path, folders: list[Path]) -> tuple[list[dict], list[str], list[str]]:
    """Check the shards in ``folders`` and write their results into ``out``.

    Returns the rows, the class and the exercises, in order. Raises :class:`ShardError` when
    the shards do not make one whole class exactly once.
    """
    if not folders:
        raise ShardError("name the shards' results folders to merge")
    shards: dict[int, tuple[Path, dict]] = {}
    first: tuple[Path, dict] | None = None
    for folder in folders:
        data = _read(folder)
        if data is None:
            raise ShardError(f"{folder} holds no {SHARD_FILE}: it was not graded with batch --shard K/N")
        if first is None:
            first = (folder, data)
        for field, what in (("of", "numbers of slices"), ("class", "classes"), ("exercises", "exercises")):
            if data[field] != first[1][field]:
                raise ShardError(f"{first[0]} and {folder} are shards of different {what}; merge only the "
                                 "shards of one batch")
        if not isinstance(data["shard"], int) or not 1 <= data["shard"] <= data["of"] \
                or data["students"] != select(data["class"], (data["shard"], data["of"])):
            raise ShardError(f"{folder / SHARD_FILE} does not describe a slice of its class")
        if data["shard"] in shards:
            raise ShardError(f"shard {data['shard']}/{data['of']} is given twice: {shards[data['shard']][0]} "
                             f"and {folder}")
        shards[data["shard"]] = (folder, data)
    assert first is not None
    n, class_ids, exercises = first[1]["of"], first[1]["class"], first[1]["exercises"]
    missing = [k for k in range(1, n + 1) if k not in shards]
    if missing:
        raise ShardError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(f'{k}/{n}' for k in missing)} "
                         f"{'are' if len(missing) > 1 else 'is'} missing: merge needs all {n}")
    rows_of = {k: _rows(shards[k][0]) for k in sorted(shards)}
    owners: dict[str, list[Path]] = {}
    for k, rows in rows_of.items():
        for student in dict.fromkeys(r["student"] for r in rows):
            owners.setdefault(student, []).append(shards[k][0])
    twice = {s for s, where in owners.items() if len(where) > 1}
    if twice:
        first_twice = owners[sorted(twice)[0]]
        raise ShardError(f"{first_twice[0]} and {first_twice[1]} both hold results for {_names(twice)}: a student "
                         "may be graded in one shard only")
    by_pair: dict[tuple[str, str], dict] = {}
    for k, rows in rows_of.items():
        folder, data = shards[k]
        outside = {r["student"] for r in rows} - set(data["students"])
        if outside:
            raise ShardError(f"{folder} holds results for {_names(outside)}, who are not in its slice "
                             f"{k}/{n}")
        by_pair.update(((r["student"], r["exercise"]), r) for r in rows)
        unfinished = {s for s in data["students"] for e in exercises if (s, e) not in by_pair}
        if unfinished:
            raise ShardError(f"shard {k}/{n} ({folder}) has no results for {_names(unfinished)}: finish it "
                             f"with batch --shard {k}/{n} --resume")
    rows = [by_pair[(s, e)] for s in class_ids for e in exercises]
    if any(out.resolve() == folder.resolve() for folder in folders) or (out / RESULTS).exists():
        raise ShardError(f"{out} already holds results; merge into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / RESULTS, "".join(json.dumps(r) + "\n" for r in rows))
    return rows, list(class_ids), list(exercises)
