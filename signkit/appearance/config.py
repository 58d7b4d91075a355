"""Appearance settings kept in files, so that a clerk's daily command is short: the
profile's ``[appearance]`` table and the user's config file (``$SIGNKIT_CONFIG``, default
``~/.config/signkit/config.toml``)::

    [appearance]                       # the office's defaults
    visible = true
    preset = "vn-personal"
    organisation = "Ủy ban nhân dân tỉnh Quảng Ngãi"
    seal_image = "images/con-dau.png"  # relative to this file
    seal_size_mm = 40

    [people."Nguyễn Văn An"]           # the signer certificate's common name
    signature_image = "images/chu-ky-an.png"
    signer_title = "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH"
    signer_name = "Nguyễn Văn An"

Precedence (:meth:`AppearanceSettings.over`): command line > the person's table > the
config's ``[appearance]`` > the profile's. Errors name the file and the key
(:class:`~signkit.errors.ProfileError`). This module reads settings only; the drawing
modules load when an :class:`~signkit.appearance.Appearance` is made from them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..error_messages import said
from ..errors import AppearanceError, ProfileError

if TYPE_CHECKING:
    from .placement import AnchorPosition, Placement
    from .presets import Appearance, Preset

# the command-line names of signkit.appearance.Preset and AnchorPosition (kept here so
# that reading a profile does not load the drawing modules; a test keeps them equal)
PRESET_NAMES = ("plain", "vn-personal", "vn-seal", "vn-copy", "vn-attachment")
ANCHOR_POSITIONS = ("below", "above", "right", "over")
CONFIG_ENV = "SIGNKIT_CONFIG"

_PATHS = ("signature_image", "seal_image", "font")
_NUMBERS = ("seal_size_mm", "font_size")
_TEXTS = ("signer_title", "signer_name", "organisation", "copy_form", "reference", "anchor",
          "until")


@dataclass(frozen=True)
class AppearanceSettings:
    """Appearance choices from one source; ``None`` means "not set here". ``origins``
    says where each value came from ("file: key"), for error messages."""

    visible: bool | None = None
    preset: str | None = None  # a name of PRESET_NAMES
    signature_image: Path | None = None
    seal_image: Path | None = None
    seal_size_mm: float | None = None
    seal_info: bool | None = None  # print organisation and time under the seal
    signer_title: str | None = None
    signer_name: str | None = None
    organisation: str | None = None
    copy_form: str | None = None
    reference: str | None = None
    font: Path | None = None
    font_size: float | None = None
    page: int | None = None
    anchor: str | None = None
    anchor_position: str | None = None  # a name of ANCHOR_POSITIONS
    until: str | None = None
    origins: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False,
                                                   repr=False)

    def over(self, fallback: AppearanceSettings) -> AppearanceSettings:
        """These settings, with ``fallback``'s wherever these are not set."""
        values: dict[str, Any] = {}
        origins = dict(fallback.origins)
        for name in _setting_names():
            mine = getattr(self, name)
            values[name] = mine if mine is not None else getattr(fallback, name)
            if mine is not None:
                origins.pop(name, None)
                if name in self.origins:
                    origins[name] = self.origins[name]
        return AppearanceSettings(**values, origins=origins)

    def appearance(self, *, preset: str | None = None, reason: str | None = None,
                   location: str | None = None, language: str = "vi",
                   time_zone: dt.tzinfo | None = None) -> Appearance:
        """The :class:`~signkit.appearance.Appearance` these settings describe (``preset``
        overrides theirs; default ``vn-personal`` when a signature image is set, else
        ``plain``). Checks images and font: a bad file named by a config file raises
        :class:`ProfileError` naming the file and the key."""
        from .presets import Appearance

        kwargs: dict[str, Any] = {
            name: getattr(self, name)
            for name in (*_PATHS, *_NUMBERS, *_TEXTS[:5], "seal_info")
            if getattr(self, name) is not None
        }
        with self._blame():
            default = "vn-personal" if self.signature_image is not None else "plain"
            # a preset's name: Appearance turns it into a Preset, or says it is unknown
            return Appearance(cast("Preset", preset or self.preset or default), reason=reason,
                              location=location, language=language, time_zone=time_zone,
                              **kwargs)

    def placement(self, *, rect: tuple[float, float, float, float] | None = None,
                  field: str | None = None, over_signature: str | None = None) -> Placement:
        """Where the signature goes: ``rect``, ``field`` or ``over_signature`` (given on
        the command line) win over an anchor text from the settings."""
        from .placement import Placement

        if rect is not None or field is not None or over_signature is not None:
            return Placement(page=self.page, rect=rect, field=field,
                             over_signature=over_signature)
        return Placement(page=self.page, anchor=self.anchor, until=self.until,
                         anchor_position=cast("AnchorPosition",
                                              self.anchor_position or "below"))

    def check_files(self) -> None:
        """Open the images and the font now (before a PIN is asked): a missing file, a PNG
        without transparency, an unusable font raise."""
        from .fonts import load_font
        from .images import load_transparent_png

        with self._blame():
            for name in ("signature_image", "seal_image"):
                path = getattr(self, name)
                if path is not None:
                    load_transparent_png(path)
            if self.font is not None:
                load_font(self.font)

    @contextlib.contextmanager
    def _blame(self) -> Iterator[None]:
        """Errors about a file that came from a config file name that file and key."""
        try:
            yield
        except AppearanceError as error:
            for name in _PATHS:
                origin = self.origins.get(name)
                path = getattr(self, name)
                if origin is not None and path is not None and str(path) == error.file:
                    raise ProfileError(error.reason, file=origin[0], key=origin[1]) from None
            raise


