"""``signkit audit`` (issue #11) beside ``signkit verify`` on an archive of small signed files.

Set-up (not timed): the test PKI of fixtures/pki (``LivePki``) signs one small office PDF
(signer-rsa2048, PAdES-B-B); the archive is ``--files`` hard links of it (copies where links
are refused). Every command then runs as an auditor runs it, a process timed from start to
end, trusting the test root, ``--offline`` (no revocation traffic: the same work for all):

1. ``signkit verify DIR --format csv -o FILE --jobs J`` — the baseline;
2. ``signkit audit run DIR --store A.db --jobs J`` — the local pool with the store
   (target: throughput at most 10% below verify's);
3. ``signkit audit run DIR --store B.db --scheduler local:J`` — a LocalCluster of J
   single-threaded workers (target: within 20% of the local pool);
4. ``signkit audit run DIR --store C.db`` killed with SIGKILL once half the files are stored,
   then the same command again: it must judge exactly the other half;
5. ``signkit audit run DIR --store A.db`` again, nothing changed (target: >= 20,000 files/s,
   ``stat`` only);
6. the client's peak RSS (VmHWM of the ``signkit`` process, not of its workers) in step 2
   against the same command on ``--small`` files (target: <= 20 MB growth);
7. the scheduler's task rate: ``--tasks`` empty tasks through a LocalCluster of J workers,
   and 8. the client's store writes per second (one transaction per file, as the local pool
   writes, and per task of 200, as the Dask path does), for docs/audit.md's estimate of how
   throughput grows with workers.

Verification steps 1-4 may run on fewer files than the archive (``--verify-files``): on a
2-core machine verifying 100,000 files takes the better part of an hour per step.

    .venv/bin/python bench/audit_bench.py [--files 100000] [--verify-files 5000] [--jobs 2]
        [--json out.json] [--workdir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from livepki import LivePki

BIN = Path(sys.executable).parent
SIGNKIT = str(BIN / "signkit")
SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "pdf" / "qd-123-quyet-dinh.pdf"


def make_archive(folder: Path, source: Path, n: int) -> Path:
    """``n`` links of ``source`` in subfolders of 1,000 (as archives are laid out)."""
    if folder.exists():
        shutil.rmtree(folder)
    for i in range(n):
        sub = folder / f"box-{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True)
        target = sub / f"doc-{i:06d}.pdf"
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return folder


class Timed:
    """A command run to its end: wall seconds, exit code, the process's peak RSS."""

    def __init__(self, command: list[str], *, kill_when=None) -> None:
        self.command = command
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        self.peak_kb = 0
        watcher = threading.Thread(target=self._watch, args=(process, kill_when), daemon=True)
        watcher.start()
        self.stdout, self.stderr = process.communicate()
        watcher.join()
        self.seconds = time.perf_counter() - start
        self.code = process.returncode

    def _watch(self, process: subprocess.Popen, kill_when) -> None:
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            if kill_when is not None and kill_when():
                os.killpg(process.pid, signal.SIGKILL)
                return
            time.sleep(0.05)


def rows(store: Path) -> int:
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30) as db:
            return db.execute("SELECT count(*) FROM files").fetchone()[0]
    except sqlite3.Error:
        return 0


