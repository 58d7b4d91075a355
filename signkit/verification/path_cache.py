"""Validating a given certificate path at a given moment once per batch, not once per document.

A batch of documents from one signer asks pyHanko, for every document, to validate the same
certificate path against the same anchors at the same moment with the same revocation data:
about a fifth of a small document's verification time. A ``PathCache`` (one per
``Verifier``) remembers each path that validated cleanly and answers the next identical
question with it.

"Identical" covers everything the answer depends on: the certificate; every certificate
pyHanko knows for the document at that point (the document's own and the local
intermediates, so a chain that differs only in an intermediate is a different question);
the CRLs and OCSP responses the document brings; the validation moment, the best signature
time and the time tolerance; the revocation policy and whether fetching is allowed. The
trust anchors are the verifier's own. Revocation data fetched online comes from the batch's
fetchers, which fetch a certificate's status once per batch with or without this cache.

Only clean successes are remembered. A path that fails (revoked, expired, untrusted), or that
passes with a soft failure or a logged warning (an unreachable responder, say), is validated
again for every document, so that each document gets its own account of it. The cache is
used only while ``PathCache.active`` is (the verifier's plain validation); the long-term
route at proofs of existence always validates afresh.

It works by wrapping ``find_valid_path`` where pyHanko's CMS validation calls it
(``pyhanko.sign.validation.generic_cms``); outside an active cache the wrapper passes
every call through unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
from typing import Any

from pyhanko.sign.validation import generic_cms

from .memo import Lru, activated
from .pyhanko_logs import listening

_MOST_PATHS = 256  # questions remembered per verifier, the least recently asked dropped first

_ACTIVE: contextvars.ContextVar[PathCache | None] = contextvars.ContextVar(
    "signkit_path_cache", default=None)


class PathCache:
    """Validated paths by question (see the module's description)."""

    def __init__(self) -> None:
        self._paths: Lru[bytes, Any] = Lru(_MOST_PATHS)
        self.hits = 0
        install()

    def active(self) -> contextlib.AbstractContextManager[None]:
        """Answer from this cache inside the block (in this context and the tasks it starts)."""
        return activated(_ACTIVE, self)


def install() -> None:
    """Wrap pyHanko's ``find_valid_path`` once per process."""
    if getattr(generic_cms.find_valid_path, "signkit_path_cache", False):
        return
    original = generic_cms.find_valid_path

    async def find_valid_path(certificate, paths, validation_context,
                              pkix_validation_params=None):
        cache = _ACTIVE.get()
        if cache is None:
            return await original(certificate, paths, validation_context,
                                  pkix_validation_params)
        key = _question(certificate, validation_context, pkix_validation_params)
        path = cache._paths.get(key)
        if path is not None:
            cache.hits += 1
            await paths.cancel()  # as pyHanko does once it has a path
            return path
        soft_failures = len(validation_context.soft_fail_exceptions)
        with listening(_WarningCount()) as warned:
            path = await original(certificate, paths, validation_context,
                                  pkix_validation_params)
        if not warned.count and len(validation_context.soft_fail_exceptions) == soft_failures:
            cache._paths.put(key, path)
        return path

    find_valid_path.signkit_path_cache = True  # type: ignore[attr-defined]
    generic_cms.find_valid_path = find_valid_path


def _question(certificate, context, pkix_params) -> bytes:
    """A digest of everything the validation of ``certificate`` in ``context`` depends on."""
    h = hashlib.sha256()

    def add(*parts: bytes) -> None:
        for part in parts:
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)

    # certificates by their digests, which asn1crypto computes once per parsed object
    add(certificate.sha256)
    for digests in (
        sorted(c.sha256 for c in context.certificate_registry),
        sorted(hashlib.sha256(c.dump()).digest() for c in context.crls),
        sorted(hashlib.sha256(o.dump()).digest() for o in context.ocsps),
    ):
        add(b"%d" % len(digests), *digests)
    timing = context.timing_params
    add(repr((timing.validation_time, timing.best_signature_time, timing.time_tolerance,
              context.revinfo_policy, context.fetching_allowed, context.retroactive_revinfo,
              pkix_params)).encode())
    return h.digest()


class _WarningCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


