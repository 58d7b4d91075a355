"""The geometry of each preset: where its images and lines go in a box of a given size,
and the box size each preset wants (for placement). Pure layout, no PDF.

Everything drawn keeps :data:`PADDING` from the box's edges.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

from PIL import Image

from ..error_messages import said
from ..errors import AppearanceError
from .images import fit_image, load_transparent_png
from .layout import LEADING, Paragraph, SetLine, TextBlock, fit_text, natural_size
from .presets import MM, SAMPLE_TIME, Appearance, Preset

PADDING = 2.0  # points between the box's edge and anything drawn
SIGNATURE_HEIGHT = 20 * MM  # a handwritten signature's usual height on paper
SIGNATURE_MAX_WIDTH = 60 * MM
TEXT_MAX_WIDTH = 80 * MM  # copy, attachment and plain text wrap beyond this
TEXT_BAND_SHARE = 0.3  # at most this share of a vn-personal box for the title or the name
# the certificate's name is not known when boxes are sized: assume a long one
SAMPLE_NAME = "Ủy ban nhân dân tỉnh Quảng Ngãi"


@dataclass(frozen=True)
class PlacedImage:
    image: Image.Image
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Drawing:
    """What to draw in a ``width`` x ``height`` box, in the box's coordinates."""

    width: float
    height: float
    images: tuple[PlacedImage, ...]
    lines: tuple[SetLine, ...]
    colour: tuple[float, float, float]


def preferred_size(appearance: Appearance) -> tuple[int, int]:
    """The box (width, height in points) a preset wants: the seal at its real size, the
    signature at a usual handwriting height, text at its size on as few lines as fit.
    Whole points, rounded up: pyHanko sizes a widget's appearance in whole points."""
    width, height = _natural_size(appearance)
    return math.ceil(width - 1e-6), math.ceil(height - 1e-6)


def _natural_size(appearance: Appearance) -> tuple[float, float]:
    paragraphs = appearance.paragraphs(SAMPLE_TIME, signer=SAMPLE_NAME)
    size = appearance.size
    gap = _gap(size)
    preset = appearance.preset
    if preset is Preset.VN_PERSONAL:
        image = _image(appearance)
        img_w, img_h = fit_image(image, SIGNATURE_MAX_WIDTH, SIGNATURE_HEIGHT)
        widths, heights = [img_w], [img_h]
        for band in _personal_bands(appearance, paragraphs):
            if band:
                w, h = natural_size(band, size=size, max_width=TEXT_MAX_WIDTH)
                widths.append(w)
                heights += [h, gap]
        return max(widths) + 2 * PADDING, sum(heights) + 2 * PADDING
    if preset is Preset.VN_SEAL:
        seal_w, seal_h = _seal_size(appearance)
        if not paragraphs:
            return seal_w + 2 * PADDING, seal_h + 2 * PADDING
        # beside the seal, on the left: under it the text would run into the signer's
        # printed name; each line whole when it fits in TEXT_MAX_WIDTH
        text_w, text_h = natural_size(paragraphs, size=size, max_width=TEXT_MAX_WIDTH)
        return (text_w + _side_gap(size) + seal_w + 2 * PADDING,
                max(seal_h, text_h) + 2 * PADDING)
    w, h = natural_size(paragraphs, size=size, max_width=TEXT_MAX_WIDTH)
    return w + 2 * PADDING, h + 2 * PADDING


def compose(appearance: Appearance, width: float, height: float, *,
            signing_time: dt.datetime, signer: str | None) -> Drawing:
    """Lay out ``appearance`` in a ``width`` x ``height`` box (points). Raises
    :class:`~signkit.errors.AppearanceError` when it cannot be drawn without clipping."""
    paragraphs = appearance.paragraphs(signing_time, signer=signer)
    for paragraph in paragraphs:  # the certificate's name arrives only now
        paragraph.font.require(paragraph.text)
    inner_w, inner_h = width - 2 * PADDING, height - 2 * PADDING
    if inner_w <= 0 or inner_h <= 0:
        raise AppearanceError(said("appearance.box_too_small", size=f"{width:.0f} x {height:.0f}"))
    preset = appearance.preset
    if preset is Preset.VN_PERSONAL:
        images, lines = _compose_personal(appearance, paragraphs, inner_w, inner_h)
    elif preset is Preset.VN_SEAL:
        images, lines = _compose_seal(appearance, paragraphs, inner_w, inner_h)
    else:
        images, lines = (), _fit(appearance, paragraphs, inner_w, inner_h, top=inner_h)
    shift = PADDING
    return Drawing(
        width, height,
        tuple(dataclasses.replace(i, x=i.x + shift, y=i.y + shift) for i in images),
        tuple(dataclasses.replace(ln, x=ln.x + shift, baseline=ln.baseline + shift)
              for ln in lines),
        appearance.colour,
    )


