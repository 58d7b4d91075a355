"""The report writers (JSON, CSV, text, HTML) on hand-built reports: one file per verdict a
clerk can see, and one whose path and messages carry HTML special characters and Vietnamese."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser

import pytest

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
    render_csv,
    render_html,
    render_json,
    render_text,
    report_to_dict,
)
from signkit.report.csv_report import COLUMNS

UTC = dt.UTC
ICT = dt.timezone(dt.timedelta(hours=7))
NASTY_PATH = 'in/<b>"Quyết định" & tờ trình</b>.pdf'

SIGNER = SignerIdentity(
    common_name="Nguyễn Văn An", subject="CN=Nguyễn Văn An,O=UBND tỉnh Test",
    organization="UBND tỉnh Test", serial="1a2b", certificate_sha256="ab" * 32,
    issuer="CN=signkit Test Intermediate",
)


def signature(**changes) -> SignatureReport:
    values = dict(
        field="Sig1", status=Indication.TOTAL_PASSED, subindication=None, signer=SIGNER,
        signing_time=dt.datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
        timestamp_time=dt.datetime(2026, 11, 28, 22, 1, 2, tzinfo=ICT),
        level="PAdES-B-LT", digest_algorithm="sha256", signature_algorithm="sha256_rsa",
        coverage=Coverage.ENTIRE_FILE, modifications=Modifications.NONE,
        chain=("CN=Nguyễn Văn An", "CN=signkit Test Intermediate", "CN=signkit Test Root"),
        revocation=RevocationCheck(True, RevocationSource.OCSP, RevocationStatus.GOOD),
    )
    values.update(changes)
    return SignatureReport(**values)


VALID = FileReport("in/valid.pdf", "11" * 32, Indication.TOTAL_PASSED, None,
                   signatures=(signature(),))
HASH_FAILED = FileReport(
    "in/hash.pdf", "22" * 32, Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE,
    signatures=(signature(status=Indication.TOTAL_FAILED,
                          subindication=SubIndication.HASH_FAILURE,
                          messages=("The signed bytes do not match the signature's digest.",)),),
)
MODIFIED = FileReport(
    "in/modified.pdf", "33" * 32, Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
    signatures=(
        signature(field="Sig1", coverage=Coverage.ENTIRE_REVISION,
                  modifications=Modifications.OTHER, status=Indication.TOTAL_FAILED,
                  subindication=SubIndication.FORMAT_FAILURE,
                  messages=("Page content was replaced after this signature.",)),
        signature(field="Sig2", certified=True, docmdp=2),
    ),
)
UNSIGNED = FileReport(
    "in/unsigned.pdf", "44" * 32, Indication.TOTAL_FAILED, SubIndication.SIGNED_DATA_NOT_FOUND,
    messages=("The document has no signature.",),
)
UNTRUSTED = FileReport(
    "in/untrusted.pdf", "55" * 32, Indication.INDETERMINATE,
    SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    signatures=(signature(status=Indication.INDETERMINATE,
                          subindication=SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                          chain=("CN=Nguyễn Văn An",), timestamp_time=None,
                          revocation=RevocationCheck(False),
                          messages=("No chain to a trusted root: 'Some Other PKI' <x@y>.",)),),
)
NASTY = FileReport(
    NASTY_PATH, None, Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE,
    signatures=(signature(field='Chữ ký <1> & "2"', status=Indication.TOTAL_FAILED,
                          subindication=SubIndication.SIG_CRYPTO_FAILURE,
                          messages=("Chữ ký sai: <script>alert('x')</script> & \"q\"",)),),
)
ALL = (VALID, HASH_FAILED, MODIFIED, UNSIGNED, UNTRUSTED, NASTY)
BATCH = BatchReport("0.1.0", dt.datetime(2026, 11, 28, 22, 0, tzinfo=UTC), "vn", ALL)


def batch_of(*files: FileReport) -> BatchReport:
    return BatchReport("0.1.0", BATCH.validation_time, "vn", files)


# --- JSON -----------------------------------------------------------------------------------

def test_json_has_the_design_schema_keys_in_order():
    data = json.loads(render_json(BATCH))
    assert list(data) == ["signkit_version", "validation_time", "profile", "summary", "files"]
    assert list(data["files"][0]) == ["path", "sha256", "status", "subindication", "messages",
                                      "signatures"]
    assert list(data["files"][0]["signatures"][0]) == [
        "field", "status", "subindication", "signer", "signing_time", "timestamp_time",
        "level", "digest_algorithm", "signature_algorithm", "coverage", "modifications",
        "certified", "docmdp", "chain", "revocation", "messages"]
    assert list(data["files"][0]["signatures"][0]["signer"]) == [
        "common_name", "subject", "organization", "serial", "certificate_sha256", "issuer"]


def test_json_values_are_strings_iso_times_and_nulls():
    data = json.loads(render_json(BATCH))
    assert data["validation_time"] == "2026-11-28T22:00:00Z"
    assert data["profile"] == "vn" and data["signkit_version"] == "0.1.0"
    assert data["summary"] == {"files": 6, "TOTAL_PASSED": 1, "TOTAL_FAILED": 4,
                               "INDETERMINATE": 1}
    valid, hashed, modified, unsigned, untrusted, nasty = data["files"]
    sig = valid["signatures"][0]
    assert valid["status"] == "TOTAL_PASSED" and valid["subindication"] is None
    assert sig["signing_time"] == "2026-11-28T15:00:00Z"
    assert sig["timestamp_time"] == "2026-11-28T22:01:02+07:00"
    assert sig["coverage"] == "ENTIRE_FILE" and sig["modifications"] == "NONE"
    assert sig["certified"] is False and sig["docmdp"] is None
    assert sig["chain"] == ["CN=Nguyễn Văn An", "CN=signkit Test Intermediate",
                            "CN=signkit Test Root"]
    assert sig["revocation"] == {"checked": True, "source": "OCSP", "status": "GOOD"}
    assert sig["signer"]["common_name"] == "Nguyễn Văn An"
    assert hashed["signatures"][0]["subindication"] == "HASH_FAILURE"
    assert modified["signatures"][0]["modifications"] == "OTHER"
    assert modified["signatures"][1]["certified"] is True
    assert modified["signatures"][1]["docmdp"] == 2
    assert unsigned["signatures"] == [] and unsigned["messages"] == [
        "The document has no signature."]
    assert unsigned["subindication"] == "SIGNED_DATA_NOT_FOUND"
    assert untrusted["signatures"][0]["timestamp_time"] is None
    assert untrusted["signatures"][0]["revocation"] == {
        "checked": False, "source": "NONE", "status": "UNKNOWN"}
    assert nasty["path"] == NASTY_PATH and nasty["sha256"] is None


def test_json_text_keeps_vietnamese_and_ends_with_a_newline():
    text = render_json(BATCH)
    assert "Nguyễn Văn An" in text and text.endswith("}\n")
    assert json.loads(text) == report_to_dict(BATCH)
    assert text.startswith('{\n  "signkit_version"')


def test_json_summary_of_an_empty_batch():
    assert report_to_dict(batch_of())["summary"] == {
        "files": 0, "TOTAL_PASSED": 0, "TOTAL_FAILED": 0, "INDETERMINATE": 0}


# --- CSV ------------------------------------------------------------------------------------

def test_csv_header_is_columns_and_one_row_per_signature():
    rows = list(csv.DictReader(io.StringIO(render_csv(BATCH), newline="")))
    assert tuple(csv.reader(io.StringIO(render_csv(BATCH))).__next__()) == COLUMNS
    assert COLUMNS[:20] == (
        "path", "file_status", "file_subindication", "field", "status", "subindication",
        "signer", "organization", "signing_time", "timestamp_time", "level", "coverage",
        "modifications", "certified", "docmdp", "revocation", "digest_algorithm",
        "signature_algorithm", "certificate_sha256", "messages")
    expected = sum(max(1, len(f.signatures)) for f in ALL)
    assert len(rows) == expected == 7
    assert [r["path"] for r in rows] == [VALID.path, HASH_FAILED.path, MODIFIED.path,
                                         MODIFIED.path, UNSIGNED.path, UNTRUSTED.path,
                                         NASTY_PATH]


def test_csv_values_use_the_json_vocabulary():
    rows = list(csv.DictReader(io.StringIO(render_csv(BATCH), newline="")))
    valid, hashed, modified1, modified2, unsigned, untrusted, nasty = rows
    assert valid["status"] == "TOTAL_PASSED" and valid["signer"] == "Nguyễn Văn An"
    assert valid["signing_time"] == "2026-11-28T15:00:00Z"
    assert valid["revocation"] == "GOOD" and valid["revocation_source"] == "OCSP"
    assert valid["certified"] == "false" and valid["docmdp"] == ""
    assert valid["chain"] == ("CN=Nguyễn Văn An | CN=signkit Test Intermediate"
                              " | CN=signkit Test Root")
    assert hashed["subindication"] == "HASH_FAILURE"
    assert hashed["messages"] == "The signed bytes do not match the signature's digest."
    assert modified1["modifications"] == "OTHER" and modified2["field"] == "Sig2"
    assert modified2["certified"] == "true" and modified2["docmdp"] == "2"
    assert untrusted["revocation"] == "NOT_CHECKED"
    assert nasty["messages"] == "Chữ ký sai: <script>alert('x')</script> & \"q\""


def test_csv_file_without_signatures_has_empty_signature_columns():
    row = next(csv.DictReader(io.StringIO(render_csv(batch_of(UNSIGNED)), newline="")))
    assert row["file_status"] == "TOTAL_FAILED"
    assert row["file_subindication"] == "SIGNED_DATA_NOT_FOUND"
    assert row["file_messages"] == "The document has no signature."
    file_columns = {"path", "file_status", "file_subindication", "file_sha256", "file_messages"}
    assert all(row[c] == "" for c in COLUMNS if c not in file_columns)


def test_csv_joins_several_messages():
    sig = signature(messages=("one", "two"))
    report = FileReport("a.pdf", None, Indication.TOTAL_PASSED, None, signatures=(sig,))
    row = next(csv.DictReader(io.StringIO(render_csv(batch_of(report)), newline="")))
    assert row["messages"] == "one | two"


def test_csv_cells_from_the_document_cannot_run_as_spreadsheet_formulas():
    hostile = SignerIdentity(
        common_name='=HYPERLINK("http://evil.example","click")', subject="@SUM(1+1)",
        organization="+cmd|' /C calc'!A0", serial="1", certificate_sha256="ab" * 32,
        issuer="-2+3",
    )
    sig = signature(field="=1+1", signer=hostile, messages=("\tx",))
    report = FileReport("=evil.pdf", None, Indication.TOTAL_PASSED, None, signatures=(sig,))
    row = next(csv.DictReader(io.StringIO(render_csv(batch_of(report)), newline="")))
    assert row["signer"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["signer_subject"] == "'@SUM(1+1)"
    assert row["organization"].startswith("'+")
    assert row["signer_issuer"] == "'-2+3"
    assert row["field"] == "'=1+1"
    assert row["path"] == "'=evil.pdf"
    assert row["messages"] == "\\u0009x"  # the tab is shown escaped, so no formula starts
    assert row["status"] == "TOTAL_PASSED"  # our own vocabulary is left alone


# --- text -----------------------------------------------------------------------------------

VERDICTS = [
    (VALID, "valid", "hợp lệ"),
    (HASH_FAILED, "invalid", "không hợp lệ"),
    (MODIFIED, "modified after signing", "đã bị sửa sau khi ký"),
    (UNSIGNED, "not signed", "chưa được ký"),
    (UNTRUSTED, "signer not trusted or not checkable", "không xác minh được người ký"),
]


@pytest.mark.parametrize(("report", "english", "vietnamese"), VERDICTS)
def test_text_verdict_line_in_english_and_vietnamese(report, english, vietnamese):
    assert render_text(batch_of(report)).splitlines()[0] == f"{english}: {report.path}"
    assert render_text(batch_of(report), lang="vi").splitlines()[0] == (
        f"{vietnamese}: {report.path}")


def test_text_modified_verdict_also_from_a_message():
    sig = signature(status=Indication.TOTAL_FAILED, modifications=None,
                    messages=("The document was modified after signing.",))
    report = FileReport("m.pdf", None, Indication.TOTAL_FAILED, None, signatures=(sig,))
    assert render_text(batch_of(report)).startswith("modified after signing: m.pdf\n")


def test_text_gives_the_one_most_useful_reason_for_a_non_pass():
    lines = render_text(BATCH).splitlines()
    assert lines[0] == "valid: in/valid.pdf" and lines[1].startswith("invalid: ")
    assert lines[2] == "  The signed bytes do not match the signature's digest."
    assert lines[4] == "  Page content was replaced after this signature."
    assert lines[6] == "  The document has no signature."
    assert lines[8] == "  No chain to a trusted root: 'Some Other PKI' <x@y>."


def test_text_reason_falls_back_to_the_subindication():
    sig = signature(status=Indication.TOTAL_FAILED, subindication=SubIndication.REVOKED)
    report = FileReport("r.pdf", None, Indication.TOTAL_FAILED, SubIndication.REVOKED,
                        signatures=(sig,))
    assert render_text(batch_of(report)).splitlines()[1] == "  REVOKED"


def test_text_summary_line_counts_in_english_and_vietnamese():
    three = batch_of(VALID, HASH_FAILED, UNTRUSTED)
    assert render_text(three).splitlines()[-1] == "3 files: 1 valid, 1 invalid, 1 not checkable"
    assert render_text(three, lang="vi").splitlines()[-1] == (
        "3 tệp: 1 hợp lệ, 1 không hợp lệ, 1 không xác minh được")
    assert render_text(BATCH).splitlines()[-1] == (
        "6 files: 1 valid, 4 invalid, 1 not checkable")
    assert render_text(batch_of(VALID)).splitlines()[-1] == (
        "1 file: 1 valid, 0 invalid, 0 not checkable")


def test_text_verbose_shows_details_and_plain_does_not():
    plain = render_text(batch_of(VALID, MODIFIED))
    verbose = render_text(batch_of(VALID, MODIFIED), verbose=True)
    details = ["Nguyễn Văn An (UBND tỉnh Test)", "2026-11-28T22:00:00+07:00",
               "2026-11-28T22:01:02+07:00", "PAdES-B-LT", "TOTAL_FAILED (FORMAT_FAILURE)",
               "ENTIRE_REVISION", "OTHER", "DocMDP 2", "signature Sig2",
               "CN=Nguyễn Văn An → CN=signkit Test Intermediate → CN=signkit Test Root",
               "checked, OCSP, GOOD", "11" * 32]
    for detail in details:
        assert detail in verbose, detail
        assert detail not in plain, detail
    assert len(plain.splitlines()) == 4  # two verdicts, one reason, the summary


def test_text_verbose_in_vietnamese_uses_vietnamese_labels():
    verbose = render_text(batch_of(UNTRUSTED, UNSIGNED), lang="vi", verbose=True)
    for label in ("người ký: Nguyễn Văn An", "thời điểm ký:", "chuỗi chứng thư số:",
                  "kiểm tra thu hồi: chưa kiểm tra", "không có chữ ký", "trạng thái ETSI:"):
        assert label in verbose, label


def test_text_escapes_terminal_control_characters():
    report = FileReport("evil\x1b[2J\n.pdf", None, Indication.TOTAL_FAILED, None,
                        messages=("bad\rline",))
    text = render_text(batch_of(report))
    assert "\x1b" not in text and "\r" not in text
    assert text.splitlines()[:2] == ["invalid: evil\\u001b[2J\\u000a.pdf", "  bad\\u000dline"]


# --- HTML -----------------------------------------------------------------------------------

VOID = {"meta", "br", "link", "img", "hr", "input", "col", "wbr", "source"}


class StrictParser(HTMLParser):
    """Collects the text shown (not the style or script), URL attributes, the rows of the files
    table, and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.urls: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, dict]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        self.urls += [(name, value or "") for name, value in attrs if name in {"src", "href"}]
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data):
        if not self.stack or self.stack[-1] not in ("style", "script"):
            self.text.append(data)


