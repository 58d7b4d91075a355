"""Choosing a PKCS#11 signing mechanism from what the token says it supports.

Tokens differ: some hash on the card (CKM_SHA256_RSA_PKCS), many cheap ones only offer the
raw CKM_RSA_PKCS or CKM_ECDSA over a digest computed here. We read the token's mechanism
list once and pick the combined mechanism when present, else the raw one with the digest
(wrapped in a DigestInfo for PKCS#1 v1.5).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import PyKCS11
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ..error_messages import said
from ..errors import MechanismUnsupportedError
from .base import DIGEST_SIZES, KeyType, RsaPadding

# DER prefix of DigestInfo { AlgorithmIdentifier(hash, NULL), OCTET STRING } (RFC 8017 §9.2)
_DIGEST_INFO_PREFIX = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}

_HASH_MECH = {"sha256": "CKM_SHA256", "sha384": "CKM_SHA384", "sha512": "CKM_SHA512"}
_MGF = {"sha256": "CKG_MGF1_SHA256", "sha384": "CKG_MGF1_SHA384", "sha512": "CKG_MGF1_SHA512"}


@dataclass(frozen=True)
class SignPlan:
    """How to sign on this token: the mechanism and whether we hash first."""

    mechanism: PyKCS11.Mechanism
    prehash: bool  # True: send a digest (or DigestInfo) instead of the data
    digest_info: bool  # True: wrap the digest in DigestInfo (raw CKM_RSA_PKCS)
    raw_ecdsa: bool  # True: token returns r||s, convert to DER

    def prepare(self, data: bytes, digest: str) -> bytes:
        if not self.prehash:
            return data
        digest_value = hashlib.new(digest, data).digest()
        return _DIGEST_INFO_PREFIX[digest] + digest_value if self.digest_info else digest_value

    def finish(self, signature: bytes) -> bytes:
        return ecdsa_raw_to_der(signature) if self.raw_ecdsa else signature


def ecdsa_raw_to_der(raw: bytes) -> bytes:
    half = len(raw) // 2
    if len(raw) % 2 or half == 0:
        raise MechanismUnsupportedError(said("mechanism_unsupported.malformed_ecdsa"))
    r = int.from_bytes(raw[:half], "big")
    s = int.from_bytes(raw[half:], "big")
    return encode_dss_signature(r, s)


def plan_signature(
    supported: frozenset[str], key_type: KeyType, digest: str, padding: RsaPadding
) -> SignPlan:
    """Pick the mechanism for (key type, digest, padding) from the token's list."""
    if digest not in DIGEST_SIZES:
        raise MechanismUnsupportedError(said("pkcs12.digest", digest=digest))
    name = digest.upper()
    if key_type is KeyType.EC:
        combined = f"CKM_ECDSA_{name}"
        if combined in supported:
            return SignPlan(_mech(combined), prehash=False, digest_info=False, raw_ecdsa=True)
        if "CKM_ECDSA" in supported:
            return SignPlan(_mech("CKM_ECDSA"), prehash=True, digest_info=False, raw_ecdsa=True)
        raise MechanismUnsupportedError(said("mechanism_unsupported.no_ecdsa"))
    if padding is RsaPadding.PSS:
        combined = f"CKM_{name}_RSA_PKCS_PSS"
        params = (
            getattr(PyKCS11, _HASH_MECH[digest]),
            getattr(PyKCS11, _MGF[digest]),
            DIGEST_SIZES[digest],
        )
        if combined in supported:
            mech = PyKCS11.RSA_PSS_Mechanism(getattr(PyKCS11, combined), *params)
            return SignPlan(mech, prehash=False, digest_info=False, raw_ecdsa=False)
        if "CKM_RSA_PKCS_PSS" in supported:
            mech = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_RSA_PKCS_PSS, *params)
            return SignPlan(mech, prehash=True, digest_info=False, raw_ecdsa=False)
        raise MechanismUnsupportedError(said("mechanism_unsupported.no_pss", digest=digest))
    combined = f"CKM_{name}_RSA_PKCS"
    if combined in supported:
        return SignPlan(_mech(combined), prehash=False, digest_info=False, raw_ecdsa=False)
    if "CKM_RSA_PKCS" in supported:
        return SignPlan(_mech("CKM_RSA_PKCS"), prehash=True, digest_info=True, raw_ecdsa=False)
    raise MechanismUnsupportedError(said("mechanism_unsupported.no_pkcs1"))


def _mech(name: str) -> PyKCS11.Mechanism:
    return PyKCS11.Mechanism(getattr(PyKCS11, name), None)
