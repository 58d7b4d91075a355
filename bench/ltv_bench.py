"""Long-term signing throughput: PAdES-B-LTA with signkit beside pyHanko's CLI, against a
time-stamping service, OCSP responder and CRLs served live on loopback.

The test PKI of fixtures/pki/testing-ca.yml is served by certomancer's animator in a thread of
this process (``livepki.LivePki``); its signer-rsa2048 key, as a PKCS#12 file,
signs ``--files`` small office PDFs (2-3 pages of text) at PAdES-B-LTA: a signature timestamp,
a DSS with the chains and revocation data of the signer and the TSA, and a document timestamp.
Three ways, each producing the same kind of file:

1. ``signkit sign --out-dir --level B-LTA``: one process for every file (the CLI, timed from
   process start to end, the way a clerk runs it; then a one-file run for its fixed cost).
2. signkit's library: one ``DocumentSigner`` (through ``sign_many``) in this process — what
   an integrator calls. It shares this process, and so the GIL, with the animator.
3. ``pyhanko sign addsig --use-pades --use-pades-lta --with-validation-info --timestamp-url``
   with ``pkcs12`` once per file, a shell loop. Each run starts Python, sizes the signature
   with one more timestamp, and fetches the signer's revocation data afresh, so it runs on the
   first ``--cli-files`` files only and its rate comes from those.

The requests each way makes to the loopback services are counted (TSA, OCSP, CRL): signkit
asks the OCSP responder once per batch and the TSA twice per document (plus one sizing token
per batch) over kept-alive connections. A sample of every way's outputs is checked with
pyHanko's validator alone, offline and hard-fail, from what the file carries (its DSS):
signature intact, valid, trusted with a trusted timestamp; document timestamp intact, valid,
trusted; nothing but LTA updates (DSS, timestamps) after either. Target: signkit's CLI
>= 10x the pyHanko CLI loop (docs/s).

The services sign with keys loaded once (``LivePki`` does so by default), as a real
TSA or OCSP responder does; certomancer as shipped re-loads and re-checks the RSA key for
every answer, ~70-90 ms of CPU per token on the machine's shared cores, which would measure
the test PKI rather than the signers (``--slow-services`` keeps it so; both ways then wait on
the TSA, signkit for 2 tokens a document, pyHanko's CLI for 3).

    .venv/bin/python bench/ltv_bench.py [--files 100] [--cli-files 20] [--verify 5]
        [--slow-services] [--json out.json]

Set-up (PKI, PDFs) happens in a temporary folder (``--workdir`` to choose one, ``--keep`` to
keep it); nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import benchlib
from benchlib import WayResult
from livepki import SIGNER, LivePki

BENCH = "ltv_bench"
TSA_PATH = "/testing-ca/tsa/tsa"
TARGET_VS_CLI = 10.0
TIME_BUDGET_S = 120.0


def _requests_since(pki: LivePki, before: Counter[str]) -> dict:
    served = pki.requests_since(before)
    # the signer's PKCS#12 carries its chain, so the animator's other requests are the TSA's
    return {"tsa": served["other"], "ocsp": served["ocsp"], "crl": served["crl"]}


def _outputs(folder: Path, inputs: list[Path], what: str) -> list[Path]:
    return benchlib.expect_outputs(folder, inputs, bench=BENCH, what=what)


def run_signkit_cli(pki: LivePki, folder: Path, files: list[Path], out: Path, work: Path
                    ) -> WayResult:
    def command(source: Path, target: Path) -> list[str]:
        return [benchlib.tool("signkit", BENCH), "sign", str(source), "--out-dir", str(target),
                "--pkcs12", str(pki.p12), "--level", "B-LTA", "--tsa", pki.url + TSA_PATH,
                "--trust", str(pki.root_pem), "--other-certs", str(pki.interm_pem),
                "--reason", benchlib.REASON, "--no-progress"]

    env = benchlib.clean_env(SIGNKIT_PIN=pki.p12_password)
    cmd = command(folder, out)
    before = pki.requests()
    t0 = time.perf_counter()
    benchlib.run_or_exit(cmd, bench=BENCH, what="signkit sign", env=env, cwd=work)
    wall = time.perf_counter() - t0
    requests = _requests_since(pki, before)
    _outputs(out, files, "signkit sign")

    # the fixed cost of one run (interpreter, imports, PKCS#12, first connections)
    t0 = time.perf_counter()
    benchlib.run_or_exit(command(files[0], out.parent / (out.name + "-single")), bench=BENCH,
                         what="signkit sign (1 file)", env=env, cwd=work)
    single = time.perf_counter() - t0
    return WayResult(
        "signkit sign --out-dir (one process)", benchlib.show(cmd), len(files), wall,
        len(files) / wall, requests, notes=benchlib.steady_state(wall, single, len(files)))


def run_library(pki: LivePki, files: list[Path], out: Path) -> WayResult:
    """One DocumentSigner for every file, in this process (imports already paid)."""
    import signkit

    signkit.enable_fast_pdf_parsing()  # as the signkit command does at start-up
    options = signkit.SignOptions(
        level=signkit.PadesLevel.B_LTA, tsa_url=pki.url + TSA_PATH, trust=(pki.root_pem,),
        other_certs=(pki.interm_pem,), reason=benchlib.REASON)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(f, out / f.name) for f in files]
    before = pki.requests()
    t0 = time.perf_counter()
    with signkit.open_pkcs12(pki.p12, password=pki.p12_password) as key:
        outcome = signkit.sign_many(jobs, key=key, options=options)
    wall = time.perf_counter() - t0
    if not outcome.ok:
        failed = next(r for r in outcome.results if not r.ok)
        sys.exit(f"{BENCH}: the library failed on {failed.input}: {failed.error}")
    return WayResult(
        "signkit library: DocumentSigner (sign_many)",
        "sign_many(jobs, key=open_pkcs12(...), options=SignOptions(level=B_LTA, ...))",
        len(files), wall, len(files) / wall, _requests_since(pki, before),
    )


def run_pyhanko_cli_loop(pki: LivePki, files: list[Path], out: Path, work: Path) -> WayResult:
    out.mkdir(parents=True, exist_ok=True)
    passfile = work / "p12-password"
    passfile.write_text(pki.p12_password)
    passfile.chmod(0o600)
    base = [benchlib.tool("pyhanko", BENCH), "sign", "addsig", "--field", "Signature1",
            "--reason", benchlib.REASON, "--use-pades", "--use-pades-lta",
            "--with-validation-info", "--timestamp-url", pki.url + TSA_PATH,
            "--trust", str(pki.root_pem), "--trust-replace", "--other-certs", str(pki.interm_pem),
            "pkcs12", "--passfile", str(passfile)]
    env = benchlib.clean_env()
    before = pki.requests()
    wall, per_file = benchlib.timed_per_file(files, lambda f: benchlib.run_or_exit(
        [*base, str(f), str(out / f.name), str(pki.p12)], bench=BENCH,
        what=f"pyhanko sign addsig {f.name}", env=env, cwd=work))
    _outputs(out, files, "pyhanko sign addsig")
    return WayResult(
        "pyhanko sign addsig, once per file",
        benchlib.show([*base, "IN.pdf", "OUT.pdf", "signer.p12"]), len(files), wall,
        len(files) / wall, _requests_since(pki, before), notes=per_file)


def verify_sample(pki: LivePki, outputs: list[Path], k: int) -> list[str]:
    """pyHanko's validator on ``k`` outputs, offline and hard-fail, trusting only the test
    root and using only what the file carries (its DSS); what follows the signature and the
    document timestamp may only be LTA updates (DSS, timestamps). Exits on any failure."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    root = asn1_x509.Certificate.load(pem.unarmor(pki.root_pem.read_bytes())[2])
    offline = {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail"}

    def later_changes_ok(status) -> bool:
        return (status.coverage is SignatureCoverageLevel.ENTIRE_FILE
                or status.modification_level in (ModificationLevel.NONE,
                                                 ModificationLevel.LTA_UPDATES))

    def problem_of(reader) -> str | None:
        sigs, stamps = reader.embedded_regular_signatures, reader.embedded_timestamp_signatures
        if len(sigs) != 1 or len(stamps) < 1:
            return f"{len(sigs)} signatures and {len(stamps)} document timestamps"
        dss = DocumentSecurityStore.read_dss(reader)
        status = validate_pdf_signature(sigs[0], dss.as_validation_context(offline))
        ts = status.timestamp_validity
        stamp = validate_pdf_timestamp(stamps[-1], dss.as_validation_context(offline))
        if not (status.intact and status.valid and status.trusted):
            return status.pretty_print_details()
        if ts is None or not (ts.intact and ts.valid and ts.trusted):
            return "no trusted signature timestamp"
        if not (stamp.intact and stamp.valid and stamp.trusted):
            return f"document timestamp: {stamp.pretty_print_details()}"
        if not (later_changes_ok(status) and later_changes_ok(stamp)):
            return (f"changed after signing: {status.modification_level}, "
                    f"after the document timestamp: {stamp.modification_level}")
        return None

    return benchlib.check_sample(outputs, k, bench=BENCH, problem_of=problem_of)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchlib.add_size_arguments(ap, files=100, cli_files=20, verify=5)
    ap.add_argument("--slow-services", action="store_true",
                    help="let certomancer re-load its TSA and OCSP keys for every answer "
                         "(~70-90 ms of CPU each on this machine's shared cores)")
    benchlib.add_run_arguments(
        ap, fail_on_target="exit 1 when the target is missed (default: report only)")
    args = ap.parse_args(argv)
    cli_files = benchlib.check_sizes(ap, args)

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    load_start = os.getloadavg()  # other work on this machine skews every figure
    with benchlib.work_folder(ap, args, "signkit-ltv-bench-") as workdir:
        print(f"setting up in {workdir}: PKI served live, {args.files} PDFs ...", flush=True)
        t0 = time.perf_counter()
        pki = LivePki(workdir / "pki", slow_services=args.slow_services)
        try:
            files = benchlib.write_office_pdfs(workdir / "in", args.files)
            setup_s = time.perf_counter() - t0
            print(f"  TSA {pki.url + TSA_PATH}, OCSP {', '.join(pki.ocsp_urls)}; "
                  f"set-up {setup_s:.1f} s", flush=True)

            signkit_cli = benchlib.step(
                f"[1/3] signkit sign --level B-LTA, {args.files} files",
                lambda: run_signkit_cli(pki, workdir / "in", files, workdir / "out-signkit",
                                        workdir))
            library = benchlib.step(
                f"[2/3] signkit library (DocumentSigner), {args.files} files",
                lambda: run_library(pki, files, workdir / "out-library"))
            cli = benchlib.step(
                f"[3/3] pyhanko sign addsig --use-pades-lta per file, {cli_files} files",
                lambda: run_pyhanko_cli_loop(pki, files[:cli_files], workdir / "out-pyhanko",
                                             workdir))

            print("verifying a sample of each way's outputs with pyHanko (offline, from the "
                  "DSS) ...", flush=True)
            for way, folder, inputs in ((signkit_cli, "out-signkit", files),
                                        (library, "out-library", files),
                                        (cli, "out-pyhanko", files[:cli_files])):
                way.verified = verify_sample(pki, [workdir / folder / f.name for f in inputs],
                                             args.verify)
        finally:
            pki.close()
    total_s = time.perf_counter() - t_start

    ways = (signkit_cli, library, cli)
    vs_cli = benchlib.ratio(signkit_cli.docs_per_s, cli.docs_per_s)
    library_vs_cli = benchlib.ratio(library.docs_per_s, cli.docs_per_s)
    target = benchlib.target(vs_cli, TARGET_VS_CLI)

    print()
    print(f"signkit PAdES-B-LTA benchmark: {args.files} PDFs of 2-3 pages signed by {SIGNER} "
          f"(RSA-2048, PKCS#12; TSA, OCSP and CRLs live on {pki.url}), "
          f"{benchlib.environment(revision, load_start)}")
    rows = [[*benchlib.way_cells(way),
             f"{way.requests['tsa']}/{way.requests['ocsp']}/{way.requests['crl']}"]
            for way in ways]
    for line in benchlib.table((("way", 44), *benchlib.WAY_COLUMNS,
                                ("TSA/OCSP/CRL requests", 22)), rows):
        print(line)
    print(benchlib.startup_line("signkit CLI", signkit_cli.notes))
    print(benchlib.per_file_line("pyhanko CLI", cli.notes))
    print(benchlib.ratio_line("signkit CLI / pyhanko CLI loop", vs_cli, TARGET_VS_CLI,
                              width=35))
    print(benchlib.ratio_line("signkit library / pyhanko CLI loop", library_vs_cli, width=35))
    print(f"  verified with pyHanko (offline, hard-fail, DSS only; signature and both "
          f"timestamps trusted): {', '.join(f'{len(w.verified)} of {w.files}' for w in ways)}")
    print(f"  total runtime {total_s:.1f} s (set-up {setup_s:.1f} s)")
    benchlib.warn_over_budget(total_s, TIME_BUDGET_S, "lower --cli-files")

    benchlib.write_json(args.json, {
        "config": {"files": args.files, "cli_files": cli_files, "level": "PAdES-B-LTA",
                   "signer": SIGNER, "key": "RSA-2048 (PKCS#12)",
                   "services": "TSA, OCSP, CRL served live on loopback"},
        "signkit_revision": revision,
        "machine": benchlib.machine(load_start),
        "ways": {"signkit_cli": asdict(signkit_cli), "signkit_library": asdict(library),
                 "pyhanko_cli_loop": asdict(cli)},
        "target_signkit_cli_vs_pyhanko_cli_loop": target,
        "signkit_library_vs_pyhanko_cli_loop": library_vs_cli,
        "setup_s": setup_s,
        "total_s": total_s,
    })
    if args.fail_on_target and not target["pass"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
