"""Flat memory in the number of files (issue #10): ``signkit verify`` on 1,000 and on
``--files`` (the issue's figure: 100,000) small signed PDFs, with a JSON and a CSV report,
measuring the peak RSS of the command's own process and of its largest worker, and the rate.

Set-up (not timed): the test PKI of fixtures/pki served live on loopback (``livepki``), four
small office PDFs signed by its signer, and two folders of hard links to them (copies where
links are refused): ``n1000/`` and ``n<files>/``. Each run is

    signkit verify FOLDER --trust root.pem --other-certs interm.pem --jobs 2
        --format json|csv -o report.json|csv --no-progress

started through a small wrapper that runs the same ``signkit`` entry point in the same
process and, at exit, writes ``getrusage(RUSAGE_SELF).ru_maxrss`` (the command's process: the
batch, the reorder buffer, the report writer) and ``getrusage(RUSAGE_CHILDREN).ru_maxrss``
(the largest of its worker processes, each of which verified thousands of files). The
benchmark's own ``os.wait4`` gives the same whole-tree peak as a check. Revocation is checked
live (OCSP/CRL; each worker asks once per certificate); ``--offline`` verifies without it.

Every report is checked without loading it whole: its summary must count every file and call
each TOTAL_PASSED (the JSON's ``"files"`` must close its array; the CSV must have one row per
file). Target: the peak RSS of each process grows by at most 20 MB from 1,000 files to
``--files``.

    .venv/bin/python bench/scale_bench.py [--files 100000] [--formats json,csv] [--jobs 2]
        [--offline] [--json out.json]

Duration: about ``2 x files / rate`` per format. At ~200 docs/s on this 2-core machine the
default ``--files 20000`` takes ~4 minutes for both formats and ``--files 100000`` (the issue's
figure) ~17; shared with other work (103-124 docs/s) the 100,000-file run took 30 minutes.
``--formats json`` halves it. The figures measured are in docs/reports.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from livepki import SIGNER, LivePki
from verify_bench import sign_documents

BENCH = "scale_bench"
BASE_FILES = 1000
TARGET_GROWTH_MB = 20.0
SOURCES = 4  # distinct signed documents the folders link to

# Runs the `signkit` entry point in this process and records the peaks at exit.
_WRAPPER = """
import atexit, json, resource, sys
record = sys.argv.pop(1)
def _peaks():
    with open(record, "w") as f:
        json.dump({"self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, f)
atexit.register(_peaks)
sys.argv[0] = "signkit"
from signkit.cli.main import cli
cli()
"""


def link_folder(folder: Path, sources: list[Path], n: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        target = folder / f"doc-{i:06d}.pdf"
        source = sources[i % len(sources)]
        try:
            os.link(source, target)
        except OSError:
            target.write_bytes(source.read_bytes())
    return folder


def run_one(pki: LivePki, folder: Path, n: int, fmt: str, jobs: int, offline: bool,
            work: Path) -> dict:
    report = work / f"report-{n}.{fmt}"
    peaks_file = work / f"peaks-{n}-{fmt}.json"
    args = ["verify", str(folder), "--trust", str(pki.root_pem), "--other-certs",
            str(pki.interm_pem), "--jobs", str(jobs), "--format", fmt, "-o", str(report),
            "--no-progress", *(["--offline"] if offline else [])]
    cmd = [sys.executable, "-c", _WRAPPER, str(peaks_file), *args]
    t0 = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=work, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - t0
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{BENCH}: signkit verify ({n} files, {fmt}) exited {process.returncode}, "
                 f"not 0 (every file valid):\n{stderr[-2000:]}")
    peaks = json.loads(peaks_file.read_text())
    problem = check_report(report, fmt, n)
    if problem:
        sys.exit(f"{BENCH}: the {fmt} report of {n} files: {problem}")
    size = report.stat().st_size
    report.unlink()  # 100,000 entries are a few hundred MB
    return {"files": n, "format": fmt, "wall_s": wall, "docs_per_s": n / wall,
            "parent_peak_mb": peaks["self_kb"] / 1024,
            "worker_peak_mb": peaks["children_kb"] / 1024,
            "tree_peak_mb": usage.ru_maxrss / 1024, "report_bytes": size,
            "command": "signkit " + benchlib.show(args)}


def check_report(report: Path, fmt: str, n: int) -> str | None:
    """None when the report lists ``n`` files, all TOTAL_PASSED; read in pieces."""
    if fmt == "json":
        with report.open("rb") as f:
            head = f.read(4096).decode("utf-8", errors="replace")
            f.seek(max(0, report.stat().st_size - 16))
            tail = f.read()
        found = re.search(r'"summary": (\{[^}]*\})', head)
        if not found:
            return "no summary near the top"
        summary = json.loads(found.group(1))
        if summary != {"files": n, "TOTAL_PASSED": n, "TOTAL_FAILED": 0, "INDETERMINATE": 0}:
            return f"summary {summary}"
        if '"complete"' in head or not tail.endswith(b"  ]\n}\n"):
            return "not a complete report"
        return None
    rows = passed = 0
    with report.open(encoding="utf-8", newline="") as f:
        next(f)  # the header
        for line in f:
            rows += 1
            passed += ",TOTAL_PASSED," in line
    return None if rows == passed == n else f"{rows} rows, {passed} TOTAL_PASSED"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=20000,
                    help="the large batch (default 20000; the issue's figure is 100000)")
    ap.add_argument("--formats", default="json,csv", help="report formats (default json,csv)")
    ap.add_argument("--jobs", type=int, default=2, help="signkit verify --jobs (default 2)")
    ap.add_argument("--offline", action="store_true",
                    help="verify with --offline (no OCSP/CRL requests)")
    benchlib.add_run_arguments(ap, fail_on_target="exit 1 when the growth target is missed")
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if args.files <= BASE_FILES or not set(formats) <= {"json", "csv"} or args.jobs < 1:
        ap.error(f"--files must be over {BASE_FILES}, --formats json and/or csv, --jobs >= 1")

    t_start = time.perf_counter()
    revision = benchlib.git_revision()
    load_start = os.getloadavg()
    runs: list[dict] = []
    with benchlib.work_folder(ap, args, "signkit-scale-bench-") as workdir:
        print(f"setting up in {workdir}: PKI served live, {SOURCES} signed PDFs, "
              f"{BASE_FILES} and {args.files} links ...", flush=True)
        pki = LivePki(workdir / "pki")
        try:
            inputs = benchlib.write_office_pdfs(workdir / "in", SOURCES)
            signed = sign_documents(pki, inputs, workdir / "signed")
            folders = {n: link_folder(workdir / f"n{n}", signed, n)
                       for n in (BASE_FILES, args.files)}
            for fmt in formats:
                for n, folder in folders.items():
                    print(f"signkit verify, {n} files, {fmt} report ...", flush=True)
                    run = run_one(pki, folder, n, fmt, args.jobs, args.offline, workdir)
                    print(f"      {run['wall_s']:.1f} s, {run['docs_per_s']:.0f} docs/s, peak "
                          f"RSS command {run['parent_peak_mb']:.1f} MB, largest worker "
                          f"{run['worker_peak_mb']:.1f} MB", flush=True)
                    runs.append(run)
        finally:
            pki.close()
    total_s = time.perf_counter() - t_start

    print()
    print(f"signkit verify scale benchmark: {BASE_FILES} and {args.files} links to {SOURCES} "
          f"small PDFs signed by {SIGNER}, --jobs {args.jobs}, revocation "
          f"{'off (--offline)' if args.offline else 'live OCSP/CRL'}, "
          f"{benchlib.environment(revision, load_start)}")
    print(f"{'format':6}  {'files':>7}  {'docs/s':>7}  {'command MB':>10}  {'worker MB':>9}  "
          f"{'tree MB':>7}  {'report MB':>9}")
    for run in runs:
        print(f"{run['format']:6}  {run['files']:7d}  {run['docs_per_s']:7.0f}  "
              f"{run['parent_peak_mb']:10.1f}  {run['worker_peak_mb']:9.1f}  "
              f"{run['tree_peak_mb']:7.1f}  {run['report_bytes'] / 1e6:9.1f}")
    growth: dict[str, dict[str, float]] = {}
    for fmt in formats:
        small, large = (next(r for r in runs if r["format"] == fmt and r["files"] == n)
                        for n in (BASE_FILES, args.files))
        growth[fmt] = {"command_mb": large["parent_peak_mb"] - small["parent_peak_mb"],
                       "worker_mb": large["worker_peak_mb"] - small["worker_peak_mb"]}
        g = growth[fmt]
        ok = max(g.values()) <= TARGET_GROWTH_MB
        print(f"  {fmt}: growth {BASE_FILES} -> {args.files} files: command "
              f"{g['command_mb']:+.1f} MB, largest worker {g['worker_mb']:+.1f} MB "
              f"(target <= {TARGET_GROWTH_MB:.0f} MB each): {benchlib.verdict(ok)}")
    print(f"  total runtime {total_s:.1f} s")
    benchlib.write_json(args.json, {
        "config": {"files": args.files, "base_files": BASE_FILES, "formats": formats,
                   "jobs": args.jobs, "offline": args.offline, "signer": SIGNER},
        "signkit_revision": revision, "machine": benchlib.machine(load_start),
        "runs": runs, "growth": growth, "target_growth_mb": TARGET_GROWTH_MB,
        "total_s": total_s,
    })
    if args.fail_on_target and any(max(g.values()) > TARGET_GROWTH_MB
                                   for g in growth.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
