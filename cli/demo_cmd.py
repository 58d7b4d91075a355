"""``signkit demo``: a throwaway PKI and SoftHSM2 token, and signed sample PDFs."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import EXIT_SOME_FAILED, echo, handle_errors


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-work"), show_default=True,
              help="Folder for the demo PKI, token and signed files (only this is written).")
@click.option("--input", "inputs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="PDFs or folders to sign (default: fixtures/pdf if present, else a sample).")
@handle_errors
def demo(workdir: Path, inputs: tuple[Path, ...]) -> None:
    """Create a demo PKI and SoftHSM2 token, sign sample PDFs, and say where they are."""
    from signkit.demo import run_demo  # loads the PDF layer only when the demo runs
    from signkit.report import render_text

    samples = list(inputs)
    if not samples and Path("fixtures/pdf").is_dir():
        samples = [Path("fixtures/pdf")]
    workdir.mkdir(parents=True, exist_ok=True)
    result = run_demo(workdir, samples)
    echo("signkit demo: a throwaway PKI and token (never use them for real documents)")
    echo(f"  PKCS#11 module:   {result.module}")
    echo(f"  token:            {result.token_label!r} "
               f"(SOFTHSM2_CONF={result.workdir}/softhsm/softhsm2.conf, PIN in {result.pin_file})")
    echo(f"  root certificate: {result.root_certificate}")
    echo(f"  signer:           {result.signer_certificate}")
    for r in result.outcome.results:
        state = f"signed -> {r.output}" if r.ok else f"FAILED: {r.error}"
        echo(f"  {r.input}: {state}")
    o = result.outcome
    echo(f"{o.signed} signed, {o.failed} failed.")
    d = result.decree30
    echo(f"\nDecree 30/2020 look (personal signature, then the organisation's seal over "
               f"it):\n  {d.output}\n  [{d.field}] {d.placement}"
               + (f"\n  [{d.seal.field}] {d.seal.placement}" if d.seal is not None else ""))
    echo(f"\nVerification (signkit verify --profile demo --trust {result.root_certificate}):")
    lang = (click.get_current_context().find_root().obj or {}).get("lang", "en")
    echo(render_text(result.report, lang=lang), nl=False)
    first = next((r.output for r in o.results if r.ok), None)
    if first is not None:
        echo(f"\nAn independent check with poppler: pdfsig {first}")
    if not o.ok or result.report.status.value != "TOTAL_PASSED":
        raise SystemExit(EXIT_SOME_FAILED)
