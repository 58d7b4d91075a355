"""Verification throughput: signkit beside pyHanko's CLI and poppler's pdfsig, with full chain
and live revocation checks.

One signer (signer-rsa2048 of the test PKI in fixtures/pki/testing-ca.yml, issued by its
intermediate CA) signs ``--files`` small office PDFs (2-3 pages of text; signkit's
``DocumentSigner`` with the key as a PKCS#12 file; not timed). The signer's certificate names
an OCSP responder and a CRL distribution point, both served live during the run by
certomancer's animator on a loopback port of this process, so every way checks revocation
against a real server (the benchmark counts the OCSP and CRL requests each way makes).
Three ways of verifying them, each timed from process start to process end, the way a user
runs it:

1. ``signkit verify --jobs 2 --format json``: one process (two workers) for the whole
   folder, trusting the test root (``--trust``, ``--other-certs``), online revocation under
   the ``default`` profile (soft-fail).
2. ``pyhanko sign validate`` once per file, a shell loop, with the same trust
   (``--trust --trust-replace --other-certs``) and the same revocation setting
   (``--soft-revocation-check``: fetch OCSP/CRL, fail on a revoked answer, not on an
   unreachable server). Each run starts Python and fetches revocation data afresh, so it runs
   on the first ``--cli-files`` files only and its rate comes from those.
3. ``pdfsig`` once per file (poppler, NSS database trusting the test root), on the first
   ``--pdfsig-files`` files. pdfsig checks far less: the signature and the chain, and the
   signer's OCSP status; no CRL, no algorithm policy, no analysis of later changes.

Every output is judged: signkit must exit 0 with every file TOTAL_PASSED and its revocation
reported as checked; pyHanko must print INTACT and TRUSTED; pdfsig "Signature is Valid",
"Certificate is Trusted", "Total document signed". The first files are checked by all three,
so all three must agree they are valid. Targets: signkit >= 10x the pyHanko CLI loop and
>= 5x the pdfsig loop (docs/s), and >= 700 docs/s start to end with --files 5000 (issue #10).

    .venv/bin/python bench/verify_bench.py [--files 1000] [--cli-files 40]
        [--pdfsig-files 200] [--jobs 2] [--json out.json]

Set-up (PKI, NSS database, PDFs) happens in a temporary folder (``--workdir`` to choose one,
``--keep`` to keep it); nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import benchlib
from benchlib import WayResult
from livepki import SIGNER, LivePki

BENCH = "verify_bench"
TARGET_VS_CLI = 10.0
TARGET_VS_PDFSIG = 5.0  # issue #10
TARGET_DOCS_PER_S = 700.0  # issue #10, with --files 5000
TIME_BUDGET_S = 300.0


def sign_documents(pki: LivePki, files: list[Path], out: Path) -> list[Path]:
    """Sign every file with signkit's library (one DocumentSigner, the PKCS#12 key)."""
    import signkit

    signkit.enable_fast_pdf_parsing()  # as the signkit command does at start-up
    out.mkdir(parents=True, exist_ok=True)
    outputs = []
    with signkit.open_pkcs12(pki.p12, password=pki.p12_password) as key, \
            signkit.DocumentSigner(key, signkit.SignOptions(reason=benchlib.REASON)) as signer:
        for f in files:
            signer.sign(f, out / f.name)
            outputs.append(out / f.name)
    return outputs


