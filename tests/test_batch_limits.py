"""verify_many's watchdog (issue #9): every file is verified in a worker process; the parent
stops a worker that runs past the time limit or grows past the memory limit, or finds it dead,
gives its file a verdict (TOTAL_FAILED / FORMAT_FAILURE), and goes on with a fresh worker.

The hostile file is real: an approval signature, then an update whose object stream inflates
to 4 GiB (verify_attack_docs' bomb-object-stream), verified with pyHanko's decode caps lifted
(as in this module's autouse fixture): it stands for any cost the verifier does not bound
itself. zlib inflates it in C, growing without end, where the SIGALRM the old in-process limit
relied on would never have been noticed. Workers are forked, so they inherit the lifted caps."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import verify_attack_docs as vad
from conftest import SAMPLE
from pyhanko.pdf_utils import reader as pdf_reader

import signkit
from signkit import VerifyOptions
from signkit.errors import ProfileError
from signkit.report import FileReport, Indication, SubIndication
from signkit.verification.verify import Verifier

PASSED, FAILED = Indication.TOTAL_PASSED, Indication.TOTAL_FAILED
P12_PASSWORD = "p12-secret"


@pytest.fixture(autouse=True)
def without_pyhanko_decode_caps(monkeypatch):
    monkeypatch.setattr(pdf_reader, "DecodeLimits", pdf_reader.DecodeLimits.for_trusted_input)


@pytest.fixture(scope="module")
def files(pki, kit, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("batch-limits")
    made = {"hostile": folder / "hostile.pdf", "unsigned": folder / "unsigned.pdf"}
    vad.BOMBS["bomb-object-stream"](kit, made["hostile"])
    made["unsigned"].write_bytes(SAMPLE.read_bytes())
    for name in ("good-1", "good-2"):
        made[name] = folder / f"{name}.pdf"
        with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
            signkit.sign_pdf(SAMPLE, made[name], key=key)
    return made


@pytest.fixture(scope="module")
def trusted(pki) -> VerifyOptions:
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))


def resident_bytes(pid: int) -> int:
    """0 for a process that has gone (or is going)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines()
                 if line.startswith("VmRSS:")), 0)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def verify_many(paths, **kw):
    """verify_many, with the progress calls it made: (file name, done, total)."""
    calls = []
    batch = signkit.verify_many(
        paths, on_progress=lambda r, done, total: calls.append((Path(r.path).name, done, total)),
        **kw)
    return batch.files, calls


def resource_limit_messages(report: FileReport) -> str:
    assert (report.status, report.subindication) == (FAILED, SubIndication.FORMAT_FAILURE), \
        report
    assert report.sha256 is not None  # the auditor still learns which bytes were refused
    return " ".join(report.messages)


# --- the hostile file really spins ------------------------------------------------------------

