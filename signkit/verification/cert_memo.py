"""Parsing the certificates a batch's signatures carry once, not once per document.

Every signature from one signer carries the same certificates (its own and its chain). pyHanko
parses them from the signature's bytes for each document, twice (for the signature's summary
and again to validate it), and then computes their names, key identifiers and digests
afresh: about a third of a small document's verification time. While a ``CertificateMemo``
is active, the certificates of a signature whose certificate set and signer identifier are
byte for byte those of an earlier signature are the earlier, already parsed objects.

pyHanko also checks the signing-certificate attribute twice per signature, on the very same
parsed attributes and certificate; the second check of the pair just checked is skipped.

Only the parse is shared, and the answer to one question that depends on nothing else:
whether a signing-certificate attribute's certificate identifier (ESSCertID: a digest of the
certificate, its issuer and serial number) names a given certificate, remembered per pair of
encodings. Everything else that depends on the document (the signed attributes, the
digest, the signature value) is checked for every document as before. A certificate set
that cannot be parsed, or that lacks the signer's certificate, is not remembered; pyHanko
raises as it always does.

It works by wrapping ``extract_certificate_info``, ``check_ess_certid`` and
``_check_signing_certificate`` where pyHanko's CMS validation calls them
(``pyhanko.sign.validation.generic_cms``); outside an active memo the wrappers pass every
call through unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from typing import Any

from pyhanko.sign.general import extract_signer_info
from pyhanko.sign.validation import generic_cms

from .memo import Lru, activated

_MOST_SETS = 64  # certificate sets remembered per verifier, the least recently used dropped
_MOST_PAIRS = 256  # (certificate, ESSCertID) answers likewise

_ACTIVE: contextvars.ContextVar[CertificateMemo | None] = contextvars.ContextVar(
    "signkit_certificate_memo", default=None)


class CertificateMemo:
    """Parsed certificate sets by their bytes (see the module's description)."""

    def __init__(self) -> None:
        self._sets: Lru[bytes, Any] = Lru(_MOST_SETS)
        self._names: Lru[tuple[str, bytes, bytes], bool] = Lru(_MOST_PAIRS)  # ESSCertIDs
        self._checked: tuple[Any, Any] | None = None  # (certificate, signed attributes)
        self.hits = 0
        install()

    def active(self) -> contextlib.AbstractContextManager[None]:
        """Share parsed certificates inside the block (in this context and its tasks)."""
        return activated(_ACTIVE, self)

    def _names_certificate(self, cert, certid, check) -> bool:
        # the certificate by its digest (computed once per parsed object: asn1crypto keeps
        # it), which dump() would not be (it walks every parsed part for changes first)
        key = (type(certid).__name__, certid.dump(), cert.sha256)  # ESSCertID: SHA-1
        answer = self._names.get(key)
        if answer is None:
            answer = bool(check(cert, certid))
            self._names.put(key, answer)
        return answer


def install() -> None:
    """Wrap pyHanko's ``extract_certificate_info`` and ``check_ess_certid`` once per
    process."""
    if getattr(generic_cms.extract_certificate_info, "signkit_memo", False):
        return
    original = generic_cms.extract_certificate_info
    original_check = generic_cms.check_ess_certid
    original_attribute_check = generic_cms._check_signing_certificate

    def extract_certificate_info(signed_data):
        memo = _ACTIVE.get()
        key = _key(signed_data) if memo is not None else None
        if memo is None or key is None:
            return original(signed_data)
        info = memo._sets.get(key)
        if info is None:
            info = original(signed_data)  # raises on a missing signer certificate
            memo._sets.put(key, info)
        else:
            memo.hits += 1
        # the objects are shared; the lists are the caller's own
        return dataclasses.replace(info, other_certs=list(info.other_certs),
                                   attribute_certs=list(info.attribute_certs))

    def check_ess_certid(cert, certid) -> bool:
        memo = _ACTIVE.get()
        if memo is None:
            return original_check(cert, certid)
        return memo._names_certificate(cert, certid, original_check)

    def _check_signing_certificate(cert, signed_attrs) -> None:
        memo = _ACTIVE.get()
        if memo is None:
            return original_attribute_check(cert, signed_attrs)
        last = memo._checked
        if last is not None and last[0] is cert and last[1] is signed_attrs:
            return None  # these very objects passed a moment ago
        original_attribute_check(cert, signed_attrs)  # raises when they do not match
        memo._checked = (cert, signed_attrs)  # held, so that their ids are not reused
        return None

    extract_certificate_info.signkit_memo = True  # type: ignore[attr-defined]
    generic_cms.extract_certificate_info = extract_certificate_info
    generic_cms.check_ess_certid = check_ess_certid
    generic_cms._check_signing_certificate = _check_signing_certificate


def _key(signed_data) -> bytes | None:
    try:
        certificates = signed_data["certificates"].dump()
        sid = extract_signer_info(signed_data)["sid"].dump()
    except Exception:  # noqa: BLE001 - malformed: pyHanko's own call says how
        return None
    return len(certificates).to_bytes(8, "big") + certificates + sid
