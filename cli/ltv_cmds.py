"""``signkit timestamp`` and ``signkit ltv add|refresh``: archive maintenance for signed PDFs.

Each command takes files and folders, writes to -o, --out-dir or (atomically) in place, and
prints a per-file report (a table; JSON, CSV or HTML with --format). One rule for where the
results go (``common_options.IN_PLACE_RULE``): without -o or --out-dir, in place. Exit 0:
every file done or not needing anything; 1: some file failed (it is unchanged, with no
output); 2: usage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import click

from signkit import load_profile
from signkit.errors import SigningError

from .common_options import (
    ISO_MOMENT,
    check_tsa_url,
    output_options,
    profile_anchors,
    report_options,
    revocation_options,
    trust_options,
    tsa_auth,
    tsa_options,
)
from .errors import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    fail,
    handle_errors,
    hint_for,
    render,
    said_error,
)
from .i18n import current_lang
from .inputs import input_paths
from .record_output import RecordWriter


def _jobs(inputs: tuple[str, ...], recursive: bool, output: Path | None,
          out_dir: Path | None, in_place: bool) -> list[tuple[Path, Path]]:
    from signkit.signing import collect_pdfs, plan_outputs

    files = collect_pdfs(input_paths(inputs), recursive=recursive)
    if not files:
        fail("no PDF files found in the given input", EXIT_USAGE)
    chosen = sum((output is not None, out_dir is not None, in_place))
    if chosen > 1:
        raise click.UsageError("choose one place for the results: -o OUTPUT (one file), "
                               "--out-dir DIR, or --in-place (the default)")
    if in_place or chosen == 0:
        return [(src, src) for src, _ in files]
    try:
        jobs = plan_outputs(files, out_dir=out_dir, output=output)
    except SigningError as e:
        fail(render(e) + " (--out-dir DIR or --in-place for several files)", EXIT_USAGE)
    for src, dst in jobs:
        if dst.exists() and src.resolve() == dst.resolve():
            raise click.UsageError(f"the output would replace the input {src}; use --in-place")
    return jobs


def _options(profile, *, tsa_url: str | None, tsa_timeout: float, tsa_retries: int,
             tsa_digest: str | None, tsa_token_file: Path | None, trust: tuple[Path, ...],
             other_certs: tuple[Path, ...], revocation_timeout: float = 10.0,
             need_tsa: bool, need_anchors: bool):
    from signkit.ltv import LtvOptions

    check_tsa_url(tsa_url)
    tsa_url = tsa_url or profile.tsa
    if need_tsa and not tsa_url:
        raise click.UsageError("a time-stamping service is needed: give --tsa URL or set "
                               "signing.tsa in the profile")
    anchors = (*profile_anchors(profile), *trust)
    if need_anchors and not anchors:
        raise click.UsageError("trust anchors are needed to build the chains: give "
                               "--trust CERT or use a profile with anchors")
    return LtvOptions(
        tsa_url=tsa_url, tsa_timeout=tsa_timeout, tsa_retries=tsa_retries,
        tsa_auth=tsa_auth(tsa_token_file) if tsa_url else None,
        tsa_digest=tsa_digest or profile.tsa_digest or profile.digest,
        trust=anchors, other_certs=(*profile.intermediates, *other_certs),
        revocation_timeout=revocation_timeout,
    )


def _run(batch, jobs: list, fmt: str, no_progress: bool, label: str, **kwargs):
    """Run ``batch`` (one of signkit.ltv's *_many) with a progress bar on a terminal."""
    if no_progress or fmt != "text" or len(jobs) < 2 or not sys.stderr.isatty():
        return batch(jobs, **kwargs)
    with click.progressbar(length=len(jobs), file=sys.stderr, label=label) as bar:
        return batch(jobs, on_progress=lambda *_: bar.update(1), **kwargs)


# the CSV/HTML columns: the JSON file record's, flattened
COLUMNS = ("path", "output", "status", "certificates", "ocsp_responses", "crls",
           "document_timestamp", "newest_timestamp", "newest_timestamp_time", "tsa",
           "tsa_certificate_expires", "reasons", "sha256", "error")


def _row(record: dict) -> dict:
    newest = record.get("newest_timestamp") or {}
    return {**record, **record["added"], "newest_timestamp": newest.get("kind"),
            "newest_timestamp_time": newest.get("time"), "tsa": newest.get("tsa"),
            "tsa_certificate_expires": newest.get("tsa_certificate_expires")}


def _with_hints(outcome):
    """The outcome with this command's options added to the errors they act on."""
    results = tuple(dataclasses.replace(
        r, error=said_error(r.error, r.error_code) + hint_for(r.error_code))
        if r.error else r for r in outcome.results)
    stopped = said_error(outcome.stopped, "stopped") or None
    return dataclasses.replace(outcome, results=results, stopped=stopped)


def _finish(outcome, fmt: str, *, command: str, profile: str, extra: dict | None = None):
    from signkit.ltv import render_json, render_text
    from signkit.ltv.report import file_record

    if fmt == "json":
        click.echo(render_json(outcome, command=command, profile=profile, extra=extra), nl=False)
    elif fmt in ("csv", "html"):
        writer = RecordWriter(fmt, sys.stdout, COLUMNS, title=f"signkit {command}")
        for result in outcome.results:
            writer.add(_row(file_record(result)))
        writer.finish(render_text(outcome).splitlines()[-1])
    else:
        click.echo(render_text(_with_hints(outcome), lang=current_lang()), nl=False)
    sys.exit(EXIT_OK if outcome.ok else EXIT_SOME_FAILED)


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@output_options
@tsa_options
@trust_options
@report_options
@handle_errors
def timestamp(inputs: tuple[str, ...], output: Path | None, out_dir: Path | None,
              in_place: bool, recursive: bool, overwrite: bool, on_error: str,
              tsa_url: str | None, tsa_timeout: float, tsa_retries: int,
              tsa_digest: str | None, tsa_token_file: Path | None, profile_name: str,
              trust: tuple[Path, ...], other_certs: tuple[Path, ...], fmt: str,
              no_progress: bool) -> None:
    """Add a document timestamp to PDF files (signed or not).

    With trust anchors (--trust or the profile's), the TSA's answer must chain to one.
    Without -o or --out-dir, each file is updated in place, atomically (as for ltv add and
    ltv refresh).
    """
    from signkit.ltv import timestamp_many

    profile = load_profile(profile_name)
    jobs = _jobs(inputs, recursive, output, out_dir, in_place)
    options = _options(profile, tsa_url=tsa_url, tsa_timeout=tsa_timeout,
                       tsa_retries=tsa_retries, tsa_digest=tsa_digest,
                       tsa_token_file=tsa_token_file, trust=trust, other_certs=other_certs,
                       need_tsa=True, need_anchors=False)
    outcome = _run(timestamp_many, jobs, fmt, no_progress, "timestamping", options=options,
                   overwrite=overwrite, stop_on_error=on_error == "stop")
    _finish(outcome, fmt, command="timestamp", profile=profile.name)


@click.group()
def ltv() -> None:
    """Long-term validation: add validation data to signatures, renew archive timestamps."""


@ltv.command("add")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--level", type=click.Choice(["B-LT", "B-LTA"]), default="B-LT",
              show_default=True, help="B-LT: chains and revocation data for every signature "
              "and timestamp (and a document timestamp where a signature has none); B-LTA: "
              "also a document timestamp over them.")
