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
   per document, once to size the placeholder. At about 11 docs/s it runs on the first
   ``--library-files`` files only (default 200) and its rate comes from those.

For signkit it also reports the CPU time a document costs in the main process (which holds
the token) and in the worker processes, and how busy the cores were: on a machine whose cores
are all busy, CPU per document is what sets the rate.

It also measures the token's raw C_Sign rate (PyKCS11, CKM_SHA256_RSA_PKCS over 100 bytes)
and the floor under any signer that keeps signkit's guarantees: the CPU a document costs with
no PDF work at all, one C_Sign plus reading the input and writing an output of the signed
size the way signkit must (an anonymous file in the target folder, fsynced, then named, the
folder fsynced once per eight names). Set against the CPU a target rate leaves per document,
it shows how much room PDF work has. It checks a sample of every way's outputs with
pyHanko's validator (intact, valid, trusted, covering the whole file), and prints docs/s,
the ratios and the targets: signkit >= 20x the CLI loop and >= 2x the library loop, and
>= 500 docs/s start to end with --files 2000 (issue #10; a batch that large is prepared on
worker processes, one per core).

    .venv/bin/python bench/sign_bench.py [--files 200] [--cli-files 30] [--json out.json]

Set-up (PKI, token, PDFs) happens in a temporary folder (``--workdir`` to choose one,
``--keep`` to keep it); nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import benchlib
from benchlib import WayResult

HERE = Path(__file__).resolve().parent
BENCH = "sign_bench"
TARGET_VS_CLI = 20.0
TARGET_VS_LIBRARY = 2.0
TARGET_DOCS_PER_S = 500.0  # issue #10, with --files TARGET_FILES
TARGET_FILES = 2000
TIME_BUDGET_S = 300.0


def _run(cmd: list[str], env: dict[str, str], what: str, cwd: Path
         ) -> subprocess.CompletedProcess:
    return benchlib.run_or_exit(cmd, bench=BENCH, what=what, env=env, cwd=cwd)


def _outputs(folder: Path, inputs: list[Path], what: str) -> list[Path]:
    return benchlib.expect_outputs(folder, inputs, bench=BENCH, what=what)


def run_signkit(setup: benchlib.BenchSetup, files: list[Path], out: Path) -> WayResult:
    def command(source: Path, target: Path) -> list[str]:
        return [benchlib.tool("signkit", BENCH), "sign", str(source), "--out-dir", str(target),
                "--pkcs11", "--module", setup.module, "--token", benchlib.TOKEN_LABEL,
                "--key-label", benchlib.KEY_LABEL, "--reason", benchlib.REASON,
                "--no-progress"]

    cmd = command(setup.inputs, out)
    env = setup.env(SIGNKIT_PIN=setup.pin)
    wall, cpu = benchlib.run_with_cpu(cmd, bench=BENCH, what="signkit sign", env=env,
                                      cwd=setup.folder)
    _outputs(out, files, "signkit sign")

    # the fixed cost of one run (interpreter, imports, module load, login), from a 1-file run
    one = out.parent / (out.name + "-single")
    t0 = time.perf_counter()
    _run(command(files[0], one), env, "signkit sign (1 file)", setup.folder)
    single = time.perf_counter() - t0
    return WayResult("signkit sign --out-dir", benchlib.show(cmd), len(files), wall,
                     len(files) / wall, notes={**benchlib.steady_state(wall, single, len(files)),
                                              "cpu": cpu})


def run_cli_loop(setup: benchlib.BenchSetup, files: list[Path], out: Path) -> WayResult:
    out.mkdir(parents=True, exist_ok=True)
    base = [benchlib.tool("pyhanko", BENCH), "sign", "addsig", "--use-pades",
            "--reason", benchlib.REASON, "--field", "Signature1", "pkcs11", "--lib", setup.module,
            "--token-label", benchlib.TOKEN_LABEL, "--cert-label", benchlib.KEY_LABEL,
            "--key-label", benchlib.KEY_LABEL, "--other-cert", benchlib.CA_LABEL]
    env = setup.env(PYHANKO_PKCS11_PIN=setup.pin)
    wall, per_file = benchlib.timed_per_file(files, lambda f: _run(
        [*base, str(f), str(out / f.name)], env, f"pyhanko sign addsig pkcs11 {f.name}",
        setup.folder))
    _outputs(out, files, "pyhanko sign addsig pkcs11")
    return WayResult(
        "pyhanko sign addsig pkcs11, once per file", benchlib.show([*base, "IN.pdf", "OUT.pdf"]),
        len(files), wall, len(files) / wall, notes=per_file)


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


