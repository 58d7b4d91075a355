"""Signing many documents with one login: input collection, output naming, the loop."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from ..error_messages import said
from ..errors import SigningError, TokenError
from ..inputs import collect_pdfs  # noqa: F401 - re-exported as signkit.signing.collect_pdfs
from ..tokens.base import SigningKey
from .document import DocumentSigner, PadesLevel, SignOptions, SignResult, SignStatus
from .workers import sign_in_workers, worker_count

if TYPE_CHECKING:
    from ..remote._key import RemoteSigningKey

PARALLEL_FROM = 16  # files; below, starting the workers costs more than they save

ProgressCallback = Callable[[SignResult, int, int], None]
"""Called after each file with (result, files done, files in all)."""


@dataclass(frozen=True)
class BatchOutcome:
    results: tuple[SignResult, ...]
    stopped: str | None = None  # why the batch stopped early (token removed, --on-error stop)
    token_failed: bool = False  # it stopped because the token failed (removed, not answering)

    @property
    def signed(self) -> int:
        return sum(r.status is SignStatus.SIGNED for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.status is SignStatus.FAILED for r in self.results)

    @property
    def skipped(self) -> int:
        return sum(r.status is SignStatus.SKIPPED for r in self.results)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def plan_outputs(
    files: Sequence[tuple[Path, Path]], *, out_dir: Path | None = None, output: Path | None = None
) -> list[tuple[Path, Path]]:
    """Pair each input with its output: ``output`` for a single file, else ``out_dir/<relative
    path>``. Two inputs mapping to one output is an error before anything is signed."""
    if output is not None:
        if len(files) != 1:
            raise SigningError(said("signing.one_output_many_inputs", count=len(files)))
        return [(files[0][0], output)]
    if out_dir is None:
        raise SigningError(said("signing.no_output"))
    pairs = [(src, out_dir / rel) for src, rel in files]
    seen: dict[Path, Path] = {}
    for src, dst in pairs:
        if dst in seen:
            raise SigningError(said("signing.same_output", first=str(seen[dst]), second=str(src),
                                    output=str(dst)))
        seen[dst] = src
    return pairs


def sign_many(
    jobs: Sequence[tuple[Path, Path]],
    *,
    key: SigningKey,
    options: SignOptions | None = None,
    overwrite: bool = False,
    stop_on_error: bool = False,
    on_progress: ProgressCallback | None = None,
    seal_key: SigningKey | None = None,
    seal_options: SignOptions | None = None,
    workers: int | None = None,
) -> BatchOutcome:
    """Sign each (input, output) pair in order with one key and one login.

    With ``seal_key`` each document is then signed by the organisation with
    ``seal_options`` (usually the ``vn-seal`` appearance, placed over the person's
    signature) from an anonymous scratch file: an output holds both signatures or does not
    exist.

    A bad document fails alone (or stops the batch with ``stop_on_error``); a token problem
    (removed, stopped answering) always stops it, and the remaining files are SKIPPED.

    ``workers``: processes preparing documents while this one signs them
    (:mod:`.workers`); None: one per core for a batch of ``PARALLEL_FROM`` files or more,
    0: everything in this process. PAdES-B-B without a visible signature or a seal uses
    them; the other levels (a TSA, revocation data) and the visible or sealed signatures
    are signed here.
    """
    results: list[SignResult] = []
    stopped: str | None = None
    token_failed = False
    with contextlib.ExitStack() as stack:
        signer = stack.enter_context(DocumentSigner(key, options))
        seal = (stack.enter_context(DocumentSigner(seal_key, seal_options))
                if seal_key is not None else None)

        def collect(index: int, result: SignResult) -> None:
            results.append(result)
            if on_progress is not None:
                on_progress(result, index + 1, len(jobs))

        if _signs_in_batches(key) and seal is None:
            from ..remote._batch import sign_in_rounds  # one approval per round of documents

            stopped, token_failed = sign_in_rounds(
                jobs, signer=signer, key=key, overwrite=overwrite,
                stop_on_error=stop_on_error, on_result=collect)
            return BatchOutcome(tuple(results), stopped, token_failed)
        if workers is None:
            workers = worker_count() if len(jobs) >= PARALLEL_FROM else 0
        if workers and seal is None and _fits_workers(signer.options):
            stopped, token_failed = sign_in_workers(
                jobs, signer=signer, workers=workers, overwrite=overwrite,
                stop_on_error=stop_on_error, on_result=collect)
            return BatchOutcome(tuple(results), stopped, token_failed)
        for index, (src, dst) in enumerate(jobs):
            if stopped is not None:
                result = SignResult.skipped(src, stopped)
            else:
                try:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    result = signer.sign(src, dst, overwrite=overwrite, seal=seal)
                except TokenError as e:
                    stopped, token_failed = str(e), True
                    result = SignResult.failed(src, e)
                except SigningError as e:
                    result = SignResult.failed(src, e, message=e.reason)
                    if stop_on_error:
                        stopped = said("stopped.after_error", path=str(src))
                except OSError as e:
                    result = SignResult.failed(src, e, message=said(
                        "output_unwritable.cannot_write", output=str(dst), detail=e.strerror))
                    if stop_on_error:
                        stopped = said("stopped.after_error", path=str(src))
            results.append(result)
            if on_progress is not None:
                on_progress(result, index + 1, len(jobs))
    return BatchOutcome(tuple(results), stopped, token_failed)


def _fits_workers(options: SignOptions) -> bool:
    return (options.level is PadesLevel.B_B and options.appearance is None
            and options.placement is None)


def _signs_in_batches(key: SigningKey) -> TypeGuard[RemoteSigningKey]:
    # only RemoteSigningKey sets `signs_in_batches`; checked by name so that local
    # signing never imports the remote modules (and aiohttp)
    return bool(getattr(key, "signs_in_batches", False))
