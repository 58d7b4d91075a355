"""``signkit profile list|show``."""

from __future__ import annotations

from pathlib import Path

import click

from signkit import Profile, available_profiles, load_profile
from signkit.appearance import AppearanceSettings, load_appearance_config
from signkit.profiles import anchor_dir, install_anchors

from .errors import echo, handle_errors
from .i18n import current_lang, say


@click.group()
def profile() -> None:
    """Trust and policy profiles: which CAs are trusted, algorithm policy, signing defaults."""


@profile.command("list")
@handle_errors
def list_cmd() -> None:
    """The profiles signkit knows, with their descriptions."""
    for name in available_profiles():
        echo(f"{name:10} {load_profile(name).description(current_lang())}")


@profile.command("show")
@click.argument("name")
@handle_errors
def show_cmd(name: str) -> None:
    """A profile's settings: signing defaults, algorithm policy, TSA, trust pins, where its
    anchors are installed, and the appearance defaults in force."""
    p = load_profile(name)
    echo(f"name:        {p.name}  ({p.source})")
    echo(f"description: {p.description(current_lang())}")
    echo(f"signing:     {p.level}, {p.digest}, RSA padding {p.rsa_padding.value}")
    echo(f"pkcs11:      {p.pkcs11_module or '(discovery)'}")
    echo(f"policy:      digests {', '.join(p.policy.digests)}; RSA >= {p.policy.min_rsa_bits}"
               f"; curves {', '.join(p.policy.ec_curves)}; revocation {p.policy.revocation}")
    echo(f"key usage:   any of {', '.join(p.key_usage)}")
    echo(f"TSA:         {p.tsa or '(none)'}")
    for pin in p.pins:
        echo(f"trust pin:   {pin.name} ({pin.role})  sha256={pin.sha256}")
    echo(f"anchors:     {_installed(p)}")
    _show_appearance("appearance: ", p.appearance)
    config = load_appearance_config()
    if config.source is not None:  # the user's config file comes before the profile
        _show_appearance(f"config:      {config.source}:", config.defaults)
        for person, settings in config.people.items():
            _show_appearance(f"person:      {person}:", settings)


def _installed(p: Profile) -> str:
    """How many anchors are installed for the profile, or how to install them."""
    folder = anchor_dir(p)
    files = [f for d in (folder, folder / "intermediates") if d.is_dir()
             for f in d.iterdir() if f.is_file()]
    if not files:
        return say("anchors_none", folder=folder, name=p.name)
    return say("anchors_some", n=len(files), folder=folder)


def _show_appearance(label: str, settings: AppearanceSettings) -> None:
    values = ", ".join(f"{name}={value}" for name, value in vars(settings).items()
                       if name != "origins" and value is not None)
    echo(f"{label} {values or '(none)'}")


@profile.command("install-anchors")
@click.argument("name")
@click.option("--from", "source", required=True,
              type=click.Path(exists=True, path_type=Path),
              help="A certificate file, or a folder of them (PEM, DER, or a PKCS#7 bundle "
                   ".p7b/.p7c).")
@handle_errors
def install_anchors_cmd(name: str, source: Path) -> None:
    """Install a profile's trust anchors: only certificates matching its pins are kept."""
    p = load_profile(name)
    files = sorted(f for f in source.iterdir() if f.is_file()) if source.is_dir() else [source]
    result = install_anchors(p, files)
    for pin, path in result.installed:
        echo(f"installed: {pin.name} ({pin.role}) -> {path}")
    for path, why in result.refused:
        echo(f"refused:   {path}: {why}", err=True)
    for pin in result.missing:
        echo(f"missing:   {pin.name} (obtain it from {pin.source or 'its CA'})", err=True)
    if not result.installed:
        raise SystemExit(1)
