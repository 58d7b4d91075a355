"""Where a visible signature goes: a page and a box, from what a clerk can say.

A clerk names a rectangle, an existing empty signature field, a text to anchor on (the
signer's title "CHỦ TỊCH", their printed name) or, for the organisation's seal, the
personal signature it must overlap; :func:`resolve_placement` turns that into the page
index and the widget rectangle that the signing layer writes::

    >>> spot = resolve_placement(pdf, Placement(anchor="CHỦ TỊCH", until="Nguyễn Văn A"),
    ...                          (150, 60), preset_kind="signature")
    >>> spot.how
    "between 'CHỦ TỊCH' and 'Nguyễn Văn A' on page 2"

Coordinates (docs/decree30.md): what clerks give (``rect``) is in points, origin at the
bottom-left corner of the page as displayed — the CropBox, after /Rotate —, x to the right,
y up. What comes back (``ResolvedPlacement.box``) is in the page's default user space, the
space of a widget's /Rect; the two are the same on unrotated pages whose CropBox starts
at 0,0. Text positions come from pdfminer.six, which parses only the pages searched.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import FormFillingError, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from ..error_messages import said
from ..errors import InputError, PlacementError
from .text_search import Box, Matrix, normalise

MM = 72 / 25.4
# Decree 30/2020 Appendix I margins: right 15-20 mm, top 20-25 mm. Copy/attachment text sits
# in the top margin band, right-aligned with the text area (the narrowest legal right margin),
# a printable 5 mm below the page's top edge, so it never covers the national title.
CORNER_RIGHT_MARGIN = 15 * MM
CORNER_TOP_INSET = 5 * MM
DEFAULT_GAP = 4.0  # points between an anchor text and the box
_MAX_TREE_DEPTH = 64


class PlacementKind(enum.StrEnum):
    SIGNATURE = "signature"  # the competent person's signature image
    SEAL = "seal"  # the organisation's seal, at its actual size
    CORNER_TEXT = "corner-text"  # copies and attachments: text, top right of the first page


class AnchorPosition(enum.StrEnum):
    BELOW = "below"  # the gap under the signer's title, where the signature goes
    ABOVE = "above"  # above the printed name
    RIGHT = "right"
    OVER = "over"  # centred on the text


@dataclass(frozen=True)
class Placement:
    """What the clerk said. At most one of ``rect``, ``anchor``, ``field``,
    ``over_signature``; ``page`` is 1-based, negative counts from the end (-1 = last)."""

    page: int | None = None
    rect: Box | None = None
    anchor: str | None = None
    anchor_position: AnchorPosition = AnchorPosition.BELOW
    until: str | None = None  # with anchor: centre the box between anchor and this text
    field: str | None = None  # an existing empty signature field
    over_signature: str | None = None  # a signature field whose widget the seal overlaps
    gap: float = DEFAULT_GAP

    def __post_init__(self) -> None:
        given = [name for name in ("rect", "anchor", "field", "over_signature")
                 if getattr(self, name) is not None]
        if len(given) > 1:
            raise PlacementError(said("placement.several_ways", given=" and ".join(given)))
        if self.rect is not None:
            try:
                x1, y1, x2, y2 = (float(v) for v in self.rect)
            except (TypeError, ValueError):
                raise PlacementError(said("placement.bad_rectangle", value=repr(self.rect))
                                     ) from None
            object.__setattr__(self, "rect", (x1, y1, x2, y2))
        if self.page == 0:
            raise PlacementError(said("placement.page_zero"))
        if self.until is not None and self.anchor is None:
            raise PlacementError(said("placement.until_alone"))
        for text in (self.anchor, self.until):
            if text is not None and not normalise(text, strip_marks=False):
                raise PlacementError(said("placement.empty_anchor"))
        try:
            object.__setattr__(self, "anchor_position", AnchorPosition(self.anchor_position))
        except ValueError:
            raise PlacementError(said("placement.unknown_position",
                                      position=self.anchor_position,
                                      known=", ".join(p.value for p in AnchorPosition))
                                 ) from None
        if self.gap < 0:
            raise PlacementError(said("placement.negative_gap"))


@dataclass(frozen=True)
class ResolvedPlacement:
    """A page and a widget rectangle. ``box`` is in the page's default user space (a
    /Rect); ``page_rotation`` is the page's /Rotate, by which the appearance must be
    turned to read upright; ``field_name`` names an existing empty field to fill."""

    page_index: int
    box: Box
    field_name: str | None
    how: str
    page_rotation: int = 0

    @property
    def page_number(self) -> int:
        return self.page_index + 1

    @property
    def upright_size(self) -> tuple[float, float]:
        """Width and height as the reader sees them (swapped on quarter-turned pages)."""
        w, h = self.box[2] - self.box[0], self.box[3] - self.box[1]
        return (h, w) if self.page_rotation in (90, 270) else (w, h)


def parse_rect(text: str) -> Box:
    """``"X1,Y1,X2,Y2"`` in points, as given on the command line."""
    try:
        x1, y1, x2, y2 = (float(part) for part in text.split(","))
    except ValueError:
        raise PlacementError(said("placement.bad_box", text=text)) from None
    return (x1, y1, x2, y2)


def resolve_placement(
    pdf: bytes | PdfFileReader,
    placement: Placement,
    box_size: tuple[float, float],
    *,
    preset_kind: PlacementKind | str = PlacementKind.SIGNATURE,
    password: str | None = None,
) -> ResolvedPlacement:
    """Page and box for a visible signature of ``box_size`` (width, height in points);
    ``password`` opens an encrypted document's text for an anchor search."""
    kind = PlacementKind(preset_kind)
    width, height = box_size
    if width <= 0 or height <= 0:
        raise PlacementError(said("placement.no_size", size=f"{width} x {height}"))
    document = _Document(pdf, password or "")
    if placement.rect is not None:
        return _at_rect(document, placement, kind)
    if placement.field is not None:
        return _in_field(document, placement.field, placement.page)
    if placement.over_signature is not None:
        return _over_signature(document, placement.over_signature, placement.page,
                               box_size)
    if placement.anchor is not None:
        from .anchors import at_anchor  # it builds on this module's page geometry

        return at_anchor(document, placement, box_size, kind)
    if kind is PlacementKind.CORNER_TEXT:
        return _top_right(document, document.page_index(placement.page or 1), box_size)
    return _sole_empty_field(document, placement.page)


