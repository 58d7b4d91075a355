"""Test PDFs for placement: Vietnamese text with diacritics in an embedded TrueType font
(DejaVu Sans), rotated pages, CropBox offsets, several pages, signature fields.

Written with pyHanko's PDF writer. The font is embedded whole as a CIDFontType2 with
Identity-H encoding, per-glyph widths and a ToUnicode map, so that text extractors
(pdfminer.six, poppler) read back exactly the Unicode text written. Positions are given as
the reader sees the page: points from the bottom-left corner of the CropBox, after /Rotate.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import struct
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
A4 = (0.0, 0.0, 595.0, 842.0)
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Text:
    text: str
    x: float  # left end of the baseline, or its middle with centred=True
    y: float  # baseline
    size: float = 13.0
    centred: bool = False


@dataclass(frozen=True)
class PageSpec:
    texts: tuple[Text, ...] = ()
    media_box: Box = A4
    crop_box: Box | None = None
    rotate: int = 0
    fields: tuple[tuple[str, Box], ...] = field(default=())  # empty signature fields, user space


@dataclass(frozen=True)
class _Font:
    units_per_em: int
    ascent: int
    descent: int
    glyph_of: dict[int, int]  # code point -> glyph id
    advance: tuple[int, ...]  # glyph id -> advance width (font units)


@functools.cache
def _font() -> _Font:
    """The few TrueType tables needed: head, hhea, hmtx, and the cmap's format-4 table."""
    data = FONT_FILE.read_bytes()
    tables = {}
    (count,) = struct.unpack(">H", data[4:6])
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        tables[tag.decode()] = data[offset: offset + length]
    (units,) = struct.unpack(">H", tables["head"][18:20])
    ascent, descent = struct.unpack(">hh", tables["hhea"][4:8])
    (metrics,) = struct.unpack(">H", tables["hhea"][34:36])
    hmtx = tables["hmtx"]
    advance = tuple(struct.unpack(">H", hmtx[4 * i: 4 * i + 2])[0] for i in range(metrics))
    cmap = tables["cmap"]
    glyph_of: dict[int, int] = {}
    (n,) = struct.unpack(">H", cmap[2:4])
    for i in range(n):
        platform, encoding, offset = struct.unpack(">HHI", cmap[4 + 8 * i: 12 + 8 * i])
        if (platform, encoding) not in ((3, 1), (0, 3)) or struct.unpack(
                ">H", cmap[offset: offset + 2])[0] != 4:
            continue
        segments = struct.unpack(">H", cmap[offset + 6: offset + 8])[0] // 2
        base = offset + 14
        size = 2 * segments  # bytes in each of the table's parallel arrays
        ends = struct.unpack(f">{segments}H", cmap[base: base + size])
        starts = struct.unpack(f">{segments}H", cmap[base + 2 + size: base + 2 + 2 * size])
        deltas = struct.unpack(f">{segments}h", cmap[base + 2 + 2 * size: base + 2 + 3 * size])
        range_base = base + 2 + 6 * segments
        ranges = struct.unpack(f">{segments}H", cmap[range_base: range_base + 2 * segments])
        for s in range(segments):
            for cp in range(starts[s], ends[s] + 1):
                if ranges[s] == 0:
                    gid = (cp + deltas[s]) & 0xFFFF
                else:
                    at = range_base + 2 * s + ranges[s] + 2 * (cp - starts[s])
                    gid = struct.unpack(">H", cmap[at: at + 2])[0]
                    gid = (gid + deltas[s]) & 0xFFFF if gid else 0
                if gid:
                    glyph_of[cp] = gid
        break
    return _Font(units, ascent, descent, glyph_of, advance)


def _glyphs(text: str) -> list[int]:
    font = _font()
    return [font.glyph_of[ord(ch)] for ch in unicodedata.normalize("NFC", text)]


def _width(gid: int) -> float:
    font = _font()
    return font.advance[min(gid, len(font.advance) - 1)] * 1000 / font.units_per_em


def text_width(text: str, size: float) -> float:
    return sum(_width(g) for g in _glyphs(text)) * size / 1000


def _user_point(page: PageSpec, x: float, y: float) -> tuple[float, float]:
    """A point of the displayed page in the page's user space."""
    cx0, cy0, cx1, cy1 = page.crop_box or page.media_box
    return {0: (cx0 + x, cy0 + y), 90: (cx1 - y, cy0 + x),
            180: (cx1 - x, cy1 - y), 270: (cx0 + y, cy1 - x)}[page.rotate]


def user_box(page: PageSpec, box: Box) -> Box:
    """A box of the displayed page in the page's user space (a /Rect)."""
    (ax, ay), (bx, by) = _user_point(page, box[0], box[1]), _user_point(page, box[2], box[3])
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def display_box(page: PageSpec, box: Box) -> Box:
    """A /Rect of the page as the reader sees it: the inverse of :func:`user_box`."""
    cx0, cy0, cx1, cy1 = page.crop_box or page.media_box
    x1, y1, x2, y2 = box
    return {0: (x1 - cx0, y1 - cy0, x2 - cx0, y2 - cy0),
            90: (y1 - cy0, cx1 - x2, y2 - cy0, cx1 - x1),
            180: (cx1 - x2, cy1 - y2, cx1 - x1, cy1 - y1),
            270: (cy1 - y2, x1 - cx0, cy1 - y1, x2 - cx0)}[page.rotate]


def _text_matrix(rotate: int) -> tuple[int, int, int, int]:
    # the glyphs are drawn turned against /Rotate so that they read upright on screen
    return {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}[rotate]


