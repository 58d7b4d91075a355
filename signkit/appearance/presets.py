"""What a visible signature shows: the presets of Decree 30/2020/NĐ-CP (Appendix I) and a
plain one, and the words each puts in its box.

- ``vn-personal``: the competent person's handwritten-signature image (blue, transparent
  PNG) centred between their position title and their name (both optional).
- ``vn-seal``: the organisation's seal image (red, transparent PNG) at its actual size (with
  ``seal_info``, the organisation's name and the signing time on its left, clear of the
  signer's printed name); placed over the left third of the personal signature
  (signkit.appearance.placement, ``over_signature``).
- ``vn-copy`` / ``vn-attachment``: no image; the form of copy (or the main document's number
  and code), the organisation and the signing time; Times New Roman-compatible serif, size
  10, upright, black, top right of the first page. The decree's text has no labels ("Ký
  bởi:", "Thời gian ký:" are vendor habits), so these presets show bare values.
- ``plain``: signer, time, reason and location with labels in the user's language.

Vietnamese presets show the time in Vietnam's zone as ISO 8601: 2026-11-29T14:05:09+07:00.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path

from ..error_messages import said
from ..errors import AppearanceError
from .fonts import DEFAULT_BOLD, DEFAULT_REGULAR, ShapingFont, load_font
from .images import load_transparent_png
from .layout import Align, Paragraph

VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")
MM = 72 / 25.4  # points per millimetre

# 36 mm: a common diameter of the round seals of Vietnamese state bodies (seal models are
# set by the Ministry of Public Security per kind of body, roughly 30-42 mm; secondary
# source, not a legal default). The decree wants the actual size: measure the seal and
# pass --seal-size.
DEFAULT_SEAL_SIZE_MM = 36.0
BLACK = (0.0, 0.0, 0.0)
# a sample signing time for sizing boxes before the real one is known (same digits' width)
SAMPLE_TIME = dt.datetime(2026, 11, 29, 14, 5, 9, tzinfo=VIETNAM_TIME)


class Preset(enum.Enum):
    """The presets, valued by their command-line names."""

    PLAIN = "plain"
    VN_PERSONAL = "vn-personal"
    VN_SEAL = "vn-seal"
    VN_COPY = "vn-copy"
    VN_ATTACHMENT = "vn-attachment"

    @classmethod
    def from_name(cls, name: str | Preset) -> Preset:
        """``"vn-seal"`` (CLI), ``"VN_SEAL"`` or a :class:`Preset`."""
        if isinstance(name, Preset):
            return name
        key = str(name).strip().lower().replace("_", "-")
        for preset in cls:
            if preset.value == key:
                return preset
        raise AppearanceError(said("appearance.unknown", name=name,
                                   known=", ".join(p.value for p in cls)))

    @property
    def decree30(self) -> bool:
        return self is not Preset.PLAIN


# Decree 30/2020 names black for the copy and attachment text; it names no colour for the
# person's title and name, which are printed in the document's own black.
DEFAULT_TEXT_COLOUR: dict[Preset, tuple[float, float, float]] = {p: BLACK for p in Preset}
# the decree's size 10 for copies and attachments; the others follow the document's body
DEFAULT_FONT_SIZE: dict[Preset, float] = {
    Preset.PLAIN: 9.0, Preset.VN_PERSONAL: 10.0, Preset.VN_SEAL: 8.0,
    Preset.VN_COPY: 10.0, Preset.VN_ATTACHMENT: 10.0,
}

_LABELS = {
    "vi": {"signer": "Người ký", "time": "Thời gian ký", "reason": "Lý do",
           "location": "Nơi ký"},
    "en": {"signer": "Signed by", "time": "Signing time", "reason": "Reason",
           "location": "Location"},
}


@dataclass(frozen=True)
class Appearance:
    """What a visible signature shows. Checked when made: a missing or opaque image, a font
    that cannot be read or lacks a letter of the text raise
    :class:`~signkit.errors.AppearanceError` before anything is signed.

    >>> Appearance(Preset.VN_PERSONAL, signature_image=Path("chu-ky.png"),
    ...            signer_title="CHỦ TỊCH", signer_name="Nguyễn Văn Đặng")
    """

    preset: Preset = Preset.PLAIN
    signature_image: Path | None = None
    seal_image: Path | None = None
    seal_size_mm: float = DEFAULT_SEAL_SIZE_MM
    # vn-seal: also print the organisation and signing time beside the seal (on its left).
    # Off by default: the decree's "information"
    # of the organisation's signature is the signature's own data (certificate, time),
    # which every verifier shows (docs/decree30.md)
    seal_info: bool = False
    signer_name: str | None = None  # default: the certificate's name, as pyHanko gives it
    signer_title: str | None = None  # "CHỦ TỊCH"; lines split at "\n"
    organisation: str | None = None  # default (seal, copy): the certificate's name
    copy_form: str = "Sao y"  # "Sao y", "Sao lục", "Trích sao"
    reference: str | None = None  # number and code of the main document (attachments)
    reason: str | None = None
    location: str | None = None
    language: str = "vi"
    font: Path | None = None  # any TTF/OTF; default: the bundled Liberation Serif
    font_size: float | None = None  # default: DEFAULT_FONT_SIZE[preset]
    min_font_size: float = 6.0  # text shrinks down to this, then is refused
    text_colour: tuple[float, float, float] | None = None  # RGB 0..1; default: the preset's
    # the zone of the time ``plain`` shows (the profile's; default: the time's own); the
    # decree's presets always show Vietnam time
    time_zone: dt.tzinfo | None = None
    fonts: tuple[ShapingFont, ShapingFont] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "preset", Preset.from_name(self.preset))
        for name in ("signature_image", "seal_image", "font"):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, Path(value))
        if self.language not in _LABELS:
            raise AppearanceError(said("appearance.unknown_language", language=self.language))
        if not 10 <= self.seal_size_mm <= 100:
            raise AppearanceError(said("appearance.seal_size", size=f"{self.seal_size_mm:g}"))
        if not 0 < self.min_font_size <= self.size:
            raise AppearanceError(said("appearance.font_sizes", smallest=f"{self.min_font_size:g}",
                                       wanted=f"{self.size:g}"))
        if self.text_colour is not None and (
                len(self.text_colour) != 3 or not all(0 <= c <= 1 for c in self.text_colour)):
            raise AppearanceError(said("appearance.text_colour"))
        if self.preset is Preset.VN_PERSONAL and self.signature_image is None:
            raise AppearanceError(said("appearance.needs_signature_image"))
        if self.preset is Preset.VN_SEAL and self.seal_image is None:
            raise AppearanceError(said("appearance.needs_seal_image"))
        if self.preset is Preset.VN_ATTACHMENT and not (self.reference or "").strip():
            raise AppearanceError(said("appearance.needs_reference"))
        for image in self.images:
            load_transparent_png(image)
        if self.font is not None:
            pair = (load_font(self.font),) * 2
        else:
            pair = (load_font(DEFAULT_REGULAR), load_font(DEFAULT_BOLD))
        set_(self, "fonts", pair)
        for paragraph in self.paragraphs(SAMPLE_TIME, signer=None):
            paragraph.font.require(paragraph.text)

    @property
    def size(self) -> float:
        return self.font_size if self.font_size is not None else DEFAULT_FONT_SIZE[self.preset]

    @property
    def colour(self) -> tuple[float, float, float]:
        return self.text_colour or DEFAULT_TEXT_COLOUR[self.preset]

    @property
    def images(self) -> tuple[Path, ...]:
        """The image files this preset draws."""
        wanted = {Preset.VN_PERSONAL: self.signature_image, Preset.VN_SEAL: self.seal_image}
        image = wanted.get(self.preset)
        return (image,) if image is not None else ()

    @property
    def seal_size_pt(self) -> float:
        return self.seal_size_mm * MM

    def shown_time(self, signing_time: dt.datetime) -> str:
        """ISO 8601 to the second; Vietnam time for the decree's presets, ``time_zone``'s for
        ``plain``."""
        if signing_time.tzinfo is None:  # pyHanko's times are aware; be safe with others
            signing_time = signing_time.astimezone()
        if self.preset.decree30:
            signing_time = signing_time.astimezone(VIETNAM_TIME)
        elif self.time_zone is not None:
            signing_time = signing_time.astimezone(self.time_zone)
        return signing_time.replace(microsecond=0).isoformat()

    def paragraphs(self, signing_time: dt.datetime, *, signer: str | None) -> list[Paragraph]:
        """The text of the preset, in drawing order; ``signer`` is the certificate's name
        (pyHanko's) for when no name or organisation was given. For ``vn-personal`` the
        title comes first and the name last: the image goes between them."""
        regular, bold = self.fonts
        when = self.shown_time(signing_time)
        organisation = self.organisation or signer
        preset = self.preset
        if preset is Preset.VN_PERSONAL:
            title = [Paragraph(line, bold) for line in _lines(self.signer_title)]
            return title + [Paragraph(line, bold) for line in _lines(self.signer_name)]
        if preset is Preset.VN_SEAL:
            if not self.seal_info:
                return []
            return [Paragraph(t, regular, Align.RIGHT) for t in (organisation, when) if t]
        if preset in (Preset.VN_COPY, Preset.VN_ATTACHMENT):
            first = self.copy_form if preset is Preset.VN_COPY else self.reference
            return [Paragraph(t, regular, Align.LEFT) for t in (first, organisation, when) if t]
        labels = _LABELS[self.language]
        rows = [("signer", self.signer_name or signer), ("time", when),
                ("reason", self.reason), ("location", self.location)]
        return [Paragraph(f"{labels[key]}: {value}", regular, Align.LEFT)
                for key, value in rows if value]

    @property
    def title_lines(self) -> int:
        """How many of the vn-personal paragraphs go above the image."""
        return len(_lines(self.signer_title)) if self.preset is Preset.VN_PERSONAL else 0


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]