class _Document:
    """pyHanko's reader for geometry and fields; the bytes for pdfminer's text search."""

    def __init__(self, pdf: bytes | PdfFileReader, password: str = ""):
        self.password = password
        if isinstance(pdf, PdfFileReader):
            self.reader = pdf
        else:
            try:
                self.reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            except (PdfError, ValueError, KeyError, TypeError, IndexError) as e:
                raise InputError(said("input.damaged", detail=str(e))) from None
        try:
            self.page_count = int(self.reader.root["/Pages"]["/Count"])
        except (PdfError, KeyError, TypeError, ValueError):
            raise InputError(said("input.no_page_tree")) from None
        self._frames: dict[int, _PageFrame] = {}

    def data(self) -> bytes:
        stream = self.reader.stream
        stream.seek(0)
        return stream.read()

    def page_index(self, page: int) -> int:
        index = page - 1 if page > 0 else self.page_count + page
        if not 0 <= index < self.page_count:
            raise PlacementError(said("placement.no_such_page" if self.page_count != 1 else
                                      "placement.no_such_page_one", page=page,
                                      count=self.page_count), page=page)
        return index

    def page_ref(self, index: int) -> generic.Reference:
        ref, _ = self.reader.find_page_for_modification(index)
        return ref.reference

    def frame(self, index: int) -> _PageFrame:
        if index not in self._frames:
            self._frames[index] = _PageFrame.of(self.reader, self.page_ref(index), index)
        return self._frames[index]


