"""The RFC 3161 time-stamping client used for PAdES-B-T, B-LT and B-LTA.

One ``TsaClient`` serves a whole batch: it holds one ``aiohttp.ClientSession`` (created on
first use inside the ``DocumentSigner``'s one event loop, closed by ``aclose``), so the TCP
(and TLS) connections to the TSA are kept alive and reused from one document to the next,
while every document still gets its own timestamp request (with a fresh nonce). pyHanko's own
``HTTPTimeStamper`` opens and closes a session per request unless given one.

What is checked before a token is used:

- pyHanko (``pyhanko.sign.timestamps.common_utils.handle_tsp_response``) checks the
  response's PKIStatus is ``granted`` and that the nonce in the TSTInfo equals the one sent;
- this module checks the HTTP status and content type, that the answer parses, that the
  message imprint (algorithm and digest) is the one asked for, that the TSA sent its
  certificate (we always ask with certReq), and — when a trust setup is given — that the
  token's signature is intact and the TSA certificate chains to a trust anchor with the
  time-stamping extended key usage.

Connection errors and HTTP 5xx are retried with exponential backoff; HTTP 4xx never is.
Every failure is a ``TimestampError`` naming the TSA URL and the reason.

The TSA's hash algorithm may differ from the signature's (some TSAs accept only one):
pyHanko hashes what it timestamps itself and hands the client only a digest, so the choice
is made where the digest is computed — ``SignatureTimestamp`` for the signature timestamp,
and the document timestamp's algorithm in ``document.py``.
"""

from __future__ import annotations

import asyncio
import hashlib

import aiohttp
from asn1crypto import cms, tsp
from pyhanko.sign.attributes import TSTProvider, UnsignedAttributeProviderSpec
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, handle_tsp_response

from ..error_messages import said
from ..errors import TimestampError, TimestampUntrustedError
from ..report.messages import Message
from .network import failure_reason
from .tsa_auth import TsaAuth

TSA_CONTENT_TYPE = "application/timestamp-reply"


