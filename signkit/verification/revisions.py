"""What a viewer may display that pyHanko's revision list does not hold.

pyHanko reads a file from the last ``%%EOF`` it finds and follows ``/Prev`` pointers; its
difference analysis judges only the revisions it read. Viewers find the last revision other
ways (poppler and qpdf look for the last ``startxref``, pdf.js honours linearization, all of
them rebuild a broken cross-reference table by scanning for ``N G obj``). Every byte after
the earliest signed revision must therefore belong to a revision pyHanko read, and each of
those revisions must mean the same thing to every reader: an update hidden from pyHanko's
parser but shown by a viewer is the false pass this module exists to catch. The family of
disagreements it checks is written down in docs/security.md.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import (
    ObjStreamRef,
    XRefEntry,
    XRefSectionType,
    XRefType,
    parse_xref_stream,
    parse_xref_table,
)
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, SuspiciousModification
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from ..report.messages import Message
from .pdf_file import DocumentBytes, PdfFile

_SPACE = rb"[\x00\t\n\f\r ]"  # PDF white space; NUL padding is written by some producers
_SPACE_BYTES = b"\x00\t\n\f\r "
_REVISION_END = re.compile(rb"startxref" + _SPACE + rb"*(\d+)" + _SPACE + rb"*%%EOF")
_LAST_STARTXREF = re.compile(rb"startxref" + _SPACE + rb"*(\d+)")
_OBJECT_HEADER = re.compile(
    rb"(?<![0-9])(\d{1,10})" + _SPACE + rb"+(\d{1,5})" + _SPACE + rb"+obj(?![A-Za-z0-9])")
_HEADER_AT = re.compile(_SPACE + rb"*(\d{1,10})" + _SPACE + rb"+(\d{1,5})" + _SPACE + rb"+obj")
_STREAM_KEYWORD = re.compile(rb">>" + _SPACE + rb"*stream(?:\r\n|\n|\r)")
_LINEARIZED = re.compile(rb"/Linearized\b.{0,200}?/L" + _SPACE + rb"*(\d+)", re.DOTALL)


_MAX_PROBLEMS = 20  # reported per file; the verdict needs one

MAX_OBJECT_NUMBER = 8_388_607
"""ISO 32000-1 Annex C: the largest object number a conforming reader must handle; poppler
refuses the file over 2^31-2, pyHanko reads any."""


@dataclass(frozen=True)
class HiddenChanges:
    """Why the signatures do not cover what a viewer may show; ``problems`` is empty when
    every byte after the earliest signed revision belongs to a revision pyHanko read."""

    problems: tuple[Message, ...]

    def __bool__(self) -> bool:
        return bool(self.problems)


def hidden_changes(reader: PdfFileReader, document: PdfFile,
                   signatures: Sequence[EmbeddedPdfSignature]) -> HiddenChanges:
    """Check the bytes after the earliest signed revision (see the module docstring)."""
    data = document.data
    signed = [(s, end) for s in signatures if (end := _signed_end(s, len(data))) is not None]
    if not signed:
        return HiddenChanges(())  # malformed ranges fail on their own (structure.py)
    first, first_end = min(signed, key=lambda item: item[0].signed_revision)
    pos = first_end
    problems: list[Message] = []
    for revision in range(first.signed_revision + 1, reader.xrefs.total_revisions):
        end = _revision_end(reader, data, revision, pos, problems)
        if end is None:
            break
        problems += _update_problems(reader, document, revision, pos, end)
        pos = end
    unparsed = _unparsed(data, pos)
    if unparsed:
        where = "the last signed revision" if pos == first_end else "the last revision read"
        problems.insert(0, Message("hidden.unparsed", where=where, n=unparsed))
        problems += _viewer_reading(document, first)
    problems += _linearization_problem(data, first, pos_first=first_end)
    problems = list(dict.fromkeys(problems))
    if len(problems) > _MAX_PROBLEMS:  # a hostile update may list millions of bad entries
        problems[_MAX_PROBLEMS:] = [Message("hidden.more", count=len(problems) - _MAX_PROBLEMS)]
    return HiddenChanges(tuple(problems))


def _signed_end(sig: EmbeddedPdfSignature, size: int) -> int | None:
    try:
        start1, _, start2, len2 = (int(v) for v in sig.byte_range)
    except (TypeError, ValueError):
        return None
    end = start2 + len2
    return end if start1 == 0 and 0 < end <= size else None


def _revision_end(reader: PdfFileReader, data: DocumentBytes, revision: int, pos: int,
                  problems: list[Message]) -> int | None:
    """Where update ``revision`` ends (after its ``startxref … %%EOF``); None, with the
    reason in ``problems``, when it does not lie in its own bytes after ``pos``."""
    meta = reader.xrefs.get_xref_container_info(revision)
    if meta.declared_startxref < pos:
        problems.append(Message("hidden.reuses_xref", revision=revision,
                                offset=meta.declared_startxref))
        return None
    if not _section_at(data, meta.declared_startxref, meta.xref_section_type):
        problems.append(Message("hidden.startxref_beside", revision=revision))
    match = _REVISION_END.search(data, max(meta.end_location, pos))
    if match is None or int(match[1]) != meta.declared_startxref:
        problems.append(Message("hidden.no_own_end", revision=revision))
        return None
    return match.end()


def _section_at(data: DocumentBytes, offset: int, kind: XRefSectionType) -> bool:
    """Whether ``offset`` is exactly where a cross-reference table (``xref``) or stream
    (``N G obj``, white space before it tolerated as every reader does) starts."""
    if kind is XRefSectionType.STREAM:
        return _HEADER_AT.match(data, offset) is not None
    return data[offset:offset + 4] == b"xref"


def _update_problems(reader: PdfFileReader, document: PdfFile, revision: int, start: int,
                     end: int) -> list[Message]:
    """Disagreements inside one update after signing: entries that point at the wrong
    object, objects defined but not listed, objects listed twice or in two places."""
    problems: list[Message] = []
    data = document.data
    entries = list(_raw_entries(reader, document, revision))
    in_use = [e for e in entries if e.xref_type is not XRefType.FREE and e.idnum]
    seen: dict[int, object] = {}
    for entry in in_use:
        if entry.idnum > MAX_OBJECT_NUMBER:
            problems.append(Message("hidden.object_number", revision=revision,
                                    number=entry.idnum, maximum=f"{MAX_OBJECT_NUMBER:,}"))
        if entry.idnum in seen and seen[entry.idnum] != entry.location:
            problems.append(Message("hidden.listed_twice", revision=revision,
                                    number=entry.idnum))
        seen.setdefault(entry.idnum, entry.location)
    listed_headers: set[int] = set()
    masked: list[tuple[int, int]] = []
    for entry in in_use:
        if entry.xref_type is not XRefType.STANDARD:
            continue
        offset = entry.location
        assert isinstance(offset, int)
        header = _HEADER_AT.match(data, offset) if 0 <= offset < len(data) else None
        if header is None or (int(header[1]), int(header[2])) != (entry.idnum,
                                                                    entry.generation):
            problems.append(Message("hidden.entry_elsewhere", revision=revision,
                                    number=entry.idnum))
            continue
        listed_headers.add(header.start(1))
        obj = _object_in(reader, entry, revision)
        span = _stream_span(data, offset, obj)
        if span is not None:
            masked.append(span)
        if isinstance(obj, generic.StreamObject) and obj.get("/Type") == "/ObjStm":
            problems += _object_stream_problems(reader, entry.idnum, obj, revision, entries)
    # the revision's own xref stream (or a hybrid file's /XRefStm) is listed by position
    hybrid = reader.xrefs.get_xref_data(revision).hybrid
    for meta in (reader.xrefs.get_xref_container_info(revision),
                 hybrid.meta_info if hybrid is not None else None):
        if meta is None or meta.xref_section_type is XRefSectionType.STANDARD \
                or meta.xref_section_type is XRefSectionType.HYBRID_MAIN:
            continue
        header = _HEADER_AT.match(data, meta.start_location)
        if header is not None:
            listed_headers.add(header.start(1))
        if meta.end_location > meta.start_location:
            masked.append((meta.start_location, meta.end_location))
    for match in _headers_outside(data, start, end, masked):
        if match.start(1) not in listed_headers:
            problems.append(Message("hidden.unlisted_object", revision=revision,
                                    number=int(match[1]), generation=int(match[2]),
                                    offset=match.start(1)))
    return problems


def _raw_entries(reader: PdfFileReader, document: PdfFile, revision: int
                 ) -> Iterator[XRefEntry]:
    """The entries of one revision's cross-reference section as written (duplicates and all),
    the hybrid xref stream's included."""
    meta = reader.xrefs.get_xref_container_info(revision)
    if meta.xref_section_type is XRefSectionType.STREAM:
        yield from parse_xref_stream(_xref_stream(reader, document, meta.start_location))
        return
    stream = document.stream()
    stream.seek(meta.start_location)
    yield from parse_xref_table(stream, strict=False)
    hybrid = reader.xrefs.get_xref_data(revision).hybrid
    if hybrid is not None:
        yield from parse_xref_stream(_xref_stream(reader, document,
                                                  hybrid.meta_info.start_location))


