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
so all three must agree they are valid. Targets: signkit >= 10x the pyHanko CLI loop and at
least as fast as the pdfsig loop (docs/s).

    .venv/bin/python bench/verify_bench.py [--files 1000] [--cli-files 40]
        [--pdfsig-files 200] [--jobs 2] [--json out.json]

Set-up (PKI, NSS database, PDFs) happens in a temporary folder (``--workdir`` to choose one,
``--keep`` to keep it); nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import benchlib

HERE = Path(__file__).resolve().parent
PKI_CONFIG = HERE.parent / "fixtures" / "pki" / "testing-ca.yml"
BIN = Path(sys.executable).parent
SIGNER = "signer-rsa2048"
TARGET_VS_CLI = 10.0
TARGET_VS_PDFSIG = 1.0
TIME_BUDGET_S = 300.0


@dataclass
class WayResult:
    name: str
    command: str
    files: int
    wall_s: float
    docs_per_s: float
    valid: int = 0  # files this way judged valid (see each run_* for what that means)
    revocation_requests: dict = field(default_factory=dict)  # to the loopback OCSP/CRL server
    notes: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the first few files judged not valid


class LivePki:
    """The test PKI with its OCSP responder and CRLs served live on 127.0.0.1 (a free port)
    by certomancer's animator in a thread of this process, as tests/conftest.py does.

    The port is bound first, so that the certificates' CRL distribution point and OCSP
    address name it. Writes root.pem, interm.pem and the signer's PKCS#12 to ``folder``."""

    def __init__(self, folder: Path):
        from certomancer import registry
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        animator: list = []

        def app(environ, start_response):
            path = environ.get("PATH_INFO", "")
            kind = "ocsp" if "/ocsp/" in path else "crl" if "/crls/" in path else "other"
            with self._lock:
                self._counts[kind] += 1
            return animator[0](environ, start_response)

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

        cfg = registry.CertomancerConfig.from_file(
            PKI_CONFIG, key_search_dir=PKI_CONFIG.parent, external_url_prefix=self.url)
        arch = cfg.get_pki_arch(registry.ArchLabel("testing-ca"))

        class WholeSecondAnimator(Animator):
            # NSS (pdfsig) rejects OCSP responses whose times carry fractional seconds
            def at_time(self, request):
                return super().at_time(request).replace(microsecond=0)

        animator.append(
            WholeSecondAnimator(AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False))

        def cert(label: str) -> x509.Certificate:
            return x509.load_der_x509_certificate(arch.get_cert(registry.CertLabel(label)).dump())

        folder.mkdir(parents=True, exist_ok=True)
        self.root_pem, self.interm_pem = folder / "root.pem", folder / "interm.pem"
        self.signer_pem = folder / f"{SIGNER}.pem"
        for path, label in ((self.root_pem, "root"), (self.interm_pem, "interm"),
                            (self.signer_pem, SIGNER)):
            path.write_bytes(cert(label).public_bytes(serialization.Encoding.PEM))
        signer = cert(SIGNER)
        self.signer_name = signer.subject.rfc4514_string()
        self.crl_urls = [name.value for dp in _extension(signer, x509.CRLDistributionPoints)
                         for name in dp.full_name or ()]
        self.ocsp_urls = [ad.access_location.value
                          for ad in _extension(signer, x509.AuthorityInformationAccess)
                          if ad.access_method == x509.oid.AuthorityInformationAccessOID.OCSP]
        key = serialization.load_der_private_key(
            arch.key_set.get_private_key(registry.KeyLabel(SIGNER)).dump(), password=None)
        self.p12_password = secrets.token_hex(8)
        self.p12 = folder / f"{SIGNER}.p12"
        self.p12.write_bytes(pkcs12.serialize_key_and_certificates(
            SIGNER.encode(), key, signer, [cert("interm"), cert("root")],
            serialization.BestAvailableEncryption(self.p12_password.encode())))
        self.p12.chmod(0o600)

    def requests(self) -> Counter[str]:
        """Requests served so far, by kind (ocsp, crl, other)."""
        with self._lock:
            return Counter(self._counts)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _extension(cert, kind) -> list:
    from cryptography import x509

    try:
        return list(cert.extensions.get_extension_for_class(kind).value)
    except x509.ExtensionNotFound:
        return []


