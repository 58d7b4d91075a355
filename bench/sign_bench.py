"""Signing throughput: signkit beside pyHanko's CLI and pyHanko's library, one SoftHSM2 token.

Three ways of signing the same small office PDFs (2-3 pages of text) with the same RSA-2048
key, each timed from process start to process end, the way a user runs it:

1. ``signkit sign --out-dir``: one process, one login, every file (PIN from $SIGNKIT_PIN).
2. ``pyhanko sign addsig pkcs11`` once per file, a clerk's shell loop (PIN from
   $PYHANKO_PKCS11_PIN). Each run starts Python and logs in, so it runs on the first
   ``--cli-files`` files only and its rate comes from those.
3. A pyHanko library loop: ``SimpleSigner.load_pkcs12`` once (the same key as a PKCS#12
   file), then ``signers.sign_pdf`` per file, in one process (bench/pyhanko_library_loop.py).
   Such a loop is slow for a reason worth knowing: pyHanko's ``SimpleSigner.sign_raw``
   re-reads its private key (cryptography's ``load_der_private_key``, which checks an RSA
   key: ~70 ms) for every signature, and ``sign_pdf`` without ``bytes_reserved`` signs twice
   per document, once to size the placeholder.

It also measures the token's raw C_Sign rate (PyKCS11, CKM_SHA256_RSA_PKCS over 100 bytes),
checks a sample of every way's outputs with pyHanko's validator (intact, valid, trusted,
covering the whole file), and prints docs/s, the ratios and the targets:
signkit >= 20x the CLI loop and >= 2x the library loop.

    .venv/bin/python bench/sign_bench.py [--files 200] [--cli-files 30] [--json out.json]

Set-up (PKI, token, PDFs) happens in a temporary folder (``--workdir`` to choose one,
``--keep`` to keep it); nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import benchlib

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TARGET_VS_CLI = 20.0
TARGET_VS_LIBRARY = 2.0
TIME_BUDGET_S = 300.0


@dataclass
class WayResult:
    name: str
    command: str
    files: int
    wall_s: float
    docs_per_s: float
    notes: dict = field(default_factory=dict)
    verified: list[str] = field(default_factory=list)


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"sign_bench: cannot find the {name} command (is the venv installed?)")
    return found


def _run(cmd: list[str], env: dict[str, str], what: str, cwd: Path | None = None
         ) -> subprocess.CompletedProcess:
    # cwd: the work folder, so that no pyhanko.yml of the caller's folder is picked up
    run = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if run.returncode != 0:
        sys.exit(f"sign_bench: {what} failed (exit {run.returncode}):\n"
                 f"{' '.join(cmd)}\n{run.stdout[-2000:]}{run.stderr[-4000:]}")
    return run


def _outputs(folder: Path, inputs: list[Path], what: str) -> list[Path]:
    outs = [folder / f.name for f in inputs]
    missing = [o for o in outs if not o.is_file()]
    if missing:
        sys.exit(f"sign_bench: {what} left {len(missing)} outputs missing, e.g. {missing[0]}")
    return outs


def run_signkit(setup: benchlib.BenchSetup, files: list[Path], out: Path) -> WayResult:
    def command(source: Path, target: Path) -> list[str]:
        return [_tool("signkit"), "sign", str(source), "--out-dir", str(target),
                "--pkcs11", "--module", setup.module, "--token", benchlib.TOKEN_LABEL,
                "--key-label", benchlib.KEY_LABEL, "--reason", benchlib.REASON,
                "--no-progress"]

    cmd = command(setup.inputs, out)
    env = setup.env(SIGNKIT_PIN=setup.pin)
    t0 = time.perf_counter()
    _run(cmd, env, "signkit sign", setup.folder)
    wall = time.perf_counter() - t0
    _outputs(out, files, "signkit sign")

    # the fixed cost of one run (interpreter, imports, module load, login), from a 1-file run
    one = out.parent / (out.name + "-single")
    t0 = time.perf_counter()
    _run(command(files[0], one), env, "signkit sign (1 file)", setup.folder)
    single = time.perf_counter() - t0
    marginal = (wall - single) / (len(files) - 1) if len(files) > 1 else float("nan")
    return WayResult(
        "signkit sign --out-dir", benchlib.show(cmd), len(files), wall, len(files) / wall,
        notes={"one_file_run_s": single,
               "marginal_ms_per_doc": marginal * 1000,
               "steady_docs_per_s": 1 / marginal if marginal > 0 else None},
    )


def run_cli_loop(setup: benchlib.BenchSetup, files: list[Path], out: Path) -> WayResult:
    out.mkdir(parents=True, exist_ok=True)
    base = [_tool("pyhanko"), "sign", "addsig", "--use-pades", "--reason", benchlib.REASON,
            "--field", "Signature1", "pkcs11", "--lib", setup.module,
            "--token-label", benchlib.TOKEN_LABEL, "--cert-label", benchlib.KEY_LABEL,
            "--key-label", benchlib.KEY_LABEL, "--other-cert", benchlib.CA_LABEL]
    env = setup.env(PYHANKO_PKCS11_PIN=setup.pin)
    per_file = []
    t0 = time.perf_counter()
    for f in files:
        t = time.perf_counter()
        _run([*base, str(f), str(out / f.name)], env, f"pyhanko sign addsig pkcs11 {f.name}",
             setup.folder)
        per_file.append(time.perf_counter() - t)
    wall = time.perf_counter() - t0
    _outputs(out, files, "pyhanko sign addsig pkcs11")
    return WayResult(
        "pyhanko sign addsig pkcs11, once per file", benchlib.show([*base, "IN.pdf", "OUT.pdf"]),
        len(files), wall, len(files) / wall,
        notes={"mean_s_per_file": wall / len(files), "min_s_per_file": min(per_file),
               "max_s_per_file": max(per_file)},
    )


def run_library_loop(setup: benchlib.BenchSetup, files: list[Path], out: Path) -> WayResult:
    cmd = [sys.executable, str(HERE / "pyhanko_library_loop.py"), str(setup.p12), str(out),
           *map(str, files)]
    env = setup.env(BENCH_P12_PASSWORD=setup.p12_password.decode(),
                    BENCH_REASON=benchlib.REASON)
    t0 = time.perf_counter()
    run = _run(cmd, env, "pyHanko library loop", setup.folder)
    wall = time.perf_counter() - t0
    _outputs(out, files, "pyHanko library loop")
    inner = json.loads(run.stdout.strip().splitlines()[-1])
    return WayResult(
        "pyHanko library loop (SimpleSigner, PKCS#12)",
        benchlib.show([*cmd[:4], f"<{len(files)} files>"]), len(files), wall, len(files) / wall,
        notes={**inner, "loop_docs_per_s": inner["files"] / inner["loop_s"]},
    )


def raw_csign_rate(setup: benchlib.BenchSetup, iterations: int) -> dict:
    """C_Sign with CKM_SHA256_RSA_PKCS over 100 bytes, as fast as PyKCS11 can call it."""
    import PyKCS11
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    lib = PyKCS11.PyKCS11Lib()
    lib.load(setup.module)
    try:
        slot = next(s for s in lib.getSlotList(tokenPresent=True)
                    if lib.getTokenInfo(s).label.rstrip(" \x00") == benchlib.TOKEN_LABEL)
        session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
        session.login(setup.pin)
        try:
            key = session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
                                       (PyKCS11.CKA_LABEL, benchlib.KEY_LABEL)])[0]
            mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS, None)
            data = os.urandom(100)
            sig = bytes(session.sign(key, data, mech))
            cert = x509.load_pem_x509_certificate(setup.signer_pem.read_bytes())
            cert.public_key().verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
            t0 = time.perf_counter()
            for _ in range(iterations):
                session.sign(key, data, mech)
            elapsed = time.perf_counter() - t0
        finally:
            session.logout()
            session.closeSession()
    finally:
        lib.unload()
    return {"iterations": iterations, "seconds": elapsed, "signs_per_s": iterations / elapsed,
            "ms_per_sign": elapsed / iterations * 1000}


def verify_sample(setup: benchlib.BenchSetup, outputs: list[Path], k: int) -> list[str]:
    """pyHanko's validator on ``k`` outputs spread over the run; exits on any failure."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    def load(path: Path) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(pem.unarmor(path.read_bytes())[2])

    root, signer = load(setup.root_pem), load(setup.signer_pem)
    n = len(outputs)
    k = max(1, min(k, n))
    picks = sorted({round(i * (n - 1) / (k - 1)) for i in range(k)} if k > 1 else {0})
    checked = []
    for i in picks:
        path = outputs[i]
        vc = ValidationContext(trust_roots=[root], allow_fetching=False,
                               revocation_mode="soft-fail")
        with open(path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            sigs = reader.embedded_signatures
            problem = None
            if len(sigs) != 1:
                problem = f"{len(sigs)} signatures"
            else:
                sig = sigs[0]
                status = validate_pdf_signature(sig, vc)
                subfilter = sig.sig_object.get("/SubFilter")
                if not (status.intact and status.valid and status.trusted):
                    problem = status.pretty_print_details()
                elif status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
                    problem = f"coverage {status.coverage}"
                elif status.signing_cert.dump() != signer.dump():
                    problem = "signed by another certificate"
                elif subfilter != "/ETSI.CAdES.detached":
                    problem = f"SubFilter {subfilter}, not PAdES"
        if problem:
            sys.exit(f"sign_bench: output {path} does not validate: {problem}")
        checked.append(path.name)
    return checked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=200, help="documents to sign (default 200)")
    ap.add_argument("--cli-files", type=int, default=30,
                    help="documents for the per-file pyhanko CLI loop (default 30)")
    ap.add_argument("--csign-iterations", type=int, default=1000,
                    help="C_Sign calls for the raw token rate (default 1000)")
    ap.add_argument("--verify", type=int, default=5,
                    help="outputs of each way checked with pyHanko's validator (default 5)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--workdir", type=Path,
                    help="work folder (default: a new temporary folder, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--fail-on-target", action="store_true",
                    help="exit 1 when a target is missed (default: report only)")
    args = ap.parse_args(argv)
    if args.files < 2 or args.cli_files < 1:
        ap.error("--files must be at least 2 and --cli-files at least 1")
    cli_files = min(args.cli_files, args.files)

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    if args.workdir is not None:
        workdir = args.workdir.resolve()
        if workdir.exists() and any(workdir.iterdir()):
            ap.error(f"--workdir {workdir} is not empty")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="signkit-bench-"))
    try:
        print(f"setting up in {workdir}: PKI, SoftHSM2 token, {args.files} PDFs ...",
              flush=True)
        t0 = time.perf_counter()
        setup = benchlib.build(workdir, args.files)
        setup_s = time.perf_counter() - t0
        sizes = [f.stat().st_size for f in setup.files]
        print(f"  done in {setup_s:.1f} s; PDFs {min(sizes)}-{max(sizes)} bytes", flush=True)

        print(f"[1/3] signkit sign --out-dir, {args.files} files ...", flush=True)
        signkit = run_signkit(setup, setup.files, workdir / "out-signkit")
        print(f"      {signkit.wall_s:.2f} s, {signkit.docs_per_s:.1f} docs/s", flush=True)

        print(f"[2/3] pyhanko sign addsig pkcs11 per file, {cli_files} files ...", flush=True)
        cli = run_cli_loop(setup, setup.files[:cli_files], workdir / "out-pyhanko-cli")
        print(f"      {cli.wall_s:.2f} s, {cli.docs_per_s:.2f} docs/s", flush=True)

        print(f"[3/3] pyHanko library loop, {args.files} files ...", flush=True)
        library = run_library_loop(setup, setup.files, workdir / "out-pyhanko-lib")
        print(f"      {library.wall_s:.2f} s, {library.docs_per_s:.1f} docs/s", flush=True)

        print(f"raw C_Sign, {args.csign_iterations} calls ...", flush=True)
        csign = raw_csign_rate(setup, args.csign_iterations)

        print("verifying a sample of each way's outputs with pyHanko ...", flush=True)
        for way, folder, files in ((signkit, "out-signkit", setup.files),
                                   (cli, "out-pyhanko-cli", setup.files[:cli_files]),
                                   (library, "out-pyhanko-lib", setup.files)):
            way.verified = verify_sample(setup, [workdir / folder / f.name for f in files],
                                         args.verify)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    total_s = time.perf_counter() - t_start

    vs_cli = benchlib.ratio(signkit.docs_per_s, cli.docs_per_s)
    vs_lib = benchlib.ratio(signkit.docs_per_s, library.docs_per_s)
    targets = {
        "signkit_vs_cli_loop": {"ratio": vs_cli, "target": TARGET_VS_CLI,
                                "pass": vs_cli >= TARGET_VS_CLI},
        "signkit_vs_library_loop": {"ratio": vs_lib, "target": TARGET_VS_LIBRARY,
                                    "pass": vs_lib >= TARGET_VS_LIBRARY},
    }

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print()
    print(f"signkit sign benchmark: RSA-2048 on SoftHSM2, {args.files} PDFs of 2-3 pages, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"signkit {revision or '(not a git checkout)'}")
    print(f"  {'way':<46} {'files':>5} {'wall s':>8} {'docs/s':>8}")
    for way in (signkit, cli, library):
        print(f"  {way.name:<46} {way.files:>5} {way.wall_s:>8.2f} {way.docs_per_s:>8.2f}")
    n = signkit.notes
    steady = f"{n['steady_docs_per_s']:.1f}" if n["steady_docs_per_s"] else "n/a"
    print(f"  signkit: one-file run {n['one_file_run_s']:.2f} s; marginal "
          f"{n['marginal_ms_per_doc']:.1f} ms/doc ({steady} docs/s after start-up)")
    print(f"  pyhanko CLI: {cli.notes['mean_s_per_file']:.2f} s/file "
          f"(min {cli.notes['min_s_per_file']:.2f}, max {cli.notes['max_s_per_file']:.2f})")
    ln = library.notes
    print(f"  library loop: imports {ln['imports_s']:.2f} s, load_pkcs12 "
          f"{ln['load_pkcs12_s'] * 1000:.0f} ms, loop {ln['loop_docs_per_s']:.1f} docs/s")
    print(f"  raw C_Sign (CKM_SHA256_RSA_PKCS, 100 bytes): {csign['signs_per_s']:.0f}/s "
          f"({csign['ms_per_sign']:.2f} ms each)")
    print(f"  signkit / CLI loop:     {vs_cli:6.1f}x  (target >= {TARGET_VS_CLI:g}x)  "
          f"{verdict(targets['signkit_vs_cli_loop']['pass'])}")
    print(f"  signkit / library loop: {vs_lib:6.2f}x  (target >= {TARGET_VS_LIBRARY:g}x)  "
          f"{verdict(targets['signkit_vs_library_loop']['pass'])}")
    print(f"  verified with pyHanko (intact, valid, trusted, whole file): "
          f"{', '.join(f'{len(w.verified)} of {w.files}' for w in (signkit, cli, library))}")
    print(f"  total runtime {total_s:.1f} s (setup {setup_s:.1f} s)")
    if total_s > TIME_BUDGET_S:
        print(f"  warning: over the {TIME_BUDGET_S:.0f} s budget; lower --cli-files",
              file=sys.stderr)

    if args.json is not None:
        from importlib.metadata import version

        report = {
            "config": {"files": args.files, "cli_files": cli_files,
                       "csign_iterations": args.csign_iterations, "key": "RSA-2048",
                       "token": "SoftHSM2", "module": setup.module},
            "signkit_revision": revision,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform(), "pyhanko": version("pyHanko"),
                        "pyhanko_cli": version("pyhanko-cli")},
            "ways": {"signkit": asdict(signkit), "pyhanko_cli_loop": asdict(cli),
                     "pyhanko_library_loop": asdict(library)},
            "raw_csign": csign,
            "targets": targets,
            "setup_s": setup_s,
            "total_s": total_s,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"  results written to {args.json}")
    if args.fail_on_target and not all(t["pass"] for t in targets.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
