"""``signkit ltv refresh`` on an archive where nothing needs renewal, beside
``signkit verify --offline`` on the same files. Target: refresh takes under 2x verify's time.

The test PKI of fixtures/pki/testing-ca.yml is served by certomancer's animator on a loopback
port of this process (``LivePki`` of bench/livepki.py; its TSA, OCSP responder and CRLs).
``--distinct`` small office PDFs (2-3 pages of text) are signed by signer-rsa2048 at PAdES-B-T
with signkit's ``DocumentSigner`` and brought to B-LTA by ``signkit ltv add --level B-LTA``
(set-up, not timed); they are copied round-robin into an archive folder of ``--files``
documents. Both commands then run over that folder, each timed from process start to end, the
way an archivist runs them:

1. ``signkit verify --offline --format json`` (its default worker processes), trusting the
   test root;
2. ``signkit ltv refresh --within 180d --in-place --format json`` with the TSA and trust
   given, as a scheduled archive job would run: the test TSA's certificate is valid until
   2040, so no document is due and nothing may be written.

Checked, not assumed: refresh exits 0 and reports every file NOT_NEEDED; no file of the
archive changes (SHA-256 before and after); the loopback services receive no request during
the refresh (it must not touch the network when nothing is due); verify reports a status for
every file (which statuses is printed).

    .venv/bin/python bench/ltv_refresh_bench.py [--files 1000] [--distinct 50] [--json out.json]

Set-up happens in a temporary folder (``--workdir`` to choose one, ``--keep`` to keep it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import benchlib
from livepki import LivePki

BENCH = "ltv_refresh_bench"
TSA_PATH = "/testing-ca/tsa/tsa"
TARGET_RATIO = 2.0  # refresh time / verify --offline time must stay below this


def make_archive(pki: LivePki, work: Path, distinct: int, files: int) -> Path:
    """``files`` B-LTA documents (``distinct`` different ones, copied round-robin)."""
    import signkit

    signkit.enable_fast_pdf_parsing()  # as the signkit command does at start-up
    inputs = benchlib.write_office_pdfs(work / "in", distinct)
    signed = work / "b-t"
    signed.mkdir()
    options = signkit.SignOptions(level=signkit.PadesLevel.B_T, tsa_url=pki.url + TSA_PATH,
                                  trust=(pki.root_pem,), other_certs=(pki.interm_pem,))
    with signkit.open_pkcs12(pki.p12, password=pki.p12_password) as key:
        signkit.sign_many([(f, signed / f.name) for f in inputs], key=key, options=options)
    lta = work / "b-lta"
    benchlib.run_or_exit(
        [benchlib.tool("signkit", BENCH), "ltv", "add", str(signed), "--out-dir", str(lta),
         "--level", "B-LTA", "--tsa", pki.url + TSA_PATH, "--trust", str(pki.root_pem),
         "--other-certs", str(pki.interm_pem), "--no-progress"],
        bench=BENCH, what="signkit ltv add (set-up)", env=benchlib.clean_env(), cwd=work)
    archive = work / "archive"
    archive.mkdir()
    sources = sorted(lta.iterdir())
    for i in range(files):
        shutil.copyfile(sources[i % len(sources)], archive / f"doc-{i + 1:05d}.pdf")
    return archive


def fingerprints(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def timed(cmd: list[str], work: Path) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    run = subprocess.run(cmd, cwd=work, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                         env=benchlib.clean_env())
    return time.perf_counter() - t0, run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=1000, help="documents in the archive")
    ap.add_argument("--distinct", type=int, default=50,
                    help="different documents signed for it (copied round-robin)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--workdir", type=Path, help="work folder (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--fail-on-target", action="store_true",
                    help="exit 1 when refresh takes 2x verify's time or more")
    args = ap.parse_args(argv)
    if args.files < 1 or not 1 <= args.distinct <= args.files:
        ap.error("need 1 <= --distinct <= --files")
    work = (args.workdir.resolve() if args.workdir
            else Path(tempfile.mkdtemp(prefix="signkit-ltv-refresh-bench-")))
    work.mkdir(parents=True, exist_ok=True)
    signkit_cmd = benchlib.tool("signkit", BENCH)
    pki = None
    try:
        pki = LivePki(work / "pki")  # its TSA and OCSP answers sign with keys loaded once
        print(f"setting up in {work}: {args.distinct} documents to B-LTA, "
              f"{args.files} in the archive ...", flush=True)
        t0 = time.perf_counter()
        archive = make_archive(pki, work, args.distinct, args.files)
        setup_s = time.perf_counter() - t0
        before = fingerprints(archive)
        print(f"  set-up {setup_s:.1f} s", flush=True)

        verify_cmd = [signkit_cmd, "verify", str(archive), "--offline", "--trust",
                      str(pki.root_pem), "--other-certs", str(pki.interm_pem), "--format",
                      "json", "--no-progress"]
        print(f"[1/2] {benchlib.show(verify_cmd)}", flush=True)
        verify_s, verify_run = timed(verify_cmd, work)
        if verify_run.returncode not in (0, 1, 3):
            sys.exit(f"{BENCH}: verify failed (exit {verify_run.returncode}):\n"
                     f"{verify_run.stderr[-3000:]}")
        verdicts = Counter(f["status"] for f in json.loads(verify_run.stdout)["files"])
        print(f"      {verify_s:.2f} s; {dict(verdicts)}", flush=True)

        refresh_cmd = [signkit_cmd, "ltv", "refresh", str(archive), "--within", "180d",
                       "--in-place", "--tsa", pki.url + TSA_PATH, "--trust", str(pki.root_pem),
                       "--other-certs", str(pki.interm_pem), "--format", "json",
                       "--no-progress"]
        print(f"[2/2] {benchlib.show(refresh_cmd)}", flush=True)
        served = sum(pki.requests().values())
        refresh_s, refresh_run = timed(refresh_cmd, work)
        asked = sum(pki.requests().values()) - served
        if refresh_run.returncode != 0:
            sys.exit(f"{BENCH}: refresh failed (exit {refresh_run.returncode}):\n"
                     f"{refresh_run.stdout[-3000:]}{refresh_run.stderr[-3000:]}")
        statuses = Counter(f["status"] for f in json.loads(refresh_run.stdout)["files"])
        print(f"      {refresh_s:.2f} s; {dict(statuses)}", flush=True)
        unchanged = fingerprints(archive) == before
    finally:
        if pki is not None:
            pki.close()
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    ratio = benchlib.ratio(refresh_s, verify_s)
    all_not_needed = statuses == Counter({"NOT_NEEDED": args.files})
    checks = {"every file NOT_NEEDED": all_not_needed, "no file changed": unchanged,
              "no request to the services during refresh": asked == 0,
              f"refresh under {TARGET_RATIO:g}x verify --offline": ratio < TARGET_RATIO}
    print()
    print(f"ltv refresh benchmark: {args.files} B-LTA documents ({args.distinct} distinct), "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, signkit "
          f"{benchlib.git_revision() or '(not a git checkout)'}, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  signkit verify --offline    {verify_s:8.2f} s  {args.files / verify_s:8.1f} docs/s")
    print(f"  signkit ltv refresh         {refresh_s:8.2f} s  {args.files / refresh_s:8.1f} docs/s")
    print(f"  refresh / verify: {ratio:.2f}x (target < {TARGET_RATIO:g}x)")
    for name, ok in checks.items():
        print(f"  {name}: {'PASS' if ok else 'FAIL'}")
    if args.json is not None:
        args.json.write_text(json.dumps({
            "files": args.files, "distinct": args.distinct, "setup_s": setup_s,
            "verify_offline_s": verify_s, "verify_statuses": dict(verdicts),
            "refresh_s": refresh_s, "refresh_statuses": dict(statuses), "ratio": ratio,
            "target_ratio": TARGET_RATIO, "checks": checks, "cpus": os.cpu_count(),
            "signkit_revision": benchlib.git_revision(),
        }, indent=2) + "\n")
    correct = all(ok for name, ok in checks.items() if not name.startswith("refresh under"))
    if not correct or (args.fail_on_target and ratio >= TARGET_RATIO):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
