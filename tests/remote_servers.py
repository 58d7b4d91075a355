"""Loopback remote signing services for the tests and bench/remote_bench.py: a CSC API v2
service (with its OAuth2 endpoints) and a VNPT SmartCA gateway, aiohttp apps on 127.0.0.1
in a thread, signing with real keys of the test PKI.

``Behaviour`` switches failures on (reject, never answer, expire, HTTP 500, garbage JSON,
a signature by another key, fewer signatures than hashes, a revoked certificate, an OTP
required); ``counts`` counts the requests per endpoint, ``batches`` the hashes per
authorisation or transaction. The CSC app answers under ``/csc/v2/`` and, for pyHanko's
v1 ``CSCSigner`` in the benchmark, ``/csc/v1/`` (it accepts both field spellings).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding

CLIENT_ID = "signkit-test-client"
CLIENT_SECRET = "csc-client-secret-7f3a"
CREDENTIAL_ID = "cred-nguyen-van-an"
PIN = "cred-pin-5521"
OTP = "otp-884422"
SP_ID = "sp-signkit-test"
SP_PASSWORD = "smartca-sp-password-91c2"
USER_ID = "001085012345"  # a CCCD
REDIRECT_URI = "http://127.0.0.1:1/callback"
SECRETS = (CLIENT_SECRET, PIN, OTP, SP_PASSWORD)  # for scanning captured output

_HASH_OIDS = {"2.16.840.1.101.3.4.2.1": hashes.SHA256, "2.16.840.1.101.3.4.2.2": hashes.SHA384,
              "2.16.840.1.101.3.4.2.3": hashes.SHA512}
_RSA_BY_SIGNALGO = {"1.2.840.113549.1.1.11": hashes.SHA256,
                    "1.2.840.113549.1.1.12": hashes.SHA384,
                    "1.2.840.113549.1.1.13": hashes.SHA512}
_ALGOS = ["1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
          "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.10", "1.2.840.10045.4.3.2",
          "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"]


@dataclass
class Behaviour:
    require_otp: bool = False  # CSC: explicit credential asking for an OTP (and a PIN)
    approve_after: float = 0.0  # seconds before the person "confirms"
    reject: bool = False
    never_answer: bool = False
    expire: bool = False
    http_500: bool = False  # on the signing request
    garbage: bool = False  # on the signing request
    other_key: bool = False  # signatures made with another key
    fewer: int = 0  # signatures left out (the last ones)
    revoked: bool = False  # the credential's certificate is revoked
    latency: float = 0.0  # server-side sleep per request (a simulated round trip)
    multisign: int = 500
    raw_ecdsa: bool = False  # ECDSA signatures as raw r||s instead of DER
    silent: bool = False  # credentials/info and get_certificate never answer


@dataclass
class Material:
    """The keys and certificates the services sign with."""

    key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    other_key: object
    revoked_key: object
    revoked_certificate: x509.Certificate


def _b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _sign(key, digest: bytes, hash_cls, pss: bool) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest, ec.ECDSA(utils.Prehashed(hash_cls())))
    pad = (rsa_padding.PSS(mgf=rsa_padding.MGF1(hash_cls()), salt_length=hash_cls.digest_size)
           if pss else rsa_padding.PKCS1v15())
    return key.sign(digest, pad, utils.Prehashed(hash_cls()))


@dataclass
class SigningServices:
    material: Material
    behaviour: Behaviour = field(default_factory=Behaviour)
    counts: Counter = field(default_factory=Counter)
    batches: list[int] = field(default_factory=list)  # hashes per authorisation/transaction
    bodies: list[str] = field(default_factory=list)  # every request body, for secret checks
    csc_url: str = ""
    smartca_url: str = ""
    issued: list[str] = field(default_factory=list)  # OAuth tokens and SADs handed out

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._release = asyncio.Event()
        self._tokens: set[str] = set()
        self._codes: dict[str, str] = {}  # authorization code -> PKCE challenge
        self._sads: dict[str, tuple[float, set[str], int]] = {}
        self._transactions: dict[str, tuple[float, list[dict]]] = {}
        self._runners: list[web.AppRunner] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # --- life -------------------------------------------------------------------------------

    def start(self) -> SigningServices:
        self._thread.start()
        ports = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()
        self.csc_url = f"http://127.0.0.1:{ports[0]}"
        self.smartca_url = f"http://127.0.0.1:{ports[1]}/sca/sp769"
        return self

    async def _start(self) -> list[int]:
        ports = []
        for app in (self._csc_app(), self._smartca_app()):
            runner = web.AppRunner(app, shutdown_timeout=0.5)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self._runners.append(runner)
            ports.append(runner.addresses[0][1])
        return ports

    def secrets(self) -> tuple[str, ...]:
        """Everything secret a client was told or sent: to be found in no output."""
        return (*SECRETS, *self.issued)

    def reset(self, **behaviour) -> Behaviour:
        """New behaviour, counters zeroed; requests left hanging by the last test end."""
        def swap() -> None:
            self._release.set()
            self._release = asyncio.Event()
        self._loop.call_soon_threadsafe(swap)
        self.behaviour = Behaviour(**behaviour)
        self.counts.clear()
        self.batches.clear()
        self.bodies.clear()
        return self.behaviour

    def stop(self) -> None:
        async def stop() -> None:
            self._release.set()
            for runner in self._runners:
                await runner.cleanup()
        asyncio.run_coroutine_threadsafe(stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    async def _hang(self) -> None:
        await self._release.wait()

    async def _enter(self, request: web.Request, name: str) -> dict:
        self.counts[name] += 1
        raw = await request.text()
        self.bodies.append(raw)
        if self.behaviour.latency:
            await asyncio.sleep(self.behaviour.latency)
        if request.content_type == "application/x-www-form-urlencoded":
            return dict(urllib.parse.parse_qsl(raw))
        try:
            import json

            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    @property
    def _signing_key(self):
        b = self.behaviour
        if b.other_key:
            return self.material.other_key
        return self.material.revoked_key if b.revoked else self.material.key

    @property
    def _certificate(self) -> x509.Certificate:
        m = self.material
        return m.revoked_certificate if self.behaviour.revoked else m.certificate

    # --- CSC API v2 ---------------------------------------------------------------------------

    def _csc_app(self) -> web.Application:
        app = web.Application()
        routes = [("info", self.csc_info), ("credentials/list", self.csc_list),
                  ("credentials/info", self.csc_credential_info),
                  ("credentials/authorize", self.csc_authorize),
                  ("signatures/signHash", self.csc_sign_hash)]
        for version in ("v1", "v2"):
            for name, handler in routes:
                app.router.add_post(f"/csc/{version}/{name}", handler)
        app.router.add_post("/oauth2/token", self.oauth_token)
        app.router.add_get("/oauth2/authorize", self.oauth_authorize)
        return app

    @staticmethod
    def _csc_error(status: int, error: str, description: str) -> web.Response:
        return web.json_response({"error": error, "error_description": description},
                                 status=status)

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self._tokens

    async def csc_info(self, request: web.Request) -> web.Response:
        await self._enter(request, "info")
        base = f"http://{request.host}"
        return web.json_response({
            "specs": "2.0.0.2", "name": "signkit test CSC", "region": "VN", "lang": "vi",
            "authType": ["oauth2client", "oauth2code"], "oauth2": base,
            "methods": ["credentials/list", "credentials/info", "credentials/authorize",
                        "signatures/signHash"]})

    async def oauth_authorize(self, request: web.Request) -> web.Response:
        self.counts["oauth2/authorize"] += 1
        q = request.query
        if q.get("client_id") != CLIENT_ID or q.get("code_challenge_method") != "S256":
            raise web.HTTPFound(f"{q.get('redirect_uri')}?error=unauthorized_client")
        code = secrets.token_urlsafe(12)
        self._codes[code] = q["code_challenge"]
        state = urllib.parse.quote(q.get("state", ""))
        raise web.HTTPFound(f"{q['redirect_uri']}?code={code}&state={state}")

    async def oauth_token(self, request: web.Request) -> web.Response:
        form = await self._enter(request, "oauth2/token")
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return self._csc_error(401, "invalid_client", "unknown client or bad secret")
        elif grant == "authorization_code":
            challenge = self._codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            computed = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge is None or computed != challenge:
                return self._csc_error(400, "invalid_grant", "bad code or PKCE verifier")
        else:
            return self._csc_error(400, "unsupported_grant_type", str(grant))
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        self.issued.append(token)
        return web.json_response({"access_token": token, "token_type": "Bearer",
                                  "expires_in": 3600})

    async def csc_list(self, request: web.Request) -> web.Response:
        await self._enter(request, "credentials/list")
        if not self._authorised(request):
            return self._csc_error(401, "invalid_token", "no or bad access token")
        return web.json_response({"credentialIDs": [CREDENTIAL_ID]})

    async def csc_credential_info(self, request: web.Request) -> web.Response:
        body = await self._enter(request, "credentials/info")
        if not self._authorised(request):
            return self._csc_error(401, "invalid_token", "no or bad access token")
        if body.get("credentialID") != CREDENTIAL_ID:
            return self._csc_error(400, "invalid_request", "Invalid parameter credentialID")
        b = self.behaviour
        if b.silent:
            await self._hang()
        cert = self._certificate
        auth = ({"mode": "explicit", "objects": [
            {"type": "PIN", "id": "PIN", "format": "N", "label": "PIN"},
            {"type": "OTP", "id": "OTP", "format": "N", "generator": "totp"}]}
            if b.require_otp else {"mode": "implicit"})
        return web.json_response({
            "description": "Chữ ký số từ xa của Nguyễn Văn An",
            "key": {"status": "enabled", "algo": _ALGOS,
                    "len": cert.public_key().key_size},
            "cert": {"status": "revoked" if b.revoked else "valid",
                     "certificates": [_b64(cert)] + [_b64(c) for c in self.material.chain],
                     "subjectDN": cert.subject.rfc4514_string(),
                     "issuerDN": cert.issuer.rfc4514_string(),
                     "serialNumber": format(cert.serial_number, "x"),
                     "validFrom": cert.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                     "validTo": cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ")},
            "auth": auth, "authMode": auth["mode"], "SCAL": "2",
            "multisign": b.multisign, "lang": "vi"})

    async def csc_authorize(self, request: web.Request) -> web.Response:
        body = await self._enter(request, "credentials/authorize")
        if not self._authorised(request):
            return self._csc_error(401, "invalid_token", "no or bad access token")
        b = self.behaviour
        hashes_ = body.get("hashes", body.get("hash")) or []
        number = int(body.get("numSignatures", 0))
        if number != len(hashes_) or number < 1 or number > b.multisign:
            return self._csc_error(400, "invalid_request", "numSignatures does not match")
        self.batches.append(number)
        if b.require_otp and (body.get("OTP") != OTP or body.get("PIN") != PIN):
            return self._csc_error(400, "invalid_otp" if body.get("PIN") == PIN
                                   else "invalid_pin", "The OTP or PIN is invalid")
        if b.http_500:
            return web.Response(status=500, text="Internal Server Error")
        if b.garbage:
            return web.Response(status=200, text="<html>maintenance</html>{",
                                content_type="application/json")
        if b.never_answer:
            await self._hang()
            return self._csc_error(503, "temporarily_unavailable", "gave up")
        if b.approve_after:
            await asyncio.sleep(b.approve_after)
        if b.reject:
            return self._csc_error(400, "access_denied", "The user rejected the request")
        sad = secrets.token_urlsafe(16)
        self.issued.append(sad)
        self._sads[sad] = (time.monotonic(), set(hashes_), number)
        return web.json_response({"SAD": sad, "expiresIn": 1 if b.expire else 300})

    async def csc_sign_hash(self, request: web.Request) -> web.Response:
        body = await self._enter(request, "signatures/signHash")
        if not self._authorised(request):
            return self._csc_error(401, "invalid_token", "no or bad access token")
        b = self.behaviour
        granted = self._sads.pop(body.get("SAD", ""), None)
        if granted is None:
            return self._csc_error(400, "invalid_request", "Invalid SAD")
        if b.expire:
            return self._csc_error(400, "invalid_request", "SAD expired")
        hashes_ = body.get("hashes", body.get("hash")) or []
        if not set(hashes_) <= granted[1] or len(hashes_) > granted[2]:
            return self._csc_error(400, "invalid_request", "hashes not authorised by SAD")
        sign_algo = body.get("signAlgo", "")
        hash_cls = _HASH_OIDS.get(body.get("hashAlgorithmOID", body.get("hashAlgo", "")),
                                  _RSA_BY_SIGNALGO.get(sign_algo, hashes.SHA256))
        pss = sign_algo == "1.2.840.113549.1.1.10"
        values = [_sign(self._signing_key, base64.b64decode(h), hash_cls, pss) for h in hashes_]
        if b.raw_ecdsa:
            size = (self._signing_key.curve.key_size + 7) // 8
            values = [b"".join(n.to_bytes(size, "big") for n in utils.decode_dss_signature(v))
                      for v in values]
        signatures = [base64.b64encode(v).decode() for v in values]
        if b.fewer:
            signatures = signatures[:max(0, len(signatures) - b.fewer)]
        return web.json_response({"signatures": signatures})

    # --- VNPT SmartCA ---------------------------------------------------------------------------

    def _smartca_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/sca/sp769/v1/credentials/get_certificate", self.sca_certificate)
        app.router.add_post("/sca/sp769/v1/signatures/sign", self.sca_sign)
        app.router.add_post("/sca/sp769/v1/signatures/sign/{code}/status", self.sca_status)
        return app

    @staticmethod
    def _sca(status_code: int, message: str, data=None, http: int = 200) -> web.Response:
        return web.json_response({"status_code": status_code, "message": message,
                                  "data": data}, status=http)

    def _sp_ok(self, body: dict) -> bool:
        return body.get("sp_id") == SP_ID and body.get("sp_password") == SP_PASSWORD

    async def sca_certificate(self, request: web.Request) -> web.Response:
        body = await self._enter(request, "smartca/get_certificate")
        if not self._sp_ok(body):
            return self._sca(401, "SP_CREDENTIAL_INVALID", http=401)
        if body.get("user_id") != USER_ID:
            return self._sca(404, "USER_NOT_FOUND")
        if self.behaviour.silent:
            await self._hang()
        cert = self._certificate
        chain = self.material.chain
        return self._sca(200, "success", {"user_certificates": [{
            "service_type": "SMARTCA", "service_name": "SmartCA cá nhân",
            "cert_id": "cert-001", "serial_number": format(cert.serial_number, "x"),
            "cert_status": "Đã thu hồi" if self.behaviour.revoked else "Đang hoạt động",
            "cert_subject": cert.subject.rfc4514_string(),
            "cert_valid_from": cert.not_valid_before_utc.isoformat(),
            "cert_valid_to": cert.not_valid_after_utc.isoformat(),
            "cert_data": _b64(cert),
            "chain_data": {"ca_cert": _b64(chain[0]), "root_cert": _b64(chain[-1])},
        }]})

    async def sca_sign(self, request: web.Request) -> web.Response:
        body = await self._enter(request, "smartca/sign")
        if not self._sp_ok(body):
            return self._sca(401, "SP_CREDENTIAL_INVALID", http=401)
        b = self.behaviour
        if b.http_500:
            return web.Response(status=500, text="Internal Server Error")
        if b.garbage:
            return web.Response(status=200, text="{\"status_code\": 200, \"data\": [",
                                content_type="application/json")
        files = body.get("sign_files") or []
        self.batches.append(len(files))
        code = secrets.token_hex(8)
        self._transactions[code] = (time.monotonic(), files)
        return self._sca(200, "sig_wait_for_user_confirm",
                         {"transaction_id": body.get("transaction_id"), "tran_code": code})

    async def sca_status(self, request: web.Request) -> web.Response:
        body = await self._enter(request, "smartca/status")
        if not self._sp_ok(body):
            return self._sca(401, "SP_CREDENTIAL_INVALID", http=401)
        code = request.match_info["code"]
        if code not in self._transactions:
            return self._sca(404, "TRANSACTION_NOT_FOUND")
        started, files = self._transactions[code]
        b = self.behaviour
        pending = {"transaction_id": code, "transaction_status": "WAITING_FOR_SIGNER_CONFIRM",
                   "signatures": None}
        if b.never_answer or time.monotonic() - started < b.approve_after:
            return self._sca(200, "WAITING_FOR_SIGNER_CONFIRM", pending)
        if b.reject:
            return self._sca(200, "REJECTED", {**pending, "transaction_status": "REJECTED"})
        if b.expire:
            return self._sca(200, "EXPIRED", {**pending, "transaction_status": "EXPIRED"})
        signatures = [{"doc_id": f.get("doc_id"), "signature_value": base64.b64encode(
            _sign(self._signing_key, bytes.fromhex(f.get("data_to_be_signed", "")),
                  hashes.SHA256, False)).decode(), "timestamp_signature": None}
            for f in files]
        if b.fewer:
            signatures = signatures[:max(0, len(signatures) - b.fewer)]
        return self._sca(200, "SUCCESS", {"transaction_id": code,
                                          "transaction_status": "SIGNED",
                                          "signatures": signatures})


def material_from(pki, signer: str = "signer-rsa2048") -> Material:
    """The services' keys from the tests' ``pki`` fixture (tests/conftest.py TestPki)."""
    return Material(key=pki.key(signer), certificate=pki.cert(signer),
                    chain=[pki.cert("interm"), pki.cert("root")],
                    other_key=pki.key("signer-second"),
                    revoked_key=pki.key("signer-revoked"),
                    revoked_certificate=pki.cert("signer-revoked"))


def material_from_fixtures() -> Material:
    """The same keys without the tests' fixtures (the benchmark, the README's example):
    the certomancer architecture of fixtures/pki, read directly."""
    from pathlib import Path

    from certomancer import registry

    pki = Path(__file__).resolve().parent.parent / "fixtures" / "pki"
    cfg = registry.CertomancerConfig.from_file(pki / "testing-ca.yml", key_search_dir=pki,
                                               external_url_prefix="http://127.0.0.1:9")
    arch = cfg.get_pki_arch(registry.ArchLabel("testing-ca"))

    class _Pki:
        def cert(self, label: str) -> x509.Certificate:
            return x509.load_der_x509_certificate(
                arch.get_cert(registry.CertLabel(label)).dump())

        def key(self, label: str):
            info = arch.key_set.get_private_key(registry.KeyLabel(label))
            return serialization.load_der_private_key(info.dump(), password=None)

    return material_from(_Pki())


def follow_redirect(url: str) -> str:
    """What a browser does with the authorization URL: the URL it is redirected to."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as e:
        return e.headers["Location"]
    raise AssertionError("the authorization endpoint did not redirect")