class TsaClient(TimeStamper):
    """A pyHanko ``TimeStamper`` with connection reuse, retries and strict checks.

    ``validation_context``: when given, every token's signature and the TSA certificate
    are validated against it (a TSA that does not chain to a trust anchor is refused).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        auth: TsaAuth | None = None,
        retries: int = 2,
        backoff: float = 0.5,
        validation_context=None,
    ):
        super().__init__(include_nonce=True)
        self.url = url
        self.timeout = timeout
        self.auth = auth
        self.retries = max(0, retries)
        self.backoff = backoff
        self.validation_context = validation_context
        self.requests_sent = 0
        self._trusted_tsa_certs: set[bytes] = set()  # chains validated in this batch
        self._session: aiohttp.ClientSession | None = None
        self._headers = {"Content-Type": "application/timestamp-query",
                         "Accept": TSA_CONTENT_TYPE}
        if auth is not None and auth.token is not None:
            self._headers["Authorization"] = f"Bearer {auth.token}"
        self._basic = (aiohttp.BasicAuth(auth.user or "", auth.password or "")
                       if auth is not None and auth.token is None else None)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _fail(self, reason: str, kind: type[TimestampError] = TimestampError
              ) -> TimestampError:
        if not isinstance(reason, Message):  # one line: asn1crypto's messages span several
            reason = said("detail", detail=" ".join(reason.split()))
        return kind(said("timestamp.failed", url=self.url, why=reason), url=self.url)

    # --- transport -------------------------------------------------------------------

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit_per_host=4, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        body = req.dump()
        attempts = self.retries + 1
        reason: str = said("detail", detail="no attempt made")
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            self.requests_sent += 1
            try:
                async with self._get_session().post(
                    self.url, data=body, headers=self._headers, auth=self._basic
                ) as response:
                    status, phrase = response.status, response.reason or ""
                    ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
                    content = await response.read()
            except TimeoutError:
                raise self._fail(said("net.timeout", seconds=f"{self.timeout:g}")) from None
            except aiohttp.ClientConnectionError as e:  # refused, reset, DNS: retried
                reason = failure_reason(e, timeout=self.timeout, answer="timestamp response")
                continue
            except (aiohttp.ClientError, ValueError) as e:
                raise self._fail(f"{type(e).__name__}: {e}") from None
            if status >= 500:
                reason = said("net.http", status=f"{status} {phrase}".strip())
                continue
            if status >= 400:
                code = "timestamp.credentials" if status in (401, 403) else "net.http"
                raise self._fail(said(code, status=f"{status} {phrase}".strip()))
            if status != 200:
                raise self._fail(said("timestamp.unexpected_http",
                                      status=f"{status} {phrase}".strip()))
            if ctype != TSA_CONTENT_TYPE:
                raise self._fail(said("timestamp.not_reply", content_type=ctype))
            try:
                parsed = _TimeStampResp.load(content)
                parsed.native  # noqa: B018 -- parse it all now, not later inside pyHanko
            except (ValueError, TypeError, KeyError) as e:
                raise self._fail(said("timestamp.invalid", detail=_one_line(e))) from None
            return parsed
        if attempts > 1:
            reason = said("net.after_attempts", reason=reason, attempts=attempts)
        raise self._fail(reason)

    # --- checks ----------------------------------------------------------------------

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        nonce, req = self.request_cms(message_digest, md_algorithm)
        res = await self.async_request_tsa_response(req)
        try:
            status = res["status"]
            if status["status"].native != "granted":
                words = [*(status["status_string"].native or ()),
                         *(status["fail_info"].native or ())]
                details = f": {'; '.join(words)}" if words else ""
                raise self._fail(said("timestamp.refused", status=status["status"].native,
                                      details=details))
            # pyHanko compares the nonce too, but its message then fails to format
            # (it calls .hex() on an int), so compare first and say it plainly
            tst_info = res["time_stamp_token"]["content"]["encap_content_info"]["content"]
            received = tst_info.parsed["nonce"].native
            if received != nonce:
                raise self._fail(said("timestamp.nonce", sent=nonce, got=received))
            token = handle_tsp_response(res, nonce)  # checks both again
        except TimestampRequestError as e:
            raise self._fail(str(e)) from None
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise self._fail(said("timestamp.malformed", detail=_one_line(e))) from None
        await self._check_token(token, message_digest, md_algorithm)
        return token

    async def _check_token(self, token: cms.ContentInfo, digest: bytes, md_algorithm: str):
        try:
            signed_data = token["content"]
            tst_info = signed_data["encap_content_info"]["content"].parsed
            imprint = tst_info["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            hashed = imprint["hashed_message"].native
            certificates = list(signed_data["certificates"] or ())
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise self._fail(said("timestamp.malformed", detail=_one_line(e))) from None
        if algorithm != md_algorithm or hashed != digest:
            raise self._fail(said("timestamp.imprint"))
        if not certificates:
            raise self._fail(said("timestamp.no_certificate"))
        if self.validation_context is None:
            return
        from pyhanko.sign.validation.errors import SignatureValidationError
        from pyhanko.sign.validation.generic_cms import (
            extract_certs_for_validation,
            extract_signer_info,
            validate_sig_integrity,
            validate_tst_signed_data,
        )

        try:
            tsa_cert = extract_certs_for_validation(signed_data).signer_cert
            if tsa_cert.dump() in self._trusted_tsa_certs:
                # its chain was validated for an earlier token of this batch (as revocation
                # data is reused per batch): this token's signature is what is left to check
                signer_info = extract_signer_info(signed_data)
                content = bytes(signed_data["encap_content_info"]["content"])
                content_digest = hashlib.new(
                    signer_info["digest_algorithm"]["algorithm"].native, content).digest()
                intact, valid = validate_sig_integrity(
                    signer_info, tsa_cert, expected_content_type="tst_info",
                    actual_digest=content_digest)
                status = {"intact": intact, "valid": valid, "trust_problem_indic": None}
            else:
                status = await validate_tst_signed_data(
                    signed_data, self.validation_context, lambda _alg: digest
                )
        except (SignatureValidationError, ValueError, KeyError) as e:
            raise self._fail(said("timestamp.not_validated", detail=_one_line(e))) from None
        if not (status.get("intact") and status.get("valid")):
            raise self._fail(said("timestamp.bad_signature"))
        if status.get("trust_problem_indic") is not None:
            problem = status["trust_problem_indic"]
            raise self._fail(said("timestamp.untrusted",
                                  problem=getattr(problem, "name", problem)),
                             TimestampUntrustedError)
        self._trusted_tsa_certs.add(tsa_cert.dump())

    async def validation_paths(self, validation_context):
        # pyHanko validates the TSA chain here for B-LT; name the TSA when it fails
        from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

        try:
            async for path in super().validation_paths(validation_context):
                yield path
        except (PathBuildingError, PathValidationError) as e:
            raise self._fail(said("timestamp.chain", detail=_one_line(e))) from None



class _TimeStampResp(tsp.TimeStampResp):
    # RFC 3161 makes timeStampToken OPTIONAL (a refusal carries none); asn1crypto requires
    # it, which would turn a TSA's "rejection" into an unreadable answer
    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class SignatureTimestamp(UnsignedAttributeProviderSpec):
    """The signature timestamp of a CMS signature, as pyHanko's ``DefaultUnsignedAttributes``
    makes it, but with the message imprint hashed with the TSA's algorithm rather than the
    signature's. Set as the pyHanko signer's ``unsigned_attr_prov_spec``."""

    def __init__(self, timestamper: TimeStamper, digest_algorithm: str):
        self.timestamper = timestamper
        self.digest_algorithm = digest_algorithm

    def unsigned_attr_providers(self, signature: bytes, signed_attrs, digest_algorithm: str):
        yield TSTProvider(digest_algorithm=self.digest_algorithm, data_to_ts=signature,
                          timestamper=self.timestamper)


def _one_line(error: BaseException) -> str:
    """An exception's words on one line (asn1crypto's messages span several)."""
    return " ".join(str(error).split())
