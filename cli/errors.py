"""Turning signkit's exceptions into one readable line and a documented exit code, and keeping
tracebacks (ours and pyHanko's log records) off the terminal unless -v asks for them."""

from __future__ import annotations

import errno
import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from signkit.error_messages import kind_of, said
from signkit.errors import (
    ChainUntrustedError,
    EncryptedInputError,
    KeyAmbiguousError,
    KeyNotFoundError,
    NoTsaError,
    OutputExistsError,
    PinFinalTryError,
    Pkcs11ModuleLoadError,
    Pkcs11ModuleNotFoundError,
    ProfileError,
    SigningError,
    SignkitError,
    TimestampUntrustedError,
    TokenAmbiguousError,
    TokenError,
)
from signkit.report import Message, printable

from .i18n import Said, current_lang, has_text, say

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_INDETERMINATE = 3
EXIT_TOKEN = 4
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)

F = TypeVar("F", bound=Callable[..., Any])

# errors that can only come from writing: a full disk is the user's to fix, not a bug of ours
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})
_PLAIN_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be too large",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "the folder does not exist",
    errno.EISDIR: "it is a folder",
}


def echo(text: str = "", **kwargs: Any) -> None:
    """``click.echo`` for text that may carry names from documents, tokens or the file
    system: control and bidi characters are shown as ``\\uXXXX``, line breaks kept."""
    click.echo("\n".join(printable(line) for line in text.split("\n")), **kwargs)


def fail(message: str, code: int) -> None:
    echo(f"signkit: {message}", err=True)
    sys.exit(code)


def exit_code_for(error: SignkitError) -> int:
    if isinstance(error, TokenError):
        return EXIT_TOKEN
    if isinstance(error, ProfileError | SigningError):
        return EXIT_USAGE
    return EXIT_SOME_FAILED


# --- what the user reads: the library's facts, with this command's options --------------------

def render(error: SignkitError) -> str:
    """The message for ``error``: the library states facts (a path, the labels a token has);
    the command line adds the options that act on them (``--module``, ``--key-label``,
    ``--overwrite``), in the language of ``--lang``."""
    for cls in type(error).__mro__:
        renderer = _RENDERERS.get(cls)
        if renderer is not None:
            return renderer(error)
    if isinstance(error.reason, Said):  # raised by this command, already in its language
        return f"{error}{hint_for(error.code)}"
    return f"{error.text(current_lang())}{hint_for(error.code)}"


def said_error(message: str | None, error_code: str | None) -> str:
    """A per-file error (``SignResult.error``, ``LtvResult.error``) in the command's
    language: a message with its code says itself; plain English is framed by the kind of
    its ``error_code`` and kept as technical detail."""
    if not message:
        return ""
    lang = current_lang()
    if isinstance(message, Message):
        return message.text(lang)
    if lang == "en":
        return message
    return said("kind_with_detail", kind=kind_of(error_code), detail=message).text(lang)


def hint_for(error_code: str | None) -> str:
    """The option that acts on a per-file error of this code, as a suffix ("" if none)."""
    hint = _HINTS.get(error_code or "")
    return f" ({say(hint)})" if hint else ""


def _module_missing(e: Pkcs11ModuleNotFoundError) -> str:
    if e.explicit is not None:
        return say("module_missing", path=e.explicit)
    return say("no_module", tried=", ".join(e.paths_tried) or "-")


def _module_unloadable(e: Pkcs11ModuleLoadError) -> str:
    detail = say(e.detail) if has_text(e.detail) else e.detail
    return say("module_unloadable", path=e.path, detail=detail)


def _key_not_found(e: KeyNotFoundError) -> str:
    labels = ", ".join(repr(label) for label in e.labels) or say("none")
    if e.key_label is not None:
        return say("key_label_not_found", label=e.key_label, token=e.token_label,
                   labels=labels)
    if e.key_id is not None:
        return say("key_id_not_found", key_id=e.key_id, token=e.token_label,
                   labels="\n  " + "\n  ".join(e.candidates) if e.candidates else labels)
    return e.text(current_lang())