@output_options
@tsa_options
@trust_options
@revocation_options
@report_options
@handle_errors
def add(inputs: tuple[str, ...], level: str, output: Path | None, out_dir: Path | None,
        in_place: bool, recursive: bool, overwrite: bool, on_error: str, tsa_url: str | None,
        tsa_timeout: float, tsa_retries: int, tsa_digest: str | None,
        tsa_token_file: Path | None, profile_name: str, trust: tuple[Path, ...],
        other_certs: tuple[Path, ...], revocation_timeout: float, fmt: str,
        no_progress: bool) -> None:
    """Bring the signatures of PDF files (from any producer) up to PAdES B-LT or B-LTA.

    What is missing is fetched (OCSP, CRLs) and appended; the signed bytes are never touched.
    Files that already hold everything are reported NOT_NEEDED and not written. Without -o
    or --out-dir, each file is updated in place, atomically (as for timestamp and ltv
    refresh).
    """
    from signkit.ltv import add_ltv_many
    from signkit.signing import PadesLevel

    profile = load_profile(profile_name)
    jobs = _jobs(inputs, recursive, output, out_dir, in_place)
    pades_level = PadesLevel.from_name(level)
    options = _options(profile, tsa_url=tsa_url, tsa_timeout=tsa_timeout,
                       tsa_retries=tsa_retries, tsa_digest=tsa_digest,
                       tsa_token_file=tsa_token_file, trust=trust, other_certs=other_certs,
                       revocation_timeout=revocation_timeout,
                       need_tsa=pades_level is PadesLevel.B_LTA, need_anchors=True)
    outcome = _run(add_ltv_many, jobs, fmt, no_progress, "adding LTV data", options=options,
                   level=pades_level, overwrite=overwrite, stop_on_error=on_error == "stop")
    _finish(outcome, fmt, command="ltv add", profile=profile.name,
            extra={"level": pades_level.value})


