"""How a verification run is configured."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VerifyOptions:
    """Verification settings; defaults verify now, online, under the ``default`` profile.

    >>> VerifyOptions(profile="vn", trust=(Path("root.pem"),), offline=True)
    """

    profile: str = "default"
    trust: tuple[Path, ...] = ()  # extra trust anchors (PEM or DER files)
    other_certs: tuple[Path, ...] = ()  # extra intermediates
    crls: tuple[Path, ...] = ()  # local CRLs, used offline too
    offline: bool = False  # fetch nothing: only embedded data, --crl files
    at: dt.datetime | None = None  # validation time; default: now
    strict_modifications: bool = False  # form filling after an approval signature fails too
    revocation_timeout: float = 10.0  # seconds per OCSP/CRL request
    time_limit: float = 60.0  # seconds per file before it is reported INDETERMINATE