def sign_documents(pki: LivePki, files: list[Path], out: Path) -> list[Path]:
    """Sign every file with signkit's library (one DocumentSigner, the PKCS#12 key)."""
    import signkit

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
    _run(["certutil", "-N", "-d", db, "--empty-password"], None, "certutil -N")
    _run(["certutil", "-A", "-d", db, "-n", "signkit-test-root", "-t", "CT,C,C",
          "-i", str(pki.root_pem)], None, "certutil -A root")
    _run(["certutil", "-A", "-d", db, "-n", "signkit-test-interm", "-t", ",,",
          "-i", str(pki.interm_pem)], None, "certutil -A interm")
    return folder


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"verify_bench: cannot find the {name} command (is the venv installed?)")
    return found


def _run(cmd: list[str], cwd: Path | None, what: str, *, ok: tuple[int, ...] = (0,)
         ) -> subprocess.CompletedProcess:
    # cwd: the work folder, so that no pyhanko.yml of the caller's folder is picked up
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if run.returncode not in ok:
        sys.exit(f"verify_bench: {what} failed (exit {run.returncode}):\n"
                 f"{' '.join(cmd)}\n{run.stdout[-2000:]}{run.stderr[-4000:]}")
    return run


def _requests_since(pki: LivePki, before: Counter[str]) -> dict:
    after = pki.requests()
    return {kind: after[kind] - before[kind] for kind in ("ocsp", "crl", "other")}


def run_signkit(pki: LivePki, folder: Path, files: list[Path], jobs: int, work: Path
                ) -> tuple[WayResult, dict]:
    """One ``signkit verify`` for the whole folder; then a 1-file run for the fixed cost."""
    def command(target: Path, report: Path) -> list[str]:
        return [_tool("signkit"), "verify", str(target), "--trust", str(pki.root_pem),
                "--other-certs", str(pki.interm_pem), "--jobs", str(jobs),
                "--format", "json", "-o", str(report), "--no-progress"]

    report_path = work / "signkit-report.json"
    cmd = command(folder, report_path)
    before = pki.requests()
    t0 = time.perf_counter()
    run = _run(cmd, work, "signkit verify", ok=(0, 1, 3))
    wall = time.perf_counter() - t0
    requests = _requests_since(pki, before)
    report = json.loads(report_path.read_text(encoding="utf-8"))

    one_report = work / "signkit-report-1.json"
    t0 = time.perf_counter()
    _run(command(files[0], one_report), work, "signkit verify (1 file)", ok=(0, 1, 3))
    single = time.perf_counter() - t0
    marginal = (wall - single) / (len(files) - 1) if len(files) > 1 else float("nan")

    way = WayResult(
        f"signkit verify --jobs {jobs}", benchlib.show(cmd), len(files), wall, len(files) / wall,
        revocation_requests=requests,
        notes={"exit_code": run.returncode, "summary": report.get("summary"),
               "one_file_run_s": single, "marginal_ms_per_doc": marginal * 1000,
               "steady_docs_per_s": 1 / marginal if marginal > 0 else None},
    )
    judge_signkit(way, report, files, pki)
    return way, report


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
        if problem is None:
            way.valid += 1
        elif len(way.problems) < 5:
            way.problems.append(f"{f.name}: {problem}")
    way.notes["revocation_checked"] = checked
    way.notes["revocation_not_checked"] = len(unchecked)
    way.notes["revocation_sources"] = dict(sources)
    if unchecked:
        way.notes["revocation_not_checked_e_g"] = unchecked[:3]