@ltv.command("refresh")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--within", "within_text", default="180d", show_default=True, metavar="WINDOW",
              help="Renew when the newest timestamp's TSA certificate expires within this "
              "window (180d, 12w, 6m, 1y...), or its algorithms fall below the profile's.")
@click.option("--at", type=ISO_MOMENT,
              help="Judge as if it were this moment (ISO 8601; default: now); for what-if "
                   "checks.")
@click.option("--dry-run", is_flag=True,
              help="Only report what is due (DUE); contact no service, write nothing.")
@output_options
@tsa_options
@trust_options
@revocation_options
@report_options
@handle_errors
def refresh(inputs: tuple[str, ...], within_text: str, at: dt.datetime | None, dry_run: bool,
            output: Path | None, out_dir: Path | None, in_place: bool, recursive: bool,
            overwrite: bool, on_error: str, tsa_url: str | None, tsa_timeout: float,
            tsa_retries: int, tsa_digest: str | None, tsa_token_file: Path | None,
            profile_name: str, trust: tuple[Path, ...], other_certs: tuple[Path, ...],
            revocation_timeout: float, fmt: str, no_progress: bool) -> None:
    """Renew archive timestamps that are about to lapse: for each file, find the newest
    timestamp; if its TSA certificate expires within the window, or its algorithms fall below
    the profile's policy, or there is no timestamp, add a fresh document timestamp with the
    validation data of the one it protects. Files not due are left alone (NOT_NEEDED).
    Without -o or --out-dir, renewed files are updated in place, atomically (as for
    timestamp and ltv add)."""
    from signkit.ltv import RenewalRule, Window, refresh_many

    try:
        window = Window.parse(within_text)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--within") from None
    at = at or dt.datetime.now(dt.UTC)
    profile = load_profile(profile_name)
    jobs = _jobs(inputs, recursive, output, out_dir, in_place)
    options = _options(profile, tsa_url=tsa_url, tsa_timeout=tsa_timeout,
                       tsa_retries=tsa_retries, tsa_digest=tsa_digest,
                       tsa_token_file=tsa_token_file, trust=trust, other_certs=other_certs,
                       revocation_timeout=revocation_timeout,
                       need_tsa=not dry_run, need_anchors=not dry_run)
    rule = RenewalRule(window, at=at, policy=profile.policy)
    outcome = _run(refresh_many, jobs, fmt, no_progress, "checking", options=options,
                   rule=rule, overwrite=overwrite, dry_run=dry_run,
                   stop_on_error=on_error == "stop")
    _finish(outcome, fmt, command="ltv refresh", profile=profile.name, extra={
        "within": within_text, "at": at.isoformat().replace("+00:00", "Z"),
        "renew_if_expiring_before": rule.deadline.isoformat().replace("+00:00", "Z")})
