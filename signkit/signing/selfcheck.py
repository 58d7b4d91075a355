"""The check every output passes before it gets its name: the new signature covers the whole
file and verifies against the signer's certificate.

It runs on the written file and reads it once: the bytes copied from the input are hashed
by ``PrefixDigests`` in a thread that follows the copy (on a large file, copying and hashing
overlap on two cores), and only the appended tail is read into memory, where the last
/ByteRange is found. The signature's digest and the whole file's SHA-256
(``SignResult.sha256``) continue from the same prefix digests; so does the document digest
the signature is made over (``document.py``): the copied bytes are hashed once.

With ``later_updates`` (B-LT, B-LTA: a DSS revision and maybe a document timestamp follow the
signature, and pyHanko may add DSS data for the document timestamp after it) it checks the
first new /ByteRange instead, which must cover the file up to the end of its own revision;
the later revisions are validation data that verification judges.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko_certvalidator.sig_validate import (
    DefaultSignatureValidator,
    SignatureValidationContext,
)

from ..error_messages import said
from ..errors import SigningError
from .source import COPY_CHUNK_SIZE, stream_size

_THREAD_FROM = 4 << 20  # bytes
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


class PrefixDigests:
    """Digests of the first ``length`` bytes of the open file ``fd``, one thread per
    algorithm (hashlib releases the GIL while it hashes), read in chunks with ``pread``
    (the file's position is left alone for its writer). ``close`` stops and waits.

    ``available``: how many of those bytes are in the file yet (default: all). While the
    input is still being copied, the threads follow the copy, hashing what ``advance``
    says is there, so that copying and hashing a large file overlap.

    >>> prefix = PrefixDigests(out.fileno(), size, {"sha256"})
    >>> prefix.result()["sha256"].hexdigest()
    """

    def __init__(self, fd: int, length: int, algorithms: Iterable[str], *,
                 available: int | None = None):
        self.length = length
        self._available = length if available is None else available
        self._moved = threading.Condition()
        self._stop = threading.Event()
        self._digests = {name: hashlib.new(name) for name in set(algorithms)}
        self._errors: list[OSError] = []
        self._threads: list[threading.Thread] = []
        if length < _THREAD_FROM and self._available >= length:
            # starting a thread costs more than hashing a small file
            self._fd = fd
            for digest in self._digests.values():
                self._hash(digest)
            self._fd = -1
            return
        self._fd = os.dup(fd)  # still readable should the caller close its file first
        self._threads = [threading.Thread(target=self._hash, args=(d,), daemon=True)
                         for d in self._digests.values()]
        for thread in self._threads:
            thread.start()

    def advance(self, available: int) -> None:
        """The first ``available`` bytes are now in the file."""
        with self._moved:
            self._available = available
            self._moved.notify_all()

    def _hash(self, digest) -> None:
        buffer = bytearray(min(COPY_CHUNK_SIZE, self.length))  # (a 1 MiB buffer costs a
        # small file more than hashing it does)
        view = memoryview(buffer)
        offset = 0
        try:
            while offset < self.length and not self._stop.is_set():
                if offset >= self._available:
                    with self._moved:
                        while offset >= self._available and not self._stop.is_set():
                            self._moved.wait()
                    continue
                want = min(len(buffer), self._available - offset)
                n = os.preadv(self._fd, [view[:want]], offset)
                if n == 0:
                    raise OSError(f"the output ends at {offset} bytes, before {self.length}")
                digest.update(view[:n])
                offset += n
        except OSError as e:
            self._errors.append(e)

    def result(self) -> dict:
        """The digests (hashlib objects; ``copy()`` one before updating it further)."""
        self.close()
        if self._errors:
            raise self._errors[0]
        return self._digests

    def close(self) -> None:
        if self._fd < 0:
            return
        for thread in self._threads:
            thread.join()
        os.close(self._fd)
        self._fd = -1

    def cancel(self) -> None:
        """Stop hashing (the output is being abandoned) and release the file."""
        self._stop.set()
        with self._moved:
            self._moved.notify_all()
        self.close()


class SignatureVerifier:
    """``validate_sig_integrity`` for the signatures of one signer in a batch, at a fraction
    of its cost: pyHanko's full check runs on the first signature, and on any whose signed
    attributes differ from the ones it passed in more than the message digest's value
    (checking the signing-certificate attribute against the certificate was most of its
    time); the others get what can change from one document to the next: the message
    digest and the signature over their signed attributes. The comparison is on the
    attributes' bytes as embedded (asn1crypto's parse of each attribute cost more than the
    signature check)."""

    def __init__(self, signer_cert: asn1_x509.Certificate):
        self.signer_cert = signer_cert
        self._checked: set[tuple[bytes, ...]] = set()

    def verify(self, signer_info: cms.SignerInfo, digest: bytes) -> bool:
        attrs = signer_info["signed_attrs"]
        if isinstance(attrs, core.Void):
            return False
        embedded = attrs.dump()  # [0] IMPLICIT SET OF Attribute
        found = _message_digest(embedded, len(digest))
        if found is None:
            return self._full_check(signer_info, digest)
        key = (signer_info["digest_algorithm"].dump(), signer_info["signature_algorithm"].dump(),
               embedded[:found] + bytes(len(digest)) + embedded[found + len(digest):])
        if key not in self._checked:
            return self._full_check(signer_info, digest, remember=key)
        if embedded[found:found + len(digest)] != digest:
            return False
        try:
            DefaultSignatureValidator().validate_signature(
                signer_info["signature"].native, b"\x31" + embedded[1:],  # signed as a SET
                self.signer_cert.public_key, signer_info["signature_algorithm"],
                context=SignatureValidationContext(
                    contextual_md_algorithm=signer_info["digest_algorithm"]["algorithm"].native,
                    prehashed=False))
        except InvalidSignature:
            return False
        return True

    def _full_check(self, signer_info: cms.SignerInfo, digest: bytes, *,
                    remember: tuple[bytes, ...] | None = None) -> bool:
        """pyHanko's check; ``remember``: the shape of attributes it passes, for later."""
        intact, valid = validate_sig_integrity(signer_info, self.signer_cert, "data", digest)
        if intact and valid and remember is not None:
            self._checked.add(remember)
        return intact and valid


