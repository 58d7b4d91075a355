"""`signkit sign`'s visible-signature options and the organisation's seal key
(`--then-seal`), applied as decorators; and the step that turns them, the user's config
file and the profile into what the library signs with.

Everything that can be checked is checked before the token login (images, fonts, the
preset's required values): a mistake costs no PIN entry. The signer's own table of the
config file (``[people."NAME"]``) is known only from the certificate, so it is applied
after the login, before anything is signed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from signkit.appearance import AppearanceSettings, load_appearance_config
from signkit.appearance.config import ANCHOR_POSITIONS, PRESET_NAMES
from signkit.errors import AppearanceError

if TYPE_CHECKING:
    from signkit import Profile, SigningKey, SignOptions
    from signkit.appearance import Appearance, AppearanceConfig

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(dir_okay=False, path_type=Path)


@dataclass(frozen=True)
class VisibleRequest:
    """The visible-signature options as given on the command line."""

    visible: bool | None
    preset: str | None
    page: int | None
    rect: str | None
    anchor: str | None
    anchor_position: str | None
    until: str | None
    over_signature: str | None
    signature_image: Path | None
    seal_image: Path | None
    seal_size: float | None
    seal_info: bool | None
    signer_title: str | None
    signer_name: str | None
    organisation: str | None
    copy_form: str | None
    reference: str | None
    font: Path | None
    font_size: float | None

    def settings(self) -> AppearanceSettings:
        title = self.signer_title.replace("\\n", "\n") if self.signer_title else None
        return AppearanceSettings(
            preset=self.preset, signature_image=self.signature_image,
            seal_image=self.seal_image, seal_size_mm=self.seal_size, seal_info=self.seal_info,
            signer_title=title,
            signer_name=self.signer_name, organisation=self.organisation,
            copy_form=self.copy_form, reference=self.reference, font=self.font,
            font_size=self.font_size, page=self.page, anchor=self.anchor,
            anchor_position=self.anchor_position, until=self.until)

    @property
    def implies_visible(self) -> bool:
        """Any look or placement option asks for a visible signature."""
        return any(getattr(self, f.name) is not None
                   for f in dataclasses.fields(self) if f.name != "visible")


@dataclass(frozen=True)
class SealKeyRequest:
    """`--then-seal`: the organisation's key, chosen as the person's is."""

    pkcs12: Path | None
    token_label: str | None
    key_label: str | None
    key_id: str | None
    pin_file: Path | None


_VISIBLE_OPTIONS = [
    click.option("--visible/--invisible", "visible", default=None,
                 help="A visible signature (implied by the options below), or none."),
    click.option("--appearance", "preset", type=click.Choice(PRESET_NAMES),
                 help="Look: Decree 30/2020 presets, or plain (default: config, profile)."),
    click.option("--page", type=int, help="Page, 1-based; negative counts from the end."),
    click.option("--rect", metavar="X1,Y1,X2,Y2",
                 help="Box in points, origin bottom-left of the page as displayed."),
    click.option("--anchor", metavar="TEXT",
                 help="Place relative to the first occurrence of TEXT (e.g. 'CHỦ TỊCH')."),
    click.option("--anchor-position", type=click.Choice(ANCHOR_POSITIONS),
                 help="Where the box goes relative to the anchor text (default: below)."),
    click.option("--until", metavar="TEXT",
                 help="With --anchor: centre the box between the anchor and TEXT below it "
                      "(e.g. the signer's name)."),
    click.option("--over-signature", metavar="FIELD",
                 help="Place the seal over the left third of this signature's box."),
    click.option("--signature-image", type=_FILE,
                 help="Handwritten signature, transparent PNG (vn-personal)."),
    click.option("--seal-image", type=_FILE, help="Seal, transparent PNG (vn-seal)."),
    click.option("--seal-size", type=click.FloatRange(min=10, max=100), metavar="MM",
                 help="The seal's real diameter in mm (default 36)."),
    click.option("--seal-info/--no-seal-info", default=None,
                 help="Print the organisation and signing time beside the seal (default: "
                      "no; they are in the signature's data)."),
    click.option("--signer-title", metavar="TEXT",
                 help="Title above the signature image; \\n splits lines."),
    click.option("--signer-name", metavar="TEXT", help="Name under the signature image."),
    click.option("--organisation", metavar="TEXT",
                 help="Organisation named by the seal, copy and attachment presets."),
    click.option("--copy-form", metavar="TEXT", help="vn-copy: Sao y, Sao lục, Trích sao."),
    click.option("--reference", metavar="TEXT",
                 help="vn-attachment: number and code of the main document."),
    click.option("--font", type=_FILE, help="TTF/OTF font (default: Liberation Serif)."),
    click.option("--font-size", type=click.FloatRange(min=4, max=72), metavar="PT",
                 help="Text size in points (text shrinks to fit, never clipped)."),
]

_SEAL_OPTIONS = [
    click.option("--then-seal", is_flag=True,
                 help="After the person's signature (vn-personal), sign each file with the "
                      "organisation's key (vn-seal over the signature); one output."),
    click.option("--seal-pkcs12", type=click.Path(exists=True, dir_okay=False,
                 path_type=Path), help="The organisation's key in a PKCS#12 file."),
    click.option("--seal-pkcs11", is_flag=True,
                 help="The organisation's key on a PKCS#11 token (default; same module)."),
    click.option("--seal-token", help="Label of the organisation's token."),
    click.option("--seal-key-label", help="Label of the organisation's key."),
    click.option("--seal-key-id", help="CKA_ID of the organisation's key, in hex."),
    click.option("--seal-pin-file", type=_FILE,
                 help="File holding the seal key's PIN or password (else $SIGNKIT_SEAL_PIN "
                      "or a prompt)."),
]


def appearance_options(func: F) -> F:
    """Adds the visible-signature options; the command receives ``visible: VisibleRequest``."""
    names = [f.name for f in dataclasses.fields(VisibleRequest)]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["visible"] = VisibleRequest(**{name: kwargs.pop(name) for name in names})
        return func(*args, **kwargs)

    return _apply(_VISIBLE_OPTIONS, wrapper)


def seal_key_options(func: F) -> F:
    """Adds --then-seal and the seal key's options; the command receives
    ``seal: SealKeyRequest | None``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        then_seal, use_pkcs11 = kwargs.pop("then_seal"), kwargs.pop("seal_pkcs11")
        request = SealKeyRequest(
            kwargs.pop("seal_pkcs12"), kwargs.pop("seal_token"), kwargs.pop("seal_key_label"),
            kwargs.pop("seal_key_id"), kwargs.pop("seal_pin_file"))
        given = use_pkcs11 or any(v is not None for v in dataclasses.astuple(request))
        if given and not then_seal:
            raise click.UsageError("the --seal-* options choose the seal key of --then-seal")
        if use_pkcs11 and request.pkcs12 is not None:
            raise click.UsageError("choose one seal key source: --seal-pkcs11 or --seal-pkcs12")
        if request.key_id is not None:
            try:
                bytes.fromhex(request.key_id)
            except ValueError:
                raise click.BadParameter("must be hexadecimal",
                                         param_hint="--seal-key-id") from None
        kwargs["seal"] = request if then_seal else None
        return func(*args, **kwargs)

    return _apply(_SEAL_OPTIONS, wrapper)


