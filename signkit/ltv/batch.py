"""Many documents with one ``ArchiveSession``: one TSA client, one revocation cache, one loop.

A document that fails is left unchanged with no output, and the batch goes on (or stops with
``stop_on_error``: the remaining files are SKIPPED)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..error_messages import said
from ..errors import SigningError
from ..signing.document import PadesLevel
from .add import add_validation_data
from .refresh import RenewalRule, refresh_document
from .result import LtvOutcome, LtvResult, LtvStatus
from .session import ArchiveSession, LtvOptions
from .timestamp import timestamp_document

ProgressCallback = Callable[[LtvResult, int, int], None]
"""Called after each file with (result, files done, files in all)."""

Operation = Callable[[ArchiveSession, Path, Path], LtvResult]


def timestamp_many(jobs: Sequence[tuple[Path, Path]], *, options: LtvOptions,
                   overwrite: bool = False, stop_on_error: bool = False,
                   on_progress: ProgressCallback | None = None) -> LtvOutcome:
    """A document timestamp for each (input, output) pair; output = input replaces it.

    >>> timestamp_many([(Path("a.pdf"), Path("out/a.pdf"))],
    ...                options=LtvOptions(tsa_url="http://tsa.example/"))
    """
    def operation(session: ArchiveSession, src: Path, dst: Path) -> LtvResult:
        return timestamp_document(session, src, dst, overwrite=overwrite)

    return run_batch(jobs, operation, options=options, stop_on_error=stop_on_error,
                     on_progress=on_progress)


def add_ltv_many(jobs: Sequence[tuple[Path, Path]], *, options: LtvOptions,
                 level: PadesLevel = PadesLevel.B_LT, overwrite: bool = False,
                 stop_on_error: bool = False,
                 on_progress: ProgressCallback | None = None) -> LtvOutcome:
    """Bring each document's signatures up to ``level`` (B-LT or B-LTA)."""
    def operation(session: ArchiveSession, src: Path, dst: Path) -> LtvResult:
        return add_validation_data(session, src, dst, level=level, overwrite=overwrite)

    return run_batch(jobs, operation, options=options, stop_on_error=stop_on_error,
                     on_progress=on_progress)


def refresh_many(jobs: Sequence[tuple[Path, Path]], *, options: LtvOptions, rule: RenewalRule,
                 overwrite: bool = False, dry_run: bool = False, stop_on_error: bool = False,
                 on_progress: ProgressCallback | None = None) -> LtvOutcome:
    """Renew each document's newest timestamp where ``rule`` says it is due."""
    def operation(session: ArchiveSession, src: Path, dst: Path) -> LtvResult:
        return refresh_document(session, src, dst, rule=rule, overwrite=overwrite,
                                dry_run=dry_run)

    return run_batch(jobs, operation, options=options, stop_on_error=stop_on_error,
                     on_progress=on_progress)


def run_batch(jobs: Sequence[tuple[Path, Path]], operation: Operation, *,
              options: LtvOptions, stop_on_error: bool = False,
              on_progress: ProgressCallback | None = None) -> LtvOutcome:
    results: list[LtvResult] = []
    stopped: str | None = None
    with ArchiveSession(options) as session:
        for index, (src, dst) in enumerate(jobs):
            if stopped is not None:
                result = LtvResult(src, None, LtvStatus.SKIPPED, error=stopped,
                                   error_code="stopped")
            else:
                try:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    result = operation(session, src, dst)
                except SigningError as e:
                    result = LtvResult.failed(src, e, message=e.reason)
                except OSError as e:  # the output folder, or a network error
                    where = f" ({e.filename})" if e.filename else ""
                    result = LtvResult.failed(
                        src, e, message=f"{e.strerror or e or type(e).__name__}{where}")
                if result.status is LtvStatus.FAILED and stop_on_error:
                    stopped = said("stopped.after_error", path=str(src))
            results.append(result)
            if on_progress is not None:
                on_progress(result, index + 1, len(jobs))
    return LtvOutcome(tuple(results), stopped)