def _xref_stream(reader: PdfFileReader, document: PdfFile, offset: int
                 ) -> generic.StreamObject:
    stream = document.stream()
    header = _HEADER_AT.match(document.data, offset)
    assert header is not None  # pyHanko read this section already
    stream.seek(header.end())
    misc.skip_over_whitespace(stream)
    ref = generic.Reference(int(header[1]), int(header[2]), pdf=reader)
    obj = generic.read_object(stream, ref)
    assert isinstance(obj, generic.StreamObject)
    return obj


def _object_in(reader: PdfFileReader, entry: XRefEntry, revision: int):
    try:
        return reader.get_object(generic.Reference(entry.idnum, entry.generation, reader),
                                 revision=revision)
    except Exception:  # noqa: BLE001 - an unreadable object is judged by difference analysis
        return None


def _stream_span(data: DocumentBytes, offset: int, obj) -> tuple[int, int] | None:
    """The bytes of a stream object's data, skipped when looking for object headers; only
    when they are exactly the data pyHanko read (a dictionary string that looks like the
    ``stream`` keyword must not hide anything)."""
    if not isinstance(obj, generic.StreamObject):
        return None
    keyword = _STREAM_KEYWORD.search(data, offset)
    if keyword is None:
        return None
    encoded = obj.encoded_data
    span = (keyword.end(), keyword.end() + len(encoded))
    return span if data[span[0]:span[1]] == encoded else None


