"""Verifying many files: worker processes, results in input order, a progress callback,
and per-file limits so that one hostile file cannot stall or exhaust a batch."""

from __future__ import annotations

import datetime as dt
import os
import resource
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from .inputs import collect_pdfs
from .report import BatchReport, FileReport, Indication, SubIndication
from .verification import Verifier, VerifyOptions

ProgressCallback = Callable[[FileReport, int, int], None]
"""Called as each file finishes with (report, files done, files in all)."""

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker: stops decompression bombs

_worker: Verifier | None = None


def _init_worker(options: VerifyOptions, memory_limit: int) -> None:
    global _worker
    if memory_limit:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    _worker = Verifier(options)


def _verify_in_worker(path: str) -> FileReport:
    assert _worker is not None
    try:
        return _worker.verify(path)
    except MemoryError:
        return _crashed(path, "the file needs more memory than the per-file limit allows")


def _crashed(path: str, why: str) -> FileReport:
    return FileReport(path, None, Indication.INDETERMINATE, SubIndication.GENERIC,
                      (f"verification could not finish: {why}",))


def verify_many(
    paths: Iterable[str | Path],
    *,
    options: VerifyOptions | None = None,
    jobs: int | None = None,
    recursive: bool = False,
    on_progress: ProgressCallback | None = None,
    memory_limit: int = MEMORY_LIMIT,
) -> BatchReport:
    """Verify files and folders (``*.pdf``; ``recursive`` for trees) with ``jobs`` worker
    processes (default: CPU count). The report lists files in input order. Workers run with
    ``memory_limit`` bytes of address space (0: verify in this process, without a cap).

    >>> report = verify_many(["archive/2026"], recursive=True, options=VerifyOptions(profile="vn"))
    >>> report.summary
    {'files': 1200, 'TOTAL_PASSED': 1187, 'TOTAL_FAILED': 9, 'INDETERMINATE': 4}
    """
    options = options or VerifyOptions()
    # one validation time for the whole batch, so every file is judged at the same moment
    options = replace(options, at=options.at or dt.datetime.now(dt.UTC))
    files = [str(p) for p, _ in collect_pdfs(paths, recursive=recursive)]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    reports: list[FileReport | None] = [None] * len(files)

    def done(index: int, report: FileReport) -> None:
        reports[index] = report
        if on_progress is not None:
            on_progress(report, sum(r is not None for r in reports), len(files))

    if workers == 1 and not memory_limit:
        with Verifier(options) as verifier:
            for index, path in enumerate(files):
                done(index, verifier.verify(path))
    else:
        with ProcessPoolExecutor(workers, initializer=_init_worker,
                                 initargs=(options, memory_limit)) as pool:
            futures: dict[Future, int] = {
                pool.submit(_verify_in_worker, path): i for i, path in enumerate(files)
            }
            for future in as_completed(futures):
                index = futures[future]
                try:
                    report = future.result()
                except Exception as e:  # noqa: BLE001 - a dead worker must not end the batch
                    report = _crashed(files[index], f"{type(e).__name__}: {e}")
                done(index, report)
    from . import __version__

    return BatchReport(
        signkit_version=__version__,
        validation_time=options.at,
        profile=options.profile,
        files=tuple(r for r in reports if r is not None),
    )