def _compose_personal(appearance: Appearance, paragraphs: list[Paragraph], width: float,
                      height: float) -> tuple[tuple[PlacedImage, ...], tuple[SetLine, ...]]:
    """Title at the top, name at the bottom, the signature image centred between them."""
    title, name = _personal_bands(appearance, paragraphs)
    gap = _gap(appearance.size)
    band_max = height * TEXT_BAND_SHARE
    lines: list[SetLine] = []
    top, bottom = height, 0.0
    if title:
        block = _fit_block(appearance, title, width, band_max)
        lines += _placed(block, band_max, top=top)
        top -= block.height + gap
    if name:
        block = _fit_block(appearance, name, width, band_max)
        lines += _placed(block, band_max, top=block.height)
        bottom += block.height + gap
    if top - bottom <= 0:
        raise AppearanceError(said("appearance.no_room_for_image"))
    image = _image(appearance)
    img_w, img_h = fit_image(image, width, top - bottom)
    placed = PlacedImage(image, (width - img_w) / 2, bottom + (top - bottom - img_h) / 2,
                         img_w, img_h)
    return (placed,), tuple(lines)


def _compose_seal(appearance: Appearance, paragraphs: list[Paragraph], width: float,
                  height: float) -> tuple[tuple[PlacedImage, ...], tuple[SetLine, ...]]:
    """The seal at its real size on the right of the box, vertically centred; with
    ``seal_info``, the organisation and the time on its left, right-aligned against it,
    so that over a signature they stay clear of the printed name below it."""
    seal_w, seal_h = _seal_size(appearance)
    if seal_w > width + 0.01 or seal_h > height + 0.01:
        need_w, need_h = seal_w + 2 * PADDING, seal_h + 2 * PADDING
        raise AppearanceError(said("appearance.seal_box", mm=f"{appearance.seal_size_mm:g}",
                                   need=f"{need_w:.0f} x {need_h:.0f}",
                                   size=f"{width + 2 * PADDING:.0f} x {height + 2 * PADDING:.0f}"))
    seal = PlacedImage(_image(appearance), width - seal_w, (height - seal_h) / 2,
                       seal_w, seal_h)
    if not paragraphs:
        return (seal,), ()
    room = width - seal_w - _side_gap(appearance.size)
    if room <= 0:
        raise AppearanceError(said("appearance.no_room_beside_seal"))
    block = _fit_block(appearance, paragraphs, room, height)
    lines = _placed(block, height, top=(height + block.height) / 2)
    return (seal,), lines


def _personal_bands(appearance: Appearance, paragraphs: list[Paragraph]
                    ) -> tuple[list[Paragraph], list[Paragraph]]:
    split = appearance.title_lines
    return paragraphs[:split], paragraphs[split:]


def _fit_block(appearance: Appearance, paragraphs: list[Paragraph], width: float,
               height: float) -> TextBlock:
    return fit_text(paragraphs, width=width, height=height, size=appearance.size,
                    min_size=appearance.min_font_size)


def _fit(appearance: Appearance, paragraphs: list[Paragraph], width: float, height: float,
         *, top: float) -> tuple[SetLine, ...]:
    return _placed(_fit_block(appearance, paragraphs, width, height), height, top=top)


def _placed(block: TextBlock, fitted_height: float, *, top: float) -> tuple[SetLine, ...]:
    """The block's lines (set top-aligned in ``fitted_height``) with their top at ``top``."""
    dy = top - fitted_height
    return tuple(dataclasses.replace(line, baseline=line.baseline + dy) for line in block.lines)


def _image(appearance: Appearance) -> Image.Image:
    (path,) = appearance.images
    return load_transparent_png(path)


def _seal_size(appearance: Appearance) -> tuple[float, float]:
    """The seal's larger dimension is its diameter, ``seal_size_mm``."""
    image = _image(appearance)
    scale = appearance.seal_size_pt / max(image.width, image.height)
    return image.width * scale, image.height * scale


def _gap(size: float) -> float:
    return (LEADING - 1) * size


def _side_gap(size: float) -> float:
    """Between the seal and the text beside it."""
    return size / 2
