"""Trust and policy profiles: ``ca_profiles/*.toml`` parsed once into frozen dataclasses.

A profile is looked up by name among the built-in ones (shipped in the wheel), then in the
user's folder (``$SIGNKIT_PROFILE_DIR`` or ``~/.config/signkit/profiles``); a path to a
``.toml`` file is loaded as it is. Errors name the file and the key.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .appearance.config import AppearanceSettings, parse_settings
from .error_messages import said
from .errors import ProfileError
from .tokens.base import DIGEST_SIZES, RsaPadding

_LEVELS = ("B-B",)
_REVOCATION = ("require", "soft-fail")
_KEY_USAGES = {"digital_signature", "non_repudiation"}


@dataclass(frozen=True)
class TrustPin:
    name: str
    sha256: str  # upper-case hex, no colons
    source: str | None = None
    role: str = "root"  # "root": a trust anchor; "intermediate": only to build chains


@dataclass(frozen=True)
class AlgorithmPolicy:
    digests: tuple[str, ...]
    min_rsa_bits: int
    ec_curves: tuple[str, ...]
    revocation: str


@dataclass(frozen=True)
class Profile:
    name: str
    description_en: str
    description_vi: str
    digest: str
    rsa_padding: RsaPadding
    level: str
    pkcs11_module: str | None
    policy: AlgorithmPolicy
    pins: tuple[TrustPin, ...]
    anchors: tuple[Path, ...]  # trust-anchor files shipped with or named by the profile
    intermediates: tuple[Path, ...]  # CA certificates to build chains with (not trusted)
    key_usage: tuple[str, ...]  # the signer's certificate needs at least one of these
    tsa: str | None  # default timestamp authority URL
    tsa_digest: str | None  # the timestamps' hash algorithm; None: the signature's digest
    source: str  # where it was loaded from
    # visible-signature defaults ([appearance]; the user's config file and the command
    # line take precedence, see signkit.appearance.config)
    appearance: AppearanceSettings = AppearanceSettings()
    time_zone: dt.tzinfo = dt.UTC  # times shown to people (reports); JSON keeps its own offset
    # remote signing ([remote]): the services' base URLs, used when the command names none
    remote_csc_url: str | None = None
    remote_smartca_url: str | None = None

    def description(self, lang: str = "en") -> str:
        return self.description_vi if lang == "vi" else self.description_en


def anchor_dir(profile: Profile) -> Path:
    """Where an administrator installs a profile's anchors (checked against its pins)."""
    env = os.environ.get("SIGNKIT_ANCHOR_DIR")
    base = Path(env) if env else Path.home() / ".config" / "signkit" / "anchors"
    return base / profile.name


def _user_dir() -> Path:
    env = os.environ.get("SIGNKIT_PROFILE_DIR")
    return Path(env) if env else Path.home() / ".config" / "signkit" / "profiles"


def builtin_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files("signkit.ca_profiles").iterdir()
        if p.name.endswith(".toml")
    )


def available_profiles() -> list[str]:
    user = _user_dir()
    extra = sorted(p.stem for p in user.glob("*.toml")) if user.is_dir() else []
    return sorted(set(builtin_names()) | set(extra))


@functools.lru_cache(maxsize=32)
def load_profile(name_or_path: str = "default") -> Profile:
    """Load a profile by name (built-in first, then the user folder) or by file path."""
    if name_or_path.endswith(".toml") or os.sep in name_or_path:
        path = Path(name_or_path)
        if not path.is_file():
            raise ProfileError(said("profile.file_not_found"), file=str(path))
        return _parse(path.read_text(encoding="utf-8"), str(path), path.parent)
    builtin = resources.files("signkit.ca_profiles") / f"{name_or_path}.toml"
    if builtin.is_file():
        folder = Path(str(resources.files("signkit.ca_profiles")))
        return _parse(builtin.read_text(encoding="utf-8"), f"ca_profiles/{name_or_path}.toml",
                      folder)
    user = _user_dir() / f"{name_or_path}.toml"
    if user.is_file():
        return _parse(user.read_text(encoding="utf-8"), str(user), user.parent)
    raise ProfileError(said("profile.unknown", name=name_or_path,
                            available=", ".join(available_profiles())))


