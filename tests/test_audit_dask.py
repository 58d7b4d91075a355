"""``signkit audit run --scheduler`` (issue #11) on a real Dask cluster: a ``dask scheduler``
and two ``dask worker`` processes on 127.0.0.1, started once for this module. Verdicts are
those of the local pool, read by path or shipped as bytes; a worker killed with SIGKILL
mid-run and a client killed with SIGKILL mid-run lose no file and leave no duplicate."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_audit import AT_TEXT, integrity, mixed_folder, rows, trust_args, wait_for_rows
from test_batch_stream import copies

from signkit.audit import Store, connect
from signkit.verification import VerifyOptions

BIN = Path(sys.executable).parent
SIGNKIT = str(BIN / "signkit")
DASK = str(BIN / "dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskProcesses:
    """A scheduler and its workers, each a process of its own, logs in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: dict[str, subprocess.Popen] = {}
        port = self.address.rsplit(":", 1)[1]
        self._start("scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port", port,
                                  "--no-dashboard"])

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - the process keeps it
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=self.folder, start_new_session=True)
        log.close()
        self.processes[name] = process
        return process

    def start_worker(self, name: str) -> subprocess.Popen:
        # no nanny: the worker is this very process, so a SIGKILL kills a worker outright
        return self._start(name, [DASK, "worker", self.address, "--name", name, "--nthreads",
                                  "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"])

    def wait_for_workers(self, n: int, timeout: float = 120) -> None:
        with connect(self.address, timeout=timeout) as cluster:
            cluster.client.wait_for_workers(n, timeout=timeout)

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def close(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory) -> Iterator[DaskProcesses]:
    cluster = DaskProcesses(tmp_path_factory.mktemp("dask"))
    try:
        cluster.start_worker("w1")
        cluster.start_worker("w2")
        cluster.wait_for_workers(2)
        yield cluster
    finally:
        cluster.close()


_CONTEXT = re.compile(r"AbsoluteContext\(.*?\)\)")


def canonical(value):
    """A report entry with pyHanko's difference contexts in a fixed order: verify lists them
    in the order of a set of strings, which changes from one process to the next
    (PYTHONHASHSEED), the same with or without the store."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, str) and _CONTEXT.search(value):
        return _CONTEXT.sub("", value), sorted(_CONTEXT.findall(value))
    return value


def stored(store: Path) -> dict[str, tuple]:
    with sqlite3.connect(store) as db:
        return {row[0]: (*row[1:4], canonical(json.loads(row[4]))) for row in db.execute(
            "SELECT path, status, subindication, sha256, report_json FROM files")}


def audit(cwd: Path, store: str, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([SIGNKIT, "audit", "run", "in", "--store", store, "--no-progress",
                           *extra], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_dask_runs_give_the_verdicts_of_the_local_pool(dask_cluster, docs, pki, tmp_path):
    """Relative paths: the workers (their own working folder) read them under the
    client's."""
    mixed_folder(docs, tmp_path / "in")
    common = [*trust_args(pki), "--at", AT_TEXT]
    local = audit(tmp_path, "local.db", *common, "--jobs", "2")
    assert local.returncode == 1, local.stderr
    expected = stored(tmp_path / "local.db")
    assert len(expected) == 5 and all(p.startswith("in/") for p in expected)
    for name, extra in [("tcp.db", ["--scheduler", dask_cluster.address, "--batch-size", "2"]),
                        ("ship.db", ["--scheduler", dask_cluster.address, "--ship-bytes"]),
                        ("localcluster.db", ["--scheduler", "local:2"])]:
        run = audit(tmp_path, name, *common, *extra)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "5 files in the input: 5 judged now" in run.stdout
        assert stored(tmp_path / name) == expected, name
        assert integrity(tmp_path / name) == "ok"


def test_the_python_api_runs_on_a_connected_cluster(dask_cluster, docs, pki, tmp_path):
    folder = mixed_folder(docs, tmp_path / "in")
    options = VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    with connect(dask_cluster.address) as cluster, Store.open(tmp_path / "a.db") as store:
        first = store.run([folder], options=options, cluster=cluster, batch_size=1)
        again = store.run([folder], options=options, cluster=cluster)
        statuses = {Path(r.path).name: r.status.value for r in store.results()}
    assert (first.judged, again.judged, first.files) == (5, 0, 5)
    assert statuses["a-valid.pdf"] == "TOTAL_PASSED"
    assert statuses["e-garbage.pdf"] == "TOTAL_FAILED"


@pytest.fixture(scope="module")
def many(docs, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audit-dask-many")
    copies(docs["good-signkit"], folder / "in", 300)
    return folder


def test_a_worker_killed_mid_run_loses_no_file(dask_cluster, many, tmp_path):
    dask_cluster.start_worker("doomed")
    dask_cluster.wait_for_workers(3)
    store = tmp_path / "audit.db"
    client = subprocess.Popen(
        [SIGNKIT, "audit", "run", "in", "--store", str(store), "--offline", "--no-progress",
         "--scheduler", dask_cluster.address, "--batch-size", "5"],
        cwd=many, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_rows(store, client, 30)
    with connect(dask_cluster.address) as watcher:  # kill it while it holds a task
        address = next(a for a, w in watcher.client.scheduler_info()["workers"].items()
                       if w["name"] == "doomed")
        deadline = time.monotonic() + 60
        while not watcher.client.processing().get(address):
            assert time.monotonic() < deadline, "the doomed worker never got a task"
            time.sleep(0.01)
        dask_cluster.kill("doomed")
    assert rows(store) < 300, "the run ended before the worker was killed"
    out, err = client.communicate(timeout=300)
    assert client.returncode == 3, out + err  # offline: INDETERMINATE, as verify says
    assert "300 files in the input: 300 judged now" in out
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*), count(DISTINCT path) FROM files").fetchone() == (
            300, 300)
        assert db.execute("SELECT DISTINCT status FROM files").fetchall() == [
            ("INDETERMINATE",)]
    assert integrity(store) == "ok"


def test_a_client_killed_mid_run_resumes_on_the_cluster(dask_cluster, many, tmp_path):
    store = tmp_path / "audit.db"
    command = [SIGNKIT, "audit", "run", "in", "--store", str(store), "--offline",
               "--no-progress", "--scheduler", dask_cluster.address, "--batch-size", "5"]
    client = subprocess.Popen(command, cwd=many, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        wait_for_rows(store, client, 30)
    finally:
        client.kill()
        client.communicate()
    kept = rows(store)
    assert 30 <= kept < 300
    assert integrity(store) == "ok"
    time.sleep(0.5)  # the killed client's tasks may still be finishing: they store nothing
    again = subprocess.run(command, cwd=many, capture_output=True, text=True, timeout=300)
    assert again.returncode == 3, again.stdout + again.stderr
    assert "Resumed the unfinished run 1 " in again.stdout
    assert f"300 files in the input: {300 - kept} judged now, {kept} unchanged" in again.stdout
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*), count(DISTINCT path), count(DISTINCT "
                          "validation_time) FROM files").fetchone() == (300, 300, 1)
    assert integrity(store) == "ok"
