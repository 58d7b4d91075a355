"""Cloud Signature Consortium API v2 (``URL/csc/v2/``): a credential as a ``SigningKey``.

Requests (CSC API v2.0.0.2, sections 11.x; see docs/remote-signing.md for the shapes):
``info``, the OAuth2 token endpoint (client credentials, or authorization code with PKCE
for a person), ``credentials/list``, ``credentials/info``, ``credentials/authorize`` once
per round with ``numSignatures`` = the round's documents and their ``hashes``, then
``signatures/signHash`` with those hashes. A round holds at most the credential's
``multisign`` documents (and ``max_batch``).

pyHanko's ``CSCServiceSessionInfo`` builds the endpoint URLs and the bearer header; its
``CSCSigner`` is a pyHanko ``Signer`` speaking v1 field names (``hash``, ``hashAlgo``),
while signkit needs a ``SigningKey`` (for visible signatures, seals, the batch rounds) and
v2's (``hashes``, ``hashAlgorithmOID``), so the requests are made here.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from asn1crypto import algos
from cryptography import x509
from pyhanko.sign.signers.csc_signer import CSCServiceSessionInfo

from ..error_messages import said
from ..errors import (
    ApprovalRejectedError,
    ApprovalTimeoutError,
    PinRequiredError,
    RemoteAuthError,
    RemoteCredentialError,
    RemoteServiceError,
)
from ..tokens.base import (
    DIGEST_SIZES,
    CertificateFacts,
    KeyType,
    RsaPadding,
    check_certificate_usable,
    issuer_chain,
)
from ._http import JsonHttp
from ._key import (
    DEFAULT_APPROVAL_TIMEOUT,
    DEFAULT_MAX_BATCH,
    ApprovalRequest,
    RemoteSigningKey,
)

Secret = str | Callable[[], str]

_RSA = "1.2.840.113549.1.1.1"
_PSS = "1.2.840.113549.1.1.10"
_SIGN_ALGOS = {  # (key type, padding, digest) -> the signAlgo OIDs a credential may list
    (KeyType.RSA, RsaPadding.PKCS1V15, "sha256"): ("1.2.840.113549.1.1.11", _RSA),
    (KeyType.RSA, RsaPadding.PKCS1V15, "sha384"): ("1.2.840.113549.1.1.12", _RSA),
    (KeyType.RSA, RsaPadding.PKCS1V15, "sha512"): ("1.2.840.113549.1.1.13", _RSA),
    (KeyType.EC, RsaPadding.PKCS1V15, "sha256"): ("1.2.840.10045.4.3.2", "1.2.840.10045.2.1"),
    (KeyType.EC, RsaPadding.PKCS1V15, "sha384"): ("1.2.840.10045.4.3.3", "1.2.840.10045.2.1"),
    (KeyType.EC, RsaPadding.PKCS1V15, "sha512"): ("1.2.840.10045.4.3.4", "1.2.840.10045.2.1"),
}


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth2 client credentials (a service account, or an organisation's seal)."""

    client_id: str
    client_secret: Secret


@dataclass(frozen=True)
class AuthorizationCode:
    """OAuth2 authorization code with PKCE, for a person: ``open_url(url)`` shows the
    service's login page (a browser, or the URL printed) and returns the URL the browser
    was redirected to (or just the code)."""

    client_id: str
    redirect_uri: str
    open_url: Callable[[str], str]
    client_secret: Secret | None = None
    scope: str = "service"


@dataclass(frozen=True)
class AccessToken:
    """An OAuth2 access token obtained elsewhere."""

    token: Secret


CscAuth = ClientCredentials | AuthorizationCode | AccessToken


def _reveal(secret: Secret | None) -> str | None:
    return secret() if callable(secret) else secret


@dataclass(frozen=True)
class CscCredential:
    """A credential as ``credentials/info`` describes it."""

    credential_id: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    algorithms: frozenset[str]  # signAlgo OIDs
    multisign: int
    auth_mode: str  # implicit | explicit | oauth2code
    needs_pin: bool
    needs_otp: bool
    key_status: str  # enabled | disabled
    cert_status: str  # valid | expired | revoked | suspended
    description: str | None = None

    @property
    def facts(self) -> CertificateFacts:
        return CertificateFacts.of(self.certificate)


