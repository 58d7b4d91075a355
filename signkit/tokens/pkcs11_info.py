"""What a PKCS#11 token and its keys look like from outside: plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass

import PyKCS11

from .base import CertificateFacts


@dataclass(frozen=True)
class PinState:
    """The token's PIN flags, read before login (PKCS#11 CKF_* token flags)."""

    login_required: bool
    protected_authentication_path: bool  # PIN pad on the reader
    pin_count_low: bool
    pin_final_try: bool
    pin_locked: bool
    pin_to_be_changed: bool

    @classmethod
    def from_flags(cls, flags: int) -> PinState:
        return cls(
            login_required=bool(flags & PyKCS11.CKF_LOGIN_REQUIRED),
            protected_authentication_path=bool(flags & PyKCS11.CKF_PROTECTED_AUTHENTICATION_PATH),
            pin_count_low=bool(flags & PyKCS11.CKF_USER_PIN_COUNT_LOW),
            pin_final_try=bool(flags & PyKCS11.CKF_USER_PIN_FINAL_TRY),
            pin_locked=bool(flags & PyKCS11.CKF_USER_PIN_LOCKED),
            pin_to_be_changed=bool(flags & PyKCS11.CKF_USER_PIN_TO_BE_CHANGED),
        )

    def names(self) -> list[str]:
        return [name for name, value in vars(self).items() if value]


@dataclass(frozen=True)
class TokenInfo:
    slot: int
    label: str
    manufacturer: str
    model: str
    serial: str
    pin: PinState
    module: str
    initialized: bool = True  # False: a blank slot (SoftHSM2 always shows one)


@dataclass(frozen=True)
class KeyInfo:
    """A private key on the token, with its certificate when one matches."""

    label: str
    id_hex: str
    key_type: str  # "RSA" or "EC"
    key_size: int
    always_authenticate: bool
    certificate: CertificateFacts | None
    can_sign: bool  # key + certificate present, certificate valid now and allows signing
    problem: str | None = None  # why it cannot sign, in words

    def describe(self) -> str:
        who = self.certificate.common_name if self.certificate else "no certificate"
        return f"label={self.label!r} id={self.id_hex} {self.key_type}-{self.key_size} ({who})"
