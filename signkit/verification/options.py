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
    # seconds per file (0: none); kept by verify_many's watchdog, which stops the worker
    # process and reports the file TOTAL_FAILED / FORMAT_FAILURE ("resource limit");
    # verify_pdf and Verifier.verify, in the calling process, keep no time limit
    time_limit: float = 60.0
