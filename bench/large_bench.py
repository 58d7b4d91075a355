"""Large documents: time and peak memory of signing and verifying one scanned page of 300 MB
and of 1 GB, signkit beside pyHanko's CLI and poppler's pdfsig.

Each document is one A4 page showing one uncompressed RGB image (what a scanner without
compression writes), built by ``scanned_page_pdf``. The same signer (signer-rsa2048 of the
test PKI in fixtures/pki, as a PKCS#12 file) signs it, and its OCSP responder and CRL are
served live on loopback during the run. Five ways, each run as a user runs it, from process
start to process end:

1. ``signkit sign IN -o OUT --pkcs12 P12`` (password from $SIGNKIT_PIN),
2. ``pyhanko sign addsig --field Signature1 pkcs12 IN OUT P12 --passfile F``,
3. ``signkit verify OUT --trust ROOT --other-certs INTERM --format json``,
4. ``pyhanko sign validate --trust ROOT --trust-replace --other-certs INTERM
   --soft-revocation-check OUT``,
5. ``pdfsig -nssdir DB OUT`` (NSS database trusting the test root).

The verifiers read signkit's output; every verdict is checked (signkit TOTAL_PASSED, pyHanko
INTACT:TRUSTED, pdfsig valid and trusted), and both signed outputs must keep the input's bytes.
Each command runs ``--repeat`` times (the file is in the page cache after the first); the
table shows the median time and the largest peak RSS of the process tree (``os.wait4``: the
process and every child it waited for, e.g. signkit's verification worker).

Targets (issue #10): signkit signs 300 MB in <= 0.8 s and <= 96 MB, verifies it in <= 0.4 s
and <= 96 MB; the 1 GB file costs at most 16 MB more RSS than the 300 MB one; signkit is
faster than pyHanko's CLI at both and within 1.2x of pdfsig's time at verifying.

    .venv/bin/python bench/large_bench.py [--sizes 300,1024] [--repeat 3] [--json out.json]

Needs about 4.5 GB of free disk in the work folder (``--workdir``; ``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import benchlib
from livepki import SIGNER, LivePki
from verify_bench import _pdfsig_ok, _pyhanko_ok, make_nss_db

BENCH = "large_bench"
SIGN_S, VERIFY_S, PEAK_MB, GROWTH_MB, VS_PDFSIG = 0.8, 0.4, 96.0, 16.0, 1.2
TIME_BUDGET_S = 300.0
MiB = 1024 * 1024


def scanned_page_pdf(path: Path, megabytes: int) -> None:
    """One A4 page showing one uncompressed RGB image of about ``megabytes`` MiB, its data
    streamed to the file in rows (never held in memory)."""
    width = 4096
    height = megabytes * MiB // (width * 3)
    size = width * height * 3
    offsets: list[int] = []
    with path.open("wb") as out:
        def obj(body: bytes) -> None:
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % len(offsets) + body + b"\nendobj\n")

        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /XObject << /Im0 5 0 R >> >> >>")
        content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
        obj(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        offsets.append(out.tell())
        out.write(b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d "
                  b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n"
                  % (width, height, size))
        rows = (bytes(range(256)) * (width * 3 // 256)) * 64
        for _ in range(height // 64):
            out.write(rows)
        out.write(rows[: (height % 64) * width * 3])
        out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 6\n0000000000 65535 f \n")
        out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
        out.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)


@dataclass
class Run:
    """One way on one document: the median wall time and the largest peak RSS of its runs."""

    way: str
    size_mb: int
    command: str
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    problem: str | None = None

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def rss_mb(self) -> float:
        return max(self.peak_rss_mb)


def measured(cmd: list[str], env: dict[str, str], cwd: Path
             ) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``; its wall time and the peak RSS (MB) of its process tree."""
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    os.sync()  # the previous run's output (hundreds of MB) goes to disk now, not in this run
    with out_path.open("wb") as out, err_path.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(cmd, proc.returncode, out_path.read_text("utf-8", "replace"),
                                       err_path.read_text("utf-8", "replace"))
    return wall, usage.ru_maxrss / 1024, done


