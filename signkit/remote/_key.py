"""What every remote key shares: requests collected into rounds (one approval for many
documents), each returned signature checked against the credential's certificate before
anyone embeds it, and the approval timeout.

A round: ``sign_many`` opens one for a chunk of documents (``round(n)``); each document's
``sign_async`` queues its request and waits; once every document still under way is
waiting (or has failed and ``settle``\\d), the queue is flushed as one request to the
service. Outside a round (``sign_pdf``, the seal workflow) each request is a round of one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding

from ..error_messages import said
from ..errors import (
    ApprovalTimeoutError,
    RemoteServiceError,
    RemoteSignatureError,
)
from ..tokens.base import DIGEST_SIZES, RsaPadding, SigningKey
from ._http import JsonHttp, LoopThread

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
DEFAULT_APPROVAL_TIMEOUT = 300.0  # seconds: the person has five minutes to confirm
DEFAULT_MAX_BATCH = 200  # documents per approval (fewer when the credential says so)

@dataclass(frozen=True)
class ApprovalRequest:
    """What the person is asked to approve now, for the caller to show while waiting
    (``on_approval``): the service, how many documents, the description they see."""

    service: str
    count: int
    description: str
    transaction_id: str | None = None


@dataclass
class _Request:
    data: bytes
    digest: str
    padding: RsaPadding
    answer: asyncio.Future = field(repr=False)


class RemoteSigningKey(SigningKey):
    """A key held by a remote signing service, signing in rounds.

    ``round_trips`` counts the HTTP requests made so far; ``approvals`` the rounds
    the person was asked to approve."""

    service_name: str = "remote"
    url: str | None = None  # the service's base URL
    signs_in_batches = True  # sign_many runs documents concurrently for this key

    def __init__(self, *, approval_timeout: float = DEFAULT_APPROVAL_TIMEOUT,
                 max_batch: int = DEFAULT_MAX_BATCH, description: str | None = None,
                 on_approval: Callable[[ApprovalRequest], None] | None = None) -> None:
        if approval_timeout <= 0:
            raise ValueError("approval_timeout must be positive")
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.approval_timeout = approval_timeout
        self.max_batch = max_batch
        self.description = description
        self.on_approval = on_approval
        self.approvals = 0
        self._thread = LoopThread()
        self._queue: list[_Request] = []
        self._in_round = False
        self._under_way = 0
        self._flushes: set[asyncio.Task] = set()
        self._queued: asyncio.Event | None = None

    # --- what each service implements (on the key's own loop) --------------------------

    http: JsonHttp

    @abstractmethod
    async def _sign_digests(self, digests: list[bytes], digest: str, padding: RsaPadding,
                            approval: ApprovalRequest) -> list[bytes | None]:
        """One approval for ``digests``; the signatures in the same order (None where the
        service returned none)."""

    def _describe(self, count: int) -> str:
        return self.description or f"signkit: {count} document(s)"

    @property
    def batch_limit(self) -> int:
        """Documents per round: ``max_batch``, or fewer where the credential allows fewer."""
        return self.max_batch

    @property
    def round_trips(self) -> int:
        return self.http.round_trips

    # --- SigningKey ---------------------------------------------------------------------

    def sign(self, data: bytes, *, digest: str, padding: RsaPadding = RsaPadding.PKCS1V15
             ) -> bytes:
        """One signature, one approval (blocks until the person confirms)."""
        return self._thread.run(self._one(data, digest, padding))

    async def _one(self, data: bytes, digest: str, padding: RsaPadding) -> bytes:
        answer = asyncio.get_running_loop().create_future()
        request = _Request(data, digest, padding, answer)
        await self._flush_now([request])
        return request.answer.result()

    async def sign_async(self, data: bytes, *, digest: str,
                         padding: RsaPadding = RsaPadding.PKCS1V15) -> bytes:
        """Queue this signature with the round's others; resolved when the round is."""
        if digest not in _HASHES:
            raise RemoteServiceError(said("remote_service.digest", digest=digest),
                                     service=self.url)
        request = _Request(data, digest, padding, asyncio.get_running_loop().create_future())
        self._queue.append(request)
        if self._queued is not None:
            self._queued.set()
        self._maybe_flush()
        return await request.answer

    # --- rounds ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def round(self, documents: int) -> Iterator[None]:
        """``documents`` will each ask for one signature (or ``settle`` without): flush when
        all that are still under way are waiting. Used by ``sign_many``."""
        self._in_round, self._under_way = True, documents
        try:
            yield
        finally:
            self._in_round, self._under_way = False, 0

    async def until_waiting(self, document: asyncio.Task) -> None:
        """Return once ``document`` has queued its request (or is done): the round's
        documents are prepared one after another, so the first fills the signer's caches
        (signed attributes, sizes) for the others, and none waits for a CPU the others
        hold."""
        self._queued = asyncio.Event()
        queued = asyncio.ensure_future(self._queued.wait())
        try:
            await asyncio.wait({document, queued}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            queued.cancel()
            self._queued = None

    def settle(self) -> None:
        """A document of the round is done with this key (signed, or failed before asking)."""
        self._under_way -= 1
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if not self._queue:
            return
        waiting = sum(not r.answer.done() for r in self._queue)
        if self._in_round and waiting < self._under_way:
            return  # some document is still being prepared
        batch, self._queue = self._queue, []
        task = asyncio.get_running_loop().create_task(self._flush_now(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush_now(self, batch: list[_Request]) -> None:
        """Sign ``batch`` (one approval per digest algorithm and padding, normally one) and
        resolve each request: its checked signature, or the reason it has none."""
        groups: dict[tuple[str, RsaPadding], list[_Request]] = {}
        for request in batch:
            groups.setdefault((request.digest, request.padding), []).append(request)
        for (digest, padding), requests in groups.items():
            for start in range(0, len(requests), self.batch_limit):
                await self._flush_group(requests[start:start + self.batch_limit], digest,
                                        padding)

    async def _flush_group(self, requests: list[_Request], digest: str,
                           padding: RsaPadding) -> None:
        digests = [hashlib.new(digest, r.data).digest() for r in requests]
        approval = ApprovalRequest(self.service_name, len(requests),
                                   self._describe(len(requests)))
        try:
            signatures = await asyncio.wrap_future(self._thread.submit(
                self._timed(digests, digest, padding, approval)))
            if len(signatures) != len(requests):
                raise RemoteServiceError(
                    said("remote_service.count_mismatch", service_name=self.service_name,
                         got=len(signatures), documents=len(requests)), service=self.url)
            checked = [self._check(sig, r, digest, padding)
                       for sig, r in zip(signatures, requests, strict=True)]
            if checked and all(isinstance(c, RemoteSignatureError) for c in checked):
                if all(sig is None for sig in signatures):
                    raise RemoteServiceError(
                        said("remote_service.no_signatures", service_name=self.service_name,
                             documents=len(requests)), service=self.url)
                raise RemoteServiceError(
                    said("remote_service.wrong_key", service_name=self.service_name,
                         documents=len(requests)), service=self.url)
        except Exception as e:  # noqa: BLE001 - every waiting document must hear of it
            for r in requests:
                if not r.answer.done():
                    r.answer.set_exception(e)
            return
        for r, outcome in zip(requests, checked, strict=True):
            if r.answer.done():
                continue
            if isinstance(outcome, Exception):
                r.answer.set_exception(outcome)
            else:
                r.answer.set_result(outcome)

    async def _timed(self, digests: list[bytes], digest: str, padding: RsaPadding,
                     approval: ApprovalRequest) -> list[bytes | None]:
        self.approvals += 1
        try:
            return await asyncio.wait_for(
                self._sign_digests(digests, digest, padding, approval),
                self.approval_timeout)
        except TimeoutError:
            raise ApprovalTimeoutError(
                said("approval_timeout.no_answer", service_name=self.service_name,
                     seconds=f"{self.approval_timeout:g}", documents=approval.count),
                service=self.url) from None

    def _announce(self, approval: ApprovalRequest) -> None:
        """Tell the caller what the person is asked to approve (on the key's loop)."""
        if self.on_approval is not None:
            self.on_approval(approval)

    def _check(self, signature: bytes | None, request: _Request, digest: str,
               padding: RsaPadding) -> bytes | RemoteSignatureError:
        if signature is None:
            return RemoteSignatureError(said("remote_signature.missing",
                                             service_name=self.service_name))
        signature = _der_ecdsa(signature, self.certificate)
        if not verifies(self.certificate, signature, request.data, digest, padding):
            return RemoteSignatureError(said("remote_signature.wrong",
                                             service_name=self.service_name))
        return signature

    # --- life -------------------------------------------------------------------------------

    def close(self) -> None:
        self._thread.close(self.http.aclose)

    def __enter__(self) -> RemoteSigningKey:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def verifies(cert: x509.Certificate, signature: bytes, data: bytes, digest: str,
             padding: RsaPadding) -> bool:
    """Does ``signature`` over ``data`` verify with ``cert``'s public key?"""
    key = cert.public_key()
    algorithm = _HASHES[digest]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            pad = (rsa_padding.PSS(mgf=rsa_padding.MGF1(algorithm),
                                   salt_length=DIGEST_SIZES[digest])
                   if padding is RsaPadding.PSS else rsa_padding.PKCS1v15())
            key.verify(signature, data, pad, algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def _der_ecdsa(signature: bytes, cert: x509.Certificate) -> bytes:
    """ECDSA signatures as CMS wants them (DER); some services return raw r||s."""
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return signature
    size = (key.curve.key_size + 7) // 8
    if len(signature) == 2 * size and signature[:1] != b"\x30":
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        return utils.encode_dss_signature(r, s)
    return signature
