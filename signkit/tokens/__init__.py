"""Key access with no PDF knowledge: PKCS#11 tokens (PyKCS11) and PKCS#12 files."""

from .base import CertificateFacts, KeyType, RsaPadding, SigningKey
from .modules import WELL_KNOWN_MODULES, module_candidates
from .pkcs11 import (
    KeyInfo,
    ModuleScan,
    PinState,
    Pkcs11Module,
    Pkcs11Session,
    Pkcs11SigningKey,
    TokenInfo,
    list_tokens,
    open_token,
    scan_modules,
)
from .pkcs12 import Pkcs12SigningKey, open_pkcs12

__all__ = [
    "WELL_KNOWN_MODULES",
    "CertificateFacts",
    "KeyInfo",
    "KeyType",
    "ModuleScan",
    "PinState",
    "Pkcs11Module",
    "Pkcs11Session",
    "Pkcs11SigningKey",
    "Pkcs12SigningKey",
    "RsaPadding",
    "SigningKey",
    "TokenInfo",
    "list_tokens",
    "module_candidates",
    "open_pkcs12",
    "open_token",
    "scan_modules",
]
