"""The verification report as data: frozen dataclasses and enums whose values are the
ETSI EN 319 102-1 names and the JSON vocabulary of docs/report-schema.md. Writers are
functions of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass


class Indication(enum.Enum):
    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"

    @property
    def severity(self) -> int:
        return {"TOTAL_PASSED": 0, "INDETERMINATE": 1, "TOTAL_FAILED": 2}[self.value]


class SubIndication(enum.Enum):
    """ETSI EN 319 102-1 §5.1.3 sub-indications used by signkit."""

    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    REVOCATION_OUT_OF_BOUNDS_NO_POE = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    GENERIC = "GENERIC"


class Coverage(enum.Enum):
    ENTIRE_FILE = "ENTIRE_FILE"
    ENTIRE_REVISION = "ENTIRE_REVISION"
    PARTIAL = "PARTIAL"


class Modifications(enum.Enum):
    """What changed after a signature, from pyHanko's difference analysis."""

    NONE = "NONE"
    LTA_UPDATES = "LTA_UPDATES"
    FORM_FILLING = "FORM_FILLING"
    ANNOTATIONS = "ANNOTATIONS"
    OTHER = "OTHER"


class RevocationSource(enum.Enum):
    CRL = "CRL"
    OCSP = "OCSP"
    EMBEDDED = "EMBEDDED"
    NONE = "NONE"


class RevocationStatus(enum.Enum):
    GOOD = "GOOD"
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class SignerIdentity:
    common_name: str
    subject: str
    organization: str | None
    serial: str
    certificate_sha256: str
    issuer: str


@dataclass(frozen=True)
class RevocationCheck:
    checked: bool
    source: RevocationSource = RevocationSource.NONE
    status: RevocationStatus = RevocationStatus.UNKNOWN


@dataclass(frozen=True)
class SignatureReport:
    field: str
    status: Indication
    subindication: SubIndication | None
    signer: SignerIdentity | None
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    level: str  # PAdES-B-B | PAdES-B-T | PAdES-B-LT | PAdES-B-LTA | CMS
    digest_algorithm: str | None
    signature_algorithm: str | None
    coverage: Coverage | None
    modifications: Modifications | None
    certified: bool = False
    docmdp: int | None = None
    chain: tuple[str, ...] = ()
    # dataclasses.field by its full name: ``field`` is a column of this class
    revocation: RevocationCheck = dataclasses.field(
        default_factory=lambda: RevocationCheck(False))
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileReport:
    path: str
    sha256: str | None
    status: Indication
    subindication: SubIndication | None
    messages: tuple[str, ...] = ()
    signatures: tuple[SignatureReport, ...] = ()


@dataclass(frozen=True)
class BatchInfo:
    """What a report says before its first file: its header. ``files`` is how many files the
    batch was given; a report cut short (interrupted) lists fewer."""

    signkit_version: str
    validation_time: dt.datetime
    profile: str
    files: int


@dataclass(frozen=True)
class BatchReport:
    signkit_version: str
    validation_time: dt.datetime
    profile: str
    files: tuple[FileReport, ...]

    @property
    def summary(self) -> dict[str, int]:
        tally = Tally()
        for report in self.files:
            tally.add(report)
        return tally.summary

    @property
    def status(self) -> Indication:
        return worst((f.status for f in self.files), default=Indication.TOTAL_PASSED)


class Tally:
    """The summary counts of reports seen one at a time (a streamed report keeps these
    integers, not the reports)."""

    def __init__(self) -> None:
        self.files = 0
        self._counts = dict.fromkeys(Indication, 0)

    def add(self, report: FileReport) -> None:
        self.files += 1
        self._counts[report.status] += 1

    @property
    def summary(self) -> dict[str, int]:
        """``BatchReport.summary``'s dict: ``files`` then a count per indication."""
        return {"files": self.files} | {i.value: n for i, n in self._counts.items()}

    @property
    def status(self) -> Indication:
        """The worst indication seen; TOTAL_PASSED when none was."""
        return worst((i for i, n in self._counts.items() if n),
                     default=Indication.TOTAL_PASSED)


def worst(statuses, *, default: Indication = Indication.TOTAL_FAILED) -> Indication:
    """The most severe indication: TOTAL_FAILED > INDETERMINATE > TOTAL_PASSED."""
    found = list(statuses)
    return max(found, key=lambda s: s.severity) if found else default
