"""A batch on a Dask cluster (``pip install -e .[cluster]``): ``batch --scheduler tcp://HOST:PORT``
uses a running one, ``batch --cluster slurm|pbs|sge`` starts its workers through dask-jobqueue.

Each student is one Dask task. A task runs on a Dask worker, which hosts one grader process
with its warm fork server (started at the batch's first task there, as the local pool starts
its own;
:mod:`~pttutor.grader.classroom.graderprocess`); the student's files travel with the task as
the bytes of a zip, so workers need no shared file system. The process that runs ``batch``
stays the only writer of ``results.jsonl``: it appends each task's rows when the task's result
arrives, so ``--resume``, the exports and the progress work as with local workers. When a Dask
worker is lost, the scheduler runs its tasks again on another worker; a task's result arrives
once, so no row is lost or written twice. A task that cannot be graded at all (its workers
died three times) gets "error" rows, as a crashed local grader process does. With
``--device cuda`` every task asks for one unit of the workers' ``GPU`` resource
(``dask worker ... --resources GPU=1``).
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pttutor.grader import course
from pttutor.grader.classroom.archive import ArchiveError
from pttutor.grader.classroom.batch import Batch, BatchError, append, failed_rows, finished_pairs, grading_options
from pttutor.grader.classroom.graderprocess import Options, Student, grade_student, init_grader, pack_entry, row

JOBQUEUE = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster", "local": "LocalCluster"}
INSTALL = "the cluster options need Dask: python -m pip install -e '.[cluster]' (dask, distributed, dask-jobqueue)"

# ----------------------------------------------------------------------------- on a Dask worker

_POOL: ProcessPoolExecutor | None = None
_POOL_BATCH = ""  # the batch the grader process was started for
_POOL_LOCK = threading.Lock()


def _grader_process(batch_token: str, reuse_reference: bool) -> ProcessPoolExecutor:
    """This Dask worker's grader process for this batch (started at the batch's first task here,
    and again if it died). A new batch gets a new one: the course may have changed since."""
    global _POOL, _POOL_BATCH
    with _POOL_LOCK:
        if _POOL is not None and _POOL_BATCH != batch_token:
            _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = None
        if _POOL is None:
            _POOL = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                        initializer=functools.partial(init_grader, reuse_reference))
            _POOL_BATCH = batch_token
        return _POOL


def _submit(pool: ProcessPoolExecutor, *args: Any) -> Any:
    """``pool.submit``, allowed to start the grader process from a Dask worker run by a nanny.

    Such a worker is a daemonic process, and multiprocessing refuses children to those; the
    grader process ends itself when the worker is gone, so it needs no such protection.
    """
    config = multiprocessing.current_process()._config
    with _POOL_LOCK:
        daemon = config.pop("daemon", None)
        try:
            return pool.submit(*args)
        finally:
            if daemon is not None:
                config["daemon"] = daemon


def grade_task(student_id: str, packed: bytes, exercise_ids: tuple[str, ...], options: Options,
               batch_token: str) -> list[dict]:
    """One student, graded by this Dask worker's grader process (runs on the Dask worker)."""
    global _POOL
    pool = _grader_process(batch_token, options.reuse_reference)
    try:
        return _submit(pool, grade_student, Student(student_id), exercise_ids, options, packed).result()
    except BrokenProcessPool:
        with _POOL_LOCK:
            if _POOL is pool:
                _POOL = None
        raise


# ----------------------------------------------------------------------------- in the batch process


def _client(scheduler: str | None, cluster: str | None, workers: int, options: Options,
            cluster_options: dict[str, str]) -> tuple[Any, Any]:
    try:
        import distributed
    except ImportError:
        raise BatchError(INSTALL) from None
    if scheduler is not None:
        try:
            if "://" not in scheduler and Path(scheduler).is_file():  # the file `--scheduler-file` wrote
                return distributed.Client(scheduler_file=scheduler, timeout="30s"), None
            return distributed.Client(scheduler, timeout="30s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        import dask_jobqueue
        import dask_jobqueue.local
    except ImportError:
        raise BatchError(INSTALL) from None
    kind = getattr(dask_jobqueue.local if cluster == "local" else dask_jobqueue, JOBQUEUE[cluster])
    settings: dict[str, Any] = {"cores": 1, "processes": 1, "memory": "4GiB"}
    settings.update({k: _value(v) for k, v in cluster_options.items()})
    extra = list(settings.pop("worker_extra_args", []) or [])
    if options.device == "cuda" and "--resources" not in extra:
        extra += ["--resources", "GPU=1"]
    try:
        started = kind(worker_extra_args=extra, **settings)
    except (TypeError, ValueError) as exc:
        raise BatchError(f"dask-jobqueue refused the {cluster} cluster's settings: {exc}") from None
    started.scale(workers)
    return distributed.Client(started), started


def _value(text: str) -> Any:
    """A --cluster-option value: an integer, a list (comma-separated, for *_directives and *_args), or text."""
    if text.isdigit():
        return int(text)
    return text


def parse_cluster_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs given to --cluster-option; a key given twice makes a list (job directives)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BatchError(f"--cluster-option takes KEY=VALUE, not {pair!r}")
        key = key.strip().replace("-", "_")
        if key.endswith(("_directives", "_args", "_extra", "_prologue")):
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def _check_gpu_workers(client: Any) -> None:
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    if workers and not any(w.get("resources", {}).get("GPU") for w in workers.values()):
        raise BatchError("--device cuda: no Dask worker offers a GPU; start GPU workers with "
                         "`dask worker SCHEDULER --nthreads 1 --resources GPU=1`")


def run(batch: Batch, todo: list[Student], *, scheduler: str | None = None, cluster: str | None = None,
        workers: int = 1, cluster_options: dict[str, Any] | None = None,
        on_rows: Callable[[list[dict]], None] = lambda rows: None) -> None:
    """Grade ``todo`` on a Dask cluster, appending rows here as the tasks' results arrive."""
    options = grading_options(batch)
    client, started = _client(scheduler, cluster, workers, options, cluster_options or {})
    try:
        from distributed import as_completed

        if options.device == "cuda" and started is None:
            _check_gpu_workers(client)
        finished = finished_pairs(batch)
        resources = {"GPU": 1} if options.device == "cuda" else None
        pending = iter(todo)
        token = uuid.uuid4().hex[:12]
        running: dict[Any, Student] = {}
        queue = as_completed()

        def submit_next() -> bool:
            for student in pending:
                ids = tuple(e for e in options.exercises if (student.id, e) not in finished)
                try:
                    packed = pack_entry(student.entry)
                except (ArchiveError, OSError) as exc:
                    rows = [row(student.id, course.default().get(e), "refused", str(exc)) for e in ids]
                    append(batch.results_path, rows)
                    on_rows(rows)
                    continue
                future = client.submit(grade_task, student.id, packed, ids, options, token, pure=False,
                                       key=f"pttutor-grade-{token}-{student.id}", resources=resources)
                running[future] = student
                queue.add(future)
                return True
            return False

        window = max(4, 2 * max(workers, len(client.scheduler_info(n_workers=-1).get("workers", {}))))
        for _ in range(window):
            if not submit_next():
                break
        for future in queue:
            student = running.pop(future)
            try:
                rows = future.result()
            except Exception as exc:  # every worker that tried it died, or its grader process did
                rows = failed_rows(student, options, finished, exc)
            append(batch.results_path, rows)
            on_rows(rows)
            future.release()
            submit_next()
    finally:
        client.close()
        if started is not None:
            started.close()
