"""``signkit sign``: sign files and folders with one login."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from signkit import RsaPadding, load_profile
from signkit.errors import SigningError
from signkit.report import json_text, printable

from .appearance_options import (
    PLACEMENT_HINT,
    SealKeyRequest,
    VisibleRequest,
    appearance_options,
    plan_looks,
    seal_key_options,
)
from .common_options import (
    check_tsa_url,
    format_option,
    profile_anchors,
    progress_option,
    revocation_options,
    sign_output_options,
    trust_options,
    tsa_auth,
    tsa_options,
)
from .errors import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_TOKEN,
    EXIT_USAGE,
    fail,
    handle_errors,
    hint_for,
    render,
    said_error,
)
from .help_sections import SectionedCommand
from .i18n import current_lang, say
from .inputs import input_paths
from .pins import read_secret_file
from .record_output import RecordWriter
from .remote_options import RemoteRequest, remote_options
from .session import signing_key

if TYPE_CHECKING:
    from signkit.signing import BatchOutcome, SignResult


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that logout and cleanup run. A BaseException,
    like KeyboardInterrupt, so that no ``except Exception`` in a parser can swallow it."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


SIGN_SECTIONS = (
    ("Key and PIN", ("use_pkcs11", "pkcs12", "module", "token_label", "key_label", "key_id",
                     "pin_file", "yes", "remote", "service", "credential", "user_id",
                     "approval_timeout", "secrets_file")),
    ("Output", ("output", "out_dir", "recursive", "overwrite", "on_error", "fmt", "as_json",
                "no_progress", "pdf_password_file")),
    ("Level, algorithms and time-stamping", (
        "profile_name", "level", "digest", "pss", "tsa_url", "tsa_timeout", "tsa_retries",
        "tsa_digest", "tsa_token_file", "trust", "other_certs", "revocation_timeout")),
    ("Signature", ("certify", "docmdp", "field", "reason", "location", "contact")),
    ("Appearance (visible signature)", (
        "visible", "preset", "page", "rect", "anchor", "anchor_position", "until",
        "over_signature", "signature_image", "seal_image", "seal_size", "seal_info",
        "signer_title", "signer_name", "organisation", "copy_form", "reference", "font",
        "font_size")),
    ("Organisation's seal (--then-seal)", (
        "then_seal", "seal_pkcs12", "seal_pkcs11", "seal_token", "seal_key_label",
        "seal_key_id", "seal_pin_file")),
)


@click.command(cls=SectionedCommand, sections=SIGN_SECTIONS)
@click.argument("inputs", nargs=-1, required=True)
@sign_output_options
@click.option("--pkcs11", "use_pkcs11", is_flag=True, help="Sign with a PKCS#11 token (default).")
@click.option("--pkcs12", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sign with a PKCS#12 (.p12/.pfx) file instead of a token.")
@click.option("--module", help="PKCS#11 module (default: $SIGNKIT_PKCS11_MODULE, profile, "
              "then well-known paths).")
@click.option("--token", "token_label", help="Token label (needed when several are present).")
@click.option("--key-label", help="Label of the signing key on the token.")
@click.option("--key-id", help="CKA_ID of the signing key, in hex.")
@click.option("--pin-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the PIN or PKCS#12 password (else $SIGNKIT_PIN or a prompt).")
@click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default=None,
              help="PAdES baseline level (default: the profile's). B-T adds a timestamp, "
              "B-LT the chains and revocation data, B-LTA a document timestamp.")
@click.option("--digest", type=click.Choice(["sha256", "sha384", "sha512"]), default=None,
              help="Digest algorithm (default: the profile's, sha256).")
@click.option("--pss/--pkcs1v15", "pss", default=None,
              help="RSA padding (default: the profile's; Vietnamese tokens use PKCS#1 v1.5).")
@click.option("--certify", is_flag=True, help="Certification (author) signature.")
@click.option("--docmdp", type=click.Choice(["1", "2", "3"]), default="2", show_default=True,
              help="Changes allowed after certification: 1 none, 2 forms+signing, 3 +annotations.")
@click.option("--field", help="Signature field: an existing empty one, or the name of a new one.")
@click.option("--reason", help="Reason for signing.")
@click.option("--location", help="Place of signing.")
@click.option("--contact", help="Signer's contact information.")
@click.option("--pdf-password-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Password of encrypted input PDFs (else they are refused).")
@click.option("--yes", is_flag=True, help="Accept a token at its final PIN try without asking.")
@format_option(help="Per-file results on stdout: lines (text), one JSON record per line, "
               "CSV, or an HTML page.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@progress_option
@trust_options
@tsa_options
@revocation_options
@appearance_options
@seal_key_options
@remote_options
@handle_errors
def sign(inputs: tuple[str, ...], output: Path | None, out_dir: Path | None, recursive: bool,
         use_pkcs11: bool, pkcs12: Path | None, module: str | None, token_label: str | None,
         key_label: str | None, key_id: str | None, pin_file: Path | None, profile_name: str,
         level: str | None, tsa_url: str | None, tsa_timeout: float, tsa_retries: int,
         tsa_digest: str | None, revocation_timeout: float, tsa_token_file: Path | None,
         trust: tuple[Path, ...], other_certs: tuple[Path, ...],
         digest: str | None, pss: bool | None, certify: bool, docmdp: str,
         field: str | None, reason: str | None, location: str | None, contact: str | None,
         pdf_password_file: Path | None, on_error: str, overwrite: bool, yes: bool,
         fmt: str, as_json: bool, no_progress: bool, visible: VisibleRequest,
         seal: SealKeyRequest | None, remote: RemoteRequest | None) -> None:
    """Sign PDF files (or folders of them) with a token or a PKCS#12 file.

    The PIN comes from $SIGNKIT_PIN, --pin-file, or a prompt; never from the command line.
    Visible signatures (Decree 30/2020 presets): --appearance, --anchor/--rect/--page,
    defaults from the profile and $SIGNKIT_CONFIG. --then-seal adds the organisation's
    seal with a second key, in the same output. Inputs are never changed: -o or --out-dir.
    """
    # the PDF layer (pyHanko) loads here, so `signkit --help` and `token list` start fast
    from signkit.signing import PadesLevel, SignOptions, collect_pdfs, plan_outputs

    if use_pkcs11 and pkcs12 is not None:
        raise click.UsageError("choose one key source: --pkcs11 or --pkcs12")
    if as_json and fmt not in ("text", "json"):
        raise click.UsageError(f"--json is --format json: drop one of --json, --format {fmt}")
    fmt = "json" if as_json else fmt
    check_tsa_url(tsa_url)
    if key_id is not None:
        try:
            bytes.fromhex(key_id)
        except ValueError:
            raise click.BadParameter("must be hexadecimal", param_hint="--key-id") from None
    profile = load_profile(profile_name)
    files = collect_pdfs(input_paths(inputs), recursive=recursive)
    if not files:
        fail("no PDF files found in the given input", EXIT_USAGE)
    try:
        jobs = plan_outputs(files, out_dir=out_dir, output=output)
    except SigningError as e:
        fail(render(e) + _OUTPUTS_HINT, EXIT_USAGE)
    pades_level = PadesLevel.from_name(level or profile.level)
    tsa_url = tsa_url or profile.tsa
    if pades_level.timestamped and not tsa_url:
        raise click.UsageError(f"{pades_level.value} needs a time-stamping service: give "
                               "--tsa URL or set signing.tsa in the profile")
    # only timestamped levels use trust; B-B does not load the verification layer
    anchors = (*profile_anchors(profile), *trust) if pades_level.timestamped else ()
    if pades_level.long_term and not anchors:
        raise click.UsageError(f"{pades_level.value} needs trust anchors to build the chains: "
                               "give --trust CERT or use a profile with anchors")
    options = SignOptions(
        level=pades_level,
        tsa_url=tsa_url if pades_level.timestamped else None,
        tsa_timeout=tsa_timeout,
        tsa_retries=tsa_retries,
        tsa_digest=tsa_digest or profile.tsa_digest,
        tsa_auth=tsa_auth(tsa_token_file) if pades_level.timestamped else None,
        revocation_timeout=revocation_timeout,
        trust=anchors,
        other_certs=(*profile.intermediates, *other_certs) if pades_level.timestamped else (),
        digest=digest or profile.digest,
        padding=(RsaPadding.PSS if pss else RsaPadding.PKCS1V15) if pss is not None
        else profile.rsa_padding,
        field=field,
        reason=reason,
        location=location,
        contact=contact,
        certify=certify,
        docmdp=int(docmdp),
        password=read_secret_file(pdf_password_file, "--pdf-password-file",
                                  what="what_password")
        if pdf_password_file else None,
    )
    # the look is checked before the PIN is asked (bad image or font: exit 2, no login)
    if seal is not None and certify and docmdp == "1":
        raise click.UsageError("--then-seal adds a second signature, which --docmdp 1 "
                               "forbids; certify with --docmdp 2")
    looks = plan_looks(visible, profile, then_seal=seal is not None,
                       language=current_lang())
    show_progress = not no_progress and fmt != "json" and sys.stderr.isatty() and len(jobs) > 1
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with contextlib.ExitStack() as keys:
            key = keys.enter_context(signing_key(
                pkcs12=pkcs12, module=module, token_label=token_label, key_label=key_label,
                key_id=key_id, pin_file=pin_file, yes=yes,
                profile_module=profile.pkcs11_module, remote=remote, profile=profile))
            seal_key = seal_options = None
            if looks is not None:
                options = looks.for_signer(options, key)
            if seal is not None and looks is not None:
                person_token = getattr(getattr(key, "token", None), "label", None)
                if seal.pkcs12 is None and person_token is not None \
                        and seal.token_label in (None, person_token):
                    raise click.UsageError(
                        "the organisation's seal key must be on another token "
                        "(--seal-token LABEL) or in a PKCS#12 file (--seal-pkcs12)")
                seal_key = keys.enter_context(signing_key(
                    pkcs12=seal.pkcs12, module=module, token_label=seal.token_label,
                    key_label=seal.key_label, key_id=seal.key_id, pin_file=seal.pin_file,
                    yes=yes, profile_module=profile.pkcs11_module, seal=True))
                if seal_key.certificate == key.certificate:
                    raise click.UsageError(
                        "the seal key is the person's own key; choose the organisation's "
                        "with --seal-pkcs12, or --seal-token/--seal-key-label/--seal-key-id")
                seal_options = looks.seal_options(options)
            outcome = _run(jobs, key, options, overwrite, on_error, fmt, show_progress,
                           seal_key, seal_options)
    except (KeyboardInterrupt, _Terminated):
        fail(say("interrupted"), 130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    _summary(outcome, fmt)
    if outcome.ok:
        sys.exit(EXIT_OK)
    if outcome.token_failed and outcome.signed == 0:
        sys.exit(EXIT_TOKEN)
    sys.exit(EXIT_SOME_FAILED)


def _run(jobs, key, options, overwrite, on_error, fmt, show_progress, seal_key,
         seal_options) -> BatchOutcome:
    from signkit.signing import sign_many

    writer = RecordWriter(fmt, sys.stdout, COLUMNS, title="signkit sign") \
        if fmt in ("csv", "html") else None

    def sign_all(report) -> BatchOutcome:
        try:
            outcome = sign_many(jobs, key=key, options=options, overwrite=overwrite,
                                stop_on_error=on_error == "stop", on_progress=report,
                                seal_key=seal_key, seal_options=seal_options)
        finally:  # an interrupted batch still lists the documents it finished
            lines.flush()
        if writer is not None:
            writer.finish(_summary_text(outcome))
        return outcome

    def report(result: SignResult, done: int, total: int) -> None:
        # Paths, fields and errors may carry control or bidi characters from file names
        # and documents: printed escaped, never raw (signkit.report.safe_text).
        if writer is not None:
            writer.add(_row(result))
        elif fmt == "json":
            lines.write(json_text(_record(result)))
        else:
            lines.write(printable(_line(result)))
        if bar is not None:
            bar.update(1)

    lines = _Lines()

    bar = None
    if show_progress:
        with click.progressbar(length=len(jobs), file=sys.stderr, label="signing") as bar:
            return sign_all(report)
    return sign_all(report)


class _Lines:
    """A line per document on stdout: at once on a terminal; into a file or a pipe, in
    bursts at least a fifth of a second apart (a write per line cost the process that holds
    the token a tenth of its time per document, and stdout may be unbuffered, as with
    PYTHONUNBUFFERED). ``flush`` writes what is pending; the summary comes after it."""

    _EVERY_S = 0.2

    def __init__(self) -> None:
        self._at_once = sys.stdout.isatty()
        self._pending: list[str] = []
        self._flushed = time.monotonic()

    def write(self, line: str) -> None:
        if self._at_once:
            click.echo(line)
            return
        self._pending.append(line)
        if time.monotonic() - self._flushed >= self._EVERY_S:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            click.echo("\n".join(self._pending))
            self._pending.clear()
        self._flushed = time.monotonic()


_OUTPUTS_HINT = " (-o OUTPUT for one file, --out-dir DIR for several)"
# the options that act on a file's error of these codes (the library names none)
_OPTION_HINTS = {"placement": PLACEMENT_HINT}


def _line(result: SignResult) -> str:
    if not result.ok:
        return f"{say(result.status.value)}: {result.input}: " \
            f"{said_error(result.error, result.error_code)}" \
            f"{hint_for(result.error_code)}{_OPTION_HINTS.get(result.error_code or '', '')}"
    line = f"{say('signed')}: {result.input} -> {result.output} [{result.field}]"
    if result.placement:
        line += f" {result.placement}"
    if result.seal is not None:
        line += f"; {say('sealed')} [{result.seal.field}] {result.seal.placement or ''}"
    return line.rstrip()


def _record(result: SignResult) -> dict:
    return {
        "input": str(result.input),
        "output": str(result.output) if result.output else None,
        "status": result.status.value,
        "field": result.field,
        "signer": result.signer,
        "signing_time": result.signing_time.isoformat() if result.signing_time else None,
        "level": result.level,
        "certified": result.certified,
        "sha256": result.sha256,
        "error": result.error,
        "placement": result.placement,
        "page": result.page,
        "seal": _record(result.seal) if result.seal is not None else None,
        "error_code": result.error_code,
        "error_type": result.error_type,
    }


# the CSV/HTML columns: the JSON record's, the seal's field and placement flattened
COLUMNS = ("input", "output", "status", "field", "signer", "signing_time", "level",
           "certified", "sha256", "error", "placement", "page", "seal_field", "seal_placement",
           "error_code", "error_type")


def _row(result: SignResult) -> dict:
    record = _record(result)
    seal = record.pop("seal") or {}
    return {**record, "seal_field": seal.get("field"), "seal_placement": seal.get("placement")}


def _summary_text(outcome: BatchOutcome) -> str:
    counts = {"signed": outcome.signed, "failed": outcome.failed, "skipped": outcome.skipped}
    return say("summary", **counts)


def _summary(outcome: BatchOutcome, fmt: str) -> None:
    counts = {"signed": outcome.signed, "failed": outcome.failed, "skipped": outcome.skipped}
    if fmt == "json":
        click.echo(json_text({"summary": {**counts, "stopped": outcome.stopped}}))
        return
    if outcome.stopped:
        click.echo(say("stopped", reason=printable(said_error(outcome.stopped, "stopped"))),
                   err=True)
    click.echo(say("summary", **counts), err=True)
