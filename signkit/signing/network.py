"""The network services that signing relies on (TSA, OCSP responders, CRLs): their failures
told in words, and pyHanko's revocation fetchers wrapped so that each failure is recorded.

pyhanko_certvalidator's aiohttp fetchers report an unreachable OCSP responder or CRL only as
"no revocation information could be found", and let a timeout or an answer that does not
parse escape as a bare ``TimeoutError``/``ValueError`` (which then look like file-system or
PDF errors). ``RevocationFetchers`` wraps them: every failure becomes the
``OCSPFetchError``/``CRLFetchError`` the validator handles (so hard-fail validation fails
cleanly) and is kept as a ``ServiceFailure`` (service, URL, reason) for the error message.

Answers are cached for the whole batch (one OCSP request per certificate, one download per
CRL), but a failure is not: ``start_document`` gives the next document fresh fetchers
(on the same HTTP session) after one failed, so a passing outage fails only the documents
signed during it.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

import aiohttp
from pyhanko_certvalidator.errors import (
    CRLFetchError,
    CRLValidationError,
    OCSPFetchError,
    OCSPValidationError,
    PathError,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import CRLFetcher, Fetchers, OCSPFetcher

from ..error_messages import said

OCSP_SERVICE = "OCSP responder"
CRL_SERVICE = "CRL distribution point"

# what fetching can raise: network and HTTP errors, timeouts (OSError), answers that do not
# parse (ValueError from asn1crypto) or do not fit the request (the validator's errors)
_FETCH_ERRORS = (OSError, ValueError, aiohttp.ClientError, OCSPValidationError,
                 CRLValidationError, PathError)


@dataclass(frozen=True)
class ServiceFailure:
    service: str  # OCSP_SERVICE, CRL_SERVICE
    url: str
    reason: str

    def __str__(self) -> str:
        return said("net.service_failed", service=self.service, url=self.url,
                    reason=self.reason)


def failure_reason(error: BaseException, *, timeout: float, answer: str) -> str:
    """Why a request failed, in words: ``connection refused``, ``no answer within 2 s``,
    ``HTTP 503 Service Unavailable``, ``the answer is not a valid <answer>``..."""
    chain = _causes(error)
    for e in chain:
        if isinstance(e, TimeoutError):
            return said("net.timeout", seconds=f"{timeout:g}")
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED:
            return said("net.refused")
        if isinstance(e, aiohttp.ClientResponseError):
            return said("net.http", status=f"{e.status} {e.message or ''}".strip())
        if isinstance(e, ValueError):
            return said("net.invalid_answer", answer=answer)
    for e in chain:
        if isinstance(e, aiohttp.ClientConnectorError):
            return said("net.cannot_connect", detail=str(e.os_error.strerror or e.os_error))
    root = chain[-1]
    return said("detail", detail=str(root) or type(root).__name__)


def ocsp_urls(cert) -> list[str]:
    try:
        return list(cert.ocsp_urls)
    except (ValueError, KeyError, AttributeError):
        return []


def crl_urls(cert) -> list[str]:
    urls: list[str] = []
    try:
        for point in cert.crl_distribution_points:
            name = point["distribution_point"]
            if name.name == "full_name":
                urls += [n.native for n in name.chosen if n.name == "uniform_resource_identifier"]
    except (ValueError, KeyError, AttributeError):
        pass
    return urls


class RevocationFetchers:
    """pyHanko's aiohttp OCSP and CRL fetchers for one batch, recording their failures.

    ``fetchers`` goes into the ``ValidationContext``; ``failures`` lists what failed since
    the last ``start_document``; ``aclose`` closes the HTTP session."""

    def __init__(self, *, timeout: float):
        self.timeout = timeout
        self.failures: list[ServiceFailure] = []
        self._backend = AIOHttpFetcherBackend(per_request_timeout=timeout)
        self._inner = self._backend.get_fetchers()
        self.fetchers = Fetchers(
            ocsp_fetcher=_RecordingOcspFetcher(self),
            crl_fetcher=_RecordingCrlFetcher(self),
            cert_fetcher=self._inner.cert_fetcher,
        )

    def start_document(self) -> None:
        if self.failures:  # pyHanko's fetchers keep failures too: ask afresh
            self._inner = self._backend.get_fetchers()
            self.failures.clear()

    async def aclose(self) -> None:
        await self._backend.close()

    def _failed(self, service: str, urls: list[str], error: BaseException, answer: str
                ) -> ServiceFailure:
        failure = ServiceFailure(service, ", ".join(urls) or "(no URL)",
                                 failure_reason(error, timeout=self.timeout, answer=answer))
        if failure not in self.failures:
            self.failures.append(failure)
        return failure


class _RecordingOcspFetcher(OCSPFetcher):
    def __init__(self, owner: RevocationFetchers):
        self._owner = owner

    async def fetch(self, cert, authority):
        try:
            return await self._owner._inner.ocsp_fetcher.fetch(cert, authority)
        except _FETCH_ERRORS as e:
            failure = self._owner._failed(OCSP_SERVICE, ocsp_urls(cert), e, "OCSP response")
            raise OCSPFetchError(str(failure)) from None

    def fetched_responses(self):
        return self._owner._inner.ocsp_fetcher.fetched_responses()

    def fetched_responses_for_cert(self, cert):
        return self._owner._inner.ocsp_fetcher.fetched_responses_for_cert(cert)


class _RecordingCrlFetcher(CRLFetcher):
    def __init__(self, owner: RevocationFetchers):
        self._owner = owner

    async def fetch(self, cert, *, use_deltas=None):
        kwargs = {} if use_deltas is None else {"use_deltas": use_deltas}
        try:
            crls = list(await self._owner._inner.crl_fetcher.fetch(cert, **kwargs))
            for crl in crls:  # asn1crypto parses lazily: a garbage answer would pass unseen
                crl["tbs_cert_list"]["this_update"].native  # noqa: B018
                crl["signature"].native  # noqa: B018
            return crls
        except (*_FETCH_ERRORS, KeyError, TypeError) as e:
            failure = self._owner._failed(CRL_SERVICE, crl_urls(cert), e, "CRL")
            raise CRLFetchError(str(failure)) from None

    def fetched_crls(self):
        return self._owner._inner.crl_fetcher.fetched_crls()

    def fetched_crls_for_cert(self, cert):
        return self._owner._inner.crl_fetcher.fetched_crls_for_cert(cert)


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        if isinstance(current, aiohttp.ClientConnectorError):
            chain.append(current.os_error)
        current = current.__cause__ or current.__context__
    return chain
