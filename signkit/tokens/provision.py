"""Writing keys and certificates onto a PKCS#11 token (SoftHSM2 for the demo and tests).

Real CA tokens arrive provisioned; this exists so that the demo and the test suite create
their tokens through PyKCS11, the same library path that signing uses.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import PyKCS11
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..error_messages import said
from ..errors import TokenError


def write_softhsm_config(folder: Path) -> Path:
    """A SoftHSM2 config that keeps tokens in ``folder/tokens``; point SOFTHSM2_CONF at it."""
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        "slots.removable = false\n"
    )
    return conf


def _label(lib: PyKCS11.PyKCS11Lib, slot: int) -> str:
    return lib.getTokenInfo(slot).label.rstrip(" \x00")


def init_token(module: str, *, label: str, so_pin: str, user_pin: str) -> None:
    """Initialise the first free slot as a token with ``label`` and set its user PIN."""
    lib = PyKCS11.PyKCS11Lib().load(module)
    try:
        free = [s for s in lib.getSlotList(tokenPresent=True)
                if not lib.getTokenInfo(s).flags & PyKCS11.CKF_TOKEN_INITIALIZED]
        if not free:
            raise TokenError(said("token.no_free_slot", module=module))
        # PyKCS11 pads a short label with NULs; PKCS#11 wants 32 blank-padded bytes
        lib.initToken(free[0], so_pin, label.encode().ljust(32, b" ").decode())
        slot = next(s for s in lib.getSlotList(tokenPresent=True)
                    if _label(lib, s) == label)
        session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        session.login(so_pin, PyKCS11.CKU_SO)
        session.initPin(user_pin)
        session.logout()
        session.closeSession()
    finally:
        lib.unload()


def import_key_and_certificate(
    module: str,
    *,
    token_label: str,
    user_pin: str,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate | None,
    label: str,
    key_id: bytes,
    extra_certificates: tuple[x509.Certificate, ...] = (),
    always_authenticate: bool = False,
) -> None:
    """Store a private key (non-extractable) and its certificate under one CKA_ID."""
    lib = PyKCS11.PyKCS11Lib().load(module)
    try:
        slot = next(s for s in lib.getSlotList(tokenPresent=True)
                    if _label(lib, s) == token_label)
        session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        session.login(user_pin)
        try:
            session.createObject(_private_key_template(key, label, key_id, always_authenticate))
            if certificate is not None:
                session.createObject(_certificate_template(certificate, label, key_id))
            for i, extra in enumerate(extra_certificates):
                session.createObject(_certificate_template(extra, f"{label}-ca{i}", b""))
        finally:
            with contextlib.suppress(PyKCS11.PyKCS11Error):
                session.logout()
            session.closeSession()
    finally:
        lib.unload()


def _certificate_template(cert: x509.Certificate, label: str, key_id: bytes) -> list:
    return [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE),
        (PyKCS11.CKA_CERTIFICATE_TYPE, PyKCS11.CKC_X_509),
        (PyKCS11.CKA_TOKEN, True),
        (PyKCS11.CKA_LABEL, label),
        (PyKCS11.CKA_ID, key_id),
        (PyKCS11.CKA_SUBJECT, cert.subject.public_bytes()),
        (PyKCS11.CKA_ISSUER, cert.issuer.public_bytes()),
        (PyKCS11.CKA_VALUE, cert.public_bytes(serialization.Encoding.DER)),
    ]


def _private_key_template(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    label: str,
    key_id: bytes,
    always_authenticate: bool,
) -> list:
    common = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
        (PyKCS11.CKA_TOKEN, True),
        (PyKCS11.CKA_PRIVATE, True),
        (PyKCS11.CKA_SENSITIVE, True),
        (PyKCS11.CKA_EXTRACTABLE, False),
        (PyKCS11.CKA_SIGN, True),
        (PyKCS11.CKA_LABEL, label),
        (PyKCS11.CKA_ID, key_id),
        (PyKCS11.CKA_ALWAYS_AUTHENTICATE, always_authenticate),
    ]
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        pub = n.public_numbers

        def b(i: int) -> bytes:
            return i.to_bytes((i.bit_length() + 7) // 8, "big")

        return common + [
            (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_RSA),
            (PyKCS11.CKA_MODULUS, b(pub.n)),
            (PyKCS11.CKA_PUBLIC_EXPONENT, b(pub.e)),
            (PyKCS11.CKA_PRIVATE_EXPONENT, b(n.d)),
            (PyKCS11.CKA_PRIME_1, b(n.p)),
            (PyKCS11.CKA_PRIME_2, b(n.q)),
            (PyKCS11.CKA_EXPONENT_1, b(n.dmp1)),
            (PyKCS11.CKA_EXPONENT_2, b(n.dmq1)),
            (PyKCS11.CKA_COEFFICIENT, b(n.iqmp)),
        ]
    from asn1crypto import keys as asn1_keys

    curve_params = asn1_keys.ECDomainParameters(
        name="named", value=asn1_keys.NamedCurve(key.curve.name)
    ).dump()
    size = (key.curve.key_size + 7) // 8
    return common + [
        (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
        (PyKCS11.CKA_EC_PARAMS, curve_params),
        (PyKCS11.CKA_VALUE, key.private_numbers().private_value.to_bytes(size, "big")),
    ]
