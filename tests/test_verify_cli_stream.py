"""``signkit verify`` streams its report (issue #10): the bytes are those of rendering the
whole batch, and a run interrupted with Ctrl-C (a real SIGINT, or SIGTERM, to a real process
and its workers) exits 130 without a traceback and leaves a valid report of the files done,
in input order, marked incomplete where the format allows."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE
from signkit.cli.main import cli
from test_batch_stream import children_of, copies
from test_report_stream import RENDER

import signkit
from signkit import VerifyOptions
from signkit.report.csv_report import COLUMNS

SIGNKIT = str(Path(sys.executable).parent / "signkit")
AT = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli-stream-signed")
    good = folder / "good.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, good, key=key)
    return good


# --- signkit verify ----------------------------------------------------------------------------

def trust_args(pki) -> list[str]:
    return ["--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm"))]


@pytest.mark.parametrize("fmt", ["json", "csv", "text", "html"])
def test_the_command_writes_what_rendering_the_whole_batch_gives(signed, pki, tmp_path, fmt):
    unsigned = tmp_path / "unsigned.pdf"
    shutil.copy(FIXTURES / "pdf" / "cv-45-cong-van.pdf", unsigned)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a PDF")
    paths = [str(signed), str(junk), str(unsigned), str(signed)]
    options = VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                            at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    expected = RENDER[fmt](signkit.verify_many(paths, options=options, jobs=2))
    args = ["verify", *paths, *trust_args(pki), "--at", AT, "--format", fmt, "--jobs", "2"]
    to_stdout = CliRunner().invoke(cli, args)
    assert to_stdout.exit_code == 1, to_stdout.output
    assert to_stdout.stdout_bytes == expected.encode("utf-8")
    out = tmp_path / "reports" / f"report.{fmt}"
    out.parent.mkdir()
    to_file = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert to_file.exit_code == 1 and to_file.output == ""
    assert out.read_bytes() == expected.encode("utf-8")
    assert os.listdir(out.parent) == [out.name]


ARCHIVE_FILES = 20_000


@pytest.fixture(scope="module")
def archive(signed, tmp_path_factory) -> Path:
    """Enough files (hard links) that a batch is surely still running seconds after it starts,
    even at a thousand files a second."""
    folder = tmp_path_factory.mktemp("archive") / "in"
    copies(signed, folder, ARCHIVE_FILES)
    return folder


def start_verify(archive: Path, pki, *args: str) -> subprocess.Popen:
    cmd = [SIGNKIT, "verify", str(archive), *trust_args(pki), "--offline", "--jobs", "2",
           "--no-progress", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def interrupt_when_working(process: subprocess.Popen, signum: int = signal.SIGINT,
                           seconds: float = 1.0) -> None:
    """SIGINT once both workers have run for ``seconds``, as Ctrl-C sends it: to the whole
    process group (one by one here, since the group includes pytest). SIGTERM, as ``kill``
    sends it: to the command alone."""
    deadline = time.monotonic() + 60
    while len(children_of(process.pid)) < 2:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)
    time.sleep(seconds)
    workers = children_of(process.pid) if signum == signal.SIGINT else []
    os.kill(process.pid, signum)
    for pid in workers:
        # the command may have stopped a worker already: Ctrl-C reaches them all at once
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def names(archive: Path) -> list[str]:
    return [str(archive / name) for name in sorted(os.listdir(archive))]


def assert_interrupted_cleanly(process: subprocess.Popen, stderr: str) -> None:
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "interrupted after" in stderr
    assert not children_of(process.pid)


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "signum"), [
    ("json", signal.SIGINT), ("html", signal.SIGINT), ("json", signal.SIGTERM)])
def test_sigint_leaves_a_valid_incomplete_report_file_of_the_files_done(
        archive, pki, tmp_path, fmt, signum):
    out = tmp_path / f"report.{fmt}"
    process = start_verify(archive, pki, "--format", fmt, "-o", str(out))
    interrupt_when_working(process, signum)
    _, err = process.communicate(timeout=60)
    stderr = err.decode()
    assert_interrupted_cleanly(process, stderr)
    assert str(out) in stderr
    assert os.listdir(tmp_path) == [out.name]  # whole, named, no temporary file left
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        done = [f["path"] for f in data["files"]]
        assert data["complete"] is False and data["summary"]["files"] == len(done)
        assert 0 < len(done) < ARCHIVE_FILES
        assert done == names(archive)[:len(done)]
        assert all(f["signatures"] and f["sha256"] for f in data["files"])
        assert f"after {len(done)} of {ARCHIVE_FILES} files" in stderr
    else:
        HTMLParser().feed(text)
        assert text.rstrip().endswith("</html>") and f"of {ARCHIVE_FILES} files" in text


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_sigint_on_stdout_ends_the_report_validly(archive, pki, fmt):
    process = start_verify(archive, pki, "--format", fmt)
    interrupt_when_working(process)
    out, err = process.communicate(timeout=60)
    assert_interrupted_cleanly(process, err.decode())
    text = out.decode("utf-8")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == list(COLUMNS)
        assert all(len(row) == len(COLUMNS) for row in rows[1:])
        done = [row[0] for row in rows[1:]]
        assert text.endswith("\r\n") and 0 < len(done) < ARCHIVE_FILES
    else:
        data = json.loads(text)
        assert data["complete"] is False
        done = [f["path"] for f in data["files"]]
        assert 0 < len(done) < ARCHIVE_FILES
    assert done == names(archive)[:len(done)]
