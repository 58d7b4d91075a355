"""VNPT SmartCA (``ký số từ xa``) as a ``SigningKey``: the hash-signing flow integrators use.

``v1/credentials/get_certificate`` (the user's certificates), ``v1/signatures/sign`` with
one ``sign_files`` entry per document hash in one transaction (the person confirms once
in the SmartCA app), then ``v1/signatures/sign/{tran_code}/status`` polled until the
signatures are there, or the transaction is rejected or expired. Shapes and sources:
docs/remote-signing.md. SmartCA signs SHA-256 hashes with RSA PKCS#1 v1.5.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography import x509

from ..error_messages import said
from ..errors import (
    ApprovalRejectedError,
    ApprovalTimeoutError,
    RemoteAuthError,
    RemoteCredentialError,
    RemoteServiceError,
)
from ..tokens.base import CertificateFacts, RsaPadding, check_certificate_usable, issuer_chain
from ._http import JsonHttp, LoopThread
from ._key import (
    DEFAULT_APPROVAL_TIMEOUT,
    DEFAULT_MAX_BATCH,
    ApprovalRequest,
    RemoteSigningKey,
)

Secret = str | Callable[[], str]

PRODUCTION_URL = "https://gwsca.vnpt.vn/sca/sp769"
TEST_URL = "https://rmgateway.vnptit.vn/sca/sp769"
_REJECTED = ("reject", "refuse", "cancel", "deny", "denied", "từ chối", "huỷ", "hủy")
_EXPIRED = ("expire", "timeout", "hết hạn")


@dataclass(frozen=True)
class SmartCaCertificate:
    """One certificate of the user, as ``get_certificate`` lists it."""

    cert_id: str
    serial_number: str
    status: str
    service_type: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def facts(self) -> CertificateFacts:
        return CertificateFacts.of(self.certificate)


class SmartCaClient:
    def __init__(self, url: str, *, sp_id: str, sp_password: Secret, user_id: str,
                 timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.sp_id = sp_id
        self._sp_password = sp_password
        self.user_id = user_id
        self._sent: list[str | None] = []
        self.http = JsonHttp("SmartCA", timeout=timeout, secrets=lambda: self._sent)

    def _auth(self) -> dict:
        password = self._sp_password() if callable(self._sp_password) else self._sp_password
        if password not in self._sent:
            self._sent.append(password)
        return {"sp_id": self.sp_id, "sp_password": password}

    async def call(self, path: str, body: dict, *, name: str) -> tuple[dict, str]:
        """(the answer's ``data``, its ``message``); refusals raised as signkit errors."""
        status, answer = await self.http.post(f"{self.url}/{path}", body, name=name)
        code = answer.get("status_code", status)
        message = self.http.safe(str(answer.get("message") or ""))
        if status == 200 and code in (200, "200", 0, "0"):
            data = answer.get("data")
            return (data if isinstance(data, dict) else {}), message
        why = message or f"HTTP {status}"
        if status == 401 or code in (401, "401") or "credential_invalid" in why.lower():
            raise RemoteAuthError(
                said("remote_auth.smartca", url=self.url, sp_id=self.sp_id, why=why),
                service=self.url)
        if status >= 500:
            raise RemoteServiceError(
                said("remote_service.failed_on", service_name="SmartCA", url=self.url,
                     call=name, status=status, why=why), service=self.url)
        if any(word in why.lower() for word in _REJECTED):
            raise ApprovalRejectedError(said("approval_rejected.smartca", why=why),
                                        service=self.url)
        if any(word in why.lower() for word in _EXPIRED):
            raise ApprovalTimeoutError(said("approval_timeout.smartca_expired", why=why),
                                       service=self.url)
        raise RemoteCredentialError(
            said("remote_credential.refused_call", service_name="SmartCA", url=self.url,
                 call=name, status=status, why=why), service=self.url)

    async def certificates(self) -> list[SmartCaCertificate]:
        data, _ = await self.call("v1/credentials/get_certificate", {
            **self._auth(), "user_id": self.user_id, "serial_number": "",
            "transaction_id": str(uuid.uuid4())}, name="credentials/get_certificate")
        entries = data.get("user_certificates")
        if not isinstance(entries, list):
            raise RemoteServiceError(
                said("remote_service.answer_without", service_name="SmartCA", url=self.url,
                     call="get_certificate", what="user_certificates"), service=self.url)
        return [self._certificate(e) for e in entries if isinstance(e, dict)]

    def _certificate(self, entry: dict) -> SmartCaCertificate:
        try:
            cert = _load(entry["cert_data"])
            chain_data = entry.get("chain_data") or {}
            pool = [_load(chain_data[k]) for k in ("ca_cert", "root_cert")
                    if isinstance(chain_data, dict) and chain_data.get(k)]
        except (KeyError, ValueError, TypeError, binascii.Error):
            raise RemoteServiceError(said("remote_service.unreadable_certificate",
                                          url=self.url), service=self.url) from None
        return SmartCaCertificate(
            cert_id=str(entry.get("cert_id", "")),
            serial_number=str(entry.get("serial_number") or format(cert.serial_number, "x")),
            status=str(entry.get("cert_status", "")), certificate=cert,
            chain=issuer_chain(cert, pool), service_type=str(entry.get("service_type", "")))

    async def start(self, serial_number: str, hashes: list[str], description: str
                    ) -> tuple[str, list[str]]:
        """A transaction for ``hashes`` (hex); (its code for the status URL, the doc_ids)."""
        transaction_id = str(uuid.uuid4())
        doc_ids = [f"{transaction_id[:8]}-{i + 1}" for i in range(len(hashes))]
        data, _ = await self.call("v1/signatures/sign", {
            **self._auth(), "user_id": self.user_id, "transaction_id": transaction_id,
            "transaction_desc": description, "serial_number": serial_number,
            "time_stamp": dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%SZ"),
            "sign_files": [{"doc_id": d, "file_type": "pdf", "sign_type": "hash",
                            "data_to_be_signed": h} for d, h in zip(doc_ids, hashes,
                                                                     strict=True)],
        }, name="signatures/sign")
        code = data.get("tran_code") or data.get("transaction_id") or transaction_id
        return str(code), doc_ids

    async def status(self, code: str) -> tuple[list | None, str]:
        data, message = await self.call(f"v1/signatures/sign/{code}/status",
                                        {**self._auth(), "transaction_id": code},
                                        name="signatures/status")
        state = str(data.get("transaction_status") or data.get("status") or message).lower()
        if any(word in state for word in _REJECTED):
            raise ApprovalRejectedError(said("approval_rejected.smartca", why=message or state),
                                        service=self.url)
        if any(word in state for word in _EXPIRED):
            raise ApprovalTimeoutError(said("approval_timeout.smartca_expired",
                                            why=message or state), service=self.url)
        signatures = data.get("signatures")
        return (signatures if isinstance(signatures, list) and signatures else None), state


def _load(b64: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(b64, validate=True))


class SmartCaSigningKey(RemoteSigningKey):
    """A VNPT SmartCA user's certificate. Open it with :func:`signkit.open_remote`."""

    service_name = "SmartCA"

    def __init__(self, url: str, *, sp_id: str, sp_password: Secret, user_id: str,
                 serial_number: str | None = None,
                 approval_timeout: float = DEFAULT_APPROVAL_TIMEOUT,
                 max_batch: int = DEFAULT_MAX_BATCH, timeout: float = 30.0,
                 poll_interval: float = 2.0, description: str | None = None,
                 on_approval: Callable[[ApprovalRequest], None] | None = None) -> None:
        super().__init__(approval_timeout=approval_timeout, max_batch=max_batch,
                         description=description, on_approval=on_approval)
        self.client = SmartCaClient(url, sp_id=sp_id, sp_password=sp_password,
                                    user_id=user_id, timeout=timeout)
        self.http = self.client.http
        self.url = self.client.url
        self.poll_interval = poll_interval
        try:
            self.entry = self._choose(self._thread.run(self.client.certificates()),
                                      serial_number)
        except BaseException:
            self.close()
            raise
        self.certificate = self.entry.certificate
        self.chain = self.entry.chain
        self.label = f"SmartCA {user_id}"

    def _choose(self, entries: list[SmartCaCertificate], serial: str | None
                ) -> SmartCaCertificate:
        if serial:
            entries = [e for e in entries if e.serial_number.lower() == serial.lower()]
        if not entries:
            raise RemoteCredentialError(
                said("remote_credential.no_certificate_serial", user=self.client.user_id,
                     serial=serial) if serial else
                said("remote_credential.no_certificate", user=self.client.user_id),
                service=self.url)
        usable = [e for e in entries if _active(e.status)]
        if not usable:
            states = ", ".join(sorted({e.status or "unknown" for e in entries}))
            raise RemoteCredentialError(
                said("remote_credential.not_active", user=self.client.user_id, states=states),
                service=self.url)
        entry = max(usable, key=lambda e: e.certificate.not_valid_after_utc)
        check_certificate_usable(entry.certificate)
        return entry

    def _describe(self, count: int) -> str:
        return self.description or f"Ký {count} văn bản (signkit)"

    async def _sign_digests(self, digests: list[bytes], digest: str, padding: RsaPadding,
                            approval: ApprovalRequest) -> list[bytes | None]:
        if digest != "sha256" or padding is not RsaPadding.PKCS1V15:
            raise RemoteCredentialError(said("remote_credential.smartca_only_sha256"),
                                        service=self.url)
        code, doc_ids = await self.client.start(self.entry.serial_number,
                                                [d.hex() for d in digests],
                                                approval.description)
        self._announce(ApprovalRequest(approval.service, approval.count,
                                       approval.description, code))
        while True:
            signatures, _ = await self.client.status(code)
            if signatures is not None:
                break
            await asyncio.sleep(self.poll_interval)
        by_doc: dict[str, bytes | None] = {}
        for entry in signatures:
            if not isinstance(entry, dict):
                continue
            doc_id = str(entry.get("doc_id", ""))
            try:
                value = base64.b64decode(str(entry.get("signature_value", "")), validate=True)
            except (ValueError, binascii.Error):
                value = None
            # a document answered twice with different values gets neither
            by_doc[doc_id] = value if doc_id not in by_doc or by_doc[doc_id] == value else None
        return [by_doc.get(d) or None for d in doc_ids]


def _active(status: str) -> bool:
    lowered = status.strip().lower()
    if not lowered:
        return True
    return not any(word in lowered for word in (
        "revoked", "thu hồi", "expired", "hết hạn", "suspend", "tạm dừng", "inactive",
        "locked", "khóa", "khoá")) and lowered not in ("0", "false")


@contextlib.contextmanager
def open_smartca(url: str, **options) -> Iterator[SmartCaSigningKey]:
    key = SmartCaSigningKey(url, **options)
    try:
        yield key
    finally:
        key.close()


def list_smartca_certificates(url: str, *, sp_id: str, sp_password: Secret, user_id: str,
                              timeout: float = 30.0) -> list[SmartCaCertificate]:
    thread = LoopThread()
    client = SmartCaClient(url, sp_id=sp_id, sp_password=sp_password, user_id=user_id,
                           timeout=timeout)
    try:
        return thread.run(client.certificates())
    finally:
        thread.close(client.http.aclose)