def _apply(options: list[Callable[[F], F]], func: F) -> F:
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class Looks:
    """What the command line, the user's config and the profile say about the look of the
    signatures, checked; ``for_signer`` finishes it once the signer is known."""

    request: VisibleRequest
    config: AppearanceConfig
    profile: AppearanceSettings
    then_seal: bool
    language: str
    seal: Appearance | None  # the organisation's look (--then-seal)
    time_zone: dt.tzinfo | None = None  # the profile's, for the time ``plain`` shows

    def for_signer(self, options: SignOptions, key: SigningKey) -> SignOptions:
        """``options`` with the person's appearance and placement (the signer's table of
        the config file applies from here on)."""
        settings = self._settings(key.facts.common_name)
        appearance = self._appearance(settings, reason=options.reason,
                                      location=options.location)
        rect = _rect(self.request.rect)
        placement = settings.placement(rect=rect, over_signature=self.request.over_signature)
        return dataclasses.replace(options, appearance=appearance, placement=placement)

    def seal_options(self, options: SignOptions) -> SignOptions:
        """The seal's options: the person's level and algorithms, the vn-seal look placed
        over the person's signature, no field name, reason or certification of its own."""
        return dataclasses.replace(options, appearance=self.seal, placement=None, field=None,
                                   certify=False, reason=None, location=None, contact=None)

    def _settings(self, common_name: str | None) -> AppearanceSettings:
        return (self.request.settings().over(self.config.for_signer(common_name))
                .over(self.profile))

    def _appearance(self, settings: AppearanceSettings, *, reason: str | None = None,
                    location: str | None = None) -> Appearance:
        preset = "vn-personal" if self.then_seal else None
        return _made(settings, preset=preset, reason=reason, location=location,
                     language=self.language, time_zone=self.time_zone)


