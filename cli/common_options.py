"""Options and helpers several commands share, spelled once: the output choice
(-o/--out-dir/--in-place), the time-stamping service, trust, the report format; and the
profile's trust anchors and the TSA credentials as the commands resolve them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .pins import read_secret_file

F = TypeVar("F", bound=Callable[..., Any])


def _apply(options: list[Callable[[F], F]], func: F) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def output_options(func: F) -> F:
    """-o/--output, --out-dir, --in-place, --recursive, --overwrite, --on-error."""
    return _apply([
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Output file (one input only)."),
        click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Output folder (any number of inputs; created if missing)."),
        click.option("--in-place", is_flag=True,
                     help="Replace each input atomically (the old file stays whole until the "
                          "new one is complete)."),
        click.option("--recursive", is_flag=True, help="Walk folders given as INPUT."),
        click.option("--overwrite", is_flag=True, help="Replace existing output files."),
        click.option("--on-error", type=click.Choice(["continue", "stop"]), default="continue",
                     show_default=True, help="After a file fails: go on, or stop the batch."),
    ], func)


def tsa_options(func: F) -> F:
    """--tsa, --tsa-timeout, --tsa-retries, --tsa-hash, --tsa-token-file."""
    return _apply([
        click.option("--tsa", "tsa_url", metavar="URL",
                     help="RFC 3161 time-stamping service (default: the profile's). "
                          "Credentials: $SIGNKIT_TSA_USER/$SIGNKIT_TSA_PASSWORD, "
                          "$SIGNKIT_TSA_TOKEN or --tsa-token-file."),
        click.option("--tsa-timeout", type=click.FloatRange(min=0.1), default=10.0,
                     show_default=True, help="Seconds to wait for the TSA per request."),
        click.option("--tsa-retries", type=click.IntRange(min=0), default=2, show_default=True,
                     help="Retries, with backoff, after a connection error or HTTP 5xx from "
                          "the TSA (never after 4xx)."),
        click.option("--tsa-hash", "tsa_digest",
                     type=click.Choice(["sha256", "sha384", "sha512"]), default=None,
                     help="Hash algorithm of the timestamps' message imprint (default: the "
                          "profile's signing.tsa_digest, else the signature's or its digest)."),
        click.option("--tsa-token-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="File holding a bearer token for the TSA."),
    ], func)


def trust_options(func: F) -> F:
    """--profile, --trust, --other-certs."""
    return _apply([
        click.option("--profile", "profile_name", default="default", show_default=True,
                     help="Trust and policy profile (name or .toml path)."),
        click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False,
                     path_type=Path), help="Extra trust anchor (repeatable); used to check "
                     "the TSA and to build the chains put in the DSS."),
        click.option("--other-certs", multiple=True, type=click.Path(
                     exists=True, dir_okay=False, path_type=Path),
                     help="Extra intermediate certificates (repeatable)."),
    ], func)


def revocation_options(func: F) -> F:
    """--revocation-timeout."""
    return click.option("--revocation-timeout", type=click.FloatRange(min=0.1), default=10.0,
                        show_default=True,
                        help="Seconds to wait per OCSP/CRL request (B-LT, B-LTA).")(func)


def report_options(func: F) -> F:
    """--format text|json, --no-progress."""
    return _apply([
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="Per-file report: a table, or JSON."),
        click.option("--no-progress", is_flag=True, help="No progress bar."),
    ], func)


def parse_moment(value: str | None, param_hint: str) -> dt.datetime | None:
    """An ISO 8601 option value; without a zone it is UTC."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-28T10:00:00+07:00",
                                 param_hint=param_hint) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def profile_anchors(profile) -> tuple[Path, ...]:
    """The profile's anchor files and those an administrator installed for it (each must
    match the profile's pins, as verification insists)."""
    from signkit.certs import profile_anchor_files

    return profile_anchor_files(profile)


def tsa_auth(token_file: Path | None):
    """TSA credentials: --tsa-token-file, else $SIGNKIT_TSA_TOKEN, else
    $SIGNKIT_TSA_USER with $SIGNKIT_TSA_PASSWORD; none at all is fine."""
    from signkit.signing import TsaAuth

    if token_file is not None:
        return TsaAuth.bearer(read_secret_file(token_file, "--tsa-token-file"))
    if os.environ.get("SIGNKIT_TSA_TOKEN"):
        return TsaAuth.bearer(os.environ["SIGNKIT_TSA_TOKEN"])
    user = os.environ.get("SIGNKIT_TSA_USER")
    if user:
        password = os.environ.get("SIGNKIT_TSA_PASSWORD")
        if password is None:
            raise click.UsageError("SIGNKIT_TSA_USER is set but SIGNKIT_TSA_PASSWORD is not")
        return TsaAuth.basic(user, password)
    return None
