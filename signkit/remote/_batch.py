"""``sign_many`` with a remote key: documents in rounds of ``key.batch_limit``, each
round's documents under way together on the signer's event loop, one approval per round.

Each document is signed by ``DocumentSigner.sign_async`` into its output's anonymous
temporary file; the next document starts once it waits for its signature in the key's
queue; when every document of the round is waiting (or has failed), the round goes to the
service as one request. A
document whose signature does not come back, or does not verify, fails alone and leaves no
file; a service failure (refusal, timeout, misbehaviour) fails the round's documents and
stops the batch (the later ones are SKIPPED). Results come in input order, per round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import SigningError, TokenError
from ..signing.document import DocumentSigner, SignResult, SignStatus
from ._key import RemoteSigningKey

# a document's result, or the error that ended it (the only ones `_round` catches)
_Outcome = SignResult | TokenError | SigningError | OSError


def sign_in_rounds(
    jobs: Sequence[tuple[Path, Path]], *, signer: DocumentSigner, key: RemoteSigningKey,
    overwrite: bool, stop_on_error: bool, on_result: Callable[[int, SignResult], None],
) -> tuple[str | None, bool]:
    """Returns (why the batch stopped, whether the key/service failed)."""
    stopped: str | None = None
    token_failed = False
    size = max(1, key.batch_limit)
    for start in range(0, len(jobs), size):
        chunk = jobs[start:start + size]
        if stopped is not None:
            for offset, (src, _) in enumerate(chunk):
                on_result(start + offset,
                          SignResult(src, None, SignStatus.SKIPPED, error=stopped))
            continue
        outcomes = signer._loop.run_until_complete(_round(chunk, signer, key, overwrite))
        for offset, ((src, dst), outcome) in enumerate(zip(chunk, outcomes, strict=True)):
            if isinstance(outcome, SignResult):
                result = outcome
            elif isinstance(outcome, TokenError):
                stopped, token_failed = str(outcome), True
                result = SignResult(src, None, SignStatus.FAILED, error=str(outcome))
            elif isinstance(outcome, SigningError):
                result = SignResult(src, None, SignStatus.FAILED, error=outcome.reason)
                if stop_on_error and stopped is None:
                    stopped = f"stopped after the error in {src}"
            else:  # OSError
                result = SignResult(src, None, SignStatus.FAILED,
                                    error=f"cannot write {dst}: {outcome.strerror}")
                if stop_on_error and stopped is None:
                    stopped = f"stopped after the error in {src}"
            on_result(start + offset, result)
    return stopped, token_failed


async def _round(chunk: Sequence[tuple[Path, Path]], signer: DocumentSigner,
                 key: RemoteSigningKey, overwrite: bool) -> list[_Outcome]:
    async def one(src: Path, dst: Path) -> _Outcome:
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            return await signer.sign_async(src, dst, overwrite=overwrite)
        except (TokenError, SigningError, OSError) as e:
            return e
        finally:
            key.settle()

    # sized once before the documents start together (each would otherwise make the dry
    # run that sizes the signature, since none has finished it when the others begin)
    await signer._async_reserved_size()
    with key.round(len(chunk)):
        documents = []
        for src, dst in chunk:
            documents.append(asyncio.ensure_future(one(src, dst)))
            await key.until_waiting(documents[-1])
        return list(await asyncio.gather(*documents))