def parse(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    return parser


def shown(page: str) -> str:
    """The words on screen, one space between cells."""
    return " ".join(" ".join(parse(page).text).split())


def test_html_parses_cleanly_and_is_self_contained():
    page = render_html(BATCH)
    parsed = parse(page)
    assert page.startswith("<!DOCTYPE html>") and parsed.html_lang == "en"
    # links only inside the page: no network, no other file
    assert parsed.urls and all(name == "href" and value.startswith("#")
                               for name, value in parsed.urls)
    assert "http" not in page and "@import" not in page and "url(" not in page
    assert [attrs for tag, attrs in parsed.attrs if tag == "script"] == [{}]  # inline only
    assert "link" not in parsed.tags and "style" in parsed.tags


def test_html_opens_on_the_summary_then_one_table_then_details():
    page = render_html(BATCH)
    assert page.index('class="summary"') < page.index('id="files"') < page.index('id="f1"')
    parsed = parse(page)
    rows = [attrs for tag, attrs in parsed.attrs if tag == "tr" and "data-id" in attrs]
    assert [r["data-id"] for r in rows] == [f"f{i}" for i in range(1, len(ALL) + 1)]
    assert [r["data-status"] for r in rows] == [f.status.value for f in ALL]
    details = [attrs for tag, attrs in parsed.attrs if tag == "details"]
    assert [d["id"] for d in details] == [r["data-id"] for r in rows]
    assert all("open" not in d for d in details)  # folded
    links = [value for name, value in parsed.urls if value.startswith("#f") and value != "#files"]
    assert links == [f"#f{i}" for i in range(1, len(ALL) + 1)]


def test_html_summary_counts_by_verdict_signer_and_issuer():
    text = shown(render_html(BATCH))
    assert "6 files: 1 valid, 4 invalid, 1 not checkable" in text
    assert "Files Valid Invalid Not checkable 6 1 4 1" in text
    # each file once per signer: five files name Nguyễn Văn An, one has no signature
    assert "Signer Files Nguyễn Văn An (UBND tỉnh Test) 5 (no signature) 1" in text
    assert "Issuer of the signer's certificate Files CN=signkit Test Intermediate 5" in text


def test_html_summary_names_the_largest_counts_and_the_rest_together():
    people = [FileReport(f"in/{i}.pdf", None, Indication.TOTAL_PASSED, None, signatures=(
        signature(signer=SignerIdentity(f"Signer {i % 12:02d}", "CN=x", None, "1", "00",
                                        "CN=CA")),)) for i in range(30)]
    text = shown(render_html(batch_of(*people)))
    assert "Signer 00 3 Signer 01 3 Signer 02 3 Signer 03 3 Signer 04 3 Signer 05 3" in text
    assert "Signer 10 2 Signer 11 2" not in text and "Others 4" in text  # 2 names × 2 files


def test_html_table_row_per_file_with_verdict_signer_time_level_reason():
    page = render_html(batch_of(MODIFIED, UNSIGNED))
    parsed, text = parse(page), shown(page)
    assert ("Verdict File Signer Signing time Level Reason "
            "Modified after signing in/modified.pdf Nguyễn Văn An (UBND tỉnh Test) "
            "2026-11-28 T22:00:00+07:00 PAdES-B-LT Page content was replaced after this "
            "signature. Not signed in/unsigned.pdf — — — The document has no signature.") in text
    # (a <wbr> lets the time wrap after its date) sort keys: the severity first, UTC times
    keys = [attrs["data-key"] for tag, attrs in parsed.attrs if "data-key" in attrs]
    assert keys == ["2Modified after signing", "2026-11-28T15:00:00Z", "2Not signed", ""]


def test_html_escapes_special_characters():
    page = render_html(BATCH)
    assert "<script>alert" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&quot;Quyết định&quot; &amp;" in page
    text = "".join(parse(page).text)
    assert NASTY_PATH in text  # escaped in the source, the same characters on screen
    assert "Chữ ký sai: <script>alert('x')</script> & \"q\"" in text
    assert 'Chữ ký <1> & "2"' in text


def test_html_header_shows_validation_time_in_the_profiles_zone_and_the_profile():
    text = shown(render_html(BATCH))
    assert "Validation time: 2026-11-29T05:00:00+07:00" in text  # vn: +07:00
    assert "Profile: vn" in text
    utc = shown(render_html(BatchReport("0.1.0", BATCH.validation_time, "default", ALL)))
    assert "Validation time: 2026-11-28T22:00:00Z" in utc
    assert "2026-11-28T15:00:00Z" in utc and "2026-11-28T22:00:00+07:00" not in utc


def test_html_shows_the_reason_for_every_non_pass():
    text = "".join(parse(render_html(BATCH)).text)
    for report in ALL:
        for message in report.messages:
            assert message in text
        for sig in report.signatures:
            for message in sig.messages:
                assert message in text
    reasonless = signature(field="X", status=Indication.TOTAL_FAILED,
                           subindication=SubIndication.EXPIRED)
    report = FileReport("e.pdf", None, Indication.TOTAL_FAILED, None, signatures=(reasonless,))
    assert "Reason: EXPIRED" in "".join(parse(render_html(batch_of(report))).text)


def test_html_colours_each_status():
    page = render_html(BATCH)
    for status in ("TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"):
        assert f'<tr class="{status}" data-status="{status}"' in page
        assert '<details id="f' in page and f'class="{status}">' in page
        assert f".{status} .status {{ color:" in page


def test_html_in_vietnamese():
    page = render_html(batch_of(VALID, HASH_FAILED, UNTRUSTED), lang="vi")
    parsed, text = parse(page), shown(page)
    assert parsed.html_lang == "vi"
    assert "3 tệp: 1 hợp lệ, 1 không hợp lệ, 1 không xác minh được" in text
    assert "Báo cáo kiểm tra chữ ký số" in text and "Người ký" in text
    assert "Không xác minh được người ký : in/untrusted.pdf" in text  # the details
    assert "Kết luận Tệp Người ký Thời điểm ký Định dạng Lý do" in text


# --- times shown to people: in the profile's zone (the plain appearance too) ------------------

def test_the_plain_appearance_shows_the_signing_time_in_the_profiles_zone(monkeypatch,
                                                                          tmp_path):
    import dataclasses

    from signkit.cli.appearance_options import VisibleRequest, plan_looks

    from signkit.appearance import AppearanceSettings
    from signkit.profiles import load_profile

    empty = tmp_path / "config.toml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("SIGNKIT_CONFIG", str(empty))  # no office defaults
    unset = {f.name: None for f in dataclasses.fields(VisibleRequest)}
    request = VisibleRequest(**{**unset, "visible": True, "preset": "plain"})
    when = dt.datetime(2026, 11, 28, 22, 0, 5, tzinfo=UTC)
    shown = {}
    for profile in ("vn", "default"):
        looks = plan_looks(request, load_profile(profile), then_seal=False, language="vi")
        appearance = looks._appearance(AppearanceSettings(preset="plain"))
        shown[profile] = [p.text for p in appearance.paragraphs(when, signer="An")]
    assert "Thời gian ký: 2026-11-29T05:00:05+07:00" in shown["vn"]
    assert "Thời gian ký: 2026-11-28T22:00:05+00:00" in shown["default"]


def test_vietnamese_details_say_the_values_in_words_and_keep_their_names():
    batch = batch_of(VALID, MODIFIED)
    for text in (render_text(batch, lang="vi", verbose=True), shown(render_html(batch, lang="vi"))):
        for shown_value in ("toàn bộ phiên bản được ký (ENTIRE_REVISION)",
                            "thay đổi khác (OTHER)", "toàn bộ tệp (ENTIRE_FILE)",
                            "không có (NONE)", "đã kiểm tra, OCSP, chưa bị thu hồi (GOOD)"):
            assert shown_value in text, shown_value
    english = render_text(batch, verbose=True)
    assert "coverage: ENTIRE_REVISION" in english and "(ENTIRE_REVISION)" not in english
