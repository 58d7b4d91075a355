"""Setting text in a box: wrapping at word boundaries, then shrinking the size down to a
floor; text that still does not fit is an error, never clipped.

Sizes are in points, the box's origin is its bottom-left corner. Fitting uses the shaped
lines' ink (the stacked Vietnamese marks of "Ủ" or "Ễ" reach above the font's ascender)
so what is drawn stays inside the box.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from ..error_messages import said
from ..errors import AppearanceError
from .fonts import LineMetrics, ShapingFont, normalise

LEADING = 1.2  # baseline-to-baseline distance, in ems
SIZE_STEP = 0.25  # points; shrinking tries every step from the wanted size to the floor


class Align(enum.Enum):
    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"


@dataclass(frozen=True)
class Paragraph:
    """Text that starts on a new line; ``font`` shapes it."""

    text: str
    font: ShapingFont
    align: Align = Align.CENTRE


@dataclass(frozen=True)
class SetLine:
    """One line ready to draw: its pen origin (baseline) inside the box, in points."""

    text: str
    font: ShapingFont
    size: float
    x: float
    baseline: float


@dataclass(frozen=True)
class TextBlock:
    lines: tuple[SetLine, ...]
    size: float
    width: float  # widest line's extent (pen or ink)
    height: float  # from the top line's ink to the bottom line's ink


def _words(text: str) -> list[str]:
    return normalise(text).split()


def _wrap(paragraph: Paragraph, size: float, width: float) -> list[tuple[str, LineMetrics]] | None:
    """Greedy word wrap; ``None`` if a single word is wider than ``width``."""
    lines: list[tuple[str, LineMetrics]] = []
    current: str | None = None
    current_metrics: LineMetrics | None = None
    for word in _words(paragraph.text):
        candidate = word if current is None else f"{current} {word}"
        metrics = paragraph.font.measure(candidate)
        if (metrics.right - metrics.left) * size <= width:
            current, current_metrics = candidate, metrics
            continue
        if current is None:
            return None
        assert current_metrics is not None
        lines.append((current, current_metrics))
        metrics = paragraph.font.measure(word)
        if (metrics.right - metrics.left) * size > width:
            return None
        current, current_metrics = word, metrics
    if current is not None:
        assert current_metrics is not None
        lines.append((current, current_metrics))
    return lines


def _set(paragraphs: Sequence[Paragraph], size: float, width: float,
         height: float) -> TextBlock | None:
    wrapped: list[tuple[Paragraph, str, LineMetrics]] = []
    for paragraph in paragraphs:
        lines = _wrap(paragraph, size, width)
        if lines is None:
            return None
        wrapped.extend((paragraph, text, metrics) for text, metrics in lines)
    if not wrapped:
        return TextBlock((), size, 0.0, 0.0)
    pitch = LEADING * size
    top_ink = wrapped[0][2].ink_top * size
    bottom_ink = -wrapped[-1][2].ink_bottom * size
    needed = top_ink + pitch * (len(wrapped) - 1) + bottom_ink
    if needed > height:
        return None
    set_lines = []
    baseline = height - top_ink
    for paragraph, text, metrics in wrapped:
        left, right, advance = metrics.left * size, metrics.right * size, metrics.advance * size
        x = {Align.LEFT: 0.0, Align.CENTRE: (width - advance) / 2,
             Align.RIGHT: width - advance}[paragraph.align]
        # keep the ink inside even where it overhangs the pen (italic, wide marks)
        x = min(max(x, -left), width - right)
        set_lines.append(SetLine(text, paragraph.font, size, x, baseline))
        baseline -= pitch
    widest = max((m.right - m.left) * size for _, _, m in wrapped)
    return TextBlock(tuple(set_lines), size, widest, needed)


def fit_text(paragraphs: Sequence[Paragraph], *, width: float, height: float, size: float,
             min_size: float) -> TextBlock:
    """Set ``paragraphs`` in a ``width`` x ``height`` box at ``size``, wrapping at spaces;
    if they do not fit, at smaller sizes down to ``min_size``.

    >>> block = fit_text([Paragraph("Ủy ban nhân dân tỉnh Quảng Ngãi", font)],
    ...                  width=80, height=40, size=10, min_size=6)
    >>> [line.text for line in block.lines]
    ['Ủy ban nhân dân', 'tỉnh Quảng Ngãi']
    """
    if width <= 0 or height <= 0:
        raise AppearanceError(said("appearance.no_room", size=f"{width:.1f} x {height:.1f}"))
    trial = size
    while trial >= min_size - 1e-9:
        block = _set(paragraphs, trial, width, height)
        if block is not None:
            return block
        trial = round(trial - SIZE_STEP, 4)
    sample = " / ".join(p.text for p in paragraphs)
    raise AppearanceError(said("appearance.text_does_not_fit", text=sample,
                               size=f"{width:.0f} x {height:.0f}", minimum=f"{min_size:g}"))


def natural_size(paragraphs: Sequence[Paragraph], *, size: float,
                 max_width: float) -> tuple[float, float]:
    """Width and height the paragraphs take at ``size``, wrapped at ``max_width``."""
    block = _set(paragraphs, size, max_width, float("inf"))
    if block is None:
        raise AppearanceError(said("appearance.word_too_wide",
                                   text=" / ".join(p.text for p in paragraphs),
                                   width=f"{max_width:.0f}", size=f"{size:g}"))
    return block.width, block.height
