"""``signkit timestamp``: a document timestamp (RFC 3161, /DocTimeStamp) over the whole file,
signed or not, in an incremental update."""

from __future__ import annotations

from pathlib import Path

from .result import LtvResult, LtvStatus
from .session import ArchiveSession


def timestamp_document(session: ArchiveSession, source: Path, target: Path, *,
                       overwrite: bool = False) -> LtvResult:
    """Add a document timestamp to ``source``, written to ``target`` (``target`` =
    ``source``: replace it atomically). A failure raises a ``SigningError``."""
    with session.open(source) as stream, \
            session.output(stream, source, target, overwrite=overwrite) as output:
        added = session.run(session.add_document_timestamp(stream, source, output=output))
    return LtvResult(source, target, LtvStatus.ADDED, added, sha256=output.sha256)