@dataclass(frozen=True)
class _PageFrame:
    """One page's visible area: its CropBox (user space) and /Rotate, and the mapping
    between user space and signkit's page space (displayed page, origin bottom-left)."""

    index: int
    crop: Box
    rotation: int

    @classmethod
    def of(cls, reader: PdfFileReader, ref: generic.Reference, index: int) -> _PageFrame:
        page = reader.get_object(ref)
        number = index + 1
        media = _inherited(page, "/MediaBox")
        if media is None:
            raise PlacementError(said("placement.no_mediabox", page=number), page=number)
        crop_value = _inherited(page, "/CropBox")
        media_box = _as_box(media, number)
        crop = media_box if crop_value is None else _as_box(crop_value, number)
        # the visible area is the CropBox clipped to the MediaBox (ISO 32000-1, 14.11.2)
        crop = (max(crop[0], media_box[0]), max(crop[1], media_box[1]),
                min(crop[2], media_box[2]), min(crop[3], media_box[3]))
        if crop[0] >= crop[2] or crop[1] >= crop[3]:
            raise PlacementError(said("placement.empty_page_area", page=number), page=number)
        rotate = _inherited(page, "/Rotate")
        try:
            rotation = int(rotate or 0) % 360
        except (TypeError, ValueError):
            rotation = -1
        if rotation not in (0, 90, 180, 270):
            raise PlacementError(said("placement.bad_rotate", page=number, rotate=repr(rotate)),
                                 page=number)
        return cls(index, crop, rotation)

    @property
    def size(self) -> tuple[float, float]:
        w, h = self.crop[2] - self.crop[0], self.crop[3] - self.crop[1]
        return (h, w) if self.rotation in (90, 270) else (w, h)

    @property
    def to_page_space(self) -> Matrix:
        """User space → displayed page (the page turned clockwise by /Rotate)."""
        x0, y0, x1, y1 = self.crop
        return {
            0: (1, 0, 0, 1, -x0, -y0),
            90: (0, -1, 1, 0, -y0, x1),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, 1, -1, 0, y1, -x0),
        }[self.rotation]

    def to_user(self, box: Box) -> Box:
        a, b, c, d, e, f = self.to_page_space
        # a quarter turn's inverse is its transpose
        return _rounded(_mapped((a, c, b, d, -(a * e + b * f), -(c * e + d * f)), box))

    def to_page(self, box: Box) -> Box:
        return _mapped(self.to_page_space, box)

    def resolved(self, box: Box, how: str, field_name: str | None = None) -> ResolvedPlacement:
        return ResolvedPlacement(self.index, self.to_user(box), field_name, how, self.rotation)

    def clamped(self, box: Box) -> tuple[Box, bool]:
        """``box`` moved inside the page; whether it had to move."""
        w, h = self.size
        bw, bh = box[2] - box[0], box[3] - box[1]
        if bw > w + 0.01 or bh > h + 0.01:
            raise PlacementError(said("placement.box_too_big", box=f"{bw:.0f} x {bh:.0f}",
                                      page=self.index + 1, size=f"{w:.0f} x {h:.0f}"),
                                 page=self.index + 1)
        x = min(max(box[0], 0.0), w - bw)
        y = min(max(box[1], 0.0), h - bh)
        moved = abs(x - box[0]) > 0.01 or abs(y - box[1]) > 0.01
        return (x, y, x + bw, y + bh), moved


def _at_rect(document: _Document, placement: Placement, kind: PlacementKind
             ) -> ResolvedPlacement:
    assert placement.rect is not None
    # no page named: signature blocks close a document, copy notes open it
    default_page = 1 if kind is PlacementKind.CORNER_TEXT else -1
    frame = document.frame(document.page_index(placement.page or default_page))
    x1, y1, x2, y2 = placement.rect
    number = frame.index + 1
    if not (x1 < x2 and y1 < y2):
        raise PlacementError(said("placement.not_rectangle", box=_fmt(placement.rect)),
                             page=number)
    w, h = frame.size
    if x1 < -0.01 or y1 < -0.01 or x2 > w + 0.01 or y2 > h + 0.01:
        raise PlacementError(said("placement.outside_page", box=_fmt(placement.rect),
                                  page=number, area=f"0,0,{w:g},{h:g}"), page=number)
    return frame.resolved(placement.rect, f"at {_fmt(placement.rect)} on page {number}")


def _top_right(document: _Document, index: int, box_size: tuple[float, float]
               ) -> ResolvedPlacement:
    frame = document.frame(index)
    w, h = frame.size
    bw, bh = box_size
    box, moved = frame.clamped((w - CORNER_RIGHT_MARGIN - bw, h - CORNER_TOP_INSET - bh,
                                w - CORNER_RIGHT_MARGIN, h - CORNER_TOP_INSET))
    how = f"top right of page {index + 1}" + (", moved inside the page" if moved else "")
    return frame.resolved(box, how)


# --- existing signature fields ---------------------------------------------------------

@dataclass(frozen=True)
class _Widget:
    name: str
    signed: bool
    page_index: int
    rect: Box  # user space


def _widget(document: _Document, name: str, page: int | None = None) -> _Widget:
    """The field's only widget; if ``page`` is named, the widget must be on it."""
    reader = document.reader
    try:
        found = list(enumerate_sig_fields(reader, with_name=name))
    except (FormFillingError, PdfError) as e:  # the name is not a signature field's
        raise PlacementError(said("placement.not_signature_field", field=name,
                                  detail=str(e))) from None
    if not found:
        names = [n for n, _, _ in enumerate_sig_fields(reader)]
        have = said("placement.fields_are", names=", ".join(repr(n) for n in names)) \
            if names else said("placement.no_fields")
        raise PlacementError(said("placement.no_such_field", field=name, have=have))
    _, value, field_ref = found[0]
    field = field_ref.get_object()
    annot_ref = field_ref.reference
    if "/Kids" in field:
        kids = field.raw_get("/Kids")
        kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
        if len(kids) != 1 or not isinstance(kids.raw_get(0), generic.IndirectObject):
            raise PlacementError(said("placement.several_widgets", field=name,
                                      count=len(kids)))
        annot_ref = kids.raw_get(0).reference
    annot = reader.get_object(annot_ref)
    rect = _as_box(annot["/Rect"], None) if "/Rect" in annot else (0.0, 0.0, 0.0, 0.0)
    if rect[2] - rect[0] < 1 or rect[3] - rect[1] < 1:
        raise PlacementError(said("placement.invisible_field", field=name))
    index = _page_of(document, annot, annot_ref)
    if page is not None and document.page_index(page) != index:
        raise PlacementError(said("placement.field_elsewhere", field=name, page=index + 1,
                                  wanted=page), page=page)
    return _Widget(name, bool(value), index, rect)


