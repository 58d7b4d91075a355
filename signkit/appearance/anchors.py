"""Placement by anchor text: the box goes in the blank space next to a line the clerk
names (the signer's title "CHỦ TỊCH", their printed name), never over the page's text.

Text positions come from pdfminer.six (:mod:`.text_search`), in signkit's page space (the
page as displayed, origin bottom-left); :func:`at_anchor` is called by
:func:`.placement.resolve_placement`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..error_messages import said
from ..errors import PlacementError
from .placement import (
    AnchorPosition,
    Placement,
    PlacementKind,
    ResolvedPlacement,
    _Document,
    _page_list,
    _PageFrame,
)
from .text_search import Box, TextHit, TextLine, find_in_lines, page_lines

# a signature image may shrink into a narrow gap between the title and the name, to no less
# than this share of its size; smaller, it would no longer read as a signature
MIN_SIGNATURE_SCALE = 0.5
_TOUCH = 0.5  # points of overlap that still count as touching, not covering


@dataclass(frozen=True)
class _Glyph:
    box: Box  # page space
    line: str  # the text of its line, to name what a box would cover


def _glyphs(lines: Sequence[TextLine]) -> list[_Glyph]:
    """Every visible glyph of the page, the obstacles a signature must not cover."""
    found = []
    for line in lines:
        text = " ".join("".join(t for t, _ in line.glyphs).split())
        found += [_Glyph(box, text) for t, box in line.glyphs if box is not None and t.strip()]
    return found


def _covered(box: Box, glyphs: Sequence[_Glyph]) -> _Glyph | None:
    """The first glyph ``box`` covers (more than touching it), if any."""
    for glyph in glyphs:
        g = glyph.box
        if (min(box[2], g[2]) - max(box[0], g[0]) > _TOUCH
                and min(box[3], g[3]) - max(box[1], g[1]) > _TOUCH):
            return glyph
    return None


def at_anchor(document: _Document, placement: Placement, box_size: tuple[float, float],
               kind: PlacementKind) -> ResolvedPlacement:
    """The box in the blank space next to the anchor text (below it by default, between
    it and ``until`` when given), never over other text. The lines holding only the
    anchor are tried, or if there are none, every line containing it ("KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH"), from the bottom of the page up (a signature block closes the page);
    the first whose blank space holds the box wins. A box that fits nowhere is a
    :class:`PlacementError` naming the text it would cover."""
    assert placement.anchor is not None
    if placement.page is not None:
        order = [document.page_index(placement.page)]
    else:  # signature blocks close a document: search from its end
        order = list(range(document.page_count - 1, -1, -1))
    index, hits, lines = _find_anchor(document, placement.anchor, order)
    frame = document.frame(index)
    glyphs = _glyphs(lines)
    whole = [h for h in hits if h.whole_line]
    hits = sorted(whole or hits, key=lambda h: (h.bbox[1], h.bbox[0]))
    refusals = []
    for hit in hits:
        spot = _beside(frame, placement, hit, lines, glyphs, box_size, kind)
        if isinstance(spot, ResolvedPlacement):
            return spot
        refusals.append(spot)
    first = refusals[0]
    raise PlacementError(first if len(hits) == 1 else
                         said("placement.nor_other_lines", first=first, others=len(hits) - 1,
                              anchor=placement.anchor), page=index + 1)


def _beside(frame: _PageFrame, placement: Placement, hit: TextHit, lines: list[TextLine],
            glyphs: list[_Glyph], box_size: tuple[float, float], kind: PlacementKind
            ) -> ResolvedPlacement | str:
    """The box next to one match of the anchor, or why it does not fit there."""
    w, h = box_size
    tx1, ty1, tx2, ty2 = hit.bbox
    gap, number = placement.gap, frame.index + 1
    what = {PlacementKind.SEAL: "seal"}.get(kind, "signature")
    page_w, _ = frame.size
    scaled = ""
    if placement.until is not None:
        below = [b for b in find_in_lines(lines, placement.until) if b.bbox[3] <= ty1 + 0.01]
        if not below:
            return said("placement.until_not_found", until=placement.until,
                        anchor=placement.anchor, page=number)
        name = max(below, key=lambda b: b.bbox[3]).bbox  # the nearest line below
        room = ty1 - name[3] - 2 * gap
        where = said("where.between", anchor=placement.anchor, until=placement.until)
        if h > room:
            # a signature image may shrink into the gap; a seal keeps its real size
            factor = room / h if kind is PlacementKind.SIGNATURE else 0.0
            if factor < MIN_SIGNATURE_SCALE:
                return said("placement.gap_too_low", where=where, page=number,
                            room=f"{max(room, 0):.0f}", what=what, need=f"{h:.0f}")
            w, h, scaled = w * factor, h * factor, f" (scaled to {factor:.0%} to fit)"
        cx = ((tx1 + tx2) / 2 + (name[0] + name[2]) / 2) / 2
        cy = (ty1 + name[3]) / 2
        box: Box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        # the title and the name face each other across a blank gap: no other line between
        band = (min(tx1, name[0], box[0]), name[3], max(tx2, name[2], box[2]), ty1)
        between = _covered(band, glyphs)
        if between is not None:
            return said("placement.text_between", text=between.line, where=where,
                        page=number)
    else:
        cx, cy = (tx1 + tx2) / 2, (ty1 + ty2) / 2
        box = {
            AnchorPosition.BELOW: (cx - w / 2, ty1 - gap - h, cx + w / 2, ty1 - gap),
            AnchorPosition.ABOVE: (cx - w / 2, ty2 + gap, cx + w / 2, ty2 + gap + h),
            AnchorPosition.RIGHT: (tx2 + gap, cy - h / 2, tx2 + gap + w, cy + h / 2),
            AnchorPosition.OVER: (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
        }[placement.anchor_position]
        where = said(f"where.{placement.anchor_position.name.lower()}",
                     anchor=placement.anchor)
    moved = False
    if placement.anchor_position is not AnchorPosition.OVER or placement.until is not None:
        # sideways a box may move to stay on the page; up or down it would cover the anchor
        x = min(max(box[0], 0.0), page_w - w)
        if w > page_w + 0.01:
            return said("placement.wider_than_page", width=f"{w:.0f}", what=what,
                        page=number)
        moved = abs(x - box[0]) > 0.01
        box = (x, box[1], x + w, box[3])
        _, page_h = frame.size
        if box[1] < -0.01 or box[3] > page_h + 0.01:
            return said("placement.leaves_page", what=what, size=f"{w:.0f} x {h:.0f}",
                        where=where, page=number)
        covered = _covered(box, glyphs)
        if covered is not None:
            return said("placement.would_cover", what=what, size=f"{w:.0f} x {h:.0f}",
                        where=where, page=number, text=covered.line)
    else:
        box, moved = frame.clamped(box)
    how = f"{where} on page {number}{scaled}" + (", moved inside the page" if moved else "")
    return frame.resolved(box, how)


def _find_anchor(document: _Document, anchor: str, order: Sequence[int]
                 ) -> tuple[int, list[TextHit], list[TextLine]]:
    """The first page in ``order`` holding the anchor, its matches and its lines."""
    for index, lines in page_lines(document.data(), order,
                                   lambda i: document.frame(i).to_page_space,
                                   password=document.password):
        hits = find_in_lines(lines, anchor)
        if hits:
            return index, hits, lines
    searched = _page_list([i + 1 for i in order])
    raise PlacementError(said("placement.anchor_not_found", anchor=anchor, pages=searched),
                         page=order[0] + 1 if len(order) == 1 else None)
