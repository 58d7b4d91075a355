"""Visible signatures: where they go (placement) and how they look (the drawing modules).

The drawing modules load fonts machinery (HarfBuzz, fontTools) and Pillow; they load on
first use (PEP 562), so that reading settings (:mod:`.config`, used by the profiles) stays
light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .config import AppearanceConfig, AppearanceSettings, load_appearance_config

if TYPE_CHECKING:
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

_LAZY = {
    "preferred_size": "compose",
    "AnchorPosition": "placement",
    "Placement": "placement",
    "PlacementKind": "placement",
    "ResolvedPlacement": "placement",
    "parse_rect": "placement",
    "resolve_placement": "placement",
    "DEFAULT_SEAL_SIZE_MM": "presets",
    "Appearance": "presets",
    "Preset": "presets",
    "AppearanceStampStyle": "stamp",
    "appearance_style": "stamp",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'signkit.appearance' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_SEAL_SIZE_MM",
    "AnchorPosition",
    "Appearance",
    "AppearanceConfig",
    "AppearanceSettings",
    "AppearanceStampStyle",
    "Placement",
    "PlacementKind",
    "Preset",
    "ResolvedPlacement",
    "appearance_style",
    "load_appearance_config",
    "parse_rect",
    "preferred_size",
    "resolve_placement",
]