def test_the_hostile_file_keeps_a_verifier_busy_and_growing(files):
    """Without the watchdog, verifying it runs on at full speed and takes ever more memory."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child verifies until killed
        try:
            signkit.verify_pdf(files["hostile"])
        finally:
            os._exit(0)
    try:
        time.sleep(0.5)
        start_cpu, start_rss = cpu_seconds(pid), resident_bytes(pid)
        time.sleep(3)
        assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the verification ended by itself"
        # thresholds well below one core's worth: the machine may be shared
        assert cpu_seconds(pid) - start_cpu > 1, "not spinning"
        assert resident_bytes(pid) - start_rss > 32 * 1024**2, "not growing"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


# --- the limits -------------------------------------------------------------------------------

def test_time_limit_stops_the_worker_and_the_batch_goes_on_in_order(files, trusted):
    options = VerifyOptions(**{**trusted.__dict__, "time_limit": 2})
    started = time.monotonic()
    reports, calls = verify_many([files["good-1"], files["hostile"], files["good-2"]],
                                 options=options, jobs=1)
    assert time.monotonic() - started < 30
    assert [r.status for r in reports] == [PASSED, FAILED, PASSED]
    said = resource_limit_messages(reports[1])
    assert "resource limit" in said and "time limit of 2 s" in said
    assert calls == [("good-1.pdf", 1, 3), ("hostile.pdf", 2, 3), ("good-2.pdf", 3, 3)]


def test_memory_limit_stops_the_worker_and_a_fresh_one_goes_on(files, trusted):
    """The limit is on address space (as before the watchdog): room for the worker this
    process forks, plus 384 MiB to verify in."""
    vm_size_kib = next(int(line.split()[1])
                       for line in Path("/proc/self/status").read_text().splitlines()
                       if line.startswith("VmSize:"))
    limit = (vm_size_kib // 1024 + 384) * 1024**2
    options = VerifyOptions(**{**trusted.__dict__, "time_limit": 120})
    started = time.monotonic()
    reports, _ = verify_many([files["hostile"], files["good-1"]], options=options, jobs=1,
                             memory_limit=limit)
    assert time.monotonic() - started < 60
    said = resource_limit_messages(reports[0])
    # the worker says so with the limit ("memory limit of N MiB") when the MemoryError
    # reaches it; the verifier may also catch it on the way, and say so in its own words
    assert re.search(r"resource limit.*memory", said), said
    assert reports[1].status is PASSED


def test_a_worker_killed_mid_file_gives_a_verdict_and_a_fresh_worker(files, trusted):
    """SIGKILL from outside (an administrator, the kernel's OOM killer) while the worker is
    deep in the hostile file: that file gets a verdict, the next one a normal one."""
    options = VerifyOptions(**{**trusted.__dict__, "time_limit": 60})
    killed: list[int] = []
    stop = threading.Event()

    def kill_the_growing_worker():
        me = os.getpid()
        while not stop.is_set():
            baseline = resident_bytes(me)
            for child in children_of(me):
                if resident_bytes(child) > baseline + 200 * 1024**2:
                    os.kill(child, signal.SIGKILL)
                    killed.append(child)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_growing_worker, daemon=True)
    killer.start()
    try:
        started = time.monotonic()
        reports, calls = verify_many([files["good-1"], files["hostile"], files["good-2"]],
                                     options=options, jobs=1, memory_limit=0)
    finally:
        stop.set()
        killer.join()
    assert killed, "the test never found the worker to kill"
    assert time.monotonic() - started < 50  # the kill ended the file, not the time limit
    assert [r.status for r in reports] == [PASSED, FAILED, PASSED]
    said = resource_limit_messages(reports[1])
    assert "worker process verifying it died (killed by signal SIGKILL)" in said
    assert [name for name, _, _ in calls] == ["good-1.pdf", "hostile.pdf", "good-2.pdf"]


def test_progress_comes_in_input_order_with_several_workers(files, trusted):
    """The hostile file is first and the last to finish; the others wait for it."""
    options = VerifyOptions(**{**trusted.__dict__, "time_limit": 3})
    order = [files["hostile"], files["good-1"], files["unsigned"], files["good-2"]]
    reports, calls = verify_many(order, options=options, jobs=2)
    assert [Path(r.path) for r in reports] == order
    assert calls == [(p.name, i + 1, 4) for i, p in enumerate(order)]
    assert [(r.status, r.subindication) for r in reports] == [
        (FAILED, SubIndication.FORMAT_FAILURE), (PASSED, None),
        (FAILED, SubIndication.SIGNED_DATA_NOT_FOUND), (PASSED, None)]


# --- where files are verified -----------------------------------------------------------------

def report_where(self, path):
    """Stands in for Verifier.verify: which process ran it (inherited by forked workers)."""
    if Path(path).name == "unsigned.pdf":
        raise RuntimeError("a bug met on this file")
    if Path(path).name == "hostile.pdf":
        raise MemoryError  # as an allocation beyond the worker's address space limit does
    return FileReport(str(path), None, PASSED, None, (f"pid={os.getpid()}",))


def test_without_any_limit_one_job_verifies_in_this_process(files, monkeypatch):
    monkeypatch.setattr(Verifier, "verify", report_where)
    reports, _ = verify_many([files["good-1"]], jobs=1, memory_limit=0,
                             options=VerifyOptions(time_limit=0))
    assert reports[0].messages == (f"pid={os.getpid()}",)


@pytest.mark.parametrize("limits", [
    pytest.param(dict(memory_limit=0), id="time-limit-only"),
    pytest.param(dict(options=VerifyOptions(time_limit=0)), id="memory-limit-only"),
])
def test_with_a_limit_files_go_to_one_long_lived_worker(files, monkeypatch, limits):
    """One Verifier per worker serves many files (it holds the caches); a bug met on one file
    is that file's INDETERMINATE, and the same worker goes on."""
    monkeypatch.setattr(Verifier, "verify", report_where)
    reports, _ = verify_many([files["good-1"], files["unsigned"], files["good-2"]], jobs=1,
                             **limits)
    first, bug, last = reports
    assert first.messages[0] != f"pid={os.getpid()}"
    assert last.messages == first.messages  # the same worker process
    assert (bug.status, bug.subindication) == (Indication.INDETERMINATE, SubIndication.GENERIC)
    assert "RuntimeError: a bug met on this file" in bug.messages[0]


def test_a_memory_error_that_reaches_the_worker_names_the_limit_and_ends_the_worker(
        files, monkeypatch):
    monkeypatch.setattr(Verifier, "verify", report_where)
    reports, _ = verify_many([files["good-1"], files["hostile"], files["good-2"]], jobs=1,
                             memory_limit=3 * 1024**3)
    first, hostile, last = reports
    said = resource_limit_messages(hostile)
    assert "resource limit: memory" in said and "memory limit of 3 GiB" in said
    assert last.status is PASSED
    assert last.messages != first.messages  # a fresh worker after the MemoryError


def test_a_worker_that_cannot_start_raises_as_verify_pdf_would(files):
    with pytest.raises(ProfileError):
        signkit.verify_many([files["good-1"]], options=VerifyOptions(profile="no-such-profile"))