def _page_of(document: _Document, annot: generic.DictionaryObject,
             annot_ref: generic.Reference) -> int:
    pages = {document.page_ref(i): i for i in range(document.page_count)}
    parent = annot.raw_get("/P") if "/P" in annot else None
    if isinstance(parent, generic.IndirectObject) and parent.reference in pages:
        return pages[parent.reference]
    for ref, index in pages.items():  # /P is optional: look in the pages' /Annots
        page = document.reader.get_object(ref)
        annots = page["/Annots"] if "/Annots" in page else generic.ArrayObject()
        for i in range(len(annots)):
            entry = annots.raw_get(i)
            if isinstance(entry, generic.IndirectObject) and entry.reference == annot_ref:
                return index
    raise PlacementError(said("placement.widget_nowhere"))


def _in_field(document: _Document, name: str, page: int | None) -> ResolvedPlacement:
    widget = _widget(document, name, page)
    if widget.signed:
        raise PlacementError(said("placement.field_signed", field=name))
    frame = document.frame(widget.page_index)
    return ResolvedPlacement(
        widget.page_index, _rounded(widget.rect), name,
        f"in the empty signature field {name!r} on page {widget.page_index + 1}",
        frame.rotation)


def _sole_empty_field(document: _Document, page: int | None) -> ResolvedPlacement:
    wanted = None if page is None else document.page_index(page)
    candidates = []
    for name, _, _ in enumerate_sig_fields(document.reader, filled_status=False):
        try:
            widget = _widget(document, name)
        except PlacementError:  # invisible or odd fields cannot take a visible signature
            continue
        if wanted in (None, widget.page_index):
            candidates.append(name)
    if len(candidates) == 1:
        return _in_field(document, candidates[0], page)
    found = said("placement.no_empty_field") if not candidates else \
        said("placement.several_empty_fields", names=", ".join(map(repr, candidates)))
    raise PlacementError(said("placement.where", found=found))


def _over_signature(document: _Document, name: str, page: int | None,
                    box_size: tuple[float, float]) -> ResolvedPlacement:
    """The seal covers about the left third of the signature (Decree 30, Art. 33 and
    Appendix I): its right edge a third of the way into the signature's box, vertically
    centred on it; left and right as the reader sees the page."""
    widget = _widget(document, name, page)
    frame = document.frame(widget.page_index)
    tx1, ty1, tx2, ty2 = frame.to_page(widget.rect)
    w, h = box_size
    right = tx1 + (tx2 - tx1) / 3
    middle = (ty1 + ty2) / 2
    box, moved = frame.clamped((right - w, middle - h / 2, right, middle + h / 2))
    how = (f"over the left third of signature {name!r} on page {widget.page_index + 1}"
           + (", moved inside the page" if moved else ""))
    return frame.resolved(box, how)


# --- small helpers ---------------------------------------------------------------------

def _inherited(page: generic.DictionaryObject, key: str):
    """A page attribute, possibly inherited from the page tree (MediaBox, CropBox, Rotate)."""
    node = page
    for _ in range(_MAX_TREE_DEPTH):
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node["/Parent"]
    return None


def _as_box(value, page: int | None) -> Box:
    try:
        x1, y1, x2, y2 = (float(v) for v in value)
    except (TypeError, ValueError):
        where = said("placement.page", page=page) if page else said("placement.a_widget")
        raise PlacementError(said("placement.malformed_rect", where=where, value=repr(value)),
                             page=page) from None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _mapped(m: Matrix, box: Box) -> Box:
    a, b, c, d, e, f = m
    (x1, y1), (x2, y2) = ((a * x + c * y + e, b * x + d * y + f)
                          for x, y in ((box[0], box[1]), (box[2], box[3])))
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _rounded(box: Box) -> Box:
    x1, y1, x2, y2 = (round(v, 2) + 0.0 for v in box)  # + 0.0: no "-0.0" in /Rect
    return (x1, y1, x2, y2)


def _fmt(box: Sequence[float]) -> str:
    return ",".join(f"{v:g}" for v in box)


def _page_list(numbers: Sequence[int]) -> str:
    """"page 3", "pages 2, 1", "pages 100–1": every search runs over consecutive pages."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if len(numbers) > 3:
        return f"pages {numbers[0]}–{numbers[-1]}"
    return "pages " + ", ".join(map(str, numbers))
