"""The pyHanko stamp style that draws an :class:`~.presets.Appearance` in a signature
widget::

    signer = PdfSigner(meta, key_signer, stamp_style=appearance_style(appearance),
                       new_field_spec=SigFieldSpec("Sig1", on_page=0, box=(x1, y1, x2, y2)))

pyHanko hands the stamp the widget's size, the certificate's name (``signer``) and the
signing time; the text shows that time, the one in the signature dictionary.
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


@dataclass(frozen=True)
class AppearanceStampStyle(TextStampStyle):
    """A pyHanko stamp style for signkit's presets (no border, no background)."""

    appearance: Appearance = field(default_factory=Appearance)
    border_width: int = 0
    timestamp_format: str = _TIME_FORMAT

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints,
                     text_params: dict) -> AppearanceStamp:
        return AppearanceStamp(writer, self, box, text_params)


def appearance_style(appearance: Appearance) -> AppearanceStampStyle:
    """The ``stamp_style`` to give pyHanko's ``PdfSigner`` for ``appearance``."""
    return AppearanceStampStyle(appearance=appearance)


class AppearanceStamp(BaseStamp):
    """One rendering of a style into one widget (or, through ``apply``, onto a page)."""

    def __init__(self, writer: BasePdfFileWriter, style: AppearanceStampStyle,
                 box: layout.BoxConstraints | None, text_params: dict | None):
        appearance = style.appearance
        if box is None or not (box.width_defined and box.height_defined):
            width, height = preferred_size(appearance)
            box = layout.BoxConstraints(width=width, height=height)
        super().__init__(writer, style, box)
        params = text_params or {}
        self.signing_time = _read_time(params.get("ts"))
        self.signer: str | None = params.get("signer")
        # laid out now, so a text that does not fit fails before anything is written
        self.drawing: Drawing = compose(appearance, box.width, box.height,
                                        signing_time=self.signing_time, signer=self.signer)

    def _render_inner_content(self) -> list[bytes]:
        drawing = self.drawing
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
                engine.font_size = line.size  # pyHanko's glyph offsets are scaled by it
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
