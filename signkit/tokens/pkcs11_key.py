"""A private key on a logged-in PKCS#11 session, signing through the token's mechanisms."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import TYPE_CHECKING

import PyKCS11
from cryptography import x509

from ..error_messages import said
from ..errors import PinIncorrectError
from .base import RsaPadding, SigningKey
from .mechanisms import SignPlan, plan_signature
from .pkcs11_errors import translate_error
from .pkcs11_info import TokenInfo

if TYPE_CHECKING:
    from .pkcs11 import Pkcs11Session


@dataclass
class TokenObject:
    handle: object
    label: str
    id: bytes


class Pkcs11SigningKey(SigningKey):
    def __init__(
        self,
        session: Pkcs11Session,
        key: TokenObject,
        certificate: x509.Certificate,
        chain: tuple[x509.Certificate, ...],
        always_authenticate: bool,
    ):
        self.session = session
        self.label = key.label or key.id.hex()
        self.certificate = certificate
        self.chain = chain
        self._handle = key.handle
        self._always_authenticate = always_authenticate
        self._plans: dict[tuple[str, RsaPadding], SignPlan] = {}

    @property
    def token(self) -> TokenInfo:
        return self.session.token

    def sign(self, data: bytes, *, digest: str, padding: RsaPadding = RsaPadding.PKCS1V15) -> bytes:
        plan = self._plans.get((digest, padding))
        if plan is None:
            plan = plan_signature(self.session.mechanisms, self.key_type, digest, padding)
            self._plans[(digest, padding)] = plan
        payload = plan.prepare(data, digest)
        session = self.session._session
        try:
            if self._always_authenticate:
                signature = self._sign_with_context_login(session, plan, payload)
            else:
                signature = _as_bytes(session.sign(self._handle, payload, plan.mechanism))
        except PyKCS11.PyKCS11Error as e:
            raise translate_error(e, action="signing", token_label=self.token.label) from None
        return plan.finish(signature)

    def _sign_with_context_login(
        self, session: PyKCS11.Session, plan: SignPlan, payload: bytes
    ) -> bytes:
        # CKA_ALWAYS_AUTHENTICATE keys need C_Login(CKU_CONTEXT_SPECIFIC) between
        # C_SignInit and C_Sign, which PyKCS11's one-shot sign() cannot do.
        low = session.lib
        rv = low.C_SignInit(session.session, plan.mechanism.to_native(), self._handle)
        if rv != PyKCS11.CKR_OK:
            raise PyKCS11.PyKCS11Error(rv)
        pin = self.session._pin
        rv = low.C_Login(session.session, PyKCS11.CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(pin))
        if rv == PyKCS11.CKR_PIN_INCORRECT:
            raise PinIncorrectError(
                said("pin_incorrect.key", key=self.label),
                rv=rv,
                token_label=self.token.label,
            )
        if rv != PyKCS11.CKR_OK:
            raise PyKCS11.PyKCS11Error(rv)
        data = PyKCS11.ckbytelist(payload)
        out = PyKCS11.ckbytelist()
        for _ in range(2):  # first call sizes the buffer, second fills it
            rv = low.C_Sign(session.session, data, out)
            if rv != PyKCS11.CKR_OK:
                raise PyKCS11.PyKCS11Error(rv)
        return _as_bytes(out)


def _as_bytes(values: PyKCS11.ckbytelist) -> bytes:
    """The bytes of a PyKCS11 result. ``bytes(values)`` steps through SWIG's iterator one
    byte at a time (0.1 ms for an RSA-2048 signature, a tenth of a batch's work per document
    in the process that holds the token); this reads the C++ vector's buffer, whose first two
    fields are its begin and end pointers, and falls back when they disagree with its length."""
    try:
        begin, end = (ctypes.c_void_p * 2).from_address(int(values.this))
    except (AttributeError, TypeError, ValueError):
        return bytes(values)
    if not begin or not end or end - begin != len(values):  # (an empty vector: no buffer)
        return bytes(values)
    return ctypes.string_at(begin, end - begin)