def make_pdf(pages: list[PageSpec]) -> bytes:
    font = _font()
    writer = PdfFileWriter()
    used: set[int] = set()
    pages_ops = []
    for page in pages:
        ops = ["BT"]
        for t in page.texts:
            x = t.x - text_width(t.text, t.size) / 2 if t.centred else t.x
            ux, uy = _user_point(page, x, t.y)
            a, b, c, d = _text_matrix(page.rotate)
            gids = _glyphs(t.text)
            used.update(gids)
            ops += [f"/F1 {t.size:g} Tf", f"{a} {b} {c} {d} {ux:.3f} {uy:.3f} Tm",
                    "<" + "".join(f"{g:04X}" for g in gids) + "> Tj"]
        ops.append("ET")
        pages_ops.append("\n".join(ops))
    font_ref = _embed_font(writer, font, sorted(used))
    for page, ops in zip(pages, pages_ops, strict=True):
        content = generic.StreamObject(stream_data=ops.encode("ascii"))
        page_dict = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): _array(page.media_box),
            pdf_name("/Contents"): writer.add_object(content),
            pdf_name("/Resources"): generic.DictionaryObject({
                pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font_ref})}),
        })
        if page.crop_box is not None:
            page_dict[pdf_name("/CropBox")] = _array(page.crop_box)
        if page.rotate:
            page_dict[pdf_name("/Rotate")] = generic.NumberObject(page.rotate)
        writer.insert_page(page_dict)
    if any(page.fields for page in pages):
        from pyhanko.sign import fields

        for index, page in enumerate(pages):
            for name, box in page.fields:
                fields.append_signature_field(
                    writer, fields.SigFieldSpec(name, box=box, on_page=index))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _array(values) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(v) for v in values)


def _embed_font(writer: PdfFileWriter, font: _Font, gids: list[int]) -> generic.IndirectObject:
    scale = 1000 / font.units_per_em
    program = generic.StreamObject(
        {pdf_name("/Length1"): generic.NumberObject(FONT_FILE.stat().st_size)},
        stream_data=FONT_FILE.read_bytes())
    program.compress()
    descriptor = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/FontDescriptor"),
        pdf_name("/FontName"): pdf_name("/DejaVuSans"),
        pdf_name("/Flags"): generic.NumberObject(32),
        pdf_name("/FontBBox"): _array((-1021, -463, 1793, 1232)),
        pdf_name("/ItalicAngle"): generic.NumberObject(0),
        pdf_name("/Ascent"): generic.NumberObject(round(font.ascent * scale)),
        pdf_name("/Descent"): generic.NumberObject(round(font.descent * scale)),
        pdf_name("/CapHeight"): generic.NumberObject(729),
        pdf_name("/StemV"): generic.NumberObject(80),
        pdf_name("/FontFile2"): writer.add_object(program),
    }))
    widths = generic.ArrayObject()
    for g in gids:
        widths += [generic.NumberObject(g),
                   generic.ArrayObject([generic.FloatObject(round(_width(g), 2))])]
    cid_font = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"),
        pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
        pdf_name("/BaseFont"): pdf_name("/DejaVuSans"),
        pdf_name("/CIDSystemInfo"): generic.DictionaryObject({
            pdf_name("/Registry"): generic.pdf_string("Adobe"),
            pdf_name("/Ordering"): generic.pdf_string("Identity"),
            pdf_name("/Supplement"): generic.NumberObject(0)}),
        pdf_name("/FontDescriptor"): descriptor,
        pdf_name("/DW"): generic.NumberObject(1000),
        pdf_name("/W"): widths,
        pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
    }))
    unicode_of = {gid: cp for cp, gid in font.glyph_of.items() if gid in set(gids)}
    entries = "\n".join(f"<{g:04X}> <{unicode_of[g]:04X}>" for g in gids)
    to_unicode = generic.StreamObject(stream_data=(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(gids)} beginbfchar\n{entries}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii"))
    return writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"),
        pdf_name("/Subtype"): pdf_name("/Type0"),
        pdf_name("/BaseFont"): pdf_name("/DejaVuSans"),
        pdf_name("/Encoding"): pdf_name("/Identity-H"),
        pdf_name("/DescendantFonts"): generic.ArrayObject([cid_font]),
        pdf_name("/ToUnicode"): writer.add_object(to_unicode),
    }))


def signed_copy(pdf: bytes, field_name: str, box: Box, *, page_index: int) -> bytes:
    """``pdf`` signed by a throwaway self-signed ECDSA key in a new visible field."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn A")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    der_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    signer = signers.SimpleSigner(
        signing_cert=der_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([der_cert]),
    )
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=field_name), signer=signer,
        new_field_spec=fields.SigFieldSpec(field_name, box=box, on_page=page_index),
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
    return out.getvalue()


def poppler_words(pdf: Path, page_number: int, rotate: int = 0) -> list[tuple[str, Box]]:
    """Words of one page as poppler's pdftotext sees them, boxes turned into signkit's page
    space (origin bottom-left of the displayed page): an independent text locator."""
    page_range = ["-f", str(page_number), "-l", str(page_number)]
    run = subprocess.run(["pdftotext", "-bbox", "-cropbox", *page_range, str(pdf), "-"],
                         capture_output=True, text=True, check=True)

    root = ET.fromstring(run.stdout[run.stdout.index("<html"):])  # without the DOCTYPE
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    page = root.find(".//x:page", ns)
    assert page is not None
    # poppler gives the unrotated page size but word boxes on the page as displayed
    height = float(page.get("width" if rotate in (90, 270) else "height"))
    words = []
    for w in page.findall("x:word", ns):
        x1, y1, x2, y2 = (float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
        words.append((w.text or "", (x1, height - y2, x2, height - y1)))
    return words