def prefix_digest(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while length > 0:
            chunk = f.read(min(length, MiB))
            digest.update(chunk)
            length -= len(chunk)
    return digest.hexdigest()


def extends(source: Path, output: Path) -> str | None:
    """Why ``output`` is not ``source`` followed by an update (None when it is)."""
    if not output.exists():
        return "no output"
    size = source.stat().st_size
    if output.stat().st_size <= size:
        return "output not larger than its input"
    if prefix_digest(output, size) != prefix_digest(source, size):
        return "output changed the input's bytes"
    return None


def _signkit_ok(run: subprocess.CompletedProcess, report: Path) -> str | None:
    if run.returncode != 0:
        return f"exit {run.returncode}: {(run.stdout + run.stderr).strip()[-300:]}"
    files = json.loads(report.read_text("utf-8"))["files"]
    if files[0]["status"] != "TOTAL_PASSED":
        return f"{files[0]['status']}: {files[0].get('messages')}"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="300,1024",
                    help="document sizes in MiB, comma-separated (default 300,1024)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per way and size (default 3)")
    benchlib.add_run_arguments(ap, fail_on_target="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.repeat < 1 or not sizes or min(sizes) < 1:
        ap.error("--repeat and every size must be at least 1")

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    load_start = os.getloadavg()
    runs: list[Run] = []
    with benchlib.work_folder(ap, args, "signkit-large-bench-") as work:
        pki = LivePki(work / "pki")
        try:
            nss_db = make_nss_db(pki, work / "nssdb")
            passfile = work / "p12-password"
            passfile.write_text(pki.p12_password)
            env = benchlib.clean_env(SIGNKIT_PIN=pki.p12_password)
            for size in sizes:
                source = work / f"scan-{size}mb.pdf"
                t0 = time.perf_counter()
                scanned_page_pdf(source, size)
                print(f"built {source.name} ({source.stat().st_size / MiB:.0f} MiB) in "
                      f"{time.perf_counter() - t0:.1f} s", flush=True)
                ours, theirs = work / f"signkit-{size}.pdf", work / f"pyhanko-{size}.pdf"
                report = work / f"report-{size}.json"
                ways = [
                    ("signkit sign", ours,
                     [benchlib.tool("signkit", BENCH), "sign", str(source), "-o", str(ours),
                      "--pkcs12", str(pki.p12), "--overwrite", "--no-progress"],
                     lambda run, o=ours, s=source: extends(s, o) if run.returncode == 0
                     else f"exit {run.returncode}: {run.stderr.strip()[-300:]}"),
                    ("pyhanko sign addsig", theirs,
                     [benchlib.tool("pyhanko", BENCH), "sign", "addsig", "--field", "Signature1",
                      "pkcs12", "--passfile", str(passfile), str(source), str(theirs),
                      str(pki.p12)],
                     lambda run, o=theirs, s=source: extends(s, o) if run.returncode == 0
                     else f"exit {run.returncode}: {run.stderr.strip()[-300:]}"),
                    ("signkit verify", None,
                     [benchlib.tool("signkit", BENCH), "verify", str(ours), "--trust",
                      str(pki.root_pem), "--other-certs", str(pki.interm_pem),
                      "--format", "json", "-o", str(report), "--no-progress"],
                     lambda run, r=report: _signkit_ok(run, r)),
                    ("pyhanko sign validate", None,
                     [benchlib.tool("pyhanko", BENCH), "sign", "validate", "--trust",
                      str(pki.root_pem), "--trust-replace", "--other-certs",
                      str(pki.interm_pem), "--soft-revocation-check", str(ours)],
                     _pyhanko_ok),
                    ("pdfsig", None, ["pdfsig", "-nssdir", f"sql:{nss_db}", str(ours)],
                     _pdfsig_ok),
                ]
                for name, output, cmd, judge in ways:
                    run = Run(name, size, benchlib.show(cmd))
                    for _ in range(args.repeat):
                        if output is not None:
                            output.unlink(missing_ok=True)
                        seconds, rss, done = measured(cmd, env, work)
                        run.seconds.append(seconds)
                        run.peak_rss_mb.append(rss)
                        run.problem = run.problem or judge(done)
                    runs.append(run)
                    print(f"  {name:<22} {size:>5} MiB  {run.median_s:6.2f} s  "
                          f"{run.rss_mb:7.1f} MB{'  ' + run.problem if run.problem else ''}",
                          flush=True)
                for path in (source, theirs):  # keep signkit's output for the next check
                    path.unlink()
                ours.unlink()
        finally:
            pki.close()
    total_s = time.perf_counter() - t_start

    def get(way: str, size: int) -> Run:
        return next(r for r in runs if r.way == way and r.size_mb == size)

    small, big = min(sizes), max(sizes)
    targets: dict[str, dict] = {}
    for size in sizes:
        sign, verify = get("signkit sign", size), get("signkit verify", size)
        their_sign, their_verify = get("pyhanko sign addsig", size), get(
            "pyhanko sign validate", size)
        pdfsig = get("pdfsig", size)
        if size == 300:
            targets["sign_300_s"] = _at_most(sign.median_s, SIGN_S)
            targets["sign_300_rss_mb"] = _at_most(sign.rss_mb, PEAK_MB)
            targets["verify_300_s"] = _at_most(verify.median_s, VERIFY_S)
            targets["verify_300_rss_mb"] = _at_most(verify.rss_mb, PEAK_MB)
        targets[f"sign_{size}_faster_than_pyhanko"] = _at_most(sign.median_s,
                                                               their_sign.median_s)
        targets[f"verify_{size}_faster_than_pyhanko"] = _at_most(verify.median_s,
                                                                 their_verify.median_s)
        targets[f"verify_{size}_vs_pdfsig"] = _at_most(
            benchlib.ratio(verify.median_s, pdfsig.median_s), VS_PDFSIG)
    if big != small:
        for way in ("signkit sign", "signkit verify"):
            growth = get(way, big).rss_mb - get(way, small).rss_mb
            targets[f"{way.split()[1]}_rss_growth_{small}_to_{big}_mb"] = _at_most(growth,
                                                                                  GROWTH_MB)

    print()
    print(f"large-document benchmark: one scanned page, signer {SIGNER} (PKCS#12), "
          f"OCSP/CRL live on loopback, median of {args.repeat} runs, "
          f"{benchlib.environment(revision, load_start)}")
    rows = [[r.way, f"{r.size_mb} MiB", f"{r.median_s:.2f}", f"{r.rss_mb:.0f}",
             "ok" if r.problem is None else "FAILED"] for r in runs]
    for line in benchlib.table((("way", 24), ("document", 9), ("time s", 7),
                                ("peak RSS MB", 11), ("output", 6)), rows):
        print(line)
    for name, t in targets.items():
        print(f"  {name:<40} {t['value']:8.2f}  (target <= {t['target']:.2f}) "
              f"{benchlib.verdict(t['pass'])}")
    for r in runs:
        if r.problem:
            print(f"  {r.way} at {r.size_mb} MiB: {r.problem}", file=sys.stderr)
    print(f"  total runtime {total_s:.1f} s")
    benchlib.warn_over_budget(total_s, TIME_BUDGET_S, "lower --repeat or --sizes")
    if args.json is not None:
        benchlib.write_json(args.json, {
            "config": {"sizes_mib": sizes, "repeat": args.repeat, "signer": SIGNER},
            "signkit_revision": revision, "machine": benchlib.machine(load_start),
            "runs": [{**asdict(r), "median_s": r.median_s, "rss_mb": r.rss_mb} for r in runs],
            "targets": targets, "total_s": total_s,
        })
    if any(r.problem for r in runs):
        return 1
    if args.fail_on_target and not all(t["pass"] for t in targets.values()):
        return 1
    return 0


def _at_most(value: float, limit: float) -> dict:
    return {"value": value, "target": limit, "pass": value <= limit}


if __name__ == "__main__":
    sys.exit(main())