def make_nss_db(pki: LivePki, folder: Path) -> Path:
    """An NSS database for pdfsig that trusts the test root (and knows the intermediate)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = f"sql:{folder}"
    for cmd, what in (
        (["certutil", "-N", "-d", db, "--empty-password"], "certutil -N"),
        (["certutil", "-A", "-d", db, "-n", "signkit-test-root", "-t", "CT,C,C",
          "-i", str(pki.root_pem)], "certutil -A root"),
        (["certutil", "-A", "-d", db, "-n", "signkit-test-interm", "-t", ",,",
          "-i", str(pki.interm_pem)], "certutil -A interm"),
    ):
        benchlib.run_or_exit(cmd, bench=BENCH, what=what)
    return folder


def run_signkit(pki: LivePki, folder: Path, files: list[Path], jobs: int, work: Path
                ) -> WayResult:
    """One ``signkit verify`` for the whole folder; then a 1-file run for the fixed cost."""
    def command(target: Path, report: Path) -> list[str]:
        return [benchlib.tool("signkit", BENCH), "verify", str(target),
                "--trust", str(pki.root_pem), "--other-certs", str(pki.interm_pem),
                "--jobs", str(jobs), "--format", "json", "-o", str(report), "--no-progress"]

    report_path = work / "signkit-report.json"
    cmd = command(folder, report_path)
    before = pki.requests()
    t0 = time.perf_counter()
    run = benchlib.run_or_exit(cmd, bench=BENCH, what="signkit verify", cwd=work, ok=(0, 1, 3))
    wall = time.perf_counter() - t0
    requests = pki.requests_since(before)
    report = json.loads(report_path.read_text(encoding="utf-8"))

    one_report = work / "signkit-report-1.json"
    t0 = time.perf_counter()
    benchlib.run_or_exit(command(files[0], one_report), bench=BENCH,
                         what="signkit verify (1 file)", cwd=work, ok=(0, 1, 3))
    single = time.perf_counter() - t0

    way = WayResult(
        f"signkit verify --jobs {jobs}", benchlib.show(cmd), len(files), wall, len(files) / wall,
        requests=requests,
        notes={"exit_code": run.returncode, "summary": report.get("summary"),
               **benchlib.steady_state(wall, single, len(files))},
    )
    judge_signkit(way, report, files, pki)
    return way


def judge_signkit(way: WayResult, report: dict, files: list[Path], pki: LivePki) -> None:
    """Exit code 0, every file TOTAL_PASSED by the expected signer, revocation checked."""
    if way.notes["exit_code"] != 0:
        way.problems.append(f"exit code {way.notes['exit_code']} (0 expected)")
    by_name = {Path(f["path"]).name: f for f in report.get("files", [])}
    checked, unchecked, sources = 0, [], Counter()
    for f in files:
        entry = by_name.get(f.name)
        sigs = (entry or {}).get("signatures") or []
        if entry is None:
            problem = "missing from the report"
        elif entry["status"] != "TOTAL_PASSED" or len(sigs) != 1:
            problem = (f"{entry['status']}/{entry.get('subindication')}: "
                       f"{'; '.join(entry.get('messages') or []) or len(sigs)}")
        elif sigs[0]["status"] != "TOTAL_PASSED" or sigs[0]["coverage"] != "ENTIRE_FILE":
            problem = f"signature {sigs[0]['status']}, coverage {sigs[0]['coverage']}"
        elif sigs[0]["signer"]["subject"] != pki.signer_name:
            problem = f"signed by {sigs[0]['signer']['subject']}"
        else:
            problem = None
        for sig in sigs:
            revocation = sig["revocation"]
            sources[f"{revocation['source']}/{revocation['status']}"] += 1
            if revocation["checked"] is True:
                checked += 1
            else:
                unchecked.append(f.name)
        way.judged(f, problem)
    way.notes["revocation_checked"] = checked
    way.notes["revocation_not_checked"] = len(unchecked)
    way.notes["revocation_sources"] = dict(sources)
    if unchecked:
        way.notes["revocation_not_checked_e_g"] = unchecked[:3]


def run_pyhanko_cli_loop(pki: LivePki, files: list[Path], work: Path) -> WayResult:
    base = [benchlib.tool("pyhanko", BENCH), "sign", "validate", "--trust", str(pki.root_pem),
            "--trust-replace", "--other-certs", str(pki.interm_pem), "--soft-revocation-check"]
    return _loop("pyhanko sign validate, once per file", base, files, work, pki, _pyhanko_ok)


def _pyhanko_ok(run: subprocess.CompletedProcess) -> str | None:
    # one line per signature: <field>:<certificate SHA-256>:<summary>, e.g.
    # Signature1:ab12...:INTACT:TRUSTED,UNTOUCHED
    lines = [ln for ln in run.stdout.splitlines() if ln.count(":") >= 2]
    if run.returncode != 0 or len(lines) != 1:
        return f"exit {run.returncode}: {(run.stdout + run.stderr).strip()[-300:]}"
    flags = set(lines[0].split(":", 2)[2].replace(",", ":").split(":"))
    if not {"INTACT", "TRUSTED", "UNTOUCHED"} <= flags:
        return f"says {lines[0].split(':', 2)[2]}"
    return None


def run_pdfsig_loop(pki: LivePki, nss_db: Path, files: list[Path], work: Path) -> WayResult:
    base = ["pdfsig", "-nssdir", f"sql:{nss_db}"]
    return _loop("pdfsig, once per file", base, files, work, pki, _pdfsig_ok)


def _pdfsig_ok(run: subprocess.CompletedProcess) -> str | None:
    text = run.stdout + run.stderr
    wanted = ("Signature is Valid", "Certificate is Trusted", "Total document signed")
    missing = [w for w in wanted if w not in text]
    if run.returncode != 0 or missing or text.count("Signature is Valid") != 1:
        lines = [ln.strip() for ln in text.splitlines() if "Validation" in ln]
        return f"exit {run.returncode}: {'; '.join(lines) or text.strip()[-300:]}"
    return None


def _loop(name: str, base: list[str], files: list[Path], work: Path, pki: LivePki,
          judge) -> WayResult:
    way = WayResult(name, benchlib.show([*base, "FILE.pdf"]), len(files), 0.0, 0.0)

    def run_one(f: Path) -> None:
        run = subprocess.run([*base, str(f)], cwd=work, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL)
        way.judged(f, judge(run))

    before = pki.requests()
    way.wall_s, way.notes = benchlib.timed_per_file(files, run_one)
    way.docs_per_s = len(files) / way.wall_s
    way.requests = pki.requests_since(before)
    return way


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchlib.add_size_arguments(ap, files=1000, cli_files=40,
                                files_help="documents to sign and verify with signkit")
    ap.add_argument("--pdfsig-files", type=int, default=200,
                    help="documents for the per-file pdfsig loop (default 200)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="signkit verify --jobs (default 2)")
    benchlib.add_run_arguments(
        ap, fail_on_target="exit 1 when a target is missed (default: report only; a way that "
                           "judges a document not valid always exits 1)")
    args = ap.parse_args(argv)
    cli_files = benchlib.check_sizes(ap, args)
    if args.pdfsig_files < 1 or args.jobs < 1:
        ap.error("--pdfsig-files and --jobs must be at least 1")
    pdfsig_files = min(args.pdfsig_files, args.files)

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    load_start = os.getloadavg()  # other work on this machine skews every figure
    with benchlib.work_folder(ap, args, "signkit-verify-bench-") as workdir:
        print(f"setting up in {workdir}: PKI served live, NSS database, {args.files} PDFs ...",
              flush=True)
        t0 = time.perf_counter()
        pki = LivePki(workdir / "pki")
        try:
            if not pki.crl_urls or not pki.ocsp_urls:
                sys.exit(f"{BENCH}: the signer's certificate names no CRL distribution point "
                         f"or OCSP responder (CRL {pki.crl_urls}, OCSP {pki.ocsp_urls})")
            nss_db = make_nss_db(pki, workdir / "nssdb")
            inputs = benchlib.write_office_pdfs(workdir / "in", args.files)
            sizes = [f.stat().st_size for f in inputs]
            print(f"  PKI at {pki.url} (CRL {pki.crl_urls[0]}, OCSP {pki.ocsp_urls[0]}); "
                  f"PDFs {min(sizes)}-{max(sizes)} bytes", flush=True)
            t1 = time.perf_counter()
            signed = sign_documents(pki, inputs, workdir / "signed")
            sign_s = time.perf_counter() - t1
            setup_s = time.perf_counter() - t0
            print(f"  signed {len(signed)} with signkit's DocumentSigner in {sign_s:.1f} s; "
                  f"set-up {setup_s:.1f} s", flush=True)

            signkit = benchlib.step(
                f"[1/3] signkit verify --jobs {args.jobs}, {args.files} files",
                lambda: run_signkit(pki, workdir / "signed", signed, args.jobs, workdir))
            cli = benchlib.step(
                f"[2/3] pyhanko sign validate per file, {cli_files} files",
                lambda: run_pyhanko_cli_loop(pki, signed[:cli_files], workdir))
            pdfsig = benchlib.step(
                f"[3/3] pdfsig per file, {pdfsig_files} files",
                lambda: run_pdfsig_loop(pki, nss_db, signed[:pdfsig_files], workdir))
        finally:
            pki.close()
    total_s = time.perf_counter() - t_start

    ways = (signkit, cli, pdfsig)
    vs_cli = benchlib.ratio(signkit.docs_per_s, cli.docs_per_s)
    vs_pdfsig = benchlib.ratio(signkit.docs_per_s, pdfsig.docs_per_s)
    targets = {"signkit_vs_pyhanko_cli_loop": benchlib.target(vs_cli, TARGET_VS_CLI),
               "signkit_vs_pdfsig_loop": benchlib.target(vs_pdfsig, TARGET_VS_PDFSIG),
               "signkit_docs_per_s": benchlib.target(signkit.docs_per_s, TARGET_DOCS_PER_S)}
    all_valid = all(w.valid == w.files and not w.problems for w in ways)
    # the server's count is the proof that revocation was checked live: a per-file process
    # asks at least once per file, signkit's workers at least once in all
    asked = {way.name: way.requests["ocsp"] + way.requests["crl"] for way in ways}
    revocation_live = (asked[signkit.name] >= 1
                       and all(asked[w.name] >= w.files for w in (cli, pdfsig)))
    revocation_checked = (signkit.notes["revocation_not_checked"] == 0
                          and signkit.notes["revocation_checked"] > 0)

    print()
    print(f"signkit verify benchmark: {args.files} PDFs of 2-3 pages signed by {SIGNER} "
          f"(test PKI, OCSP and CRL live on {pki.url}), "
          f"{benchlib.environment(revision, load_start)}")
    rows = [[*benchlib.way_cells(way), way.valid,
             f"{way.requests['ocsp']}/{way.requests['crl']}"] for way in ways]
    for line in benchlib.table((("way", 38), *benchlib.WAY_COLUMNS, ("valid", 6),
                                ("OCSP/CRL reqs", 13)), rows):
        print(line)
    n = signkit.notes
    print(f"{benchlib.startup_line('signkit', n)}; revocation checked "
          f"{n['revocation_checked']} of {signkit.files} "
          f"({', '.join(f'{k} {v}' for k, v in n['revocation_sources'].items()) or 'none'})")
    print(benchlib.per_file_line("pyhanko CLI", cli.notes, in_ms=True))
    print(benchlib.per_file_line("pdfsig", pdfsig.notes, in_ms=True))
    print(f"  signkit start to end: {signkit.docs_per_s:.0f} docs/s (target >= "
          f"{TARGET_DOCS_PER_S:.0f} with --files 5000): "
          f"{benchlib.verdict(signkit.docs_per_s >= TARGET_DOCS_PER_S)}")
    print(benchlib.ratio_line("signkit / pyhanko CLI loop", vs_cli, TARGET_VS_CLI, width=27))
    print(benchlib.ratio_line("signkit / pdfsig loop", vs_pdfsig, TARGET_VS_PDFSIG, width=27,
                              digits=2))
    common = min(cli_files, pdfsig_files)
    print(f"  all three agree the first {common} documents are valid (signkit exit 0, "
          f"TOTAL_PASSED; pyHanko INTACT:TRUSTED; pdfsig Valid, Trusted): "
          f"{benchlib.verdict(all_valid)}")
    print(f"  signkit reports revocation checked for every signature: "
          f"{benchlib.verdict(revocation_checked)}")
    print(f"  every way asked the live OCSP/CRL server (signkit at least once, the loops at "
          f"least once per file): {benchlib.verdict(revocation_live)}")
    for way in ways:
        for problem in way.problems:
            print(f"  not valid per {way.name}: {problem}", file=sys.stderr)
    print(f"  total runtime {total_s:.1f} s (set-up {setup_s:.1f} s, of which signing "
          f"{sign_s:.1f} s)")
    benchlib.warn_over_budget(total_s, TIME_BUDGET_S, "lower --cli-files or --pdfsig-files")

    if args.json is not None:
        pdfsig_version = subprocess.run(["pdfsig", "-v"], capture_output=True, text=True)
        benchlib.write_json(args.json, {
            "config": {"files": args.files, "cli_files": cli_files,
                       "pdfsig_files": pdfsig_files, "jobs": args.jobs, "signer": SIGNER,
                       "key": "RSA-2048", "revocation": "OCSP and CRL served live on loopback"},
            "signkit_revision": revision,
            "machine": {**benchlib.machine(load_start),
                        "pdfsig": (pdfsig_version.stdout + pdfsig_version.stderr)
                        .splitlines()[0].strip()},
            "ways": {"signkit": asdict(signkit), "pyhanko_cli_loop": asdict(cli),
                     "pdfsig_loop": asdict(pdfsig)},
            "targets": targets,
            "all_valid": all_valid,
            "signkit_revocation_checked": revocation_checked,
            "revocation_asked_live": revocation_live,
            "setup_s": setup_s,
            "signing_s": sign_s,
            "total_s": total_s,
        })
    if not (all_valid and revocation_live):
        return 1
    if args.fail_on_target and not all(t["pass"] for t in targets.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
