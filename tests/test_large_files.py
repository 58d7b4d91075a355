"""Large documents (issue #10's tests): a scanned page of 50 MB, signed, time-stamped and
brought to B-LT, keeps its bytes as they were (only incremental updates follow), and the
independent tools accept every output."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from faultserver import Fault, FaultServer
from signkit.cli.main import cli

import signkit
from signkit import PadesLevel, SignOptions, VerifyOptions
from signkit.report import Indication

P12_PASSWORD = "p12-secret"
SIGNKIT = str(Path(sys.executable).parent / "signkit")
WIDTH, HEIGHT = 4096, 4096  # RGB, 8 bits: 48 MiB of raw image data


def scanned_page_pdf(path: Path) -> None:
    """One A4 page showing one uncompressed RGB image (what a scanner without compression
    writes), its data streamed to the file in rows."""
    size = WIDTH * HEIGHT * 3
    offsets = []
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
                  % (WIDTH, HEIGHT, size))
        row = bytes(range(256)) * (WIDTH * 3 // 256)
        for _ in range(HEIGHT):
            out.write(row)
        out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 6\n0000000000 65535 f \n")
        out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
        out.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("large") / "scan-50mb.pdf"
    scanned_page_pdf(path)
    assert path.stat().st_size > 50_000_000
    return path


@pytest.fixture(scope="module")
def tsa_url(pki_services) -> str:
    return pki_services[0] + "/testing-ca/tsa/tsa"


def digest_of_prefix(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while length > 0:
            chunk = f.read(min(length, 1 << 20))
            digest.update(chunk)
            length -= len(chunk)
    return digest.hexdigest()


def assert_extends(source: Path, output: Path) -> None:
    """The output holds the input's bytes unchanged, followed by updates only."""
    size = source.stat().st_size
    assert output.stat().st_size > size
    assert digest_of_prefix(output, size) == digest_of_prefix(source, size)


def test_a_signed_50_mb_scan_keeps_its_bytes_and_every_tool_accepts_it(pki, large, tmp_path,
                                                                         checks):
    out = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        assert signkit.sign_pdf(large, out, key=key).ok
    assert_extends(large, out)
    checks.all(out)  # pdfsig valid, whole document, trusted; qpdf --check; pyHanko


def test_the_signkit_command_verifies_large_files_hashed_while_it_starts(pki, large, tmp_path):
    """``signkit verify`` hashes large PDFs named on its command line while it imports
    (signkit._prehash): the report of a good file and of one changed inside its signed range
    must be what the bytes say."""
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        assert signkit.sign_pdf(large, good, key=key).ok
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a pixel of the image, inside the signed range
    bad.write_bytes(data)
    report = tmp_path / "report.json"
    run = subprocess.run(
        [SIGNKIT, "verify", str(good), str(bad), "--trust", str(pki.pem("root")),
         "--other-certs", str(pki.pem("interm")), "--format", "json", "-o", str(report)],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr  # one file failed
    files = json.loads(report.read_text())["files"]
    assert [f["status"] for f in files] == ["TOTAL_PASSED", "TOTAL_FAILED"]
    assert [f["sha256"] for f in files] == [hashlib.sha256(good.read_bytes()).hexdigest(),
                                           hashlib.sha256(bytes(data)).hexdigest()]


def test_timestamp_and_ltv_add_on_a_50_mb_scan_keep_its_bytes(pki, large, tmp_path, tsa_url,
                                                                checks):
    signed = tmp_path / "signed.pdf"
    options = SignOptions(level=PadesLevel.from_name("B-T"), tsa_url=tsa_url,
                          trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        assert signkit.sign_pdf(large, signed, key=key, options=options).ok
    trust = ["--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm"))]
    stamped, lt = tmp_path / "stamped.pdf", tmp_path / "lt.pdf"
    result = CliRunner().invoke(cli, ["timestamp", str(signed), "-o", str(stamped),
                                      "--tsa", tsa_url, *trust])
    assert result.exit_code == 0, result.output
    assert_extends(signed, stamped)
    result = CliRunner().invoke(cli, ["ltv", "add", str(signed), "-o", str(lt),
                                      "--tsa", tsa_url, *trust])
    assert result.exit_code == 0, result.output
    assert_extends(signed, lt)
    verify = VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    for output in (stamped, lt):
        checks.qpdf(output)
        assert "Signature is Valid" in checks.pdfsig(output)
        report = signkit.verify_pdf(output, options=verify)
        assert report.status is Indication.TOTAL_PASSED, report


@pytest.mark.slow
def test_a_large_document_is_signed_inside_an_anonymous_file_of_the_output_folder(
        pki, large, tmp_path, tsa_url):
    """While the signature is being made (here: its timestamp, which the TSA holds back),
    the whole document — the input's bytes and the new revision with its placeholder — is
    already in an anonymous file of the output folder, and the folder shows nothing;
    SIGKILL then leaves no file at all."""
    out = tmp_path / "out"
    out.mkdir()
    with FaultServer(tsa_url) as tsa:
        tsa.script = [Fault.FORWARD]  # the signature-size probe's token; the next one hangs
        tsa.default = Fault.HANG
        proc = subprocess.Popen(
            [SIGNKIT, "sign", str(large), "-o", str(out / "signed.pdf"), "--pkcs12",
             str(pki.p12("signer-rsa2048")), "--level", "B-T", "--tsa", tsa.url],
            env={**os.environ, "SIGNKIT_PIN": P12_PASSWORD}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while tsa.requests < 2:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the signature's timestamp was never asked"
                time.sleep(0.01)
            in_folder = _open_files_in(proc.pid, out)
            assert os.listdir(out) == []
        finally:
            proc.kill()
            proc.communicate(timeout=30)
    files = set(in_folder)  # one file, maybe open more than once
    assert len(files) == 1, in_folder
    (name, size), = files
    assert name.startswith("#") and name.endswith(" (deleted)"), name
    assert size > large.stat().st_size
    assert os.listdir(out) == []


def _open_files_in(pid: int, folder: Path) -> list[tuple[str, int]]:
    """(name, size) of the files process ``pid`` holds open in ``folder`` (an anonymous file
    shows as ``#<inode> (deleted)``)."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith(f"{folder}/"):
                found.append((target[len(str(folder)) + 1:],
                              os.stat(f"/proc/{pid}/fd/{fd}").st_size))
    return found


def test_small_documents_are_parsed_from_memory_and_large_ones_from_their_file(large,
                                                                            tmp_path):
    """Memory stays bounded: only a document of at most 256 KiB is read whole (its parse
    then costs no system calls); the copy still goes through the file's descriptor."""
    from signkit.signing.source import _IN_MEMORY_UP_TO, open_input

    small = tmp_path / "small.pdf"
    small.write_bytes(b"%PDF-1.7\n" + b"%" * (_IN_MEMORY_UP_TO - 20) + b"\n%%EOF\n")
    with open_input(small) as stream, small.open("rb") as same:
        assert stream.read() == small.read_bytes()
        assert os.path.samestat(os.fstat(stream.fileno()), os.fstat(same.fileno()))
        assert not hasattr(stream, "raw")  # in memory, not a buffered file
    with open_input(large) as stream:
        assert hasattr(stream, "raw")
        assert stream.tell() == 0