_RENDERERS: dict[type, Callable[[Any], str]] = {
    Pkcs11ModuleNotFoundError: _module_missing,
    Pkcs11ModuleLoadError: _module_unloadable,
    KeyNotFoundError: _key_not_found,
    KeyAmbiguousError: lambda e: f"{e.text(current_lang())} ({say('choose_key')})",
    TokenAmbiguousError: lambda e: f"{e.text(current_lang())} ({say('choose_token')})",
    PinFinalTryError: lambda e: f"{e.text(current_lang())} ({say('hint_yes')})",
}

_HINTS = {
    OutputExistsError.code: "hint_overwrite",
    TimestampUntrustedError.code: "hint_trust_tsa",
    ChainUntrustedError.code: "hint_trust",
    EncryptedInputError.code: "hint_pdf_password",
    NoTsaError.code: "hint_tsa",
}


def plain_reason(error: OSError) -> str:
    """Why the file system refused, in the command's language where signkit knows it."""
    reason = _PLAIN_REASONS.get(error.errno or 0)
    if reason is not None and has_text(reason):
        return say(reason)
    return reason or error.strerror or str(error)


def handle_errors(func: F) -> F:
    """No traceback reaches a clerk: known errors get their message and exit code, anything
    else one line (the traceback only with -v)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
        except SignkitError as e:
            fail(render(e), exit_code_for(e))
        except SystemExit:
            _flush_stdout()  # a report on stdout that cannot be written is an error too
            raise
        except (click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            fail(say("interrupted_short"), EXIT_INTERRUPTED)
        except BrokenPipeError:
            # the reader of our output went away (`signkit ... | head`): not an error to report
            sys.stderr.close()
            sys.exit(EXIT_SOME_FAILED)
        except OSError as e:
            if e.errno not in _WRITE_ERRNOS:
                _internal_error(e)
            _silence_stdout()
            fail(say("cannot_write_output", reason=plain_reason(e)), EXIT_USAGE)
        except Exception as e:  # noqa: BLE001 - the last line of defence for users
            _internal_error(e)
        _flush_stdout()
        return result

    return wrapper  # type: ignore[return-value]


def _internal_error(error: Exception) -> None:
    if _verbose():
        traceback.print_exc()
    fail(say("internal_error", detail=f"{type(error).__name__}: {error}"), EXIT_SOME_FAILED)


def _verbose() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and (ctx.find_root().obj or {}).get("verbose"))


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        _silence_stdout()
        fail(say("cannot_write_output", reason=plain_reason(e)), EXIT_USAGE)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit does not fail again
    (and print a traceback of its own)."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):
        return  # not a real file (tests capture it): nothing will flush at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


# --- log records (pyHanko's and any other library's) -----------------------------------------

class _TerminalLogHandler(logging.Handler):
    """Log records on stderr, through click (so they go wherever stderr is now). At normal
    verbosity only errors, as one line; pyHanko logs the failures signkit then explains
    itself (an untrusted TSA, say) as warnings with a traceback attached. With -v, warnings
    too, tracebacks included."""

    def __init__(self, verbose: bool) -> None:
        super().__init__(logging.WARNING if verbose else logging.ERROR)
        self.verbose = verbose

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.verbose:
                text = logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)
            else:
                lines = record.getMessage().strip().splitlines() or [""]
                text = f"signkit: {record.levelname.lower()}: {lines[0]}"
            echo(text, err=True)
        except Exception:  # noqa: BLE001, S110 - a log line must never end a command
            pass


def configure_logging(*, verbose: bool) -> None:
    """Route every log record through one terminal handler (replacing Python's fallback,
    which prints tracebacks); called once per command, idempotent."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _TerminalLogHandler)]:
        root.removeHandler(handler)
    root.addHandler(_TerminalLogHandler(verbose))
