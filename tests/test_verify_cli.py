"""`signkit verify` from the command line: exit codes, formats, inputs, languages.

Documents are signed with the certomancer test PKI, whose OCSP and CRL are served live on
loopback, so revocation is really checked."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE
from signkit.cli.main import cli

import signkit


@pytest.fixture(scope="module")
def docs(tmp_path_factory, pki) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("verify-cli")
    good = folder / "good.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, good, key=key)
    unsigned = folder / "unsigned.pdf"
    shutil.copy(FIXTURES / "pdf" / "cv-45-cong-van.pdf", unsigned)
    junk = folder / "junk.pdf"
    junk.write_bytes(b"this is not a PDF at all")
    return {"good": good, "unsigned": unsigned, "junk": junk}


def run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result


def trust_args(pki) -> list[str]:
    return ["--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm"))]


def test_valid_file_exits_0_with_a_plain_verdict(docs, pki):
    result = run("verify", str(docs["good"]), *trust_args(pki))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"valid: {docs['good']}")


def test_untrusted_signer_exits_3(docs):
    result = run("verify", str(docs["good"]))
    assert result.exit_code == 3, result.output
    assert "not trusted" in result.output


def test_mixed_batch_exits_1_and_reports_every_file_in_input_order(docs, pki):
    paths = [str(docs[k]) for k in ("junk", "good", "unsigned")]
    result = run("verify", *paths, *trust_args(pki), "--format", "json", "--jobs", "2")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert [f["path"] for f in report["files"]] == paths
    assert [f["status"] for f in report["files"]] == ["TOTAL_FAILED", "TOTAL_PASSED",
                                                     "TOTAL_FAILED"]
    assert report["files"][0]["subindication"] == "FORMAT_FAILURE"
    assert report["files"][2]["subindication"] == "SIGNED_DATA_NOT_FOUND"
    assert report["summary"] == {"files": 3, "TOTAL_PASSED": 1, "TOTAL_FAILED": 2,
                                 "INDETERMINATE": 0}


def test_json_report_carries_signer_chain_and_live_revocation_check(docs, pki):
    result = run("verify", str(docs["good"]), *trust_args(pki), "--format", "json")
    signature = json.loads(result.output)["files"][0]["signatures"][0]
    assert signature["signer"]["common_name"] == "Nguyễn Văn An"
    assert signature["level"] == "PAdES-B-B" and signature["coverage"] == "ENTIRE_FILE"
    assert signature["chain"][0].startswith("CN=Nguyễn Văn An")
    assert signature["chain"][-1].startswith("CN=signkit Test Root CA")
    assert signature["revocation"]["checked"] is True
    assert signature["revocation"]["source"] in ("OCSP", "CRL")
    assert signature["revocation"]["status"] == "GOOD"


def test_offline_under_a_profile_that_requires_revocation_is_try_later(docs, pki):
    result = run("verify", str(docs["good"]), *trust_args(pki), "--profile", "vn",
                 "--offline", "--format", "json")
    assert result.exit_code == 3, result.output
    file = json.loads(result.output)["files"][0]
    assert (file["status"], file["subindication"]) == ("INDETERMINATE", "TRY_LATER")


@pytest.mark.parametrize("fmt", ["csv", "html", "json", "text"])
def test_report_written_to_a_file_atomically(docs, pki, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = run("verify", str(docs["good"]), str(docs["unsigned"]), *trust_args(pki),
                 "--format", fmt, "-o", str(out))
    assert result.exit_code == 1
    assert result.output == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    text = out.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["file_status"] for r in rows] == ["TOTAL_PASSED", "TOTAL_FAILED"]
    elif fmt == "html":
        assert text.lstrip().lower().startswith("<!doctype html>") and "unsigned.pdf" in text
    elif fmt == "json":
        assert json.loads(text)["summary"]["files"] == 2
    else:
        assert "not signed" in text


def test_paths_from_stdin_and_folders_recursively(docs, pki, tmp_path):
    tree = tmp_path / "archive" / "2026" / "11"
    tree.mkdir(parents=True)
    shutil.copy(docs["good"], tree / "a.pdf")
    shutil.copy(docs["good"], tmp_path / "archive" / "b.pdf")
    flat = run("verify", str(tmp_path / "archive"), *trust_args(pki), "--format", "json")
    assert json.loads(flat.output)["summary"]["files"] == 1
    deep = run("verify", str(tmp_path / "archive"), "--recursive", *trust_args(pki),
               "--format", "json")
    assert json.loads(deep.output)["summary"] == {"files": 2, "TOTAL_PASSED": 2,
                                                 "TOTAL_FAILED": 0, "INDETERMINATE": 0}
    piped = run("verify", "-", *trust_args(pki), stdin=f"{docs['good']}\n{docs['junk']}\n")
    assert piped.exit_code == 1 and "valid: " in piped.output and "invalid: " in piped.output


def test_vietnamese_wording(docs, pki):
    result = run("--lang", "vi", "verify", str(docs["good"]), str(docs["unsigned"]),
                 *trust_args(pki))
    assert "hợp lệ: " in result.output and "chưa được ký: " in result.output
    assert "2 tệp:" in result.output


@pytest.mark.parametrize(
    "args",
    [["/no/such/file.pdf"], ["{good}", "--at", "yesterday"], ["{good}", "--profile", "nope"],
     ["{good}", "--format", "xml"]],
)
def test_usage_errors_exit_2(docs, args):
    result = run("verify", *[a.format(good=docs["good"]) for a in args])
    assert result.exit_code == 2, result.output


def test_verification_at_a_past_time_before_the_certificate_is_valid(docs, pki):
    result = run("verify", str(docs["good"]), *trust_args(pki), "--at", "2024-06-01T00:00:00Z",
                 "--format", "json")
    assert result.exit_code == 3, result.output
    signature = json.loads(result.output)["files"][0]["signatures"][0]
    assert signature["status"] == "INDETERMINATE"