class CscClient:
    """The CSC v2 requests, on the caller's event loop. Secrets are read when needed and
    never put in a message."""

    def __init__(self, url: str, *, auth: CscAuth, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.auth = auth
        self._session_info = CSCServiceSessionInfo(self.url, "", api_ver="v2")
        self._token: str | None = None
        self._sent: list[str | None] = []  # secrets sent so far, scrubbed from messages
        self.http = JsonHttp("CSC", timeout=timeout, secrets=lambda: self._sent)
        self._info: dict | None = None

    def _endpoint(self, name: str) -> str:
        return self._session_info.endpoint_url(name)

    async def info(self) -> dict:
        if self._info is None:
            status, data = await self.http.post(self._endpoint("info"), {}, name="info")
            self._info = self._ok(status, data, "info")
        return self._info

    async def _headers(self) -> dict:
        if self._token is None:
            self._token = await self._oauth_token()
            self._sent.append(self._token)
        return {"Authorization": f"Bearer {self._token}"}

    async def _oauth_token(self) -> str:
        auth = self.auth
        if isinstance(auth, AccessToken):
            return _reveal(auth.token) or ""
        info = await self.info()
        base = str(info.get("oauth2") or self.url).rstrip("/")
        token_url = f"{base}/oauth2/token"
        if isinstance(auth, ClientCredentials):
            secret = _reveal(auth.client_secret)
            self._sent.append(secret)
            form = {"grant_type": "client_credentials", "client_id": auth.client_id,
                    "client_secret": secret or ""}
        else:
            form = await self._authorization_code(auth, base)
        status, data = await self.http.post(token_url, form=form, name="oauth2/token")
        if status != 200 or not isinstance(data.get("access_token"), str):
            raise RemoteAuthError(
                said("remote_auth.oauth_client", url=self.url,
                     client=getattr(auth, "client_id", ""), why=self._why(data, status)),
                service=self.url)
        return data["access_token"]

    async def _authorization_code(self, auth: AuthorizationCode, base: str) -> dict:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state = secrets.token_urlsafe(16)
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": auth.client_id,
            "redirect_uri": auth.redirect_uri, "scope": auth.scope,
            "code_challenge": challenge, "code_challenge_method": "S256", "state": state,
        })
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(None, auth.open_url,
                                            f"{base}/oauth2/authorize?{query}")
        answer = answer.strip()
        code = answer
        if "?" in answer or "code=" in answer:
            params = urllib.parse.parse_qs(urllib.parse.urlsplit(answer).query
                                           or answer.lstrip("?"))
            if params.get("error"):
                raise RemoteAuthError(
                    said("remote_auth.not_authorised", url=self.url,
                         why=self.http.safe(params["error"][0])), service=self.url)
            if params.get("state", [None])[0] != state:
                raise RemoteAuthError(said("remote_auth.state"), service=self.url)
            code = params.get("code", [""])[0]
        if not code:
            raise RemoteAuthError(said("remote_auth.no_code"), service=self.url)
        self._sent += [code, verifier]
        form = {"grant_type": "authorization_code", "code": code,
                "client_id": auth.client_id, "redirect_uri": auth.redirect_uri,
                "code_verifier": verifier}
        secret = _reveal(auth.client_secret)
        if secret:
            self._sent.append(secret)
            form["client_secret"] = secret
        return form

    async def call(self, name: str, body: dict, *, timeout: float | None = None) -> dict:
        status, data = await self.http.post(self._endpoint(name), body, name=name,
                                            headers=await self._headers(), timeout=timeout)
        return self._ok(status, data, name)

    def _ok(self, status: int, data: dict, name: str) -> dict:
        if status == 200:
            return data
        error = str(data.get("error", ""))
        why = self._why(data, status)
        if status == 401 or error in ("invalid_token", "invalid_client", "unauthorized_client"):
            raise RemoteAuthError(said("remote_auth.refused", url=self.url, call=name, why=why),
                                  service=self.url)
        if error == "access_denied" or "reject" in why.lower():
            raise ApprovalRejectedError(said("approval_rejected.csc", why=why),
                                        service=self.url)
        if "expired" in why.lower():
            raise ApprovalTimeoutError(said("approval_timeout.csc_expired", why=why),
                                       service=self.url)
        if error in ("invalid_pin", "invalid_otp"):
            raise RemoteCredentialError(
                said("remote_credential.refused_secret",
                     secret="PIN" if error == "invalid_pin" else "OTP", why=why),
                service=self.url)
        if status >= 500:
            raise RemoteServiceError(
                said("remote_service.failed_on", service_name="CSC", url=self.url, call=name,
                     status=status, why=why), service=self.url)
        raise RemoteCredentialError(
            said("remote_credential.refused_call", service_name="CSC", url=self.url, call=name,
                 status=status, why=why), service=self.url)

    def _why(self, data: dict, status: int) -> str:
        text = data.get("error_description") or data.get("error") or f"HTTP {status}"
        return self.http.safe(str(text))

    async def list_credentials(self) -> list[str]:
        data = await self.call("credentials/list", {"credentialInfo": False})
        return self._strings(data, "credentialIDs", "credentials/list")

    async def credential(self, credential_id: str) -> CscCredential:
        data = await self.call("credentials/info", {
            "credentialID": credential_id, "certificates": "chain", "certInfo": True,
            "authInfo": True})
        return _parse_credential(credential_id, data, self.url)

    async def authorize(self, credential: CscCredential, hashes: list[str], hash_oid: str,
                        *, pin: Secret | None, otp: Secret | None, description: str,
                        timeout: float) -> str:
        body: dict = {"credentialID": credential.credential_id,
                      "numSignatures": len(hashes), "hashes": hashes,
                      "hashAlgorithmOID": hash_oid, "description": description[:500]}
        if credential.needs_pin:
            value = _reveal(pin)
            if not value:
                raise PinRequiredError(said("pin_required.credential",
                                            credential=credential.credential_id))
            self._sent.append(value)
            body["PIN"] = value
        if credential.needs_otp:
            value = _reveal(otp)
            if not value:
                raise RemoteCredentialError(
                    said("remote_credential.no_otp", credential=credential.credential_id),
                    service=self.url)
            self._sent.append(value)
            body["OTP"] = value
        data = await self.call("credentials/authorize", body, timeout=timeout)
        sad = data.get("SAD")
        if not isinstance(sad, str) or not sad:
            raise RemoteServiceError(
                said("remote_service.answer_without", service_name="CSC", url=self.url,
                     call="credentials/authorize", what="SAD"), service=self.url)
        self._sent.append(sad)
        return sad

    async def sign_hash(self, credential: CscCredential, sad: str, hashes: list[str],
                        hash_oid: str, sign_algo: str, params: str | None,
                        timeout: float) -> list[str]:
        body: dict = {"credentialID": credential.credential_id, "SAD": sad,
                      "hashes": hashes, "hashAlgorithmOID": hash_oid, "signAlgo": sign_algo,
                      "operationMode": "S"}
        if params is not None:
            body["signAlgoParams"] = params
        data = await self.call("signatures/signHash", body, timeout=timeout)
        return self._strings(data, "signatures", "signatures/signHash")

    def _strings(self, data: dict, key: str, call: str) -> list[str]:
        """``data[key]``, which the service must answer as a list of strings."""
        values = data.get(key)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RemoteServiceError(
                said("remote_service.answer_without", service_name="CSC", url=self.url,
                     call=call, what=f"a list of {key}"),
                service=self.url)
        return values


