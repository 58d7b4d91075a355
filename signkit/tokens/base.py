"""What every signing key offers, wherever it lives (token or file).

No PDF and no pyHanko here: a key signs bytes and knows its certificate chain.
"""

from __future__ import annotations

import datetime as dt
import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from ..error_messages import said
from ..errors import CertificateUnusableError

DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


class KeyType(enum.Enum):
    RSA = "RSA"
    EC = "EC"


class RsaPadding(enum.Enum):
    PKCS1V15 = "pkcs1v15"
    PSS = "pss"


@dataclass(frozen=True)
class CertificateFacts:
    """The parts of a certificate a clerk looks at before signing."""

    subject: str
    common_name: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    key_usage: tuple[str, ...]
    sha256: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateFacts:
        from cryptography.hazmat.primitives import hashes

        cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return cls(
            subject=cert.subject.rfc4514_string(),
            common_name=str(cns[0].value) if cns else cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial=format(cert.serial_number, "x"),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            key_usage=_key_usage_names(cert),
            sha256=cert.fingerprint(hashes.SHA256()).hex(),
        )


def _key_usage_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return ()
    names = []
    for attr in (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ):
        if getattr(ku, attr):
            names.append("non_repudiation" if attr == "content_commitment" else attr)
    return tuple(names)


def can_sign_documents(cert: x509.Certificate) -> bool:
    """digitalSignature or nonRepudiation, or no key-usage extension at all."""
    usage = _key_usage_names(cert)
    try:
        cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    except x509.ExtensionNotFound:
        return True
    return "digital_signature" in usage or "non_repudiation" in usage


def check_certificate_usable(cert: x509.Certificate, *, at: dt.datetime | None = None) -> None:
    """Refuse a certificate that cannot make a valid signature now."""
    at = at or dt.datetime.now(dt.UTC)
    facts = CertificateFacts.of(cert)
    if at > facts.not_after:
        raise CertificateUnusableError(said("certificate_unusable.expired",
                                            name=facts.common_name,
                                            date=f"{facts.not_after:%Y-%m-%d}"))
    if at < facts.not_before:
        raise CertificateUnusableError(said("certificate_unusable.not_yet",
                                            name=facts.common_name,
                                            date=f"{facts.not_before:%Y-%m-%d}"))
    if not can_sign_documents(cert):
        raise CertificateUnusableError(said("certificate_unusable.usage",
                                            name=facts.common_name))


def public_key_shape(cert: x509.Certificate) -> tuple[KeyType, int]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return KeyType.RSA, key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return KeyType.EC, key.curve.key_size
    raise CertificateUnusableError(said("certificate_unusable.key_type",
                                        kind=type(key).__name__))


class SigningKey(ABC):
    """A private key with its certificate. ``sign`` returns the signature as CMS wants it
    (RSA: the raw value; ECDSA: DER ``SEQUENCE {r, s}``)."""

    label: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    """Other certificates found with the key (intermediates), signer first excluded."""

    @property
    def key_type(self) -> KeyType:
        return public_key_shape(self.certificate)[0]

    @property
    def key_size(self) -> int:
        return public_key_shape(self.certificate)[1]

    @property
    def facts(self) -> CertificateFacts:
        return CertificateFacts.of(self.certificate)

    @abstractmethod
    def sign(self, data: bytes, *, digest: str, padding: RsaPadding = RsaPadding.PKCS1V15) -> bytes:
        """Hash ``data`` with ``digest`` (sha256/sha384/sha512) and sign it."""


def issuer_chain(
    cert: x509.Certificate, pool: list[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """The certificates from ``pool`` that lead from ``cert`` towards a root, in order."""
    chain: list[x509.Certificate] = []
    current = cert
    while current.issuer != current.subject:
        parent = next(
            (c for c in pool if c.subject == current.issuer and c not in chain and c != cert),
            None,
        )
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return tuple(chain)
