"""One adapter that makes any signkit ``SigningKey`` a pyHanko ``Signer``.

Batch speed lives in avoiding repeats. asn1crypto re-serialises every structure built from
Python values (an issuer Name inside signing-certificate-v2 costs milliseconds), while a
structure loaded from DER dumps its original bytes. So the parts of the CMS that are the same
for every document of a batch (the signed attributes other than messageDigest, the signer
identifier) are built once by pyHanko, kept as DER, and reloaded per document; so is the
SignedData around a plain signature (all but its SignerInfo), checked on the first document
to rebuild pyHanko's own bytes exactly. The dry run pyHanko uses to size the signature never
touches the token.
"""

from __future__ import annotations

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.general import simple_cms_attribute
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
        self._attribute_templates: dict[tuple, list[bytes]] = {}
        self._container_templates: dict[tuple, tuple[bytes, bytes, bytes] | None] = {}
        assert self.signing_cert is not None  # set from the key above
        self._sid_der = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value=cms.IssuerAndSerialNumber(
                {"issuer": self.signing_cert.issuer,
                 "serial_number": self.signing_cert.serial_number}
            ),
        ).dump()

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
        sign_async = getattr(self.key, "sign_async", None)  # a key signing elsewhere
        if sign_async is not None:
            return await sign_async(data, digest=digest_algorithm, padding=self.padding)
        return self.key.sign(data, digest=digest_algorithm, padding=self.padding)

    async def signed_attrs(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        attr_settings=None,
        content_type="data",
        use_pades=False,
        timestamper=None,
        dry_run=False,
        is_pdf_sig=True,
    ) -> cms.CMSAttributes:
        # Only plain PAdES attributes are batch constants: no revocation archival, no CAdES
        # extras, no content timestamp. Anything else is built by pyHanko every time.
        constant = (
            use_pades
            and is_pdf_sig
            and timestamper is None
            and self.signed_attr_prov_spec is None
            and (
                attr_settings is None
                or (attr_settings.adobe_revinfo_attr is None
                    and attr_settings.cades_signed_attrs is None)
            )
        )
        key = (digest_algorithm, content_type, dry_run)
        template = self._attribute_templates.get(key) if constant else None
        if template is None:
            attrs = await super().signed_attrs(
                data_digest, digest_algorithm, attr_settings=attr_settings,
                content_type=content_type, use_pades=use_pades, timestamper=timestamper,
                dry_run=dry_run, is_pdf_sig=is_pdf_sig,
            )
            if constant:
                self._attribute_templates[key] = [
                    a.dump() for a in attrs if a["type"].native != "message_digest"
                ]
            return attrs
        return cms.CMSAttributes(
            [cms.CMSAttribute.load(der) for der in template]
            + [simple_cms_attribute("message_digest", data_digest)]
        )

    def signer_info(self, digest_algorithm: str, signed_attrs, signature) -> cms.SignerInfo:
        if digest_algorithm not in DIGEST_SIZES:
            return super().signer_info(digest_algorithm, signed_attrs, signature)
        return cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier.load(self._sid_der),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_algorithm}),
                "signature_algorithm": self.get_signature_mechanism_for_digest(digest_algorithm),
                "signed_attrs": signed_attrs,
                "signature": signature,
            }
        )

    def _package_signature(self, *, digest_algorithm: str, cms_version, signed_attrs,
                           signature: bytes, unsigned_attrs, encap_content_info
                           ) -> cms.ContentInfo:
        # The SignedData around a plain signature (no unsigned attributes) is the same for
        # every document but for its SignerInfo: it is assembled from DER parts kept from
        # the first one pyHanko built, which it must reproduce byte for byte.
        key = (digest_algorithm, cms_version)
        plain = (unsigned_attrs is None and not self.attribute_certs
                 and encap_content_info in (None, {"content_type": "data"})
                 and digest_algorithm in DIGEST_SIZES)
        template = self._container_templates.get(key) if plain else None
        if template is None:
            built = super()._package_signature(
                digest_algorithm=digest_algorithm, cms_version=cms_version,
                signed_attrs=signed_attrs, signature=signature, unsigned_attrs=unsigned_attrs,
                encap_content_info=encap_content_info)
            if plain and key not in self._container_templates:
                self._container_templates[key] = self._container_template(
                    built, digest_algorithm, signed_attrs, signature)
            return built
        return cms.ContentInfo.load(_assemble(template, signed_attrs.dump(), signature))

    def _container_template(self, built: cms.ContentInfo, digest_algorithm: str,
                            signed_attrs, signature: bytes) -> tuple[bytes, bytes, bytes] | None:
        """The constant DER parts of ``built``: SignedData up to its signerInfos, the
        SignerInfo up to its signed attributes, and its signature algorithm; None when
        they do not rebuild ``built`` exactly."""
        signed_data = built["content"]
        signer_info = signed_data["signer_infos"][0]
        head = b"".join(signed_data[name].dump() for name in
                        ("version", "digest_algorithms", "encap_content_info", "certificates"))
        signer_info_head = b"".join(signer_info[name].dump() for name in
                                    ("version", "sid", "digest_algorithm"))
        template = (head, signer_info_head, signer_info["signature_algorithm"].dump())
        rebuilt = _assemble(template, signed_attrs.dump(), signature)
        return template if rebuilt == built.dump() else None


_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")


def _assemble(template: tuple[bytes, bytes, bytes], signed_attrs: bytes, signature: bytes
              ) -> bytes:
    """ContentInfo(SignedData) DER from a container template, the signed attributes (as
    signed: a SET OF, re-tagged [0] IMPLICIT here) and the signature value."""
    head, signer_info_head, signature_algorithm = template
    signer_info = _der(0x30, signer_info_head + b"\xa0" + signed_attrs[1:]
                       + signature_algorithm + _der(0x04, signature))
    signed_data = _der(0x30, head + _der(0x31, signer_info))
    return _der(0x30, _SIGNED_DATA_OID + _der(0xA0, signed_data))


def _der(tag: int, content: bytes) -> bytes:
    """A DER TLV with a one-byte ``tag``."""
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + content
