"""``signkit demo``: a throwaway PKI and SoftHSM2 token, signed sample PDFs, and (with
``--serve``) the demo PKI's time-stamping, OCSP and CRL services on 127.0.0.1."""

from __future__ import annotations

import contextlib
import logging
import signal
from pathlib import Path

import click

from .errors import EXIT_SOME_FAILED, echo, handle_errors


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-work"), show_default=True,
              help="Folder for the demo PKI, token and signed files (only this is written).")
@click.option("--input", "inputs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="PDFs or folders to sign (default: fixtures/pdf if present, else a sample).")
@click.option("--fresh", is_flag=True,
              help="Start over: a new PKI, token and PIN (files signed before no longer "
                   "verify against the new root). Without it, a second run reuses them.")
@click.option("--serve", is_flag=True,
              help="After the demo, serve its time-stamping (TSA), OCSP and CRL on "
                   "127.0.0.1 until Ctrl-C, for --level B-T/B-LT/B-LTA and `ltv`.")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The services' port on 127.0.0.1, named in a new PKI's certificates "
                   "[default: 8719]; a reused PKI keeps its own.")
@handle_errors
def demo(workdir: Path, inputs: tuple[Path, ...], fresh: bool, serve: bool,
         port: int | None) -> None:
    """Create (or reuse) a demo PKI and SoftHSM2 token, sign sample PDFs, say where they
    are; with --serve, keep the demo PKI's services running."""
    from signkit.demo import DEMO_PORT, run_demo  # loads the PDF layer only when it runs
    from signkit.report import render_text

    samples = list(inputs)
    if not samples and Path("fixtures/pdf").is_dir():
        samples = [Path("fixtures/pdf")]
    workdir.mkdir(parents=True, exist_ok=True)
    result = run_demo(workdir, samples, fresh=fresh, port=port or DEMO_PORT)
    pki = result.workdir / "pki"
    state = ("reused from the last run (--fresh starts over)" if result.reused
             else "made now")
    echo("signkit demo: a throwaway PKI and token (never use them for real documents)")
    echo(f"  PKI and token:    {state}")
    echo(f"  PKCS#11 module:   {result.module}")
    echo(f"  token:            {result.token_label!r} "
         f"(SOFTHSM2_CONF={result.workdir}/softhsm/softhsm2.conf, PIN in {result.pin_file})")
    echo(f"  root certificate: {result.root_certificate}")
    echo(f"  signer:           {result.signer_certificate}")
    echo(f"  seal key:         {pki / 'organisation.p12'} "
         f"(password in {pki / 'organisation-password.txt'})")
    echo(f"  images:           {result.workdir / 'images' / 'chu-ky.png'}, "
         f"{result.workdir / 'images' / 'con-dau.png'}")
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
    if serve:
        _serve(result.workdir)
    else:
        echo("Time-stamping, OCSP and CRL for B-T/B-LT/B-LTA: signkit demo --serve "
             f"--workdir {workdir}")


def _serve(workdir: Path) -> None:
    from signkit.demo import serve

    def ready(services) -> None:
        echo("\nThe demo PKI's services, on 127.0.0.1 until Ctrl-C:")
        echo(f"  TSA:  {services.tsa}")
        echo(f"  OCSP: {services.ocsp}")
        echo(f"  CRL:  {services.crl}", nl=True)
        click.get_text_stream("stdout").flush()

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    # Ctrl-C, and a service manager's SIGTERM, stop the services (a shell starting us in
    # the background may have set SIGINT to be ignored)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with contextlib.suppress(KeyboardInterrupt):  # werkzeug's loop may swallow it itself
        serve(workdir, ready=ready)
    echo("demo services stopped")
