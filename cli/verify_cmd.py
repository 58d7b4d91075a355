"""``signkit verify``: verdicts for files and folder trees, in four report formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common_options import parse_moment
from .errors import (
    EXIT_INDETERMINATE,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    fail,
    handle_errors,
    write_report,
)
from .inputs import input_paths


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--recursive", is_flag=True, help="Walk folders given as INPUT.")
@click.option("--profile", "profile_name", default="default", show_default=True,
              help="Trust and policy profile (name or .toml path).")
@click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Extra trust anchor (PEM/DER); repeatable.")
@click.option("--other-certs", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Extra intermediate certificates; repeatable.")
@click.option("--crl", "crls", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Local CRL file, used offline too; repeatable.")
@click.option("--offline", is_flag=True,
              help="Fetch nothing: embedded data and --crl only; a certificate that names an "
                   "OCSP responder or CRL needs that data there, else INDETERMINATE.")
@click.option("--at", "at_text",
              help="Validation time (ISO 8601); default now. Timestamps in the file still "
                   "prove when a signature existed.")
@click.option("--strict-modifications", is_flag=True,
              help="Form filling after an approval signature fails too (auditor policy).")
@click.option("--timeout", "revocation_timeout", type=float, default=10.0, show_default=True,
              help="Seconds per OCSP/CRL request.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: CPU count).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]),
              default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.pass_context
@handle_errors
def verify(ctx: click.Context, inputs: tuple[str, ...], recursive: bool, profile_name: str,
           trust: tuple[Path, ...], other_certs: tuple[Path, ...], crls: tuple[Path, ...],
           offline: bool, at_text: str | None, strict_modifications: bool,
           revocation_timeout: float, jobs: int | None, fmt: str, output: Path | None,
           no_progress: bool) -> None:
    """Verify signed PDFs: an ETSI verdict per file (exit 0 all passed, 1 some failed,
    3 none failed but some could not be checked)."""
    from signkit import load_profile, verify_many
    from signkit.report import render_csv, render_html, render_json, render_text
    from signkit.verification import VerifyOptions

    paths = input_paths(inputs)
    load_profile(profile_name)  # a bad profile is a usage error before any work
    options = VerifyOptions(
        profile=profile_name, trust=trust, other_certs=other_certs, crls=crls,
        offline=offline, at=parse_moment(at_text, "--at"),
        strict_modifications=strict_modifications,
        revocation_timeout=revocation_timeout,
    )
    root = ctx.find_root().obj or {}
    lang, verbose = root.get("lang", "en"), root.get("verbose", False)
    show_progress = not no_progress and sys.stderr.isatty()
    if show_progress:
        with click.progressbar(length=1, file=sys.stderr, label="verifying") as bar:
            def progress(report, done: int, total: int) -> None:
                bar.length = total
                bar.update(1)

            batch = verify_many(paths, options=options, jobs=jobs, recursive=recursive,
                                on_progress=progress)
    else:
        batch = verify_many(paths, options=options, jobs=jobs, recursive=recursive)
    if not batch.files:
        fail("no PDF files found in the given input", EXIT_USAGE)
    text = {
        "text": lambda: render_text(batch, lang=lang, verbose=verbose),
        "json": lambda: render_json(batch),
        "csv": lambda: render_csv(batch),
        "html": lambda: render_html(batch, lang=lang),
    }[fmt]()
    if output is not None:
        write_report(output, text)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    status = batch.status.value
    sys.exit({"TOTAL_PASSED": EXIT_OK, "TOTAL_FAILED": EXIT_SOME_FAILED}.get(
        status, EXIT_INDETERMINATE))
