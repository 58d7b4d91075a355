"""Opening the signing key for a command: token selection, PIN, final-try confirmation."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from signkit.errors import PinFinalTryError
from signkit.tokens import Pkcs11Module, Pkcs11Session, SigningKey, TokenInfo, open_pkcs12

from . import pins
from .i18n import say
from .pins import secret_source


def login_with_confirmation(
    module: Pkcs11Module, info: TokenInfo, pin: Callable[[], str], yes: bool
) -> Pkcs11Session:
    """Log in; at a token's final PIN try ask first (or accept with --yes)."""
    try:
        return module.login(info, pin=pin, confirm_final_try=yes)
    except PinFinalTryError:
        asker = pins.prompter  # looked up now, so tests can replace it
        if not asker.interactive() or not asker.confirm(say("final_try", label=info.label)):
            raise
        return module.login(info, pin=pin, confirm_final_try=True)


@contextlib.contextmanager
def signing_key(
    *,
    pkcs12: Path | None,
    module: str | None,
    token_label: str | None,
    key_label: str | None,
    key_id: str | None,
    pin_file: Path | None,
    yes: bool,
    profile_module: str | None,
    seal: bool = False,
    remote=None,
    profile=None,
) -> Iterator[SigningKey]:
    """The key the user chose (a token unless ``pkcs12``), logged in once per command;
    with ``seal``, the organisation's key of `sign --then-seal` (its own secret sources)."""
    env_name = pins.ENV_SEAL_PIN if seal else pins.ENV_PIN
    if remote is not None:  # --remote csc|smartca: a key in a signing service's HSM
        if pkcs12 is not None or token_label or key_label or key_id:
            raise click.UsageError("--remote replaces the token or PKCS#12 key options")
        from .remote_options import open_remote_key

        with open_remote_key(remote, profile=profile, pin_file=pin_file) as key:
            yield key
        return
    if pkcs12 is not None:
        prompt = say("seal_p12_prompt" if seal else "p12_prompt", file=pkcs12)
        password = secret_source(pin_file, prompt, env_name=env_name, pkcs12=pkcs12)
        with open_pkcs12(pkcs12, password=password()) as key:
            yield key
        return
    with Pkcs11Module.discover(module, profile_module) as mod:
        info = mod.find_token(token_label)
        prompt = say("seal_pin_prompt" if seal else "pin_prompt", label=info.label)
        pin = secret_source(pin_file, prompt, env_name=env_name)
        with login_with_confirmation(mod, info, pin, yes) as session:
            yield session.signing_key(key_label=key_label, key_id=key_id)
