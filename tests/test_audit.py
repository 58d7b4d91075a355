"""``signkit audit`` and ``signkit.audit.Store`` (issue #11), on real SQLite stores and real
signed documents of the test PKI: the stored JSON is verify's, reports rendered from the store
are verify's reports byte for byte, re-audits judge only what changed, a run killed with
SIGKILL resumes without judging a file twice, and bad stores get one clear message and exit 2.
The Dask side is in test_audit_dask.py."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT
from signkit.cli.main import cli
from test_batch_stream import copies

import signkit
from signkit import VerifyOptions
from signkit.audit import (
    SCHEMA_VERSION,
    NotAStoreError,
    Store,
    StoreReadOnlyError,
    StoreTooNewError,
)
from signkit.audit._schema import APPLICATION_ID, MIGRATIONS
from signkit.report import Indication

SIGNKIT = str(Path(sys.executable).parent / "signkit")
AT = dt.datetime.now(dt.UTC).replace(microsecond=0)
AT_TEXT = AT.isoformat().replace("+00:00", "Z")
# a mixed folder: valid, revoked, tampered after signing, unsigned, not a PDF at all
MIXED = {"a-valid.pdf": "good-signkit", "b-revoked.pdf": "revoked-signer",
         "c-tampered.pdf": "isa-new-content", "d-unsigned.pdf": "unsigned",
         "e-garbage.pdf": "not-a-pdf"}


def trust_args(pki) -> list[str]:
    return ["--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm"))]


def trusted(pki, **kw) -> VerifyOptions:
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),), **kw)


def mixed_folder(docs, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, doc in MIXED.items():
        shutil.copyfile(docs[doc], folder / name)
    return folder


def integrity(store: Path) -> str:
    run = subprocess.run(["sqlite3", str(store), "PRAGMA integrity_check"],
                         capture_output=True, text=True, check=True)
    return run.stdout.strip()


def rows(store: Path) -> int:
    with sqlite3.connect(store, timeout=30) as db:
        try:
            return db.execute("SELECT count(*) FROM files").fetchone()[0]
        except sqlite3.OperationalError:
            return 0  # not created yet


def judged_paths(store: Store, inputs, **kw) -> tuple[list[str], object]:
    seen: list[str] = []
    outcome = store.run(inputs, on_progress=lambda r, done, total: seen.append(r.path), **kw)
    return seen, outcome


# --- what is stored, and reports from it ------------------------------------------------------

@pytest.fixture(scope="module")
def mixed(docs, tmp_path_factory) -> Path:
    return mixed_folder(docs, tmp_path_factory.mktemp("audit-mixed") / "in")


@pytest.fixture(scope="module")
def audited(mixed, pki, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("audit-store") / "audit.db"
    run = CliRunner().invoke(cli, ["audit", "run", str(mixed), "--store", str(store),
                                   *trust_args(pki), "--at", AT_TEXT, "--jobs", "2"])
    assert run.exit_code == 1, run.output  # some files failed
    assert "5 files in the input: 5 judged now, 0 unchanged" in run.output
    return store


def test_each_file_row_holds_the_json_verify_writes_for_it(audited, mixed, pki):
    verified = CliRunner().invoke(cli, ["verify", str(mixed), *trust_args(pki), "--at",
                                        AT_TEXT, "--format", "json", "--jobs", "2"])
    expected = {f["path"]: f for f in json.loads(verified.stdout)["files"]}
    with sqlite3.connect(audited) as db:
        stored = dict(db.execute("SELECT path, report_json FROM files"))
        columns = {row[0]: row[1:] for row in db.execute(
            "SELECT path, size, sha256, status, subindication, profile, validation_time "
            "FROM files")}
        signatures = dict(db.execute("SELECT path, count(*) FROM signatures GROUP BY path"))
        levels = dict(db.execute("SELECT path, level FROM signatures"))
    assert {p: json.loads(text) for p, text in stored.items()} == expected
    statuses = {Path(p).name: (c[2], c[3]) for p, c in columns.items()}
    assert statuses == {
        "a-valid.pdf": ("TOTAL_PASSED", None),
        "b-revoked.pdf": ("TOTAL_FAILED", "REVOKED"),
        "c-tampered.pdf": (statuses["c-tampered.pdf"][0], statuses["c-tampered.pdf"][1]),
        "d-unsigned.pdf": ("TOTAL_FAILED", "SIGNED_DATA_NOT_FOUND"),
        "e-garbage.pdf": ("TOTAL_FAILED", "FORMAT_FAILURE"),
    }
    assert statuses["c-tampered.pdf"][0] != "TOTAL_PASSED"
    for path, (size, sha256, _, _, profile, when) in columns.items():
        assert size == os.path.getsize(path) and profile == "default"
        assert sha256 == expected[path]["sha256"]
        assert when.startswith(AT.strftime("%Y-%m-%dT%H:%M:%S"))
        assert signatures.get(path, 0) == len(expected[path]["signatures"])
    assert levels[str(mixed / "a-valid.pdf")].startswith("PAdES-B")


@pytest.mark.parametrize("fmt", ["json", "csv", "text", "html"])
def test_the_report_from_the_store_is_the_verify_report(audited, mixed, pki, tmp_path, fmt):
    verified = CliRunner().invoke(cli, ["verify", str(mixed), *trust_args(pki), "--at",
                                        AT_TEXT, "--format", fmt, "--jobs", "2"])
    out = tmp_path / f"report.{fmt}"
    reported = CliRunner().invoke(cli, ["audit", "report", "--store", str(audited),
                                        "--format", fmt, "-o", str(out)])
    assert reported.exit_code == verified.exit_code == 1, reported.output
    assert out.read_bytes() == verified.stdout_bytes


def test_report_selects_by_status_signer_and_prefix(audited, mixed):
    failed = CliRunner().invoke(cli, ["audit", "report", "--store", str(audited), "--format",
                                      "json", "--status", "TOTAL_PASSED"])
    data = json.loads(failed.stdout)
    assert failed.exit_code == 0
    assert [Path(f["path"]).name for f in data["files"]] == ["a-valid.pdf"]
    assert data["summary"] == {"files": 1, "TOTAL_PASSED": 1, "TOTAL_FAILED": 0,
                               "INDETERMINATE": 0}
    with Store.open(audited, readonly=True) as store:
        signer = store.get(str(mixed / "a-valid.pdf")).report.signatures[0].signer
        by_name = [r.path for r in store.results(signer=signer.common_name)]
        by_cert = [r.path for r in store.results(signer=signer.certificate_sha256.upper())]
        assert by_name == by_cert and str(mixed / "a-valid.pdf") in by_name
        assert store.count(path_prefix=str(mixed / "d-")) == 1
        assert store.count(status=["TOTAL_FAILED", Indication.TOTAL_PASSED]) >= 4


def test_stored_results_are_the_report_dataclasses_verify_gives(audited, mixed, pki):
    with Store.open(audited, readonly=True) as store:
        results = list(store.results())
    assert [r.path for r in results] == sorted(str(p) for p in mixed.iterdir())
    with signkit.Verifier(trusted(pki, at=AT)) as verifier:
        for result in results:
            assert result.report == verifier.verify(result.path)
            assert result.validation_time == AT
            assert result.signkit_version == signkit.__version__


def test_summary_counts_by_status_signer_ca_and_level(audited):
    run = CliRunner().invoke(cli, ["audit", "summary", "--store", str(audited), "--format",
                                   "json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["files"] == 5 and data["by_status"]["TOTAL_FAILED"] >= 3
    assert "Nguyễn Văn An" in data["by_signer"]
    assert sum(data["by_level"].values()) == sum(data["by_signer"].values())
    assert any("signkit Test Issuing CA" in name for name in data["by_issuer"])
    text = CliRunner().invoke(cli, ["--lang", "vi", "audit", "summary", "--store",
                                    str(audited)])
    assert "Chữ ký theo người ký" in text.output and "Nguyễn Văn An" in text.output


# --- re-audits ---------------------------------------------------------------------------------

def test_a_rerun_judges_only_the_file_whose_bytes_changed(docs, pki, tmp_path):
    folder = mixed_folder(docs, tmp_path / "in")
    with Store.open(tmp_path / "audit.db") as store:
        first, outcome = judged_paths(store, [folder], options=trusted(pki), jobs=2)
        assert len(first) == 5 and outcome.judged == 5 and not outcome.resumed
        again, outcome = judged_paths(store, [folder], options=trusted(pki), jobs=2)
        assert again == [] and outcome.files == 5
        assert outcome.summary == store.summary().by_status | {"files": 5}

        valid = folder / "a-valid.pdf"  # same size, one byte of the signed content changed
        data = bytearray(valid.read_bytes())
        at = data.index(b"stream") + 20
        data[at] ^= 0x01
        valid.write_bytes(bytes(data))
        touched = folder / "d-unsigned.pdf"  # a new time, the same bytes: not judged again
        os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
        changed, outcome = judged_paths(store, [folder], options=trusted(pki), jobs=2)
        assert changed == [str(valid)] and outcome.judged == 1
        result = store.get(str(valid))
        assert result.status is Indication.TOTAL_FAILED
        assert store.get(str(touched)).mtime_ns == touched.stat().st_mtime_ns

        (folder / "f-new.pdf").write_bytes(docs["good-signkit"].read_bytes())
        added, _ = judged_paths(store, [folder], options=trusted(pki), jobs=2)
        assert added == [str(folder / "f-new.pdf")]
        # other verification options: every file is judged again under them
        offline, _ = judged_paths(store, [folder], options=trusted(pki, offline=True), jobs=2)
        assert len(offline) == 6

        # bytes changed under the same size and time (a copy that keeps both): only the
        # SHA-256 tells, and only --rehash reads every file for it
        copied = folder / "f-new.pdf"
        before = copied.stat()
        data = bytearray(copied.read_bytes())
        data[data.index(b"stream") + 20] ^= 0x01
        copied.write_bytes(bytes(data))
        os.utime(copied, ns=(before.st_atime_ns, before.st_mtime_ns))
        unseen, _ = judged_paths(store, [folder], options=trusted(pki, offline=True), jobs=2)
        assert unseen == []
        rehashed, _ = judged_paths(store, [folder], options=trusted(pki, offline=True),
                                   jobs=2, rehash=True)
        assert rehashed == [str(copied)]
        assert store.get(str(copied)).status is Indication.TOTAL_FAILED


def test_revalidate_status_and_since_select_what_is_judged_again(docs, pki, tmp_path):
    folder = mixed_folder(docs, tmp_path / "in")
    old = time.time() - 30 * 86400
    for name in ("b-revoked.pdf", "c-tampered.pdf", "d-unsigned.pdf", "e-garbage.pdf"):
        os.utime(folder / name, (old, old))
    with Store.open(tmp_path / "audit.db") as store:
        judged_paths(store, [folder], options=trusted(pki), jobs=2)
        before = store.get(str(folder / "a-valid.pdf")).validation_time
        everything, outcome = judged_paths(store, [folder], options=trusted(pki), jobs=2,
                                           revalidate=True)
        assert len(everything) == 5 and outcome.validation_time > before
        assert store.get(str(folder / "a-valid.pdf")).validation_time == outcome.validation_time
        passed, _ = judged_paths(store, [folder], options=trusted(pki), jobs=1,
                                 statuses=["TOTAL_PASSED"])
        assert passed == [str(folder / "a-valid.pdf")]
        recent, outcome = judged_paths(store, [folder], options=trusted(pki), jobs=1,
                                       revalidate=True,
                                       since=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        assert recent == [str(folder / "a-valid.pdf")] and outcome.files == 1
    run = CliRunner().invoke(cli, ["audit", "report", "--store", str(tmp_path / "audit.db"),
                                   "--format", "json", "--since",
                                   (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()])
    assert [Path(f["path"]).name for f in json.loads(run.stdout)["files"]] == ["a-valid.pdf"]


# --- killed and resumed ------------------------------------------------------------------------

def wait_for_rows(store: Path, process: subprocess.Popen, at_least: int,
                  timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        n = rows(store)
        if n >= at_least:
            return n
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} rows after {timeout} s")


def test_a_run_killed_with_sigkill_resumes_without_judging_a_file_twice(docs, tmp_path):
    folder = tmp_path / "in"
    copies(docs["good-signkit"], folder, 400)
    store = tmp_path / "audit.db"
    command = [SIGNKIT, "audit", "run", str(folder), "--store", str(store), "--offline",
               "--jobs", "2", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        wait_for_rows(store, process, 40)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the client and its worker processes
        process.communicate()
    kept = rows(store)
    assert 40 <= kept < 400
    assert integrity(store) == "ok"
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 3, again.stderr  # offline: INDETERMINATE, as verify says
    assert re.search(r"Resumed the unfinished run 1 ", again.stdout), again.stdout
    assert f"400 files in the input: {400 - kept} judged now, {kept} unchanged" in again.stdout
    assert integrity(store) == "ok"
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*), count(DISTINCT path) FROM files").fetchone() == (
            400, 400)
        assert db.execute("SELECT count(DISTINCT validation_time), count(DISTINCT run_id) "
                          "FROM files").fetchone() == (1, 1)
        assert db.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone() \
            == (0,)


def test_sigterm_ends_a_run_with_130_and_the_same_command_goes_on(docs, tmp_path):
    folder = tmp_path / "in"
    copies(docs["good-signkit"], folder, 300)
    store = tmp_path / "audit.db"
    command = [SIGNKIT, "--lang", "vi", "audit", "run", str(folder), "--store", str(store),
               "--offline", "--jobs", "2", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    wait_for_rows(store, process, 20)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "Traceback" not in err
    kept = rows(store)
    said = re.fullmatch(r"signkit: đã dừng: (\d+) tệp đã kiểm tra và lưu; chạy lại đúng "
                        r"lệnh này để tiếp tục\n", err)
    assert said, err
    assert kept - 1 <= int(said[1]) <= kept  # the signal may come between commit and count
    assert integrity(store) == "ok"
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 3, again.stderr
    assert f"300 tệp trong đầu vào: {300 - kept} tệp vừa kiểm tra" in again.stdout
    assert rows(store) == 300


# --- the store's format ------------------------------------------------------------------------

def test_a_store_of_an_older_schema_is_migrated_and_keeps_its_results(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[1]:
            db.execute(statement)
        db.execute("INSERT INTO runs VALUES (1, 'f', 'k', '2026-01-01T00:00:00.000000Z', "
                   "'2026-01-01T00:00:01.000000Z', '2026-01-01T00:00:00.000000Z', 'default', "
                   "'0.1.0', '{}')")
        entry = {"path": "x.pdf", "sha256": None, "status": "TOTAL_FAILED",
                 "subindication": "FORMAT_FAILURE", "messages": ["not a PDF"],
                 "signatures": []}
        db.execute("INSERT INTO files VALUES ('x.pdf', 3, 1, NULL, 'TOTAL_FAILED', "
                   "'FORMAT_FAILURE', '2026-01-01T00:00:00.000000Z', "
                   "'2026-01-01T00:00:00.000000Z', 'default', '0.1.0', 1, 'k', NULL, ?)",
                   (json.dumps(entry),))
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
    with pytest.raises(Exception, match="schema 1"):
        Store.open(path, readonly=True)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get("x.pdf").report.messages == ("not a PDF",)
    with sqlite3.connect(path) as db:
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "files_status" in indexes
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_store_is_wal_and_names_itself(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        assert store.schema_version == SCHEMA_VERSION
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


# --- bad input ---------------------------------------------------------------------------------

def audit_run(store: Path, *extra: str) -> object:
    return CliRunner().invoke(cli, ["audit", "run", str(FIXTURES / "pdf"), "--store",
                                    str(store), "--offline", "--jobs", "1", *extra])


def one_line_error(run, code: int, *phrases: str) -> None:
    assert run.exit_code == code, run.output
    assert "Traceback" not in run.output and run.output.count("signkit:") == 1, run.output
    for phrase in phrases:
        assert phrase in run.output, run.output


def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("quarterly notes\n" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    for path in (text, other, FIXTURES / "pdf" / "qd-123-quyet-dinh.pdf"):
        before = path.read_bytes()
        one_line_error(audit_run(path), 2, "not a signkit results store")
        for command in ("report", "summary"):
            one_line_error(CliRunner().invoke(cli, ["audit", command, "--store", str(path)]),
                           2, "not a signkit results store")
        assert path.read_bytes() == before
    with pytest.raises(NotAStoreError):
        Store.open(text)


def test_a_store_of_a_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    with Store.open(path):
        pass
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    one_line_error(audit_run(path), 2, "newer signkit", f"schema {SCHEMA_VERSION + 1}")
    one_line_error(CliRunner().invoke(cli, ["audit", "report", "--store", str(path)]), 2,
                   "upgrade signkit")
    assert path.read_bytes() == before
    with pytest.raises(StoreTooNewError) as caught:
        Store.open(path, readonly=True)
    assert caught.value.version == SCHEMA_VERSION + 1


def test_a_read_only_store_is_read_but_never_written(tmp_path):
    path = tmp_path / "audit.db"
    assert audit_run(path).exit_code == 1
    path.chmod(0o444)
    before = path.read_bytes()
    one_line_error(audit_run(path, "--revalidate"), 2, "read-only")
    report = CliRunner().invoke(cli, ["audit", "report", "--store", str(path)])
    assert report.exit_code == 1 and "qd-123-quyet-dinh.pdf" in report.output
    assert path.read_bytes() == before
    with pytest.raises(StoreReadOnlyError):
        Store.open(path)


def test_other_bad_input_gets_one_line_and_exit_2(tmp_path):
    one_line_error(CliRunner().invoke(cli, ["audit", "report", "--store",
                                            str(tmp_path / "none.db")]), 2, "no store at")
    one_line_error(audit_run(tmp_path / "missing" / "a.db"), 2, "does not exist")
    empty = tmp_path / "empty.db"
    Store.open(empty).close()
    one_line_error(CliRunner().invoke(cli, ["audit", "report", "--store", str(empty)]), 2,
                   "holds no results yet")
    one_line_error(CliRunner().invoke(cli, ["audit", "summary", "--store", str(empty),
                                            "--paths"]), 2, "--expiring")
    vi = CliRunner().invoke(cli, ["--lang", "vi", "audit", "report", "--store", str(empty)])
    one_line_error(vi, 2, "chưa có kết quả nào")


def test_an_unreachable_scheduler_is_a_clear_error_and_nothing_is_written(tmp_path):
    store = tmp_path / "audit.db"
    run = audit_run(store, "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1")
    one_line_error(run, 2, "cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert not store.exists() and os.listdir(tmp_path) == []
    one_line_error(audit_run(store, "--scheduler", "127.0.0.1:9"), 2, "tcp://HOST:PORT")
    one_line_error(audit_run(store, "--scheduler", "local:zero"), 2, "local:N")
    assert os.listdir(tmp_path) == []


# --- the README's example ------------------------------------------------------------------------

def test_the_readme_audit_example_runs(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S)
              if "signkit.audit" in b]
    assert blocks, "the README shows signkit.audit"
    shutil.copytree(FIXTURES / "pdf", tmp_path / "fixtures" / "pdf")
    run = subprocess.run([sys.executable, "-c", blocks[0]], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "judged 4 of 4 files" in run.stdout
    assert "TOTAL_FAILED SIGNED_DATA_NOT_FOUND fixtures/pdf/cv-45-cong-van.pdf" in run.stdout


def test_importing_the_store_loads_neither_pdf_layers_nor_dask_nor_click():
    code = ("import sys, signkit.audit; print(sorted(m for m in ('click', 'pyhanko', "
            "'distributed') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


# --- the B-LTA archives due for renewal ----------------------------------------------------------

def test_summary_lists_the_b_lta_archives_whose_timestamp_certificate_expires(tmp_path):
    from ltv_verify_support import ClockedPki

    (tmp_path / "pki").mkdir()
    live = ClockedPki(tmp_path / "pki")
    try:
        folder = tmp_path / "in"
        folder.mkdir()
        lta = live.sign("signer-rsa2048", "B-LTA", folder / "lta.pdf")
        live.sign("signer-rsa2048", "B-T", folder / "bt.pdf")
        store = tmp_path / "audit.db"
        run = CliRunner().invoke(cli, ["audit", "run", str(folder), "--store", str(store),
                                       "--trust", str(live.pem("root")), "--other-certs",
                                       str(live.pem("interm"))])
        assert run.exit_code in (0, 3), run.output
    finally:
        live.close()
    expires = live.asn1("tsa")["tbs_certificate"]["validity"]["not_after"].native
    days = (expires - dt.datetime.now(dt.UTC)).days
    with Store.open(store, readonly=True) as opened:
        assert opened.get(str(lta)).archive_expires == expires
        assert opened.get(str(folder / "bt.pdf")).archive_expires is None
    due = CliRunner().invoke(cli, ["audit", "summary", "--store", str(store), "--expiring",
                                   f"{days + 2}d", "--paths"])
    assert due.exit_code == 0 and due.output == f"{lta}\n"
    not_yet = CliRunner().invoke(cli, ["audit", "summary", "--store", str(store),
                                       "--expiring", f"{max(days - 2, 0)}d", "--paths"])
    assert not_yet.exit_code == 0 and not_yet.output == ""
    text = CliRunner().invoke(cli, ["audit", "summary", "--store", str(store), "--expiring",
                                    f"{days + 2}d"])
    assert "expires by" in text.output and f"{expires.date().isoformat()}  {lta}" in text.output
    assert "PAdES-B-LTA" in text.output and "PAdES-B-T" in text.output
