"""OCSP responses, CRLs and issuer certificates fetched over the standard library's HTTP client.

pyhanko_certvalidator ships fetchers over aiohttp. Importing aiohttp costs a verification
run about 0.12 s, and its session loads a CA bundle (another 0.02 s) even for the plain-http
URLs that OCSP and CRLs use; for one large file that is a quarter of the run. A run fetches
little (each certificate's status once per batch, kept in these fetchers' caches), so one
blocking ``http.client`` request in a thread does the same work. What is fetched and how
the answers are checked is pyhanko_certvalidator's own code (``fetchers.common_utils``); only
the transport differs, and it behaves as the aiohttp fetchers do: the same certifi CA bundle
for https, redirects followed (at most five), anything but a 200 answer a fetch error, and a
request that outlasts its timeout raises ``TimeoutError`` (the verifier then judges offline
and says so).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.client
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from asn1crypto import cms, crl, ocsp, pem, x509
from pyhanko_certvalidator import errors
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.fetchers.api import (
    DEFAULT_USER_AGENT,
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    FetchLimits,
    OCSPFetcher,
)
from pyhanko_certvalidator.fetchers.common_utils import (
    ACCEPTABLE_CERT_DER_ALIASES,
    ACCEPTABLE_CERT_PEM_ALIASES,
    ACCEPTABLE_PKCS7_DER_ALIASES,
    ACCEPTABLE_STRICT_CERT_CONTENT_TYPES,
    FetchBudget,
    FetchKind,
    cap_aia_urls,
    complete_certificate_fetch_jobs,
    crl_job_results_as_completed,
    enumerate_delivery_point_urls,
    format_ocsp_request,
    gather_aia_issuer_urls,
    ocsp_job_get_earliest,
    process_ocsp_response_data,
    queue_fetch_task,
    unpack_cert_content,
)
from pyhanko_certvalidator.util import get_ocsp_urls, get_relevant_crl_dps, issuer_serial

logger = logging.getLogger(__name__)

_MAX_REDIRECTS = 5
_MAX_BODY = 256 << 20  # a CRL of a large CA is tens of MB; a server sending more is broken


class HttpFetchError(Exception):
    """A request that did not end in a usable 200 answer."""


@dataclass(frozen=True)
class HttpAnswer:
    content: bytes
    content_type: str | None


def http_request(method: str, url: str, *, body: bytes | None = None,
                 headers: dict[str, str], timeout: float) -> HttpAnswer:
    """One HTTP(S) request with ``http.client`` (blocking), following redirects the way
    aiohttp does (a POST redirected by 301, 302 or 303 becomes a GET)."""
    for _ in range(_MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme == "http":
            conn: http.client.HTTPConnection = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=timeout)
        elif parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname or "", parts.port,
                                               timeout=timeout, context=_tls_context())
        else:
            raise HttpFetchError(f"unsupported URL {url!r}")
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            location = response.getheader("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                if response.status in (301, 302, 303) and method == "POST":
                    method, body = "GET", None
                continue
            if response.status != 200:
                raise HttpFetchError(f"{url}: HTTP {response.status} {response.reason}")
            content = response.read(_MAX_BODY + 1)
            if len(content) > _MAX_BODY:
                raise HttpFetchError(f"{url}: the answer is larger than {_MAX_BODY} bytes")
            return HttpAnswer(content, response.getheader("Content-Type"))
        finally:
            conn.close()
    raise HttpFetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")


@functools.cache
def _tls_context() -> Any:
    import ssl  # only for https: OCSP and CRL URLs are almost always plain http

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


# what a failed fetch raises: pyhanko_certvalidator's fetch errors are raised from it
# (``_request`` turns a failed transport into HttpFetchError, all but a timeout: see above)
_FETCH_FAILURES = (HttpFetchError, ValueError)


class _StdlibFetcher:
    """The cache and transport shared by the three fetchers (as pyhanko_certvalidator's
    ``RequestsFetcherMixin``)."""

    def __init__(self, user_agent: str | None = None, per_request_timeout: float = 10, *,
                 budget: FetchBudget | None = None):
        self._budget = budget
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self.per_request_timeout = per_request_timeout
        self._results: dict[Any, Any] = {}
        self._running: dict[Any, asyncio.Event] = {}

    def _charge(self, kind: FetchKind) -> None:
        if self._budget is not None:
            self._budget.charge(kind)

    def get_results(self) -> set:
        return {v for v in self._results.values() if not isinstance(v, Exception)}

    def _iter_results(self) -> Iterable[tuple[Any, Any]]:
        return ((k, v) for k, v in self._results.items() if not isinstance(v, Exception))

    async def _perform_fetch(self, tag: Any, fetch: Callable[[], Awaitable[Any]]) -> Any:
        return await queue_fetch_task(self._results, self._running, tag, fetch)

    async def _request(self, method: str, url: str, *, accept: Iterable[str],
                       body: bytes | None = None, content_type: str | None = None
                       ) -> HttpAnswer:
        headers = {"Accept": ",".join(accept), "User-Agent": self.user_agent}
        if content_type is not None:
            headers["Content-Type"] = content_type
        # http.client's timeout bounds each socket operation; this bounds the whole request
        # (a server trickling a byte at a time), as aiohttp's total timeout does
        try:
            return await asyncio.wait_for(
                _in_daemon_thread(http_request, method, url, body=body, headers=headers,
                                  timeout=self.per_request_timeout),
                self.per_request_timeout)
        except TimeoutError:
            raise  # an OSError too, but not a failed fetch
        except (OSError, http.client.HTTPException) as e:
            raise HttpFetchError(f"{url}: {e}") from e


def _in_daemon_thread(blocking: Callable[..., Any], *args: Any, **kwargs: Any
                      ) -> asyncio.Future:
    """Run ``blocking`` in a daemon thread of its own: unlike the loop's default executor,
    a request still waiting for a dead server when the run ends holds nothing up (the
    process exits; the thread's answer, if it ever comes, is dropped)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            outcome, error = blocking(*args, **kwargs), None
        except BaseException as e:  # handed to the awaiting task
            outcome, error = None, e
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
            loop.call_soon_threadsafe(settle, outcome, error)

    threading.Thread(target=run, name="signkit-fetch", daemon=True).start()
    return future


class StdlibOCSPFetcher(_StdlibFetcher, OCSPFetcher):
    def __init__(self, *args: Any, certid_hash_algo: str = "sha1",
                 request_nonces: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.certid_hash_algo = certid_hash_algo
        self.request_nonces = request_nonces

    async def fetch(self, cert: x509.Certificate | cms.AttributeCertificateV2,
                    authority: Authority) -> ocsp.OCSPResponse:
        tag = (issuer_serial(cert), authority.hashable)
        return await self._perform_fetch(tag, lambda: self._fetch(cert, authority))

    async def _fetch(self, cert, authority: Authority) -> ocsp.OCSPResponse:
        request = format_ocsp_request(cert, authority, certid_hash_algo=self.certid_hash_algo,
                                      request_nonces=self.request_nonces)
        urls = get_ocsp_urls(cert)
        if not urls:
            raise errors.OCSPFetchError("No URLs to fetch OCSP responses from")
        return await ocsp_job_get_earliest(self._fetch_one(url, request) for url in urls)

    async def _fetch_one(self, url: str, request: ocsp.OCSPRequest) -> ocsp.OCSPResponse:
        self._charge(FetchKind.OCSP)
        try:
            logger.info("Requesting OCSP response from %s...", url)
            answer = await self._request("POST", url, body=request.dump(),
                                         content_type="application/ocsp-request",
                                         accept=("application/ocsp-response",))
            return process_ocsp_response_data(answer.content, ocsp_request=request,
                                              ocsp_url=url)
        except (*_FETCH_FAILURES, errors.OCSPValidationError) as e:
            raise errors.OCSPFetchError(f"Failed to fetch OCSP response from {url}") from e

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return self.get_results()

    def fetched_responses_for_cert(self, cert) -> Iterable[ocsp.OCSPResponse]:
        target = issuer_serial(cert)
        return {resp for (subject, _), resp in self._iter_results() if subject == target}


class StdlibCRLFetcher(_StdlibFetcher, CRLFetcher):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._by_cert: dict[Any, list[crl.CertificateList]] = {}

    async def fetch(self, cert, *, use_deltas: bool = True) -> list[crl.CertificateList]:
        key = issuer_serial(cert)
        if key not in self._by_cert:
            self._by_cert[key] = [c async for c in self._fetch(cert, use_deltas=use_deltas)]
        return self._by_cert[key]

    async def _fetch(self, cert, *, use_deltas: bool) -> AsyncIterator[crl.CertificateList]:
        jobs = (self._fetch_one(url)
                for point in get_relevant_crl_dps(cert, use_deltas=use_deltas)
                for url in enumerate_delivery_point_urls(point))
        async for result in crl_job_results_as_completed(jobs):
            yield result

    async def _fetch_one(self, url: str) -> crl.CertificateList:
        async def task() -> crl.CertificateList:
            self._charge(FetchKind.CRL)
            logger.info("Requesting CRL from %s...", url)
            try:
                answer = await self._request("GET", url, accept=("application/pkix-crl",))
                data = answer.content
                if pem.detect(data):
                    _, _, data = pem.unarmor(data)
                return crl.CertificateList.load(data)
            except _FETCH_FAILURES as e:
                raise errors.CRLFetchError(f"Failure to fetch CRL from URL {url}") from e

        return await self._perform_fetch(url, task)

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return set(self.get_results())

    def fetched_crls_for_cert(self, cert) -> Iterable[crl.CertificateList]:
        return self._by_cert[issuer_serial(cert)]


class StdlibCertificateFetcher(_StdlibFetcher, CertificateFetcher):
    """Issuer certificates from AIA caIssuers URLs: one DER certificate, a PKCS#7
    certs-only message, or PEM (which people serve although they should not)."""

    _ACCEPTED = (ACCEPTABLE_STRICT_CERT_CONTENT_TYPES | ACCEPTABLE_CERT_PEM_ALIASES
                 | ACCEPTABLE_CERT_DER_ALIASES | ACCEPTABLE_PKCS7_DER_ALIASES)

    async def fetch_certs(self, url: str, url_origin_type: str) -> list[x509.Certificate]:
        async def task() -> list[x509.Certificate]:
            self._charge(FetchKind.CERT)
            try:
                logger.info("Fetching certificates from %s...", url)
                answer = await self._request("GET", url, accept=self._ACCEPTED)
                content_type = (answer.content_type or "").strip() or None
                if content_type is not None and content_type not in self._ACCEPTED:
                    raise HttpFetchError(
                        f"Unacceptable content type {content_type!r} when fetching issuer "
                        f"certificate for {url_origin_type} from URL {url}.")
                return list(unpack_cert_content(answer.content, content_type, url, True))
            except _FETCH_FAILURES as e:
                message = f"Failed to fetch certificate(s) from url {url}."
                logger.debug(message, exc_info=e)
                raise errors.CertificateFetchError(message) from e

        return await self._perform_fetch(url, task)

    def fetch_cert_issuers(self, cert):
        jobs = [self.fetch_certs(url, url_origin_type="certificate")
                for url in cap_aia_urls(self._budget, gather_aia_issuer_urls(cert))]
        return complete_certificate_fetch_jobs(jobs)

    def fetch_crl_issuers(self, certificate_list):
        jobs = [self.fetch_certs(url, url_origin_type="CRL")
                for url in cap_aia_urls(self._budget, certificate_list.issuer_cert_urls)]
        return complete_certificate_fetch_jobs(jobs)

    def fetched_certs(self) -> Iterable[x509.Certificate]:
        return self.get_results()


class StdlibFetcherBackend(FetcherBackend):
    """pyhanko_certvalidator's fetcher backend over ``http.client``; nothing to close."""

    def __init__(self, per_request_timeout: float = 10, *,
                 limits: FetchLimits = FetchLimits()):  # noqa: B008 (frozen dataclass)
        self.per_request_timeout = per_request_timeout
        self.limits = limits

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(self.limits)
        timeout = self.per_request_timeout
        return Fetchers(
            ocsp_fetcher=StdlibOCSPFetcher(per_request_timeout=timeout, budget=budget),
            crl_fetcher=StdlibCRLFetcher(per_request_timeout=timeout, budget=budget),
            cert_fetcher=StdlibCertificateFetcher(per_request_timeout=timeout, budget=budget),
        )

    async def close(self) -> None:
        return None
