"""What the store keeps beyond the report: when a B-LTA archive's newest timestamp stops
proving anything (its TSA certificate's expiry), the date ``ltv refresh`` works against."""

from __future__ import annotations

import io
from pathlib import Path

from ..report import FileReport
from ._codec import utc_text

_ARCHIVE_LEVEL = "PAdES-B-LTA"


def archive_expiry(report: FileReport, source: str | Path | bytes) -> str | None:
    """For a file with a B-LTA signature: when the TSA certificate of its newest timestamp
    expires (store text), read from ``source`` (a path or the file's bytes); None for other
    files and for files whose timestamp cannot be read (their report says why)."""
    if not any(sig.level == _ARCHIVE_LEVEL for sig in report.signatures):
        return None
    from pyhanko.pdf_utils.reader import PdfFileReader

    from ..ltv.refresh import newest_timestamp, timestamp_facts

    try:
        stream = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
        with stream:
            newest = newest_timestamp(PdfFileReader(stream, strict=False))
            if newest is None:
                return None
            expires = timestamp_facts(*newest).tsa_expires
            return utc_text(expires) if expires is not None else None
    except Exception:  # noqa: BLE001 - a damaged file's verdict already says what is wrong
        return None
