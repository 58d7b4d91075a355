"""Options several commands share, spelled once, so that one word means one thing everywhere:
where results go (-o/--out-dir/--in-place), the time-stamping service, trust, revocation,
the report format, moments in time (``--at``); the global ``-v`` and ``--lang``, accepted
after the subcommand too; and the profile's trust anchors and the TSA credentials as the
commands resolve them.

The in-place rule (one for ``timestamp``, ``ltv add`` and ``ltv refresh``): these commands
only append an incremental update to a signed PDF, so without ``-o`` or ``--out-dir`` each
input is updated in place, atomically (``--in-place`` says so explicitly). ``sign`` never
writes over its input: it needs ``-o`` or ``--out-dir``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from .pins import read_secret_file

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json", "csv", "html")

IN_PLACE_RULE = (
    "timestamp, ltv add and ltv refresh only append to a signed PDF: without -o or "
    "--out-dir each input is updated in place, atomically (--in-place says so explicitly)."
)


def _apply(options: list[Callable[[F], F]], func: F) -> F:
    for option in reversed(options):
        func = option(func)
    return func


# --- types -----------------------------------------------------------------------------------

class IsoMoment(click.ParamType):
    """An ISO 8601 moment (``2026-11-28T10:00:00+07:00``, ``2026-11-28``, a trailing ``Z``);
    without a zone it is UTC. The value is an aware ``datetime``."""

    name = "ISO8601"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except ValueError:
                self.fail(f"{value!r} is not a moment: use ISO 8601, e.g. "
                          "2026-11-28T10:00:00+07:00", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


ISO_MOMENT = IsoMoment()


# --- global options, after the subcommand too ---------------------------------------------------

def _late_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        from .errors import configure_logging

        _root_settings(ctx)["verbose"] = True
        configure_logging(verbose=True)


def _late_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        _root_settings(ctx)["lang"] = value


def _root_settings(ctx: click.Context) -> dict[str, Any]:
    """The settings the ``signkit`` group keeps in its context (made here when a command
    runs on its own, as tests may do)."""
    root = ctx.find_root()
    if not isinstance(root.obj, dict):
        root.obj = {}
    return root.obj


VERBOSE_HELP = "More detail; tracebacks on internal errors."
LANG_HELP = ("Language of messages (vi: tiếng Việt); by default the locale's (LC_ALL, "
             "LC_MESSAGES or LANG starting with vi: Vietnamese, else English).")


def lang_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language of messages when ``--lang`` is not given: "vi" when the locale that
    decides messages (the first set of LC_ALL, LC_MESSAGES, LANG, as POSIX orders them)
    is Vietnamese (``vi_VN.UTF-8``, ``vi``), else "en"."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"
GLOBAL_PARAM_NAMES = frozenset({"verbose", "lang"})


def global_params() -> list[click.Parameter]:
    """``-v`` and ``--lang`` for a subcommand: the same meaning as before it
    (``signkit verify x.pdf --lang vi`` is ``signkit --lang vi verify x.pdf``). Eager, so that
    the other options' checks already speak the chosen language."""
    return [
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, is_eager=True,
                     callback=_late_verbose, help=VERBOSE_HELP),
        click.Option(["--lang"], type=click.Choice(["en", "vi"]), default=None,
                     expose_value=False, is_eager=True, callback=_late_lang, help=LANG_HELP),
    ]


