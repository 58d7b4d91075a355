"""The report data model and its writers (JSON, CSV, text, HTML)."""

from .model import (
    BatchReport,
    Coverage,
    FileReport,
    Indication,
    Modifications,
    RevocationCheck,
    RevocationSource,
    RevocationStatus,
    SignatureReport,
    SignerIdentity,
    SubIndication,
    worst,
)

__all__ = [
    "BatchReport",
    "Coverage",
    "FileReport",
    "Indication",
    "Modifications",
    "RevocationCheck",
    "RevocationSource",
    "RevocationStatus",
    "SignatureReport",
    "SignerIdentity",
    "SubIndication",
    "worst",
]
