"""``signkit remote list|show``: the credentials (CSC) or certificates (SmartCA) of a remote
signing account, with validity and key information. Secrets as for `sign --remote`."""

from __future__ import annotations

from pathlib import Path

import click

from signkit import load_profile
from signkit.report import json_text

from .errors import echo, handle_errors
from .i18n import current_lang
from .remote_options import RemoteRequest, csc_auth, service_url, smartca_secrets


def _options(func):
    for option in reversed([
        click.option("--remote", "service", type=click.Choice(["csc", "smartca"]),
                     required=True, help="The kind of remote signing service."),
        click.option("--service", "url", metavar="URL",
                     help="The service's base URL (default: the profile's)."),
        click.option("--credential", metavar="ID", help="CSC credential ID (show)."),
        click.option("--user-id", metavar="ID", help="SmartCA user id (the CCCD)."),
        click.option("--profile", "profile_name", default="default", show_default=True,
                     help="Profile giving the default service URLs."),
        click.option("--remote-secrets-file", "secrets_file",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="TOML file with [csc] or [smartca] secrets."),
        click.option("--json", "as_json", is_flag=True, help="JSON instead of text."),
    ]):
        func = option(func)
    return func


@click.group()
def remote() -> None:
    """Remote signing accounts (CSC API v2, VNPT SmartCA)."""


def _records(service: str, url: str | None, credential: str | None, user_id: str | None,
             profile_name: str, secrets_file: Path | None) -> list[dict]:
    from signkit.remote import list_csc_credentials, list_smartca_certificates

    request = RemoteRequest(service, url, credential, user_id, 300.0, secrets_file)
    base = service_url(request, load_profile(profile_name))
    if service == "csc":
        auth = csc_auth(secrets_file)
        found = list_csc_credentials(base, auth=auth)
        if credential:
            found = [c for c in found if c.credential_id == credential]
        return [{"credential": c.credential_id, **_facts(c.facts),
                 "certificate_status": c.cert_status, "key_status": c.key_status,
                 "key": _key(c.certificate), "auth_mode": c.auth_mode,
                 "pin": c.needs_pin, "otp": c.needs_otp, "multisign": c.multisign,
                 "description": c.description} for c in found]
    if not user_id:
        raise click.UsageError("--remote smartca needs --user-id ID")
    sp_id, sp_password = smartca_secrets(secrets_file)
    found = list_smartca_certificates(base, sp_id=sp_id, sp_password=sp_password,
                                      user_id=user_id)
    return [{"serial_number": c.serial_number, **_facts(c.facts),
             "certificate_status": c.status, "key": _key(c.certificate),
             "service_type": c.service_type, "cert_id": c.cert_id} for c in found]


def _facts(facts) -> dict:
    return {"subject": facts.subject, "common_name": facts.common_name,
            "issuer": facts.issuer, "not_before": facts.not_before.isoformat(),
            "not_after": facts.not_after.isoformat(), "sha256": facts.sha256}


def _key(cert) -> str:
    from signkit.tokens.base import public_key_shape

    kind, size = public_key_shape(cert)
    return f"{kind.value} {size}"


def _print(records: list[dict], as_json: bool, detail: bool) -> None:
    if as_json:
        click.echo(json_text(records))
        return
    vietnamese = current_lang() == "vi"
    if not records:
        echo("không tìm thấy chứng thư số nào" if vietnamese
             else "no credential or certificate found", err=True)
    for r in records:
        name = r.get("credential") or r.get("serial_number")
        valid = "hiệu lực" if vietnamese else "valid"
        echo(f"{name}: {r['common_name']} ({r['key']}), {r['certificate_status'] or '?'}, "
             f"{valid} {r['not_before'][:10]} – {r['not_after'][:10]}")
        if detail:
            for field in ("subject", "issuer", "sha256", "key_status", "auth_mode", "pin",
                          "otp", "multisign", "service_type", "cert_id", "description"):
                if r.get(field) not in (None, ""):
                    echo(f"  {field}: {r[field]}")


@remote.command("list")
@_options
@handle_errors
def list_cmd(service: str, url: str | None, credential: str | None, user_id: str | None,
             profile_name: str, secrets_file: Path | None, as_json: bool) -> None:
    """The account's credentials (CSC) or certificates (SmartCA)."""
    _print(_records(service, url, None, user_id, profile_name, secrets_file), as_json, False)


@remote.command("show")
@_options
@handle_errors
def show_cmd(service: str, url: str | None, credential: str | None, user_id: str | None,
             profile_name: str, secrets_file: Path | None, as_json: bool) -> None:
    """One credential (--credential) or the user's certificates, in detail."""
    if service == "csc" and not credential:
        raise click.UsageError("remote show --remote csc needs --credential ID")
    records = _records(service, url, credential, user_id, profile_name, secrets_file)
    if service == "csc" and not records:
        raise click.UsageError(f"no credential {credential!r} in this account")
    _print(records, as_json, True)
