"""PKCS#12 (.p12/.pfx) files as signing keys, behind the same interface as tokens.

The private key is parsed once when the file is opened, not once per signature.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.serialization import pkcs12

from ..error_messages import said
from ..errors import Pkcs12Error
from .base import DIGEST_SIZES, RsaPadding, SigningKey, check_certificate_usable, issuer_chain

_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class Pkcs12SigningKey(SigningKey):
    def __init__(self, path: str | Path, password: str | bytes | None):
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as e:
            raise Pkcs12Error(said("pkcs12.unreadable", file=str(self.path), detail=e.strerror),
                              file=self.path) from None
        secret = password.encode() if isinstance(password, str) else password
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            raise Pkcs12Error(said("pkcs12.wrong_password", file=str(self.path)),
                              file=self.path) from None
        if key is None or cert is None:
            raise Pkcs12Error(said("pkcs12.no_key", file=str(self.path)), file=self.path)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise Pkcs12Error(said("pkcs12.key_type", file=str(self.path)), file=self.path)
        check_certificate_usable(cert)
        self._key = key
        self.certificate = cert
        self.chain = issuer_chain(cert, list(extra))
        self.label = self.path.name

    def sign(self, data: bytes, *, digest: str, padding: RsaPadding = RsaPadding.PKCS1V15) -> bytes:
        if digest not in _HASHES:
            raise Pkcs12Error(said("pkcs12.digest", digest=digest), file=self.path)
        algorithm = _HASHES[digest]()
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algorithm))
        if padding is RsaPadding.PSS:
            pss = rsa_padding.PSS(
                mgf=rsa_padding.MGF1(algorithm), salt_length=DIGEST_SIZES[digest]
            )
            return self._key.sign(data, pss, algorithm)
        return self._key.sign(data, rsa_padding.PKCS1v15(), algorithm)


@contextlib.contextmanager
def open_pkcs12(path: str | Path, *, password: str | bytes | None) -> Iterator[Pkcs12SigningKey]:
    """Yield a signing key read from a PKCS#12 file.

    >>> with open_pkcs12("signer.p12", password="secret") as key:
    ...     sign_pdf("in.pdf", "out.pdf", key=key)
    """
    key = Pkcs12SigningKey(path, password)
    try:
        yield key
    finally:
        key._key = None  # type: ignore[assignment]  # drop the key material early