def task_rate(jobs: int, tasks: int) -> float:
    """Empty tasks per second through a LocalCluster of ``jobs`` workers."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=jobs, threads_per_worker=1, dashboard_address=None,
                      host="127.0.0.1") as cluster, Client(cluster) as client:
        client.gather(client.map(_nothing, range(100), pure=False))  # warm up
        start = time.perf_counter()
        client.gather(client.map(_nothing, range(tasks), pure=False))
        return tasks / (time.perf_counter() - start)


def _nothing(i: int) -> int:
    return i


def store_writes(signed: Path, folder: Path, n: int = 4000) -> dict[str, float]:
    """Results stored per second by the client, in transactions of 1 and of 200 files."""
    from signkit.audit import Store
    from signkit.verification import Verifier, VerifyOptions

    with Verifier(VerifyOptions(offline=True)) as verifier:
        report = verifier.verify(signed)
    common = {"run_id": 1, "validation_time": "2026-01-01T00:00:00.000000Z",
              "profile": "default", "signkit_version": "bench", "options_key": "bench"}
    rates = {}
    for size in (1, 200):
        with Store.open(folder / f"writes-{size}.db") as store:
            start = time.perf_counter()
            for first in range(0, n, size):
                store._record([((f"/bench/{i}.pdf", 1, 1), report, None)
                               for i in range(first, first + size)], **common)
            rates[f"per_{size}"] = n / (time.perf_counter() - start)
    return rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=100_000, help="files in the archive")
    ap.add_argument("--verify-files", type=int, default=None,
                    help="files verified in steps 1-4 (default: --files)")
    ap.add_argument("--small", type=int, default=1000, help="the small run of step 6")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    verify_files = args.verify_files or args.files
    work = args.workdir or Path(tempfile.mkdtemp(prefix="audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {"files": args.files, "verify_files": verify_files, "jobs": args.jobs,
                     "cpus": os.cpu_count()}
    try:
        pki = LivePki(work / "pki")
        signed = work / "signed.pdf"
        run = subprocess.run([SIGNKIT, "sign", str(SAMPLE), "-o", str(signed), "--pkcs12",
                              str(pki.p12)], env=os.environ | {"SIGNKIT_PIN": pki.p12_password},
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        pki.close()
        trust = ["--trust", str(pki.root_pem), "--other-certs", str(pki.interm_pem),
                 "--offline"]
        archive = make_archive(work / "archive", signed, args.files)
        verified = make_archive(work / "verified", signed, verify_files)
        small = make_archive(work / "small", signed, args.small)
        jobs = ["--jobs", str(args.jobs)]

        def audit(folder: Path, store: Path, *extra: str, **kw) -> Timed:
            return Timed([SIGNKIT, "audit", "run", str(folder), "--recursive", "--store",
                          str(store), "--no-progress", *trust, *extra], **kw)

        def rate(files: int, timed: Timed) -> float:
            return files / timed.seconds

        print(f"archive: {args.files} files; verification steps on {verify_files}; "
              f"jobs {args.jobs}; {os.cpu_count()} CPUs", flush=True)
        steps = {}
        steps["verify"] = Timed([SIGNKIT, "verify", str(verified), "--recursive", *trust, *jobs,
                                 "--format", "csv", "-o", str(work / "verify.csv"),
                                 "--no-progress"])
        steps["audit_local"] = audit(verified, work / "local.db", *jobs)
        steps["audit_dask"] = audit(verified, work / "dask.db", "--scheduler",
                                    f"local:{args.jobs}")
        half = verify_files // 2
        steps["killed_at_half"] = audit(verified, work / "resume.db", *jobs,
                                        kill_when=lambda: rows(work / "resume.db") >= half)
        kept = rows(work / "resume.db")
        steps["resumed"] = audit(verified, work / "resume.db", *jobs)
        for name, timed in steps.items():
            print(f"{name:>15}: {timed.seconds:8.1f} s  {rate(verify_files, timed):7.1f} "
                  f"files/s  exit {timed.code}  client peak RSS {timed.peak_kb / 1024:.1f} MB",
                  flush=True)
        assert steps["resumed"].code in (0, 3), steps["resumed"].stderr
        resumed_judged = verify_files - kept
        assert f"{resumed_judged} judged now, {kept} unchanged" in steps["resumed"].stdout, \
            steps["resumed"].stdout
        assert rows(work / "resume.db") == verify_files

        # the whole archive stored once (not timed against verify), then re-audited
        first = audit(archive, work / "archive.db", *jobs) if args.files != verify_files \
            else None
        store = work / "archive.db" if first is not None else work / "local.db"
        folder = archive if first is not None else verified
        reaudit = audit(folder, store, *jobs)
        assert f"0 judged now, {args.files} unchanged" in reaudit.stdout, reaudit.stdout
        small_run = audit(small, work / "small.db", *jobs)
        small_reaudit = audit(small, work / "small.db", *jobs)
        big_run = first or steps["audit_local"]
        if first is not None:
            print(f"{'archive_run':>15}: {first.seconds:8.1f} s  {rate(args.files, first):7.1f} "
                  f"files/s (the whole archive, stored once)", flush=True)
            results["archive_run_s"] = round(first.seconds, 3)
        print(f"{'reaudit':>15}: {reaudit.seconds:8.2f} s  {rate(args.files, reaudit):7.0f} "
              f"files/s (nothing changed, {args.files} files)  peak RSS "
              f"{reaudit.peak_kb / 1024:.1f} MB", flush=True)
        rss = {
            "run_small_mb": small_run.peak_kb / 1024, "run_big_mb": big_run.peak_kb / 1024,
            "reaudit_small_mb": small_reaudit.peak_kb / 1024,
            "reaudit_big_mb": reaudit.peak_kb / 1024,
        }
        print(f"client peak RSS, run: {rss['run_small_mb']:.1f} MB at {args.small} files, "
              f"{rss['run_big_mb']:.1f} MB at {args.files if first else verify_files}; "
              f"re-audit: {rss['reaudit_small_mb']:.1f} MB / {rss['reaudit_big_mb']:.1f} MB",
              flush=True)
        tasks_per_s = task_rate(args.jobs, args.tasks)
        print(f"scheduler: {tasks_per_s:.0f} empty tasks/s through LocalCluster({args.jobs})",
              flush=True)
        writes = store_writes(signed, work)
        print(f"store writes: {writes['per_1']:.0f} files/s one transaction per file, "
              f"{writes['per_200']:.0f} files/s per task of 200", flush=True)

        v, local, dask = (rate(verify_files, steps[k])
                          for k in ("verify", "audit_local", "audit_dask"))
        results |= {
            "seconds": {k: round(t.seconds, 3) for k, t in steps.items()},
            "files_per_s": {"verify": v, "audit_local": local, "audit_dask": dask,
                            "reaudit": rate(args.files, reaudit)},
            "store_cost": 1 - local / v, "dask_vs_local": dask / local,
            "resume": {"killed_with_rows": kept, "judged_after": resumed_judged},
            "client_peak_rss_mb": rss, "scheduler_tasks_per_s": tasks_per_s,
            "store_writes_per_s": writes,
        }
        print(f"store cost: {100 * (1 - local / v):.1f}% of verify's throughput "
              f"(target <= 10%); Dask/local: {dask / local:.2f} (target >= 0.80); "
              f"re-audit {rate(args.files, reaudit):.0f} files/s (target >= 20000); "
              f"RSS growth {rss['run_big_mb'] - rss['run_small_mb']:.1f} MB (target <= 20)")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