def add_global_options(command: click.Command) -> None:
    """Give every command under ``command`` (a group) the global options."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_options(sub)
        return
    names = {p.name for p in command.params}
    command.params.extend(p for p in global_params() if p.name not in names)


# --- where results go ---------------------------------------------------------------------------

def _output_params(*, in_place: bool) -> list[Callable[[F], F]]:
    params: list[Callable[[F], F]] = [
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Output file (one input only)."),
        click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Output folder (any number of inputs; created if missing)."),
    ]
    if in_place:
        params.append(click.option(
            "--in-place", is_flag=True,
            help="Replace each input atomically (the old file stays whole until the new one "
                 "is complete); the default without -o or --out-dir."))
    params += [
        click.option("--recursive", is_flag=True, help="Walk folders given as INPUT."),
        click.option("--overwrite", is_flag=True, help="Replace existing output files."),
        click.option("--on-error", type=click.Choice(["continue", "stop"]), default="continue",
                     show_default=True, help="After a file fails: go on, or stop the batch."),
    ]
    return params


def output_options(func: F) -> F:
    """-o/--output, --out-dir, --in-place, --recursive, --overwrite, --on-error (the
    archive commands; see ``IN_PLACE_RULE``)."""
    return _apply(_output_params(in_place=True), func)


def sign_output_options(func: F) -> F:
    """-o/--output, --out-dir, --recursive, --overwrite, --on-error: ``sign`` never writes
    over its input."""
    return _apply(_output_params(in_place=False), func)


# --- services and trust ---------------------------------------------------------------------------

def tsa_options(func: F) -> F:
    """--tsa, --tsa-timeout, --tsa-retries, --tsa-hash, --tsa-token-file."""
    return _apply([
        click.option("--tsa", "tsa_url", metavar="URL",
                     help="RFC 3161 time-stamping service, http:// or https:// (default: the "
                          "profile's). Credentials: $SIGNKIT_TSA_USER/$SIGNKIT_TSA_PASSWORD, "
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
                     path_type=Path),
                     help="Extra trust anchor (PEM/DER), added to the profile's; repeatable."),
        click.option("--other-certs", multiple=True, type=click.Path(
                     exists=True, dir_okay=False, path_type=Path),
                     help="Extra intermediate certificates (PEM/DER); repeatable."),
    ], func)


def revocation_options(func: F) -> F:
    """--revocation-timeout (``--timeout`` is its older spelling on verify and audit run)."""
    return _revocation_timeout(func, legacy=False)


def _revocation_timeout(func: F, *, legacy: bool) -> F:
    names = ["--revocation-timeout", "--timeout"] if legacy else ["--revocation-timeout"]
    return click.option(*names, "revocation_timeout", type=click.FloatRange(min=0.1),
                        default=10.0, show_default=True,
                        help="Seconds to wait per OCSP/CRL request.")(func)


def verification_options(func: F) -> F:
    """What verification checks against: the trust options, --crl, --offline, --at,
    --strict-modifications, --revocation-timeout (verify, audit run)."""
    func = _revocation_timeout(func, legacy=True)
    func = _apply([
        click.option("--crl", "crls", multiple=True, type=click.Path(
                     exists=True, dir_okay=False, path_type=Path),
                     help="Local CRL file, used offline too; repeatable."),
        click.option("--offline", is_flag=True,
                     help="Fetch nothing: embedded data and --crl only; a certificate that names "
                          "an OCSP responder or CRL needs that data there, else INDETERMINATE."),
        click.option("--at", "at", type=ISO_MOMENT,
                     help="Validation time (ISO 8601); default now. Timestamps in the file "
                          "still prove when a signature existed."),
        click.option("--strict-modifications", is_flag=True,
                     help="Form filling after an approval signature fails too (auditor "
                          "policy)."),
    ], func)
    return trust_options(func)


# --- reports ------------------------------------------------------------------------------------

def format_option(*choices: str, help: str | None = None) -> Callable[[F], F]:  # noqa: A002
    """``--format`` with ``choices`` (default all four: text, json, csv, html)."""
    choices = choices or FORMATS
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default="text",
                        show_default=True,
                        help=help or "Report format: " + ", ".join(choices) + ".")


def progress_option(func: F) -> F:
    return click.option("--no-progress", is_flag=True, help="No progress bar.")(func)


def report_options(func: F) -> F:
    """--format text|json|csv|html, --no-progress (per-file results on stdout)."""
    return _apply([
        format_option(help="Per-file report on stdout: a table (text), JSON, CSV, or an "
                           "HTML page."),
        progress_option,
    ], func)


def report_file_options(func: F) -> F:
    """--format text|json|csv|html and -o FILE (verification reports)."""
    return _apply([
        format_option(help="Report format: a table (text), JSON, CSV, or an HTML page."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report to FILE (atomically) instead of stdout."),
    ], func)


# --- resolving what the options name --------------------------------------------------------------

def profile_anchors(profile) -> tuple[Path, ...]:
    """The profile's anchor files and those an administrator installed for it (each must
    match the profile's pins, as verification insists)."""
    from signkit.certs import profile_anchor_files

    return profile_anchor_files(profile)


def check_tsa_url(url: str | None, param_hint: str = "--tsa") -> None:
    """A TSA is reached over HTTP: anything else is a usage error before any work."""
    if url is None:
        return
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        from .i18n import say

        raise click.BadParameter(say("bad_tsa_url", url=url), param_hint=param_hint)


def tsa_auth(token_file: Path | None):
    """TSA credentials: --tsa-token-file, else $SIGNKIT_TSA_TOKEN, else
    $SIGNKIT_TSA_USER with $SIGNKIT_TSA_PASSWORD; none at all is fine."""
    from signkit.signing import TsaAuth

    if token_file is not None:
        return TsaAuth.bearer(read_secret_file(token_file, "--tsa-token-file",
                                               what="what_token"))
    if os.environ.get("SIGNKIT_TSA_TOKEN"):
        return TsaAuth.bearer(os.environ["SIGNKIT_TSA_TOKEN"])
    user = os.environ.get("SIGNKIT_TSA_USER")
    if user:
        password = os.environ.get("SIGNKIT_TSA_PASSWORD")
        if password is None:
            raise click.UsageError("SIGNKIT_TSA_USER is set but SIGNKIT_TSA_PASSWORD is not")
        return TsaAuth.basic(user, password)
    return None


class GlobalOptionsGroup(click.Group):
    """The ``signkit`` group: each subcommand, when resolved, also accepts ``-v`` and
    ``--lang`` (commands added later, by any module, included)."""

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            add_global_options(command)
        return name, command, rest