_MESSAGE_DIGEST_TYPE = bytes.fromhex("06092a864886f70d010904")  # 1.2.840.113549.1.9.4, DER


def _message_digest(attributes: bytes, size: int) -> int | None:
    """Where the value of the one messageDigest attribute of ``size`` bytes starts in the
    encoded signed attributes; None when there is not exactly one such (pyHanko's full
    check then judges them)."""
    if size > 125 or attributes.count(_MESSAGE_DIGEST_TYPE) != 1:
        return None
    marker = _MESSAGE_DIGEST_TYPE + bytes((0x31, size + 2, 0x04, size))
    at = attributes.find(marker)
    return None if at < 0 else at + len(marker)


def check_signed_output(
    out: BinaryIO, verifier: SignatureVerifier, source: Path, *, appended_from: int,
    later_updates: bool = False, prefix: PrefixDigests | None = None,
) -> str:
    """Check the signature this run appended to ``out`` after its first ``appended_from``
    bytes; return the whole file's SHA-256 (hex). ``prefix``: the digests of those first
    bytes, already under way (else they are computed here)."""
    def fail(why: str) -> SigningError:
        return SigningError(said("signing.internal_check", why=why), path=source)

    size = stream_size(out)
    tail = _read_tail(out.fileno(), appended_from, size)
    matches = list(_BYTE_RANGE.finditer(tail))
    if not matches:
        raise fail("the output has no new signature")
    start1, len1, start2, len2 = (int(g) for g in matches[-1].groups())
    if not later_updates and (start1 != 0 or start2 + len2 != size
                              or not (0 < len1 < start2)):
        raise fail("the new signature does not cover the whole file")
    if later_updates:
        start1, len1, start2, len2 = (int(g) for g in matches[0].groups())
        end = start2 + len2
        if start1 != 0 or end > size or not (0 < len1 < start2) \
                or not tail[:end - appended_from].rstrip().endswith(b"%%EOF"):
            raise fail("the new signature does not cover its whole revision")
    if len1 < appended_from:
        raise fail("the new signature's value is not in the appended part")
    contents = tail[len1 - appended_from:start2 - appended_from]
    if contents[:1] != b"<" or contents[-1:] != b">":
        raise fail("the signature value is not where its /ByteRange says")
    try:
        signed_data = cms.ContentInfo.load(bytes.fromhex(contents[1:-1].decode("ascii")))
        signer_info = signed_data["content"]["signer_infos"][0]
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
    except (ValueError, KeyError, IndexError) as e:
        raise fail(f"the embedded signature cannot be parsed ({e})") from None
    if prefix is None or prefix.length != appended_from:
        prefix = PrefixDigests(out.fileno(), appended_from, {"sha256", digest_name})
    started = prefix.result()
    missing = {"sha256", digest_name} - started.keys()
    if missing:  # the signature's algorithm was not the one expected
        started = {**started, **PrefixDigests(out.fileno(), appended_from, missing).result()}
    tail_view = memoryview(tail)
    digest = started[digest_name].copy()
    digest.update(tail_view[:len1 - appended_from])
    digest.update(tail_view[start2 - appended_from:start2 + len2 - appended_from])
    whole = started["sha256"].copy()
    whole.update(tail_view)
    if not verifier.verify(signer_info, digest.digest()):
        raise fail("the new signature does not verify (token fault?)")
    return whole.hexdigest()


def _read_tail(fd: int, start: int, end: int) -> bytes:
    parts = []
    while start < end:
        chunk = os.pread(fd, end - start, start)
        if not chunk:
            break
        parts.append(chunk)
        start += len(chunk)
    return b"".join(parts)
