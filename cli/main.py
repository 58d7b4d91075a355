"""The ``signkit`` command group. Each command lives in its own module."""
# ruff: noqa: E402  (large inputs start hashing before the imports: see below)

from __future__ import annotations

import os
import sys

from .. import _prehash


def _hash_large_inputs_early(argv: list[str]) -> None:
    """``signkit verify big.pdf``: hash the large PDFs named on the command line while the
    imports below run (signkit._prehash). The verifier uses a pass only for the very file
    it opens, so a wrong guess here costs time, never a wrong verdict."""
    if argv and os.path.basename(argv[0]) == "signkit" and "verify" in argv[1:]:
        after = argv[argv.index("verify") + 1:]
        _prehash.start(a for a in after if a.lower().endswith(".pdf"))


_hash_large_inputs_early(sys.argv)

import click

import signkit

from .audit_cmd import audit
from .common_options import LANG_HELP, VERBOSE_HELP, GlobalOptionsGroup, lang_from_environment
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
        signkit.enable_fast_pdf_parsing()  # process-wide, which is the CLI's to decide


cli.add_command(token)
cli.add_command(sign)
cli.add_command(verify)
cli.add_command(profile)
cli.add_command(demo)
cli.add_command(timestamp)
cli.add_command(ltv)
cli.add_command(audit)
cli.add_command(remote)
