"""Fonts for visible signatures: finding and checking them, measuring shaped text, and the
font engine that embeds them in a PDF.

The engine is pyHanko's OpenType ``GlyphAccumulator`` (HarfBuzz shaping, fontTools subsetting,
Type0/CIDFontType2 with a ToUnicode map) with one unit fixed. pyHanko writes the ``/W``
widths and the ``TJ`` adjustments in the font's own units, which PDF reads as thousandths of
an em: right only for fonts with 1000 units per em. TrueType fonts such as Liberation Serif
or Times New Roman have 2048, so every glyph is shown about twice as wide as it is measured
(the "letter-spacing") and lines run out of their box (the "clipping").
:class:`EmGlyphAccumulator` shapes at a scale of 1000 per em and takes the widths from the
same HarfBuzz font, so widths, adjustments and positions agree.
"""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from fontTools import subset, ttLib
from fontTools.ttLib import TTLibError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from ..error_messages import said
from ..errors import AppearanceError

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
# Liberation Serif: metric-compatible with Times New Roman (the decree's font), SIL OFL 1.1
DEFAULT_REGULAR = FONTS_DIR / "LiberationSerif-Regular.ttf"
DEFAULT_BOLD = FONTS_DIR / "LiberationSerif-Bold.ttf"

PDF_UNITS_PER_EM = 1000  # glyph space of PDF fonts: /W, TJ and FontDescriptor metrics


@dataclass(frozen=True)
class LineMetrics:
    """One shaped line of text, in ems: the pen's advance and the ink's extent around the
    origin (left of the first glyph's origin, right, above and below the baseline)."""

    advance: float
    ink_left: float
    ink_right: float
    ink_top: float
    ink_bottom: float

    @property
    def left(self) -> float:
        """Leftmost point, pen or ink, relative to the line's origin."""
        return min(0.0, self.ink_left)

    @property
    def right(self) -> float:
        return max(self.advance, self.ink_right)


class ShapingFont:
    """A font file checked once, for measuring text exactly as the PDF engine shapes it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.data = self.path.read_bytes()
        except OSError as e:
            raise AppearanceError(said("appearance.font_unreadable", path=str(self.path),
                                       detail=e.strerror), file=self.path) from None
        try:
            tt = ttLib.TTFont(io.BytesIO(self.data), lazy=True)
            self._cmap = tt.getBestCmap() or {}
            tt["head"], tt["hmtx"], tt["name"]  # noqa: B018 - the engine needs these tables
        except (TTLibError, KeyError, AssertionError, ValueError, struct.error) as e:
            raise AppearanceError(said("appearance.not_a_font", path=str(self.path),
                                       detail=str(e)), file=self.path) from None
        if not self._cmap:
            raise AppearanceError(said("appearance.font_no_cmap", path=str(self.path)),
                                  file=self.path)
        self._hb_font = hb.Font(hb.Face(self.data))
        self._hb_font.scale = (PDF_UNITS_PER_EM, PDF_UNITS_PER_EM)
        self._measured: dict[str, LineMetrics] = {}

    def missing_characters(self, text: str) -> list[str]:
        """Characters of ``text`` (after NFC) the font cannot show, in order, once each."""
        missing: list[str] = []
        for char in normalise(text):
            if char.isspace() or ord(char) in self._cmap or char in missing:
                continue
            missing.append(char)
        return missing

    def require(self, text: str) -> None:
        """Refuse text that would come out as empty boxes (.notdef glyphs)."""
        missing = self.missing_characters(text)
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:8])
            raise AppearanceError(said("appearance.font_no_glyph", font=self.path.name,
                                       characters=shown), file=self.path)

    def measure(self, text: str) -> LineMetrics:
        """The shaped line's advance and ink extent, in ems."""
        text = normalise(text)
        cached = self._measured.get(text)
        if cached is not None:
            return cached
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(self._hb_font, buf)
        pen_x = pen_y = 0
        left = bottom = float("inf")
        right = top = float("-inf")
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            ext = self._hb_font.get_glyph_extents(info.codepoint)
            if ext is not None and ext.width and ext.height:
                x0 = pen_x + pos.x_offset + ext.x_bearing
                y_top = pen_y + pos.y_offset + ext.y_bearing
                left, right = min(left, x0), max(right, x0 + ext.width)
                top, bottom = max(top, y_top), min(bottom, y_top + ext.height)
            pen_x += pos.x_advance
            pen_y += pos.y_advance
        if left == float("inf"):  # only spaces: no ink
            left = right = top = bottom = 0
        em = PDF_UNITS_PER_EM
        metrics = LineMetrics(pen_x / em, left / em, right / em, top / em, bottom / em)
        self._measured[text] = metrics
        return metrics

    def engine(self, writer: BasePdfFileWriter) -> EmGlyphAccumulator:
        """A font engine embedding a subset of this font into ``writer``'s document."""
        obj_stream = writer.prepare_object_stream() if writer.stream_xrefs else None
        return EmGlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.data),
                                  font_size=10, obj_stream=obj_stream)


def normalise(text: str) -> str:
    """NFC: Vietnamese typed with combining marks (a + U+0323 + U+0306) becomes the
    precomposed letters (ặ) that fonts draw as single glyphs and text extraction returns."""
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=8)
def load_font(path: Path) -> ShapingFont:
    """The font at ``path``, checked and cached (a batch reads each font once)."""
    return ShapingFont(Path(path))


class EmGlyphAccumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator with every metric in the PDF's thousandths of an em."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._font_units_per_em = self.units_per_em
        # shape at 1000 units per em: positions, advances and TJ adjustments come out in
        # the unit PDF expects, and pyHanko's em conversions divide by 1000
        self.hb_font.scale = (PDF_UNITS_PER_EM, PDF_UNITS_PER_EM)
        self.units_per_em = PDF_UNITS_PER_EM

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        # the /W width of a glyph must be HarfBuzz's advance at the same scale, or every
        # unkerned glyph pair would get a TJ correction
        cached = self._glyphs.get(glyph_id)
        if cached is None:
            cid, _ = super()._get_cid_and_width(glyph_id)
            cached = self._glyphs[glyph_id] = (cid, self.hb_font.get_glyph_h_advance(glyph_id))
        return cached

    def _extract_subset(self, options: subset.Options | None = None) -> None:
        if options is None:
            options = subset.Options(layout_closure=False)
            # tables fontTools cannot subset (FontForge's FFTM) would otherwise be logged as
            # a warning on the clerk's terminal; none of them matters in a PDF
            options.drop_tables += ["GPOS", "GDEF", "GSUB", "FFTM"]
        # HarfBuzz has shaped the text already; without this, fontTools decompiles the
        # layout tables it is about to drop (~50 ms per document for Liberation Serif)
        for tag in ("GPOS", "GDEF", "GSUB"):
            if tag in self.tt:
                del self.tt[tag]
        super()._extract_subset(options)

    def prepare_write(self) -> None:
        already = self._write_prepared
        super().prepare_write()
        if already:
            return
        # pyHanko copies these from the font in font units; PDF reads them per 1000 em
        scale = PDF_UNITS_PER_EM / self._font_units_per_em
        descriptor = self.cidfont_obj["/FontDescriptor"].get_object()
        for key in ("/Ascent", "/Descent", "/CapHeight"):
            descriptor[key] = generic.NumberObject(round(int(descriptor[key]) * scale))
        descriptor["/FontBBox"] = generic.ArrayObject(
            generic.NumberObject(round(int(v) * scale)) for v in descriptor["/FontBBox"])