def _parse(text: str, source: str, folder: Path) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(said("profile.toml", detail=str(e)), file=source) from None
    get = _Getter(data, source)
    digest = get.choice("signing.digest", tuple(DIGEST_SIZES), default="sha256")
    padding = get.choice("signing.rsa_padding", ("pkcs1v15", "pss"), default="pkcs1v15")
    policy = AlgorithmPolicy(
        digests=tuple(get.strings("policy.digests", default=["sha256", "sha384", "sha512"])),
        min_rsa_bits=get.integer("policy.min_rsa_bits", default=2048),
        ec_curves=tuple(get.strings("policy.ec_curves", default=["secp256r1", "secp384r1"])),
        revocation=get.choice("policy.revocation", _REVOCATION, default="soft-fail"),
    )
    pins = []
    for i, pin in enumerate(get.table_list("trust.pins")):
        key = f"trust.pins[{i}]"
        fingerprint = str(pin.get("sha256", "")).replace(":", "").upper()
        if len(fingerprint) != 64 or any(c not in "0123456789ABCDEF" for c in fingerprint):
            raise ProfileError(said("profile.sha256"), file=source, key=f"{key}.sha256")
        if "name" not in pin:
            raise ProfileError(said("profile.missing"), file=source, key=f"{key}.name")
        role = str(pin.get("role", "root"))
        if role not in ("root", "intermediate"):
            raise ProfileError(said("profile.role"), file=source, key=f"{key}.role")
        pins.append(TrustPin(str(pin["name"]), fingerprint, pin.get("source"), role))
    anchors = get.files("trust.anchors", folder)
    intermediates = get.files("trust.intermediates", folder)
    key_usage = tuple(get.strings("policy.key_usage",
                                  default=["digital_signature", "non_repudiation"]))
    unknown = set(key_usage) - _KEY_USAGES
    if unknown or not key_usage:
        raise ProfileError(said("profile.key_usage", allowed=", ".join(sorted(_KEY_USAGES))),
                           file=source, key="policy.key_usage")
    tsa_digest = (get.choice("signing.tsa_digest", tuple(DIGEST_SIZES))
                  if get.string("signing.tsa_digest", default=None) is not None else None)
    return Profile(
        name=get.string("name"),
        description_en=get.string("description_en", default=""),
        description_vi=get.string("description_vi", default=""),
        digest=digest,
        rsa_padding=RsaPadding(padding),
        level=get.choice("signing.level", _LEVELS, default="B-B"),
        pkcs11_module=get.string("pkcs11.module", default=None),
        policy=policy,
        pins=tuple(pins),
        anchors=anchors,
        intermediates=intermediates,
        key_usage=key_usage,
        tsa=get.string("signing.tsa", default=None),
        tsa_digest=tsa_digest,
        source=source,
        appearance=parse_settings(data.get("appearance", {}), source, folder, "appearance"),
        time_zone=_time_zone(get.string("time_zone", default="UTC"), source),
        remote_csc_url=get.string("remote.csc_url", default=None),
        remote_smartca_url=get.string("remote.smartca_url", default=None),
    )


def _time_zone(text: str, source: str) -> dt.tzinfo:
    """``"UTC"`` or an ISO 8601 offset such as ``"+07:00"``."""
    if text.upper() in ("UTC", "Z"):
        return dt.UTC
    try:
        offset = dt.datetime.fromisoformat(f"2000-01-01T00:00:00{text}").utcoffset()
    except ValueError:
        offset = None
    if offset is None or len(text) != 6:
        raise ProfileError(said("profile.time_zone", value=text), file=source,
                           key="time_zone")
    return dt.timezone(offset)


