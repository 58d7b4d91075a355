"""Verification on a Dask distributed cluster: the client (this process) cuts the files to
judge into tasks of ``batch_size`` files, keeps a few tasks per worker thread in flight (so
its memory does not grow with the archive), and hands each task's reports to the store as the
task finishes, in whatever order tasks finish.

A worker that dies mid-task loses nothing: the scheduler runs the task again on another
worker, and the store keeps one row per path whatever arrives twice. A task that keeps
killing its workers (Dask gives up after ``distributed.scheduler.allowed-failures``) is split
into one task per file, and a file that still kills its worker gets the verdict the local
pool gives it: TOTAL_FAILED / FORMAT_FAILURE, "the worker process verifying it died".
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..report import FileReport, Indication, SubIndication
from ..verification import VerifyOptions
from ._errors import SchedulerError
from ._tasks import Item, Result, TaskPlan, verify_batch, worker_version

Planned = tuple[str, int, int]  # path, size, mtime_ns
Record = Callable[[list[tuple[Planned, FileReport, str | None]]], None]

_TASKS_PER_THREAD = 2  # in flight per worker thread: enough to keep every worker busy


@dataclass
class Cluster:
    """A connection to a Dask scheduler (and the ``LocalCluster`` behind it for
    ``local:N``). Close it, or use it as a context manager."""

    address: str
    client: Any
    local_cluster: Any = None

    def threads(self) -> int:
        """Worker threads connected now."""
        return sum(self.client.nthreads().values())

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a lost connection must not fail
            self.client.close()
        if self.local_cluster is not None:
            with contextlib.suppress(Exception):
                self.local_cluster.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(scheduler: str, *, timeout: float = 10.0) -> Cluster:
    """Connect to ``tcp://HOST:PORT`` (a running ``dask scheduler``) or start ``local:N``
    (a LocalCluster of N single-threaded worker processes on this machine), wait up to
    ``timeout`` seconds for a worker, and check that every worker runs this signkit.
    Raises ``SchedulerError`` saying what is wrong; nothing is submitted then."""
    try:
        import distributed
    except ImportError:
        raise SchedulerError("distributed runs need the `distributed` package: "
                             "pip install 'signkit[dask]'", scheduler) from None
    local_cluster = None
    if scheduler.startswith("local:"):
        count = scheduler.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise SchedulerError(f"{scheduler!r} is not a scheduler address: write local:N "
                                 f"with N workers, e.g. local:2", scheduler)
        local_cluster = distributed.LocalCluster(
            n_workers=int(count), threads_per_worker=1, processes=True,
            dashboard_address=None, host="127.0.0.1")
        address = local_cluster.scheduler_address
    elif "://" in scheduler:
        address = scheduler
    else:
        raise SchedulerError(f"{scheduler!r} is not a scheduler address: write tcp://HOST:PORT "
                             f"(a running `dask scheduler`) or local:N", scheduler)
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as e:
        if local_cluster is not None:
            local_cluster.close()
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: "
                             f"{_reason(e)}", scheduler) from None
    cluster = Cluster(address, client, local_cluster)
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise SchedulerError(f"the Dask scheduler at {scheduler} has no workers "
                                 f"(waited {timeout:g} s): start `dask worker {address}` "
                                 f"on the machines that verify", scheduler) from None
        _check_workers(cluster, scheduler)
    except BaseException:
        cluster.close()
        raise
    return cluster


def _check_workers(cluster: Cluster, scheduler: str) -> None:
    from .. import __version__

    try:
        versions = cluster.client.run(worker_version)
    except ImportError as e:
        raise SchedulerError(f"the Dask workers of {scheduler} cannot import signkit "
                             f"({e}): install signkit on every worker machine",
                             scheduler) from None
    wrong = {worker: v for worker, v in versions.items() if v != __version__}
    if wrong:
        listed = ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items()))
        raise SchedulerError(f"the Dask workers must run signkit {__version__} like this "
                             f"client: {listed}", scheduler)


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def make_plan(options: VerifyOptions, *, ship_bytes: bool, fast_parsing: bool) -> TaskPlan:
    """The options as workers need them: files named absolutely (workers read them under
    their own working folder otherwise), or shipped along with ``ship_bytes``."""
    def absolute(paths: tuple[Path, ...]) -> tuple[Path, ...]:
        return tuple(Path(p).absolute() for p in paths)

    profile = options.profile
    if profile.endswith(".toml") and os.path.exists(profile):
        profile = os.path.abspath(profile)
    options = VerifyOptions(
        profile=profile, trust=absolute(options.trust),
        other_certs=absolute(options.other_certs), crls=absolute(options.crls),
        offline=options.offline, at=options.at,
        strict_modifications=options.strict_modifications,
        revocation_timeout=options.revocation_timeout, time_limit=options.time_limit)
    files = None
    if ship_bytes:
        named = [*options.trust, *options.other_certs, *options.crls]
        files = tuple((str(p), p.read_bytes()) for p in named)
    return TaskPlan(options, os.getcwd(), files, fast_parsing)


def verify_on_cluster(cluster: Cluster, plan: TaskPlan, batches: Iterator[list[Planned]],
                      record: Record, *, ship_bytes: bool) -> None:
    """Run every batch as a task and ``record`` each file's report as its task finishes."""
    import distributed

    client = cluster.client
    window = max(2, _TASKS_PER_THREAD * max(1, cluster.threads()))
    plan_future = client.scatter(plan, broadcast=True)  # sent once, not with every task
    pending: dict[Any, list[Planned]] = {}
    finished = distributed.as_completed(loop=client.loop)

    def submit(batch: list[Planned]) -> None:
        items: list[Item] = [(path, _read(path) if ship_bytes else None)
                             for path, _, _ in batch]
        future = client.submit(verify_batch, plan_future, items, pure=False)
        pending[future] = batch
        finished.add(future)

    def fill() -> None:
        while len(pending) < window:
            batch = next(batches, None)
            if batch is None:
                return
            submit(batch)

    try:
        fill()
        for future in finished:
            batch = pending.pop(future)
            try:
                results: list[Result] | None = future.result()
            except distributed.KilledWorker:
                results = None
            except Exception as e:  # noqa: BLE001 - scheduler lost, task error: say so
                raise SchedulerError(
                    f"the Dask cluster at {cluster.address} could not run a task "
                    f"({type(e).__name__}: {_reason(e)}); the results so far are stored: run "
                    f"the same command again to go on", cluster.address) from None
            finally:
                future.release()
            if results is not None:  # one transaction per task
                record([(planned, report, expires)
                        for planned, (report, expires) in zip(batch, results, strict=True)])
            elif len(batch) > 1:
                for planned in batch:  # one task per file: find the file that kills workers
                    submit([planned])
            else:
                record([(batch[0], _worker_died(batch[0][0]), None)])
            fill()
    finally:
        for future in pending:
            future.cancel()


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None  # the worker then tries the path and reports it unreadable


def _worker_died(path: str) -> FileReport:
    return FileReport(path, _sha256(path), Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                      ("verification could not finish: the worker process verifying it "
                       "died (Dask gave up after the worker died repeatedly)",))


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None