def _headers_outside(data: DocumentBytes, start: int, end: int,
                     masked: list[tuple[int, int]]) -> Iterator[re.Match]:
    cursor = start
    for lo, hi in sorted(masked):
        if hi <= cursor or lo >= end:
            continue
        yield from _OBJECT_HEADER.finditer(data, cursor, max(cursor, lo))
        cursor = max(cursor, hi)
    yield from _OBJECT_HEADER.finditer(data, cursor, end)


def _object_stream_entries(entries: list[XRefEntry]) -> Iterator[tuple[int, ObjStreamRef]]:
    """(object number, where in which object stream) of the entries that point into one."""
    for entry in entries:
        if entry.xref_type is XRefType.IN_OBJ_STREAM:
            # pyHanko gives every IN_OBJ_STREAM entry an ObjStreamRef location
            assert isinstance(entry.location, ObjStreamRef)
            yield entry.idnum, entry.location


def _object_stream_problems(reader: PdfFileReader, number: int, stream: generic.StreamObject,
                            revision: int, entries: list[XRefEntry]) -> list[Message]:
    """Every object an object stream of the update holds must be listed as there, at its
    index: otherwise one reader takes it from the stream and another from elsewhere."""
    pointing = {(idnum, location.ix_in_stream)
                for idnum, location in _object_stream_entries(entries)
                if location.obj_stream_id == number}
    try:
        count, first = int(stream["/N"]), int(stream["/First"])
        numbers = stream.data[:first].split()[0:2 * count:2]
        held = [(int(n), index) for index, n in enumerate(numbers)]
    except Exception as e:  # noqa: BLE001 - a stream that does not decode is a finding too
        return [Message("hidden.object_stream_unreadable", number=number, revision=revision,
                        detail=f"{type(e).__name__}: {e}")]
    return [Message("hidden.object_stream_unlisted", number=number, revision=revision, held=n)
            for n, index in held if (n, index) not in pointing]


