"""``signkit profile list|show``."""

from __future__ import annotations

import click

from signkit import available_profiles, load_profile

from .errors import handle_errors


def _lang() -> str:
    return (click.get_current_context().find_root().obj or {}).get("lang", "en")


@click.group()
def profile() -> None:
    """Trust and policy profiles (ca_profiles/*.toml)."""


@profile.command("list")
@handle_errors
def list_cmd() -> None:
    for name in available_profiles():
        click.echo(f"{name:10} {load_profile(name).description(_lang())}")


@profile.command("show")
@click.argument("name")
@handle_errors
def show_cmd(name: str) -> None:
    p = load_profile(name)
    click.echo(f"name:        {p.name}  ({p.source})")
    click.echo(f"description: {p.description(_lang())}")
    click.echo(f"signing:     {p.level}, {p.digest}, RSA padding {p.rsa_padding.value}")
    click.echo(f"pkcs11:      {p.pkcs11_module or '(discovery)'}")
    click.echo(f"policy:      digests {', '.join(p.policy.digests)}; RSA >= {p.policy.min_rsa_bits}"
               f"; curves {', '.join(p.policy.ec_curves)}; revocation {p.policy.revocation}")
    for pin in p.pins:
        click.echo(f"trust pin:   {pin.name}  sha256={pin.sha256}")