def plan_looks(request: VisibleRequest, profile: Profile, *, then_seal: bool,
               language: str) -> Looks | None:
    """The checked looks, or None for an invisible signature. Raises before any login:
    ``ProfileError`` for a bad config file, ``AppearanceError`` for a bad image or font or
    a preset missing what it needs (both exit 2)."""
    config = load_appearance_config()
    base = request.settings().over(config.defaults).over(profile.appearance)
    visible = request.visible
    if visible is None:
        visible = request.implies_visible or bool(base.visible) or then_seal
    if not visible:
        if then_seal:
            raise click.UsageError("--then-seal makes visible signatures; drop --invisible")
        return None
    if then_seal and request.preset not in (None, "vn-personal"):
        raise click.UsageError("--then-seal signs the person with vn-personal and the "
                               f"organisation with vn-seal, not --appearance {request.preset}")
    if then_seal and request.over_signature:
        raise click.UsageError("--then-seal puts the seal over the signature it makes; "
                               "--over-signature is for sealing in a separate run")
    _rect(request.rect)  # a malformed --rect is a usage error, before the PIN
    config.check_files()
    base.check_files()
    seal = None
    if then_seal:
        seal_settings = dataclasses.replace(base, font_size=None)  # the seal's own size
        seal = _made(seal_settings, preset="vn-seal", language=language)
        _check_size(seal)
    looks = Looks(request, config, profile.appearance, then_seal, language, seal,
                  profile.time_zone)
    try:
        _check_size(looks._appearance(base))
    except AppearanceError:
        # a person's table may still supply what is missing (their signature image)
        if not config.people:
            raise
    return looks


PLACEMENT_HINT = " (--rect X1,Y1,X2,Y2 [--page N], --anchor TEXT or --field NAME)"
"""Added to a file's placement error (code ``placement``): the options that place it."""

# the presets whose image the library requires, and the option that gives it
_IMAGE_OPTIONS = {"vn-personal": ("signature_image", "--signature-image FILE"),
                  "vn-seal": ("seal_image", "--seal-image FILE")}


def _made(settings: AppearanceSettings, *, preset: str | None, **kwargs: Any) -> Appearance:
    """``settings.appearance(...)``; a preset refused for want of its image names the
    option that gives it."""
    try:
        return settings.appearance(preset=preset, **kwargs)
    except AppearanceError as e:
        wanted = preset or settings.preset or (
            "vn-personal" if settings.signature_image is not None else None)
        image, option = _IMAGE_OPTIONS.get(wanted or "", (None, None))
        if image is None or getattr(settings, image) is not None:
            raise
        raise AppearanceError(f"{e} ({option})", file=e.file) from None


def _check_size(appearance: Appearance) -> None:
    from signkit.appearance import preferred_size

    preferred_size(appearance)


def _rect(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    from signkit.appearance import parse_rect
    from signkit.errors import PlacementError

    try:
        return parse_rect(text)
    except PlacementError as e:
        raise click.BadParameter(str(e), param_hint="--rect") from None

