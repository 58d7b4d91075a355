"""``signkit token list|show``: what is plugged in, and what it can sign with."""

from __future__ import annotations

from pathlib import Path

import click

from signkit.errors import TokenError
from signkit.tokens import PinState, Pkcs11Module, scan_modules

from .errors import EXIT_TOKEN, echo, fail, handle_errors
from .i18n import has_text, say
from .pins import secret_source
from .session import login_with_confirmation

_FLAG_TEXT = {
    "login_required": "login required",
    "protected_authentication_path": "PIN pad",
    "pin_count_low": "PIN count low",
    "pin_final_try": "FINAL TRY",
    "pin_locked": "LOCKED",
    "pin_to_be_changed": "PIN must be changed",
}


def describe_flags(state: PinState) -> str:
    return ", ".join(_FLAG_TEXT[n] for n in state.names()) or "-"


@click.group()
def token() -> None:
    """List tokens and show their keys and certificates."""


@token.command("list")
@click.option("--module", help="PKCS#11 module (default: $SIGNKIT_PKCS11_MODULE, else every "
              "known module: Bit4id, SafeNet, FPT-CA, OpenSC, SoftHSM2).")
@handle_errors
def list_cmd(module: str | None) -> None:
    """Every slot with a token, in every known module that is installed (or the one named):
    label, maker, model, serial and PIN state. Exit 4 when no module has a token."""
    scans = scan_modules(module)
    found = [scan for scan in scans if any(t.initialized for t in scan.tokens)]
    for scan in found:
        echo(f"module: {scan.path}")
        for t in scan.tokens:
            if not t.initialized:
                echo(f"slot {t.slot}: (blank, not initialised)")
                continue
            echo(
                f"slot {t.slot}: {t.label!r}  maker={t.manufacturer}  model={t.model}  "
                f"serial={t.serial}  flags: {describe_flags(t.pin)}"
            )
    if found:
        return
    if len(scans) == 1:
        fail(say("no_tokens", module=scans[0].path), EXIT_TOKEN)
    searched = [scan.path if scan.error is None else
                say("module_unusable", path=scan.path, detail=_detail(scan.error))
                for scan in scans]
    fail(say("no_token_anywhere", modules=", ".join(searched)), EXIT_TOKEN)


def _detail(error: TokenError) -> str:
    detail = getattr(error, "detail", None)
    if detail is None:
        return str(error)
    return say(detail) if has_text(detail) else detail


@token.command("show")
@click.option("--module", help="PKCS#11 module path.")
@click.option("--token", "token_label", help="Token label (needed when several are present).")
@click.option("--pin-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the PIN (else $SIGNKIT_PIN or a prompt).")
@click.option("--yes", is_flag=True, help="Accept a token at its final PIN try without asking.")
@handle_errors
def show_cmd(module: str | None, token_label: str | None, pin_file: Path | None,
             yes: bool) -> None:
    """Log in and list keys and certificates, marking those that can sign."""
    with Pkcs11Module.discover(module) as mod:
        info = mod.find_token(token_label)
        pin = secret_source(pin_file, say("pin_prompt", label=info.label))
        with login_with_confirmation(mod, info, pin, yes) as session:
            echo(f"token {info.label!r} ({info.manufacturer} {info.model}, "
                       f"serial {info.serial}) in {mod.path}")
            echo(f"mechanisms: {len(session.mechanisms)}")
            keys = session.keys()
            if not keys:
                echo("no private keys")
            for k in keys:
                mark = "CAN SIGN" if k.can_sign else f"cannot sign: {k.problem}"
                echo(f"key {k.label!r} id={k.id_hex} {k.key_type}-{k.key_size}"
                           f"{' always-authenticate' if k.always_authenticate else ''}: {mark}")
                if k.certificate:
                    c = k.certificate
                    echo(f"  subject:  {c.subject}\n  issuer:   {c.issuer}\n"
                               f"  valid:    {c.not_before:%Y-%m-%d} .. {c.not_after:%Y-%m-%d}\n"
                               f"  usage:    {', '.join(c.key_usage) or '(no key usage)'}")
            others = [c for c in session.certificates()
                      if c.sha256 not in {k.certificate.sha256 for k in keys if k.certificate}]
            for c in others:
                echo(f"certificate {c.common_name!r} (issuer {c.issuer}), no key")
