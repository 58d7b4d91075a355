"""The pyHanko stamp style that draws an :class:`~.presets.Appearance` in a signature
widget::

    signer = PdfSigner(meta, key_signer, stamp_style=appearance_style(appearance),
                       new_field_spec=SigFieldSpec("Sig1", on_page=0, box=(x1, y1, x2, y2)))

pyHanko hands the stamp the widget's size, the certificate's name (``signer``) and the
signing time; the text shows that time, the one in the signature dictionary.

On a page turned by /Rotate, a widget's appearance turns with the page: the style's
``page_rotation`` lays the drawing out at the size the reader sees and gives the form
XObject a /Matrix that turns it back, so the signature reads upright on screen and paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, TextStampStyle

from .compose import Drawing, compose, preferred_size
from .fonts import EmGlyphAccumulator, ShapingFont
from .images import image_xobject
from .presets import Appearance

# pyHanko passes the signing time only to TextStampStyle subclasses, formatted with
# ``timestamp_format``: a lossless format lets the stamp read it back with its zone.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
# per /Rotate, the linear part of the /Matrix that turns the drawing counter-clockwise
_UPRIGHT = {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}


@dataclass(frozen=True)
class AppearanceStampStyle(TextStampStyle):
    """A pyHanko stamp style for signkit's presets (no border, no background)."""

    appearance: Appearance = field(default_factory=Appearance)
    border_width: int = 0
    timestamp_format: str = _TIME_FORMAT
    page_rotation: int = 0  # the page's /Rotate: 0, 90, 180 or 270

    def __post_init__(self) -> None:
        if self.page_rotation not in _UPRIGHT:
            raise ValueError(f"page rotation must be 0, 90, 180 or 270, not "
                             f"{self.page_rotation!r}")

    # pyHanko annotates TextStamp; its signer only needs a BaseStamp, which this is
    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints,  # type: ignore[override]
                     text_params: dict) -> AppearanceStamp:
        return AppearanceStamp(writer, self, box, text_params)


def appearance_style(appearance: Appearance, *, page_rotation: int = 0
                     ) -> AppearanceStampStyle:
    """The ``stamp_style`` to give pyHanko's ``PdfSigner`` for ``appearance``, on a page
    whose /Rotate is ``page_rotation`` (``ResolvedPlacement.page_rotation``)."""
    return AppearanceStampStyle(appearance=appearance, page_rotation=page_rotation % 360)


class AppearanceStamp(BaseStamp):
    """One rendering of a style into one widget (or, through ``apply``, onto a page)."""

    def __init__(self, writer: BasePdfFileWriter, style: AppearanceStampStyle,
                 box: layout.BoxConstraints | None, text_params: dict | None):
        appearance = style.appearance
        self.page_rotation = style.page_rotation
        if box is None or not (box.width_defined and box.height_defined):
            width, height = preferred_size(appearance)
        elif self.page_rotation in (90, 270):  # pyHanko gives the /Rect's (unturned) size
            width, height = box.height, box.width
        else:
            width, height = box.width, box.height
        box = layout.BoxConstraints(width=width, height=height)
        super().__init__(writer, style, box)
        params = text_params or {}
        self.signing_time = _read_time(params.get("ts"))
        self.signer: str | None = params.get("signer")
        # laid out now, so a text that does not fit fails before anything is written
        self.drawing: Drawing = compose(appearance, box.width, box.height,
                                        signing_time=self.signing_time, signer=self.signer)

    def as_form_xobject(self) -> generic.StreamObject:
        xobject = super().as_form_xobject()
        if self.page_rotation:
            # the page turns the widget clockwise by /Rotate: turn the drawing back
            a, b, c, d = _UPRIGHT[self.page_rotation]
            w, h = self.box.width, self.box.height
            e, f = {90: (h, 0), 180: (w, h), 270: (0, w)}[self.page_rotation]
            xobject["/Matrix"] = generic.ArrayObject(
                generic.FloatObject(v) for v in (a, b, c, d, e, f))
        return xobject

    def _render_inner_content(self) -> list[bytes]:
        drawing = self.drawing
        assert self.writer is not None  # a stamp is always made for a writer
        ops: list[bytes] = []
        for number, placed in enumerate(drawing.images, start=1):
            name = f"/Im{number}"
            self.set_resource(ResourceType.XOBJECT, generic.pdf_name(name),
                              image_xobject(placed.image, self.writer))
            ops.append(b"q %s 0 0 %s %s %s cm %s Do Q" % (
                _num(placed.width), _num(placed.height), _num(placed.x), _num(placed.y),
                name.encode("ascii")))
        if drawing.lines:
            engines: dict[ShapingFont, tuple[bytes, EmGlyphAccumulator]] = {}
            ops.append(b"BT %s %s %s rg" % tuple(_num(c) for c in drawing.colour))
            for line in drawing.lines:
                if line.font not in engines:
                    name = f"/F{len(engines) + 1}"
                    engine = line.font.engine(self.writer)
                    self.set_resource(ResourceType.FONT, generic.pdf_name(name),
                                      engine.as_resource())
                    engines[line.font] = (name.encode("ascii"), engine)
                name_bytes, engine = engines[line.font]
                # pyHanko's glyph offsets are scaled by it (annotated int; sizes are reals)
                engine.font_size = line.size  # type: ignore[assignment]
                shaped = engine.shape(line.text, with_actual_text=False)
                ops.append(b"%s %s Tf 1 0 0 1 %s %s Tm %s" % (
                    name_bytes, _num(line.size), _num(line.x), _num(line.baseline),
                    shaped.graphics_ops))
            ops.append(b"ET")
        return ops


def _read_time(value: object) -> dt.datetime:
    """The signing time pyHanko formatted with ``_TIME_FORMAT`` (now, if none was given)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        for form in (_TIME_FORMAT, _TIME_FORMAT.removesuffix("%z")):  # naive: local time
            try:
                return dt.datetime.strptime(value, form)
            except ValueError:
                continue
    return dt.datetime.now(dt.UTC)


def _num(value: float) -> bytes:
    """A PDF number with at most 3 decimals and no exponent."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode("ascii")