def _viewer_reading(document: PdfFile, first: EmbeddedPdfSignature) -> list[Message]:
    """The hidden update, read the way poppler and qpdf read it (from the last
    ``startxref``), through pyHanko's difference analysis; nothing when it cannot be read."""
    data = document.data
    last = _LAST_STARTXREF.match(data, data.rfind(b"startxref"))
    if last is None:
        return []
    try:
        repaired = PdfFileReader(
            io.BufferedReader(_Prefix(document.stream(), last.end(), b"\n%%EOF\n")),
            strict=False)
        sig = next(s for s in repaired.embedded_signatures
                   if str(s.field_name) == str(first.field_name))
        if repaired.xrefs.total_revisions <= sig.signed_revision + 1:
            return []
        result = DEFAULT_DIFF_POLICY.review_file(repaired, sig.signed_revision,
                                                 field_mdp_spec=sig.fieldmdp,
                                                 doc_mdp=sig.docmdp_level)
    except Exception:  # noqa: BLE001 - a best-effort account; the verdict stands without it
        return []
    if isinstance(result, SuspiciousModification):
        return [Message("hidden.viewer_modifies", detail=str(result))]
    level = result.modification_level.name.lower().replace("_", " ")
    return [Message("hidden.viewer_level", change=level)]


def _linearization_problem(data: DocumentBytes, first: EmbeddedPdfSignature, *,
                           pos_first: int) -> list[Message]:
    """pdf.js reads a file whose linearization dictionary states the file's length from the
    first-page cross-reference table, so it shows the linearized revision and not the updates
    after it. A linearized file signed in one full save is two sections (main and first-page
    table) and ends with its signed revision; anything else stating the full length is a trap
    set before signing."""
    match = _LINEARIZED.search(data, 0, 2048)
    if match is None or int(match[1]) != len(data):
        return []
    if first.signed_revision <= 1 and pos_first == len(data):
        return []
    return [Message("hidden.linearization_trap")]


def _unparsed(data, pos: int) -> int:
    """How many bytes after ``pos`` lie between the first and the last that is not white
    space or NUL, read a chunk at a time (a hidden tail may be as large as the file)."""
    size, chunk = len(data), 1 << 20
    first = next((lo + len(part) - len(rest) for lo in range(pos, size, chunk)
                  if (rest := (part := data[lo:lo + chunk]).lstrip(_SPACE_BYTES))), None)
    if first is None:
        return 0
    for hi in range(size, first, -chunk):
        lo = max(first, hi - chunk)
        kept = data[lo:hi].rstrip(_SPACE_BYTES)
        if kept:
            return lo + len(kept) - first
    return 0


class _Prefix(io.RawIOBase):
    """The first ``length`` bytes of ``stream`` followed by ``suffix``: a file cut at its last
    ``startxref`` and closed with ``%%EOF``, read without copying it."""

    def __init__(self, stream, length: int, suffix: bytes):
        self._stream, self._length, self._suffix = stream, length, suffix
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos,
                io.SEEK_END: self._length + len(self._suffix)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos < self._length:
            self._stream.seek(self._pos)
            data = self._stream.read(min(len(view), self._length - self._pos))
        else:
            at = self._pos - self._length
            data = self._suffix[at:at + len(view)]
        view[:len(data)] = data
        self._pos += len(data)
        return len(data)