def durable_write_floor(files: list[Path], signed: Path, out: Path) -> dict:
    """CPU per document, in this process, to read each input and write an output of the size
    signkit's (in ``signed``) through signkit's own atomic writer: no PDF work at all."""
    from signkit.atomic import atomic_output, fsync_folder

    out.mkdir()
    sync_every = 8
    # the signed sizes are known before the clock starts: a signer knows its own output
    signed_sizes = [(signed / source.name).stat().st_size for source in files]
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for i, (source, signed_size) in enumerate(zip(files, signed_sizes, strict=True)):
        data = source.read_bytes()
        with atomic_output(out / source.name, overwrite=False, sync_folder=False) as f:
            f.write(data)
            f.write(bytes(signed_size - len(data)))
        if i % sync_every == sync_every - 1:
            fsync_folder(out)
    fsync_folder(out)
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    n = len(files)
    return {"files": n, "wall_ms_per_doc": wall / n * 1000,
            "user_ms_per_doc": (r1.ru_utime - r0.ru_utime) / n * 1000,
            "system_ms_per_doc": (r1.ru_stime - r0.ru_stime) / n * 1000}


def floor_lines(signkit: WayResult, csign: dict, write: dict) -> tuple[list[str], dict]:
    """What the target leaves per document, what the floor takes of it, and what signkit
    spends above the floor."""
    cores = os.cpu_count() or 1
    (mu, ms), (ou, osys) = signkit.notes["cpu"]["main"], signkit.notes["cpu"]["others"]
    spent = (mu + ms + ou + osys) / signkit.files * 1000
    write_ms = write["user_ms_per_doc"] + write["system_ms_per_doc"]
    floor = csign["ms_per_sign"] + write_ms
    # the target run's wall time, less the fixed start-up, spread over every core (for the
    # target's batch size, whatever this run's: start-up weighs more on a smaller batch)
    room = (TARGET_FILES / TARGET_DOCS_PER_S - signkit.notes["one_file_run_s"]) * cores \
        / TARGET_FILES * 1000
    figures = {"floor_ms_per_doc": floor, "durable_write_ms_per_doc": write_ms,
               "target_cpu_ms_per_doc": room, "signkit_cpu_ms_per_doc": spent,
               "ceiling_docs_per_s": cores / floor * 1000}
    return [
        f"  floor per document, no PDF work: {floor:.2f} ms CPU (C_Sign "
        f"{csign['ms_per_sign']:.2f}, read and durable write {write_ms:.2f}: "
        f"{write['user_ms_per_doc']:.2f} user, {write['system_ms_per_doc']:.2f} system); "
        f"at most {figures['ceiling_docs_per_s']:.0f} docs/s on {cores} cores",
        f"  {TARGET_DOCS_PER_S:.0f} docs/s over {TARGET_FILES} files leaves {room:.2f} ms CPU "
        f"per document with every core busy: {room - floor:.2f} ms above the floor for the "
        f"PDF, the CMS and the self-check; signkit spends {spent - floor:.2f} ms there now",
    ], figures