def run_pyhanko_cli_loop(pki: LivePki, files: list[Path], work: Path) -> WayResult:
    base = [_tool("pyhanko"), "sign", "validate", "--trust", str(pki.root_pem),
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
    per_file = []
    way = WayResult(name, benchlib.show([*base, "FILE.pdf"]), len(files), 0.0, 0.0)
    before = pki.requests()
    t0 = time.perf_counter()
    for f in files:
        t = time.perf_counter()
        run = subprocess.run([*base, str(f)], cwd=work, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL)
        per_file.append(time.perf_counter() - t)
        problem = judge(run)
        if problem is None:
            way.valid += 1
        elif len(way.problems) < 5:
            way.problems.append(f"{f.name}: {problem}")
    way.wall_s = time.perf_counter() - t0
    way.docs_per_s = len(files) / way.wall_s
    way.revocation_requests = _requests_since(pki, before)
    way.notes = {"mean_s_per_file": way.wall_s / len(files), "min_s_per_file": min(per_file),
                 "max_s_per_file": max(per_file)}
    return way


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=1000,
                    help="documents to sign and verify with signkit (default 1000)")
    ap.add_argument("--cli-files", type=int, default=40,
                    help="documents for the per-file pyhanko CLI loop (default 40)")
    ap.add_argument("--pdfsig-files", type=int, default=200,
                    help="documents for the per-file pdfsig loop (default 200)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="signkit verify --jobs (default 2)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--workdir", type=Path,
                    help="work folder (default: a new temporary folder, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--fail-on-target", action="store_true",
                    help="exit 1 when a target is missed (default: report only; a way that "
                         "judges a document not valid always exits 1)")
    args = ap.parse_args(argv)
    if args.files < 2 or args.cli_files < 1 or args.pdfsig_files < 1 or args.jobs < 1:
        ap.error("--files must be at least 2, --cli-files, --pdfsig-files and --jobs at least 1")
    cli_files = min(args.cli_files, args.files)
    pdfsig_files = min(args.pdfsig_files, args.files)

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    load_start = os.getloadavg()  # other work on this machine skews every figure
    if args.workdir is not None:
        workdir = args.workdir.resolve()
        if workdir.exists() and any(workdir.iterdir()):
            ap.error(f"--workdir {workdir} is not empty")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="signkit-verify-bench-"))
    pki = None
    try:
        print(f"setting up in {workdir}: PKI served live, NSS database, {args.files} PDFs ...",
              flush=True)
        t0 = time.perf_counter()
        pki = LivePki(workdir / "pki")
        if not pki.crl_urls or not pki.ocsp_urls:
            sys.exit(f"verify_bench: the signer's certificate names no CRL distribution point "
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

        print(f"[1/3] signkit verify --jobs {args.jobs}, {args.files} files ...", flush=True)
        signkit, _ = run_signkit(pki, workdir / "signed", signed, args.jobs, workdir)
        print(f"      {signkit.wall_s:.2f} s, {signkit.docs_per_s:.1f} docs/s", flush=True)

        print(f"[2/3] pyhanko sign validate per file, {cli_files} files ...", flush=True)
        cli = run_pyhanko_cli_loop(pki, signed[:cli_files], workdir)
        print(f"      {cli.wall_s:.2f} s, {cli.docs_per_s:.2f} docs/s", flush=True)

        print(f"[3/3] pdfsig per file, {pdfsig_files} files ...", flush=True)
        pdfsig = run_pdfsig_loop(pki, nss_db, signed[:pdfsig_files], workdir)
        print(f"      {pdfsig.wall_s:.2f} s, {pdfsig.docs_per_s:.1f} docs/s", flush=True)
        pki_url = pki.url
    finally:
        if pki is not None:
            pki.close()
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    total_s = time.perf_counter() - t_start

    ways = (signkit, cli, pdfsig)
    vs_cli = benchlib.ratio(signkit.docs_per_s, cli.docs_per_s)
    vs_pdfsig = benchlib.ratio(signkit.docs_per_s, pdfsig.docs_per_s)
    targets = {
        "signkit_vs_pyhanko_cli_loop": {"ratio": vs_cli, "target": TARGET_VS_CLI,
                                        "pass": vs_cli >= TARGET_VS_CLI},
        "signkit_vs_pdfsig_loop": {"ratio": vs_pdfsig, "target": TARGET_VS_PDFSIG,
                                   "pass": vs_pdfsig >= TARGET_VS_PDFSIG},
    }
    all_valid = all(w.valid == w.files and not w.problems for w in ways)
    # the server's count is the proof that revocation was checked live: a per-file process
    # asks at least once per file, signkit's workers at least once in all
    asked = {way.name: sum(way.revocation_requests[k] for k in ("ocsp", "crl"))
             for way in ways}
    revocation_live = (asked[signkit.name] >= 1
                       and all(asked[w.name] >= w.files for w in (cli, pdfsig)))
    revocation_checked = (signkit.notes["revocation_not_checked"] == 0
                          and signkit.notes["revocation_checked"] > 0)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print()
    print(f"signkit verify benchmark: {args.files} PDFs of 2-3 pages signed by {SIGNER} "
          f"(test PKI, OCSP and CRL live on {pki_url}), {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, signkit {revision or '(not a git checkout)'}; "
          f"load average {load_start[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print(f"  {'way':<38} {'files':>5} {'wall s':>8} {'docs/s':>8} {'valid':>6} "
          f"{'OCSP/CRL reqs':>13}")
    for way in ways:
        reqs = f"{way.revocation_requests['ocsp']}/{way.revocation_requests['crl']}"
        print(f"  {way.name:<38} {way.files:>5} {way.wall_s:>8.2f} {way.docs_per_s:>8.2f} "
              f"{way.valid:>6} {reqs:>13}")
    n = signkit.notes
    steady = f"{n['steady_docs_per_s']:.1f}" if n["steady_docs_per_s"] else "n/a"
    print(f"  signkit: one-file run {n['one_file_run_s']:.2f} s; marginal "
          f"{n['marginal_ms_per_doc']:.1f} ms/doc ({steady} docs/s after start-up); "
          f"revocation checked {n['revocation_checked']} of {signkit.files} "
          f"({', '.join(f'{k} {v}' for k, v in n['revocation_sources'].items()) or 'none'})")
    for way, label in ((cli, "pyhanko CLI"), (pdfsig, "pdfsig")):
        print(f"  {label}: {way.notes['mean_s_per_file'] * 1000:.0f} ms/file "
              f"(min {way.notes['min_s_per_file'] * 1000:.0f}, "
              f"max {way.notes['max_s_per_file'] * 1000:.0f})")
    print(f"  signkit / pyhanko CLI loop: {vs_cli:6.1f}x  (target >= {TARGET_VS_CLI:g}x)  "
          f"{verdict(targets['signkit_vs_pyhanko_cli_loop']['pass'])}")
    print(f"  signkit / pdfsig loop:      {vs_pdfsig:6.2f}x  (target >= {TARGET_VS_PDFSIG:g}x)  "
          f"{verdict(targets['signkit_vs_pdfsig_loop']['pass'])}")
    common = min(cli_files, pdfsig_files)
    print(f"  all three agree the first {common} documents are valid (signkit exit 0, "
          f"TOTAL_PASSED; pyHanko INTACT:TRUSTED; pdfsig Valid, Trusted): "
          f"{verdict(all_valid)}")
    print(f"  signkit reports revocation checked for every signature: "
          f"{verdict(revocation_checked)}")
    print(f"  every way asked the live OCSP/CRL server (signkit at least once, the loops at "
          f"least once per file): {verdict(revocation_live)}")
    for way in ways:
        for problem in way.problems:
            print(f"  not valid per {way.name}: {problem}", file=sys.stderr)
    print(f"  total runtime {total_s:.1f} s (set-up {setup_s:.1f} s, of which signing "
          f"{sign_s:.1f} s)")
    if total_s > TIME_BUDGET_S:
        print(f"  warning: over the {TIME_BUDGET_S:.0f} s budget; lower --cli-files or "
              f"--pdfsig-files", file=sys.stderr)

    if args.json is not None:
        from importlib.metadata import version

        pdfsig_version = subprocess.run(["pdfsig", "-v"], capture_output=True, text=True)
        report = {
            "config": {"files": args.files, "cli_files": cli_files,
                       "pdfsig_files": pdfsig_files, "jobs": args.jobs, "signer": SIGNER,
                       "key": "RSA-2048", "revocation": "OCSP and CRL served live on loopback"},
            "signkit_revision": revision,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "loadavg_start": load_start, "loadavg_end": os.getloadavg(),
                        "platform": platform.platform(), "pyhanko": version("pyHanko"),
                        "pyhanko_cli": version("pyhanko-cli"),
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
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"  results written to {args.json}")
    if not (all_valid and revocation_live):
        return 1
    if args.fail_on_target and not all(t["pass"] for t in targets.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
