"""Hostile text in reports: control and bidi characters from certificate names, file names and
messages never reach a terminal, a CSV or an HTML page raw (they are shown as ``\\uXXXX``),
JSON escapes them but decodes to the original strings, and Vietnamese is left untouched."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from signkit.cli.main import cli

from signkit.ltv import Additions, LtvOutcome, LtvResult, LtvStatus, TimestampFacts
from signkit.ltv import render_json as render_ltv_json
from signkit.ltv import render_text as render_ltv_text
from signkit.report import (
    BatchReport,
    Coverage,
    FileReport,
    Indication,
    Modifications,
    RevocationCheck,
    RevocationSource,
    RevocationStatus,
    SignatureReport,
    SignerIdentity,
    SubIndication,
    json_text,
    printable,
    render_csv,
    render_html,
    render_json,
    render_text,
)

UTC = dt.UTC
TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CSI = "\x9b31m"  # C1 control sequence introducer: red text
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "evil\u202efdp.exe" reads "evilexe.pdf"
HOSTILE = f"{TITLE}\r{CSI}{RLO}"
VIETNAMESE = "Nguyễn Văn Đức, Sở Tư pháp tỉnh Hưng Yên"

# Written out here, not taken from the code under test.
DANGEROUS = (
    {chr(c) for c in range(0x20)} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}
    | {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}
    | {"\u200e", "\u200f", "\u061c"}
)


def raw_dangerous(text: str, *, allowed: str = "") -> set[str]:
    return {ch for ch in text if ch in DANGEROUS and ch not in allowed}


SIGNER = SignerIdentity(
    common_name=f"{VIETNAMESE}{HOSTILE}", subject=f"CN={VIETNAMESE}{TITLE},O=Sở{RLO}",
    organization=f"UBND{CSI}", serial="1a2b", certificate_sha256="ab" * 32,
    issuer=f"CN=Evil CA\r{TITLE}",
)
SIGNATURE = SignatureReport(
    field=f"Chữ ký{TITLE}", status=Indication.TOTAL_FAILED,
    subindication=SubIndication.SIG_CRYPTO_FAILURE, signer=SIGNER,
    signing_time=dt.datetime(2026, 11, 28, 15, 0, tzinfo=UTC), timestamp_time=None,
    level="PAdES-B-B", digest_algorithm="sha256", signature_algorithm="sha256_rsa",
    coverage=Coverage.ENTIRE_FILE, modifications=Modifications.NONE,
    chain=(f"CN={VIETNAMESE}{HOSTILE}", f"CN=Root{RLO}"),
    revocation=RevocationCheck(True, RevocationSource.OCSP, RevocationStatus.GOOD),
    messages=(f"Chữ ký sai{HOSTILE}", "line one\nline two\u2066\u200f\u061c\x7f"),
)
PATH = f"in/{VIETNAMESE}{HOSTILE}gpj.pdf"
FILE = FileReport(PATH, "11" * 32, Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE,
                  messages=(f"File says {HOSTILE}",), signatures=(SIGNATURE,))
UNSIGNED = FileReport(f"in/{RLO}fdp.exe", None, Indication.TOTAL_FAILED,
                      SubIndication.SIGNED_DATA_NOT_FOUND, messages=(f"no signature{TITLE}",))
BATCH = BatchReport("0.1.0", dt.datetime(2026, 11, 28, 22, 0, tzinfo=UTC), f"vn{CSI}",
                    (FILE, UNSIGNED))


def hostile_strings(batch: BatchReport):
    for report in batch.files:
        yield report.path
        yield from report.messages
        for sig in report.signatures:
            yield sig.field
            yield from sig.messages
            yield from sig.chain
            if sig.signer is not None:
                yield from (sig.signer.common_name, sig.signer.subject, sig.signer.issuer,
                            sig.signer.organization)


# --- the shared function ----------------------------------------------------------------------

@pytest.mark.parametrize("character", sorted(DANGEROUS))
def test_printable_shows_each_control_and_bidi_character_as_its_uxxxx_escape(character):
    assert printable(f"a{character}b") == f"a\\u{ord(character):04x}b"


def test_printable_and_json_text_leave_vietnamese_and_other_text_alone():
    text = f"{VIETNAMESE} — Quyết định số 123/QĐ-UBND ✓ 𝄞 \\ \"q\" <b>"
    assert printable(text) == text
    assert json.loads(json_text(text)) == text
    assert VIETNAMESE in json_text(text)  # readable as UTF-8, not \\u escapes


# --- verification report ----------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("verbose", [False, True])
def test_text_report_prints_no_raw_control_or_bidi_character(lang, verbose):
    text = render_text(BATCH, lang=lang, verbose=verbose)
    assert not raw_dangerous(text, allowed="\n")
    assert f"{VIETNAMESE}\\u001b]0;pwned\\u0007\\u000d\\u009b31m\\u202egpj.pdf" in text
    assert "in/\\u202efdp.exe" in text
    if verbose:
        assert "(UBND\\u009b31m)" in text  # the signer's organization
        assert "line one\\u000aline two\\u2066\\u200f\\u061c\\u007f" in text


def test_text_report_keeps_one_line_per_entry_despite_newlines_and_carriage_returns():
    lines = render_text(BATCH).splitlines()
    assert lines[0].startswith("invalid: in/")
    assert len(lines) == 5  # two files with a reason each, then the summary


def test_csv_cells_show_control_and_bidi_characters_escaped():
    text = render_csv(BATCH)
    assert not raw_dangerous(text.replace("\r\n", ""))
    assert text.count("\r\n") == 3  # header and two records: no line break inside a cell
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    first = rows[0]
    assert first["path"] == printable(PATH)
    assert first["signer"] == f"{VIETNAMESE}\\u001b]0;pwned\\u0007\\u000d\\u009b31m\\u202e"
    assert first["organization"] == "UBND\\u009b31m"
    assert first["messages"].endswith("line one\\u000aline two\\u2066\\u200f\\u061c\\u007f")
    assert rows[1]["path"] == "in/\\u202efdp.exe"


def test_json_escapes_c1_and_bidi_characters_and_decodes_to_the_original_strings():
    text = render_json(BATCH)
    assert not raw_dangerous(text, allowed="\n")  # newlines of the indentation only
    assert "\\u202e" in text and "\\u009b" in text and "\\u001b" in text
    data = json.loads(text)
    assert data["profile"] == f"vn{CSI}"
    decoded = data["files"][0]
    sig = decoded["signatures"][0]
    assert decoded["path"] == PATH
    assert sig["signer"]["common_name"] == SIGNER.common_name
    assert sig["signer"]["subject"] == SIGNER.subject
    assert sig["messages"] == list(SIGNATURE.messages)
    assert sig["chain"] == list(SIGNATURE.chain)
    assert data["files"][1]["path"] == UNSIGNED.path
    assert VIETNAMESE in text and "Chữ ký" in text


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_html_has_no_raw_control_or_bidi_character(lang):
    page = render_html(BATCH, lang=lang)
    assert not raw_dangerous(page, allowed="\n")
    assert "\\u202efdp.exe" in page and VIETNAMESE in page


def test_every_hostile_string_of_the_fixture_really_is_hostile():
    # guards the fixture: each value above would fail the checks if written raw
    assert all(raw_dangerous(s) for s in hostile_strings(BATCH))


# --- sign and ltv reports ---------------------------------------------------------------------

LTV = LtvOutcome(
    (
        LtvResult(Path(f"in/{VIETNAMESE}{HOSTILE}.pdf"), Path(f"out/{RLO}fdp.exe"),
                  LtvStatus.ADDED, Additions(certificates=2, document_timestamp=True),
                  reasons=(f"TSA expires{TITLE}",), sha256="aa" * 32),
        LtvResult(Path(f"in/{TITLE}.pdf"), None, LtvStatus.NOT_NEEDED,
                  newest_timestamp=TimestampFacts(
                      f"signature timestamp of Sig{CSI}", dt.datetime(2026, 1, 1, tzinfo=UTC),
                      f"CN=TSA {VIETNAMESE}{RLO}", dt.datetime(2030, 1, 1, tzinfo=UTC),
                      "sha256", "rsa 2048")),
        LtvResult(Path(f"in/bad{CSI}.pdf"), None, LtvStatus.FAILED,
                  error=f"not a PDF: in/bad{HOSTILE}.pdf"),
    ),
    stopped=f"stopped after the error in in/bad{HOSTILE}.pdf (--on-error stop)",
)


def test_ltv_text_table_prints_no_raw_control_or_bidi_character():
    text = render_ltv_text(LTV)
    assert not raw_dangerous(text, allowed="\n")
    lines = text.splitlines()
    assert len(lines) == 6  # header, three files, summary, batch stopped
    assert f"in/{VIETNAMESE}\\u001b]0;pwned\\u0007\\u000d\\u009b31m\\u202e.pdf" in lines[1]
    assert "-> out/\\u202efdp.exe" in lines[1] and "TSA expires\\u001b" in lines[1]
    assert "Sig\\u009b31m" in lines[2]
    assert lines[-1].startswith("Batch stopped: stopped after the error in in/bad\\u001b]0;")


def test_ltv_json_escapes_and_round_trips_the_original_strings():
    text = render_ltv_json(LTV, command="ltv add")
    assert not raw_dangerous(text, allowed="\n")
    data = json.loads(text)
    first, second, third = data["files"]
    assert first["path"] == str(LTV.results[0].input) and VIETNAMESE in text
    assert first["output"] == f"out/{RLO}fdp.exe"
    assert first["reasons"] == [f"TSA expires{TITLE}"]
    assert second["newest_timestamp"]["tsa"] == f"CN=TSA {VIETNAMESE}{RLO}"
    assert third["error"] == LTV.results[2].error
    assert data["summary"]["stopped"] == LTV.stopped


# --- through the command line -----------------------------------------------------------------

def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def hostile_named_pdf(tmp_path) -> Path:
    """An unsigned PDF whose file name sets the terminal title and reverses the text."""
    path = tmp_path / f"{VIETNAMESE}{HOSTILE}gpj.pdf"
    shutil.copy(FIXTURES / "pdf" / "cv-45-cong-van.pdf", path)
    return path


@pytest.mark.parametrize("fmt", ["text", "csv", "json", "html"])
def test_verify_of_a_file_named_with_escape_sequences_prints_them_escaped(
        hostile_named_pdf, fmt):
    result = invoke("verify", str(hostile_named_pdf), "--format", fmt, "--no-progress")
    assert result.exit_code == 1, result.output  # unsigned: TOTAL_FAILED
    written = result.stdout_bytes.decode()  # Result.stdout would hide CRs before newlines
    if fmt == "csv":
        assert written.count("\r\n") == 2  # header and one record
        written = written.replace("\r\n", "\n")
    assert not raw_dangerous(written, allowed="\n")
    assert VIETNAMESE in result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)["files"][0]["path"] == str(hostile_named_pdf)
    else:
        assert "\\u001b]0;pwned\\u0007\\u000d\\u009b31m\\u202egpj.pdf" in result.stdout


@pytest.mark.parametrize("as_json", [False, True])
def test_sign_lines_for_a_file_named_with_escape_sequences_print_them_escaped(
        pki, tmp_path, as_json):
    junk = tmp_path / f"{VIETNAMESE}{HOSTILE}.pdf"
    junk.write_bytes(b"not a PDF")
    result = invoke("sign", "--pkcs12", str(pki.p12("signer-rsa2048")), str(junk),
                    "-o", str(tmp_path / "out.pdf"), *(["--json"] if as_json else []),
                    env={"SIGNKIT_PIN": "p12-secret"})
    assert result.exit_code == 1, result.output
    assert not raw_dangerous(result.stdout_bytes.decode(), allowed="\n")
    assert VIETNAMESE in result.stdout
    if as_json:
        record = json.loads(result.stdout.splitlines()[0])
        assert record["input"] == str(junk) and record["status"] == "failed"
    else:
        assert "\\u001b]0;pwned\\u0007\\u000d\\u009b31m\\u202e.pdf" in result.stdout


def test_cli_errors_show_a_hostile_module_path_escaped():
    """``fail`` (every CLI error line) escapes what the user or a document put in it."""
    from click.testing import CliRunner
    from signkit.cli.main import cli

    result = CliRunner().invoke(cli, ["token", "list", "--module",
                                      "/nonexistent/evil\x1b]0;x\x07.so"])
    assert result.exit_code == 4
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "evil\\u001b]0;x\\u0007.so" in result.output
