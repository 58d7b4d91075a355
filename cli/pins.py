"""Where PINs and passwords come from: SIGNKIT_PIN, --pin-file, or a hidden prompt (for the
organisation's seal key in `sign --then-seal`: SIGNKIT_SEAL_PIN, --seal-pin-file, a prompt).

Never from argv. The value is read lazily, only when the token asks for a login, and is
never echoed, logged or put in a message.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from signkit.errors import PinRequiredError

from .i18n import say

ENV_PIN = "SIGNKIT_PIN"
ENV_SEAL_PIN = "SIGNKIT_SEAL_PIN"


class Prompter:
    """Asks the user; tests replace ``prompter`` to answer without a terminal."""

    def interactive(self) -> bool:
        return sys.stdin.isatty()

    def secret(self, text: str) -> str:
        return click.prompt(text, hide_input=True, err=True)

    def confirm(self, text: str) -> bool:
        return click.confirm(text, default=False, err=True)


prompter = Prompter()


def read_secret_file(path: Path, param_hint: str = "--pin-file", *,
                     what: str = "what_pin") -> str:
    """The secret on the file's first line. An empty file is a usage error saying so (a
    token would answer an empty PIN with a bare CKR_ARGUMENTS_BAD); ``what`` is the i18n
    key of what the file should hold."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise click.BadParameter(
            f"cannot read {path}: {e.strerror}", param_hint=param_hint
        ) from None
    secret = text.rstrip("\r\n")
    if not secret.strip():
        raise click.BadParameter(say("empty_secret_file", file=path, what=say(what)),
                                 param_hint=param_hint)
    return secret


def secret_source(pin_file: Path | None, prompt_text: str, *, env_name: str = ENV_PIN,
                  pkcs12: Path | None = None) -> Callable[[], str]:
    """A callable giving the secret on demand: env, then file, then prompt. With ``pkcs12``
    the secret is that file's password, and messages say "password", not "PIN"."""
    seal = env_name == ENV_SEAL_PIN

    def get() -> str:
        env = os.environ.get(env_name)
        if env:
            return env
        if pin_file is not None:
            return read_secret_file(pin_file, "--seal-pin-file" if seal else "--pin-file",
                                    what="what_password" if pkcs12 else "what_pin")
        if prompter.interactive():
            return prompter.secret(prompt_text)
        if pkcs12 is not None:
            raise PinRequiredError(say("no_seal_p12_password" if seal else "no_p12_password",
                                       file=pkcs12))
        raise PinRequiredError(say("no_seal_pin" if seal else "no_pin"))

    return get