@dataclass(frozen=True)
class AppearanceConfig:
    """The user's config file: office defaults and per-person settings."""

    source: str | None = None
    defaults: AppearanceSettings = field(default_factory=AppearanceSettings)
    people: Mapping[str, AppearanceSettings] = field(default_factory=dict)

    def for_signer(self, common_name: str | None) -> AppearanceSettings:
        """The signer's table (matched on the certificate's common name, ignoring case and
        Unicode composition) over the defaults."""
        if common_name:
            wanted = _name_key(common_name)
            for name, settings in self.people.items():
                if _name_key(name) == wanted:
                    return settings.over(self.defaults)
        return self.defaults

    def check_files(self) -> None:
        for settings in (self.defaults, *self.people.values()):
            settings.check_files()


def default_config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path.home() / ".config" / "signkit" / "config.toml"


def load_appearance_config(path: str | Path | None = None) -> AppearanceConfig:
    """The config file at ``path`` (default :func:`default_config_path`). A missing default
    file is an empty config; a missing file that was named is an error."""
    named = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = Path(path) if path is not None else default_config_path()
    source = str(path)
    if not path.is_file():
        if named:
            raise ProfileError(said("profile.config_not_found"), file=source)
        return AppearanceConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError(said("profile.cannot_read", detail=str(e)), file=source) from None
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(said("profile.toml", detail=str(e)), file=source) from None
    unknown = sorted(set(data) - {"appearance", "people"})
    if unknown:
        raise ProfileError(said("profile.unknown_table"),
                           file=source, key=unknown[0])
    defaults = parse_settings(data.get("appearance", {}), source, path.parent, "appearance")
    people_table = data.get("people", {})
    if not isinstance(people_table, dict):
        raise ProfileError(said("profile.people_tables"), file=source,
                           key="people")
    people = {name: parse_settings(table, source, path.parent, f'people."{name}"')
              for name, table in people_table.items()}
    return AppearanceConfig(source, defaults, people)


def parse_settings(table: Any, source: str, folder: Path, key: str) -> AppearanceSettings:
    """One ``[appearance]`` or person table; relative paths are relative to ``folder``."""
    if not isinstance(table, dict):
        raise ProfileError(said("profile.must_be", what="a table"), file=source, key=key)
    values: dict[str, Any] = {}
    origins: dict[str, tuple[str, str]] = {}
    names = set(_setting_names())
    for name, value in table.items():
        where = f"{key}.{name}"
        if name not in names:
            raise ProfileError(said("profile.unknown_setting", known=", ".join(sorted(names))),
                               file=source, key=where)
        values[name] = _typed(name, value, source, where, folder)
        origins[name] = (source, where)
    return AppearanceSettings(**values, origins=origins)


def _typed(name: str, value: Any, source: str, where: str, folder: Path) -> Any:
    def wrong(what: str) -> ProfileError:
        return ProfileError(said("profile.must_be", what=what), file=source, key=where)

    if name in ("visible", "seal_info"):
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if name in ("preset", "anchor_position"):
        allowed = PRESET_NAMES if name == "preset" else ANCHOR_POSITIONS
        if value not in allowed:
            raise wrong("one of " + ", ".join(allowed))
        return value
    if name == "page":
        if isinstance(value, bool) or not isinstance(value, int) or value == 0:
            raise wrong("a page number (1 = first, -1 = last)")
        return value
    if name in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise wrong("a positive number")
        return float(value)
    if not isinstance(value, str) or not value.strip():
        raise wrong("a non-empty string")
    if name in _PATHS:
        path = Path(value).expanduser()
        path = path if path.is_absolute() else folder / path
        if not path.is_file():
            raise ProfileError(said("profile.listed_file_not_found", path=str(path)), file=source,
                               key=where)
        return path
    return value


def _setting_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(AppearanceSettings) if f.name != "origins")


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()
