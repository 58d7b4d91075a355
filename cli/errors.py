"""Turning signkit's exceptions into one readable line and a documented exit code."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from signkit.errors import ProfileError, SigningError, SignkitError, TokenError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_INDETERMINATE = 3
EXIT_TOKEN = 4

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> None:
    click.echo(f"signkit: {message}", err=True)
    sys.exit(code)


def exit_code_for(error: SignkitError) -> int:
    if isinstance(error, TokenError):
        return EXIT_TOKEN
    if isinstance(error, ProfileError | SigningError):
        return EXIT_USAGE
    return EXIT_SOME_FAILED


def handle_errors(func: F) -> F:
    """No traceback reaches a clerk: known errors get their message and exit code, anything
    else one line (the traceback only with -v)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SignkitError as e:
            fail(str(e), exit_code_for(e))
        except (click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:
            # the reader of our output went away (`signkit ... | head`): not an error to report
            sys.stderr.close()
            sys.exit(EXIT_SOME_FAILED)
        except Exception as e:  # noqa: BLE001 - the last line of defence for users
            ctx = click.get_current_context(silent=True)
            if ctx is not None and (ctx.find_root().obj or {}).get("verbose"):
                traceback.print_exc()
            fail(f"internal error: {type(e).__name__}: {e} (run with -v for details)",
                 EXIT_SOME_FAILED)

    return wrapper  # type: ignore[return-value]
