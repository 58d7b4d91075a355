"""Finding the PKCS#11 module (the token's driver library).

Order: an explicit path, ``$SIGNKIT_PKCS11_MODULE``, the profile's hint, then the paths where
the drivers of tokens seen in Vietnamese offices install themselves, OpenSC, and SoftHSM2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import Pkcs11ModuleNotFoundError

ENV_MODULE = "SIGNKIT_PKCS11_MODULE"

WELL_KNOWN_MODULES: tuple[str, ...] = (
    # Bit4id (newer Ban Cơ yếu Chính phủ tokens)
    "/usr/lib/libbit4xpki.so",
    "/usr/lib/bit4id/libbit4xpki.so",
    # SafeNet eToken (older Ban Cơ yếu tokens)
    "/usr/lib/libeTPkcs11.so",
    "/usr/lib/x86_64-linux-gnu/libeTPkcs11.so",
    # FPT-CA, Feitian ePass2003 vendor driver
    "/usr/lib/fptca_v4.so",
    "/usr/lib/libcastle.so.1.0.0",
    "/usr/lib/libcastle.so",
    # OpenSC (ePass2003 and most smart cards)
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
    "/usr/local/lib/opensc-pkcs11.so",
    # SoftHSM2 (software token: tests, the demo)
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


def module_candidates(explicit: str | None = None, profile_hint: str | None = None) -> list[str]:
    """Paths to try, most specific first. An explicit choice is the only candidate."""
    if explicit:
        return [explicit]
    env = os.environ.get(ENV_MODULE)
    if env:
        return [env]
    hints = [profile_hint] if profile_hint else []
    return hints + [p for p in WELL_KNOWN_MODULES if p not in hints]


def existing_modules(candidates: Sequence[str]) -> list[str]:
    """The candidates that exist (a named folder is kept: loading it says what is wrong)."""
    return [p for p in candidates if Path(p).exists()]


def require_modules(explicit: str | None = None, profile_hint: str | None = None) -> list[str]:
    """The existing candidates, or an error naming every path tried."""
    candidates = module_candidates(explicit, profile_hint)
    found = existing_modules(candidates)
    if not found:
        named = explicit or os.environ.get(ENV_MODULE) or None
        raise Pkcs11ModuleNotFoundError(candidates, explicit=named)
    return found