def verify_sample(setup: benchlib.BenchSetup, outputs: list[Path], k: int) -> list[str]:
    """pyHanko's validator on ``k`` outputs spread over the run; exits on any failure."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    def load(path: Path) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(pem.unarmor(path.read_bytes())[2])

    root, signer = load(setup.root_pem), load(setup.signer_pem)

    def problem_of(reader) -> str | None:
        sigs = reader.embedded_signatures
        if len(sigs) != 1:
            return f"{len(sigs)} signatures"
        vc = ValidationContext(trust_roots=[root], allow_fetching=False,
                               revocation_mode="soft-fail")
        status = validate_pdf_signature(sigs[0], vc)
        subfilter = sigs[0].sig_object.get("/SubFilter")
        if not (status.intact and status.valid and status.trusted):
            return status.pretty_print_details()
        if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
            return f"coverage {status.coverage}"
        if status.signing_cert.dump() != signer.dump():
            return "signed by another certificate"
        if subfilter != "/ETSI.CAdES.detached":
            return f"SubFilter {subfilter}, not PAdES"
        return None

    return benchlib.check_sample(outputs, k, bench=BENCH, problem_of=problem_of)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchlib.add_size_arguments(ap, files=200, cli_files=30, verify=5)
    ap.add_argument("--library-files", type=int, default=200,
                    help="documents for the pyHanko library loop (default 200; at ~11 docs/s "
                         "all 2,000 would take three minutes)")
    ap.add_argument("--csign-iterations", type=int, default=1000,
                    help="C_Sign calls for the raw token rate (default 1000)")
    benchlib.add_run_arguments(ap)
    args = ap.parse_args(argv)
    cli_files = benchlib.check_sizes(ap, args)
    library_files = max(1, min(args.library_files, args.files))

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    with benchlib.work_folder(ap, args, "signkit-bench-") as workdir:
        print(f"setting up in {workdir}: PKI, SoftHSM2 token, {args.files} PDFs ...",
              flush=True)
        t0 = time.perf_counter()
        setup = benchlib.build(workdir, args.files)
        setup_s = time.perf_counter() - t0
        sizes = [f.stat().st_size for f in setup.files]
        print(f"  done in {setup_s:.1f} s; PDFs {min(sizes)}-{max(sizes)} bytes", flush=True)

        signkit = benchlib.step(
            f"[1/3] signkit sign --out-dir, {args.files} files",
            lambda: run_signkit(setup, setup.files, workdir / "out-signkit"))
        cli = benchlib.step(
            f"[2/3] pyhanko sign addsig pkcs11 per file, {cli_files} files",
            lambda: run_cli_loop(setup, setup.files[:cli_files], workdir / "out-pyhanko-cli"))
        library = benchlib.step(
            f"[3/3] pyHanko library loop, {library_files} files",
            lambda: run_library_loop(setup, setup.files[:library_files],
                                     workdir / "out-pyhanko-lib"))

        print(f"raw C_Sign, {args.csign_iterations} calls ...", flush=True)
        csign = raw_csign_rate(setup, args.csign_iterations)

        print(f"durable-write floor, {args.files} files ...", flush=True)
        write = durable_write_floor(setup.files, workdir / "out-signkit", workdir / "out-floor")

        print("verifying a sample of each way's outputs with pyHanko ...", flush=True)
        for way, folder, files in ((signkit, "out-signkit", setup.files),
                                   (cli, "out-pyhanko-cli", setup.files[:cli_files]),
                                   (library, "out-pyhanko-lib", setup.files[:library_files])):
            way.verified = verify_sample(setup, [workdir / folder / f.name for f in files],
                                         args.verify)
    total_s = time.perf_counter() - t_start

    vs_cli = benchlib.ratio(signkit.docs_per_s, cli.docs_per_s)
    vs_lib = benchlib.ratio(signkit.docs_per_s, library.docs_per_s)
    targets = {"signkit_vs_cli_loop": benchlib.target(vs_cli, TARGET_VS_CLI),
               "signkit_vs_library_loop": benchlib.target(vs_lib, TARGET_VS_LIBRARY),
               "signkit_docs_per_s": benchlib.target(signkit.docs_per_s, TARGET_DOCS_PER_S)}

    print()
    print(f"signkit sign benchmark: RSA-2048 on SoftHSM2, {args.files} PDFs of 2-3 pages, "
          f"{benchlib.environment(revision)}")
    ways = (signkit, cli, library)
    for line in benchlib.table((("way", 46), *benchlib.WAY_COLUMNS),
                               map(benchlib.way_cells, ways)):
        print(line)
    print(benchlib.startup_line("signkit", signkit.notes))
    print(benchlib.cpu_line("signkit", signkit.notes["cpu"], signkit.files, signkit.wall_s))
    print(benchlib.per_file_line("pyhanko CLI", cli.notes))
    ln = library.notes
    print(f"  library loop: imports {ln['imports_s']:.2f} s, load_pkcs12 "
          f"{ln['load_pkcs12_s'] * 1000:.0f} ms, loop {ln['loop_docs_per_s']:.1f} docs/s")
    print(f"  raw C_Sign (CKM_SHA256_RSA_PKCS, 100 bytes): {csign['signs_per_s']:.0f}/s "
          f"({csign['ms_per_sign']:.2f} ms each)")
    floor_text, floor = floor_lines(signkit, csign, write)
    print(*floor_text, sep="\n")
    print(f"  signkit start to end: {signkit.docs_per_s:.0f} docs/s (target >= "
          f"{TARGET_DOCS_PER_S:.0f} with --files {TARGET_FILES}): "
          f"{benchlib.verdict(signkit.docs_per_s >= TARGET_DOCS_PER_S)}")
    print(benchlib.ratio_line("signkit / CLI loop", vs_cli, TARGET_VS_CLI, width=23))
    print(benchlib.ratio_line("signkit / library loop", vs_lib, TARGET_VS_LIBRARY, width=23,
                              digits=2))
    print(f"  verified with pyHanko (intact, valid, trusted, whole file): "
          f"{', '.join(f'{len(w.verified)} of {w.files}' for w in ways)}")
    print(f"  total runtime {total_s:.1f} s (setup {setup_s:.1f} s)")
    benchlib.warn_over_budget(total_s, TIME_BUDGET_S, "lower --cli-files")

    benchlib.write_json(args.json, {
        "config": {"files": args.files, "cli_files": cli_files, "library_files": library_files,
                   "csign_iterations": args.csign_iterations, "key": "RSA-2048",
                   "token": "SoftHSM2", "module": setup.module},
        "signkit_revision": revision,
        "machine": benchlib.machine(),
        "ways": {"signkit": asdict(signkit), "pyhanko_cli_loop": asdict(cli),
                 "pyhanko_library_loop": asdict(library)},
        "raw_csign": csign,
        "durable_write": write,
        "floor": floor,
        "targets": targets,
        "setup_s": setup_s,
        "total_s": total_s,
    })
    if args.fail_on_target and not all(t["pass"] for t in targets.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