def _parse_credential(credential_id: str, data: dict, url: str) -> CscCredential:
    def bad(what: str) -> RemoteServiceError:
        return RemoteServiceError(
            said("remote_service.credential_without", url=url, credential=credential_id,
                 what=what), service=url)

    cert_part = _dict_at(data, "cert")
    key_part = _dict_at(data, "key")
    try:
        certs = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True))
                 for c in cert_part.get("certificates", [])]
    except (ValueError, TypeError, binascii.Error):
        raise bad("readable certificates") from None
    if not certs:
        raise bad("its certificate")
    algorithms = key_part.get("algo")
    if not isinstance(algorithms, list):
        raise bad("its key algorithms (key.algo)")
    try:
        multisign = max(1, int(data.get("multisign", 1)))
    except (TypeError, ValueError):
        raise bad("a number in multisign") from None
    auth = _dict_at(data, "auth")
    mode = str(auth.get("mode") or data.get("authMode") or "implicit")
    objects = _list_at(auth, "objects")
    kinds = {str(o.get("type", "")).upper() for o in objects if isinstance(o, dict)}
    needs_pin = "PIN" in kinds or _present(data.get("PIN"))
    needs_otp = "OTP" in kinds or _present(data.get("OTP"))
    return CscCredential(
        credential_id=credential_id, certificate=certs[0],
        chain=issuer_chain(certs[0], certs[1:]) or tuple(certs[1:]),
        algorithms=frozenset(str(a) for a in algorithms), multisign=multisign,
        auth_mode=mode, needs_pin=mode == "explicit" and needs_pin,
        needs_otp=mode == "explicit" and needs_otp,
        key_status=str(key_part.get("status", "enabled")),
        cert_status=str(cert_part.get("status", "valid")),
        description=data.get("description") if isinstance(data.get("description"), str)
        else None,
    )


def _dict_at(data: dict, key: str) -> dict:
    """``data[key]`` when the service sent an object there, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _list_at(data: dict, key: str) -> list:
    """``data[key]`` when the service sent an array there, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, list) else []


def _present(part: object) -> bool:
    return isinstance(part, dict) and str(part.get("presence", "false")).lower() == "true"


