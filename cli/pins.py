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


def read_secret_file(path: Path, param_hint: str = "--pin-file") -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise click.BadParameter(
            f"cannot read {path}: {e.strerror}", param_hint=param_hint
        ) from None
    return text.rstrip("\r\n")


def secret_source(pin_file: Path | None, prompt_text: str, *, env_name: str = ENV_PIN
                  ) -> Callable[[], str]:
    """A callable giving the secret on demand: env, then file, then prompt."""

    def get() -> str:
        env = os.environ.get(env_name)
        if env:
            return env
        if pin_file is not None:
            return read_secret_file(
                pin_file, "--seal-pin-file" if env_name == ENV_SEAL_PIN else "--pin-file")
        if prompter.interactive():
            return prompter.secret(prompt_text)
        raise PinRequiredError(say("no_seal_pin" if env_name == ENV_SEAL_PIN else "no_pin"))

    return get
