"""What happened to each document of an archive-maintenance run, as data."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path


class LtvStatus(enum.Enum):
    ADDED = "ADDED"  # validation data and/or a document timestamp were added
    RENEWED = "RENEWED"  # ltv refresh: a fresh archive timestamp was added
    NOT_NEEDED = "NOT_NEEDED"  # nothing to add, or no renewal due within the window
    DUE = "DUE"  # ltv refresh --dry-run: a renewal is due (nothing was written)
    FAILED = "FAILED"  # the file is unchanged and no output was written
    SKIPPED = "SKIPPED"  # not attempted: the batch stopped before this file


@dataclass(frozen=True)
class Additions:
    """What one run appended to a document (objects new to its DSS, timestamps)."""

    certificates: int = 0
    ocsp_responses: int = 0
    crls: int = 0
    document_timestamp: bool = False

    def __add__(self, other: Additions) -> Additions:
        return Additions(
            self.certificates + other.certificates,
            self.ocsp_responses + other.ocsp_responses,
            self.crls + other.crls,
            self.document_timestamp or other.document_timestamp,
        )

    @property
    def anything(self) -> bool:
        return bool(self.certificates or self.ocsp_responses or self.crls
                    or self.document_timestamp)


@dataclass(frozen=True)
class TimestampFacts:
    """The newest timestamp of a document (a document timestamp or a signature timestamp)
    and the facts ``ltv refresh`` judges: its time, its TSA certificate and algorithms."""

    kind: str  # "document timestamp" or "signature timestamp of <field>"
    time: dt.datetime | None
    tsa: str | None  # the TSA certificate's subject, readable
    tsa_expires: dt.datetime | None
    digest_algorithm: str | None  # of the message imprint
    signature_algorithm: str | None  # e.g. "rsa 2048", "ecdsa secp256r1"


@dataclass(frozen=True)
class LtvResult:
    input: Path
    output: Path | None  # None when nothing was written
    status: LtvStatus
    added: Additions = field(default_factory=Additions)
    newest_timestamp: TimestampFacts | None = None  # ltv refresh: before any renewal
    reasons: tuple[str, ...] = ()  # why a renewal was (or was not) due
    sha256: str | None = None  # of the output written
    error: str | None = None
    # why it failed, for programs: the SignkitError's stable ``code`` ("timestamp",
    # "revocation_fetch", "input", "output_exists"...; "output_unwritable" for a file-system
    # or network error, "stopped" for a SKIPPED file) and the exception's class name
    error_code: str | None = None
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.status not in (LtvStatus.FAILED, LtvStatus.SKIPPED)

    @classmethod
    def failed(cls, input: Path, error: BaseException, *, message: str | None = None
               ) -> LtvResult:
        """The FAILED result of ``error``: its message (or ``message``), code and class."""
        code = getattr(error, "code", None)
        if not isinstance(code, str):
            code = "output_unwritable" if isinstance(error, OSError) else "internal"
        return cls(input, None, LtvStatus.FAILED, error=message or str(error),
                   error_code=code, error_type=type(error).__name__)


@dataclass(frozen=True)
class LtvOutcome:
    results: tuple[LtvResult, ...]
    stopped: str | None = None  # why the batch stopped early (--on-error stop)

    def count(self, status: LtvStatus) -> int:
        return sum(r.status is status for r in self.results)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)
