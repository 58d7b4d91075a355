"""One adapter that makes any signkit ``SigningKey`` a pyHanko ``Signer``.

Certificates are converted to asn1crypto once per key, not once per document, and the
dry run pyHanko uses to size the signature never touches the token.
"""

from __future__ import annotations

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..tokens.base import DIGEST_SIZES, KeyType, RsaPadding, SigningKey


def _to_asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


class KeySigner(Signer):
    """A pyHanko signer whose private-key operation is ``SigningKey.sign``."""

    def __init__(
        self,
        key: SigningKey,
        *,
        digest: str = "sha256",
        padding: RsaPadding = RsaPadding.PKCS1V15,
        extra_certificates: tuple = (),
    ):
        self.key = key
        self.digest = digest
        self.padding = padding if key.key_type is KeyType.RSA else RsaPadding.PKCS1V15
        chain = [_to_asn1(c) for c in (*key.chain, *extra_certificates)]
        super().__init__(
            signing_cert=_to_asn1(key.certificate),
            cert_registry=SimpleCertificateStore.from_certs(chain),
            signature_mechanism=self._mechanism(),
            embed_roots=True,
        )

    def _mechanism(self) -> algos.SignedDigestAlgorithm:
        if self.key.key_type is KeyType.EC:
            return algos.SignedDigestAlgorithm({"algorithm": f"{self.digest}_ecdsa"})
        if self.padding is RsaPadding.PSS:
            params = algos.RSASSAPSSParams(
                {
                    "hash_algorithm": {"algorithm": self.digest},
                    "mask_gen_algorithm": {
                        "algorithm": "mgf1",
                        "parameters": {"algorithm": self.digest},
                    },
                    "salt_length": DIGEST_SIZES[self.digest],
                }
            )
            return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})
        return algos.SignedDigestAlgorithm({"algorithm": f"{self.digest}_rsa"})

    def _placeholder_size(self) -> int:
        if self.key.key_type is KeyType.EC:
            return 2 * ((self.key.key_size + 7) // 8) + 9  # DER SEQUENCE of two INTEGERs, max
        return (self.key.key_size + 7) // 8

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return bytes(self._placeholder_size())
        return self.key.sign(data, digest=digest_algorithm, padding=self.padding)
