"""The ``signkit`` command group. Each command lives in its own module."""
# ruff: noqa: E402  (large inputs start hashing before the imports: see below)

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from .. import _deferred_aiohttp, _dependency_warnings, _prehash


@contextmanager
def _imports_without_gc() -> Iterator[None]:
    """Import without the cyclic garbage collector, then freeze what was imported.

    Importing pyHanko, cryptography and aiohttp creates some hundred thousand objects, none
    of them garbage, and the collector walks them all again and again while they are made
    (about 50 ms of a run). Frozen, they are out of every later collection too (and forked
    workers do not touch their pages)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _prepare(argv: list[str]) -> None:
    """``signkit verify big.pdf``: hash the large PDFs named on the command line while the
    imports below run (signkit._prehash). ``verify`` and ``sign``: keep aiohttp out of the
    imports (signkit._deferred_aiohttp); verification fetches without it, and signing needs
    it only for a timestamp or revocation data, which import it when they start. The
    verifier uses a pass only for the very file it opens, and a deferred module loads when
    first used, so a wrong guess here costs time, never a wrong result."""
    if not argv or os.path.basename(argv[0]) != "signkit":
        return
    args = argv[1:]
    if "verify" in args:
        after = args[args.index("verify") + 1:]
        _prehash.start(a for a in after if a.lower().endswith(".pdf"))
    if "verify" in args or "sign" in args:
        _deferred_aiohttp.defer()


_dependency_warnings.hide()
_prepare(sys.argv)

with _imports_without_gc():
    import click

    import signkit

    from .audit_cmd import audit
    from .common_options import (
        LANG_HELP,
        VERBOSE_HELP,
        GlobalOptionsGroup,
        lang_from_environment,
    )
    from .demo_cmd import demo
    from .errors import configure_logging
    from .ltv_cmds import ltv, timestamp
    from .profile_cmds import profile
    from .remote_cmd import remote
    from .sign_cmd import sign
    from .token_cmds import token
    from .verify_cmd import verify

# the commands that parse PDFs; the others (token, profile) stay free of pyHanko's import time
_PDF_COMMANDS = frozenset({"sign", "verify", "timestamp", "ltv", "demo"})


@click.group(cls=GlobalOptionsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(signkit.__version__, prog_name="signkit")
@click.option("-v", "--verbose", is_flag=True, help=VERBOSE_HELP)
@click.option("--lang", type=click.Choice(["en", "vi"]), default=None,
              help=LANG_HELP + " Also accepted after the subcommand, as is -v.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, lang: str | None) -> None:
    """signkit: sign and check PDF documents with PKCS#11 tokens and PKCS#12 files."""
    ctx.obj = {"verbose": verbose, "lang": lang or lang_from_environment()}
    configure_logging(verbose=verbose)
    if ctx.invoked_subcommand in _PDF_COMMANDS:
        with _imports_without_gc():
            signkit.enable_fast_pdf_parsing()  # process-wide, which is the CLI's to decide
            import pyhanko.sign  # noqa: F401  (the bulk of every PDF command's imports)


cli.add_command(token)
cli.add_command(sign)
cli.add_command(verify)
cli.add_command(profile)
cli.add_command(demo)
cli.add_command(timestamp)
cli.add_command(ltv)
cli.add_command(audit)
cli.add_command(remote)


def main() -> NoReturn:
    """The ``signkit`` console script: run the command, then leave at once.

    Tearing down an interpreter that has imported pyHanko, aiohttp and cryptography takes
    about 0.1 s (it frees every module's objects one by one), longer than signing a small
    document. Once the command has returned and everything it wrote is flushed, the
    process ends with ``os._exit``. If something still runs that needs the normal way out
    (a child process, a non-daemon thread), or flushing fails, it takes the normal way."""
    try:
        cli.main(prog_name="signkit")
    except SystemExit as e:
        code = e.code
    else:
        code = 0
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    _exit_quickly(code or 0)


def _exit_quickly(code: int) -> NoReturn:
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None and multiprocessing.active_children():
        sys.exit(code)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        sys.exit(code)
    logging = sys.modules.get("logging")
    try:
        if logging is not None:
            logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # e.g. a closed pipe: Python's own exit reports it
        sys.exit(code)
    os._exit(code)