class CscSigningKey(RemoteSigningKey):
    """A CSC v2 credential. Open it with :func:`signkit.open_remote` (``"csc"``)."""

    service_name = "CSC"

    def __init__(self, url: str, credential_id: str, *, auth: CscAuth,
                 pin: Secret | None = None, otp: Secret | None = None,
                 approval_timeout: float = DEFAULT_APPROVAL_TIMEOUT,
                 max_batch: int = DEFAULT_MAX_BATCH, timeout: float = 30.0,
                 description: str | None = None,
                 on_approval: Callable[[ApprovalRequest], None] | None = None) -> None:
        super().__init__(approval_timeout=approval_timeout, max_batch=max_batch,
                         description=description, on_approval=on_approval)
        self.client = CscClient(url, auth=auth, timeout=timeout)
        self.http = self.client.http
        self.url = self.client.url
        self._pin, self._otp = pin, otp
        try:
            self.credential = self._thread.run(self.client.credential(credential_id))
            _check_credential(self.credential, self.url)
        except BaseException:
            self.close()
            raise
        self.certificate = self.credential.certificate
        self.chain = self.credential.chain
        self.label = credential_id

    @property
    def batch_limit(self) -> int:
        return max(1, min(self.max_batch, self.credential.multisign))

    def _sign_algo(self, digest: str, padding: RsaPadding) -> tuple[str, str | None]:
        key_type = self.key_type
        if key_type is KeyType.RSA and padding is RsaPadding.PSS:
            if _PSS not in self.credential.algorithms:
                raise RemoteCredentialError(said("remote_credential.no_pss", label=self.label),
                                            service=self.url)
            params = algos.RSASSAPSSParams({
                "hash_algorithm": {"algorithm": digest},
                "mask_gen_algorithm": {"algorithm": "mgf1",
                                       "parameters": {"algorithm": digest}},
                "salt_length": DIGEST_SIZES[digest]})
            return _PSS, base64.b64encode(params.dump()).decode()
        for oid in _SIGN_ALGOS.get((key_type, RsaPadding.PKCS1V15, digest), ()):
            if oid in self.credential.algorithms:
                return oid, None
        raise RemoteCredentialError(
            said("remote_credential.no_algorithm", label=self.label, digest=digest,
                 offered=", ".join(sorted(self.credential.algorithms)) or "none"),
            service=self.url)

    async def _sign_digests(self, digests: list[bytes], digest: str, padding: RsaPadding,
                            approval: ApprovalRequest) -> list[bytes | None]:
        sign_algo, params = self._sign_algo(digest, padding)
        hash_oid = algos.DigestAlgorithmId(digest).dotted
        hashes = [base64.b64encode(d).decode() for d in digests]
        deadline = asyncio.get_running_loop().time() + self.approval_timeout
        self._announce(approval)
        # the person's approval may hold this request: the approval timeout (around this
        # whole round) speaks first
        sad = await self.client.authorize(
            self.credential, hashes, hash_oid, pin=self._pin, otp=self._otp,
            description=approval.description, timeout=self.approval_timeout + 5)
        left = max(1.0, deadline - asyncio.get_running_loop().time()) + 5
        values = await self.client.sign_hash(self.credential, sad, hashes, hash_oid,
                                             sign_algo, params, timeout=left)
        if len(values) > len(hashes):
            raise RemoteServiceError(
                said("remote_service.hash_count_mismatch", url=self.url, got=len(values),
                     hashes=len(hashes)), service=self.url)
        signatures: list[bytes | None] = []
        for value in values:
            try:
                signatures.append(base64.b64decode(value, validate=True))
            except (ValueError, binascii.Error):
                signatures.append(None)
        return signatures + [None] * (len(hashes) - len(signatures))


def _check_credential(credential: CscCredential, url: str) -> None:
    if credential.cert_status.lower() != "valid":
        raise RemoteCredentialError(
            said("remote_credential.certificate_status", credential=credential.credential_id,
                 status=credential.cert_status), service=url)
    if credential.key_status.lower() != "enabled":
        raise RemoteCredentialError(said("remote_credential.key_status",
                                         credential=credential.credential_id,
                                         status=credential.key_status), service=url)
    if credential.auth_mode not in ("implicit", "explicit"):
        raise RemoteCredentialError(
            said("remote_credential.auth_mode", credential=credential.credential_id,
                 mode=credential.auth_mode), service=url)
    check_certificate_usable(credential.certificate, at=dt.datetime.now(dt.UTC))


@contextlib.contextmanager
def open_csc(url: str, credential_id: str, *, auth: CscAuth, **options) -> Iterator[CscSigningKey]:
    key = CscSigningKey(url, credential_id, auth=auth, **options)
    try:
        yield key
    finally:
        key.close()


def list_csc_credentials(url: str, *, auth: CscAuth, timeout: float = 30.0
                         ) -> list[CscCredential]:
    """Every credential of the account, described."""
    from ._http import LoopThread

    thread = LoopThread()
    client = CscClient(url, auth=auth, timeout=timeout)

    async def run() -> list[CscCredential]:
        return [await client.credential(i) for i in await client.list_credentials()]

    try:
        return thread.run(run())
    finally:
        thread.close(client.http.aclose)