class _Getter:
    """Typed access to dotted keys, with errors naming the file and key."""

    _MISSING = object()

    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    def _raw(self, key: str, default: Any) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is self._MISSING:
                    raise ProfileError(said("profile.missing"), file=self.source, key=key)
                return default
            node = node[part]
        return node

    def _typed(self, key: str, default: Any, kind: type, what: str) -> Any:
        value = self._raw(key, default)
        if value is not default and not isinstance(value, kind):
            raise ProfileError(said("profile.must_be", what=what), file=self.source, key=key)
        return value

    def string(self, key: str, default: Any = _MISSING) -> Any:
        return self._typed(key, default, str, "a string")

    def integer(self, key: str, default: Any = _MISSING) -> int:
        return self._typed(key, default, int, "an integer")

    def strings(self, key: str, default: Any = _MISSING) -> list[str]:
        value = self._typed(key, default, list, "a list of strings")
        if not all(isinstance(v, str) for v in value):
            raise ProfileError(said("profile.must_be", what="a list of strings"), file=self.source,
                               key=key)
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
        value = self.string(key, default)
        if value not in allowed:
            raise ProfileError(said("profile.choice", value=value, allowed=", ".join(allowed)),
                               file=self.source, key=key)
        return value

    def files(self, key: str, folder: Path) -> tuple[Path, ...]:
        """Certificate files named relative to the profile's folder; each must exist."""
        paths = tuple(folder / name for name in self.strings(key, default=[]))
        for i, path in enumerate(paths):
            if not path.is_file():
                raise ProfileError(said("profile.listed_file_not_found", path=str(path)),
                                   file=self.source, key=f"{key}[{i}]")
        return paths

    def table_list(self, key: str) -> list[dict[str, Any]]:
        value = self._typed(key, [], list, "an array of tables")
        if not all(isinstance(v, dict) for v in value):
            raise ProfileError(said("profile.must_be", what="an array of tables"),
                               file=self.source, key=key)
        return value


@dataclass(frozen=True)
class AnchorInstall:
    installed: tuple[tuple[TrustPin, Path], ...]  # pin, file written
    refused: tuple[tuple[Path, str], ...]  # source file, why
    missing: tuple[TrustPin, ...]  # pins no source file matched


def install_anchors(profile: Profile, sources: list[Path]) -> AnchorInstall:
    """Copy the certificates among ``sources`` that match the profile's pins into its anchor
    folder (intermediates into ``intermediates/``); anything else is refused, not trusted."""
    import hashlib

    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    folder = anchor_dir(profile)
    by_fingerprint = {pin.sha256: pin for pin in profile.pins}
    installed: list[tuple[TrustPin, Path]] = []
    refused: list[tuple[Path, str]] = []
    for source in sources:
        try:
            ders = _certificate_ders(source.read_bytes())
        except (OSError, ValueError) as e:
            refused.append((source, f"unreadable: {e}"))
            continue
        for der in ders:
            try:
                asn1_x509.Certificate.load(der).subject.native  # noqa: B018 - parse fully
            except ValueError:
                refused.append((source, "not a certificate"))
                continue
            fingerprint = hashlib.sha256(der).hexdigest().upper()
            pin = by_fingerprint.get(fingerprint)
            if pin is None:
                refused.append((source, f"SHA-256 {fingerprint} matches no pin"))
                continue
            target_dir = folder / "intermediates" if pin.role == "intermediate" else folder
            target_dir.mkdir(parents=True, exist_ok=True)
            target = target_dir / f"{fingerprint[:16].lower()}.pem"
            target.write_bytes(asn1_pem.armor("CERTIFICATE", der))
            installed.append((pin, target))
    done = {pin.sha256 for pin, _ in installed}
    missing = tuple(pin for pin in profile.pins if pin.sha256 not in done)
    return AnchorInstall(tuple(installed), tuple(refused), missing)


def _certificate_ders(data: bytes) -> list[bytes]:
    """The DER certificates in a PEM or DER file, a PKCS#7 bundle (.p7b/.p7c, as CAs
    publish their chains) included; anything else is returned whole, to be refused."""
    from asn1crypto import cms
    from asn1crypto import pem as asn1_pem

    blocks = ([(kind, der) for kind, _, der in asn1_pem.unarmor(data, multiple=True)]
              if asn1_pem.detect(data) else [("", data)])
    ders: list[bytes] = []
    for kind, der in blocks:
        if kind in ("PKCS7", "CMS") or (not kind and der[:1] == b"\x30" and _is_pkcs7(der)):
            signed = cms.ContentInfo.load(der)["content"]
            ders += [c.chosen.dump() for c in signed["certificates"] or []
                     if c.name == "certificate"]
        else:
            ders.append(der)
    return ders


def _is_pkcs7(der: bytes) -> bool:
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(der)
        return info["content_type"].native == "signed_data"
    except ValueError:
        return False
