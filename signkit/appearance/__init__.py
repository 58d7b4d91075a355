"""Visible signatures: where they go (placement) and how they look (the drawing modules)."""

from .placement import (
    AnchorPosition,
    Placement,
    PlacementKind,
    ResolvedPlacement,
    parse_rect,
    resolve_placement,
)

__all__ = [
    "AnchorPosition",
    "Placement",
    "PlacementKind",
    "ResolvedPlacement",
    "parse_rect",
    "resolve_placement",
]
