"""Bounds on the work one document may ask for, checked before pyHanko parses its objects.

pyHanko reads names and strings byte by byte in Python: a dictionary holding a 10 MB name
costs it seconds and about 1 GB of memory, once per time the object is read. Difference
analysis grows with the number of revisions. Both are cut short here with a clear verdict;
worker processes keep an outer time and memory limit on everything else (see ``batch``).
"""

from __future__ import annotations

from pyhanko.pdf_utils.reader import PdfFileReader

from ..report.messages import Message
from .pdf_file import DocumentBytes

MAX_REVISIONS = 500
"""More revisions than any real document has."""

MAX_OBJECT_BYTES = 4 * 1024 * 1024
"""The largest object signkit parses, not counting a stream's data (real dictionaries are
kilobytes; images and fonts are stream data, which is not limited here)."""


def resource_problem(reader: PdfFileReader, data: DocumentBytes) -> Message | None:
    """Why the document is beyond the limits, or None."""
    revisions = reader.xrefs.total_revisions
    if revisions > MAX_REVISIONS:
        return Message("file.limit_revisions", revisions=revisions, maximum=MAX_REVISIONS)
    return _oversized_object(reader, data)


def _oversized_object(reader: PdfFileReader, data: DocumentBytes) -> Message | None:
    """An object whose bytes before its stream data (or whose whole body, for a non-stream
    object) exceed MAX_OBJECT_BYTES. An object's extent is bounded by the next position any
    cross-reference section names (or the end of the file)."""
    starts: dict[int, int] = {}
    boundaries = {len(data)}
    for revision in range(reader.xrefs.total_revisions):
        meta = reader.xrefs.get_xref_container_info(revision)
        boundaries.add(meta.start_location)
        for number, (_, offset) in reader.xrefs.get_xref_data(revision).standard_xrefs.items():
            if 0 <= offset < len(data):
                starts[offset] = number
                boundaries.add(offset)
    ordered = sorted(boundaries)
    following = dict(zip(ordered, ordered[1:], strict=False))
    for offset, number in starts.items():
        end = following.get(offset, len(data))
        if end - offset <= MAX_OBJECT_BYTES:
            continue
        if data.find(b"stream", offset, offset + MAX_OBJECT_BYTES) < 0:
            return Message("file.limit_object", number=number,
                           size=f"{(end - offset) / 2**20:.1f}",
                           maximum=MAX_OBJECT_BYTES // 2**20)
    return None
