"""The visible part of a signature: which field it goes in, where that field's box is, and
the stamp style that draws the appearance in it.

:class:`VisibleSignature` holds what is the same for every document of a batch (the
appearance, checked once with its fonts and images loaded, the box size its preset wants,
one stamp style per page rotation); :meth:`VisibleSignature.plan` resolves the placement
on each document.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import cast

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as pdf_fields

from ..appearance.compose import preferred_size
from ..appearance.placement import Placement, PlacementKind, resolve_placement
from ..appearance.presets import Appearance, Preset
from ..appearance.stamp import AppearanceStampStyle, appearance_style
from ..error_messages import said
from ..errors import PlacementError
from .fields import new_field_name

_KINDS = {
    Preset.VN_SEAL: PlacementKind.SEAL,
    Preset.VN_COPY: PlacementKind.CORNER_TEXT,
    Preset.VN_ATTACHMENT: PlacementKind.CORNER_TEXT,
}


def placement_kind(preset: Preset) -> PlacementKind:
    """The seal keeps its real size, copies and attachments go top right, the rest are
    signatures."""
    return _KINDS.get(preset, PlacementKind.SIGNATURE)


@dataclass(frozen=True)
class FieldPlan:
    """Where one document's visible signature goes."""

    field_name: str
    new_field: pdf_fields.SigFieldSpec | None  # None: sign the existing empty field
    stamp_style: AppearanceStampStyle
    how: str  # ResolvedPlacement.how, for the clerk
    page: int  # 1-based


class VisibleSignature:
    """An appearance and a placement, prepared once for a batch."""

    def __init__(self, appearance: Appearance, placement: Placement | None = None):
        self.appearance = appearance
        self.placement = placement or Placement()
        self.kind = placement_kind(appearance.preset)
        self.box_size = preferred_size(appearance)  # AppearanceError if it cannot be drawn
        self._styles: dict[int, AppearanceStampStyle] = {}

    def style(self, page_rotation: int) -> AppearanceStampStyle:
        if page_rotation not in self._styles:
            self._styles[page_rotation] = appearance_style(self.appearance,
                                                           page_rotation=page_rotation)
        return self._styles[page_rotation]

    def plan(self, reader: PdfFileReader, *, field: str | None,
             over_signature: str | None = None, password: str | None = None) -> FieldPlan:
        """Resolve the placement on this document. ``field`` is the field the caller named:
        an existing empty one is the placement when no other was given; otherwise it
        names the new field. ``over_signature`` (the seal workflow: the person's field) is
        the placement unless one was given."""
        placement = self.placement
        if over_signature is not None and not _locates(placement):
            placement = dataclasses.replace(placement, over_signature=over_signature)
        existing = {name: value for name, value, _ in pdf_fields.enumerate_sig_fields(reader)}
        if field is not None and field in existing and existing[field] is None \
                and not _locates(placement):
            placement = dataclasses.replace(placement, field=field)
        spot = resolve_placement(reader, placement, self.box_size, preset_kind=self.kind,
                                 password=password)
        style = self.style(spot.page_rotation)
        if spot.field_name is not None:
            return FieldPlan(spot.field_name, None, style, spot.how, spot.page_number)
        if field is not None and field in existing:
            state = "signed" if existing[field] is not None else "empty"
            raise PlacementError(said(f"placement.field_exists_{state}", field=field))
        name = field or new_field_name(existing)
        # pyHanko annotates the box as ints; PDF rectangles are reals, and it takes them
        spec = pdf_fields.SigFieldSpec(name, on_page=spot.page_index,
                                       box=cast("tuple[int, int, int, int]", spot.box))
        return FieldPlan(name, spec, style, spot.how, spot.page_number)


def _locates(placement: Placement) -> bool:
    return any(value is not None for value in (placement.rect, placement.anchor,
                                               placement.field, placement.over_signature))

