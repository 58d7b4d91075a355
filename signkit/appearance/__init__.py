"""Visible signatures: where they go (placement) and how they look (the drawing modules)."""

from .compose import preferred_size
from .placement import (
    AnchorPosition,
    Placement,
    PlacementKind,
    ResolvedPlacement,
    parse_rect,
    resolve_placement,
)
from .presets import DEFAULT_SEAL_SIZE_MM, Appearance, Preset
from .stamp import AppearanceStampStyle, appearance_style

__all__ = [
    "DEFAULT_SEAL_SIZE_MM",
    "AnchorPosition",
    "Appearance",
    "AppearanceStampStyle",
    "Placement",
    "PlacementKind",
    "Preset",
    "ResolvedPlacement",
    "appearance_style",
    "parse_rect",
    "preferred_size",
    "resolve_placement",
]
