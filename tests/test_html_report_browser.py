"""The HTML report in a real browser (Debian's chromium, driven by Playwright): it loads from
a file with no network, opens on the summary, filters to failures, sorts by signer, opens a
file's details from the table, and stays usable at 10,000 files (filters, no horizontal
scrolling). ``SIGNKIT_UPDATE_GALLERY=1`` also writes the screenshot to
docs/gallery/html-report.png."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from test_report import ALL, BATCH, SIGNER, signature

from signkit.report import (
    BatchInfo,
    FileReport,
    Indication,
    Modifications,
    SignerIdentity,
    SubIndication,
    open_writer,
)
from signkit.report.messages import Message

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
GALLERY = Path(__file__).resolve().parent.parent / "docs" / "gallery" / "html-report.png"
UTC = dt.UTC


def person(name: str, organization: str, issuer: str) -> SignerIdentity:
    return dataclasses.replace(SIGNER, common_name=name, subject=f"CN={name}",
                               organization=organization, issuer=issuer)


BINH = person("Trần Thị Bình", "Sở Tư pháp", "CN=VNPT-CA SHA2")
CUONG = person("Lê Văn Cường", "UBND huyện Test", "CN=Viettel-CA SHA2")
REVOKED_AT = dt.datetime(2026, 11, 1, 2, 30, tzinfo=UTC)
REVOKED = FileReport(
    "in/cong-van-45.pdf", "66" * 32, Indication.TOTAL_FAILED, SubIndication.REVOKED,
    signatures=(signature(signer=BINH, status=Indication.TOTAL_FAILED,
                          subindication=SubIndication.REVOKED,
                          messages=(Message("trust.revoked_before_signing", when=REVOKED_AT,
                                            reason="key_compromise"),)),))
CUONG_VALID = FileReport("in/to-trinh-9.pdf", "77" * 32, Indication.TOTAL_PASSED, None,
                         signatures=(signature(signer=CUONG),))
CUONG_BAD = FileReport(
    "in/bao-cao-2.pdf", "88" * 32, Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
    signatures=(signature(signer=CUONG, status=Indication.TOTAL_FAILED,
                          subindication=SubIndication.FORMAT_FAILURE,
                          modifications=Modifications.OTHER,
                          messages=(Message("changed.page_content", page=1),
                                    Message("detail.modified", detail="There are unexplained "
                                            "xrefs in revision 2: Reference(idnum=17, "
                                            "generation=0)\nSome objects were replaced.")),
                          ),))


def coded(report: FileReport, *messages: Message) -> FileReport:
    """``report`` with the messages signkit's verification writes (codes, so Vietnamese)."""
    if not report.signatures or not report.signatures[0].messages:
        return dataclasses.replace(report, messages=messages or report.messages)
    first = dataclasses.replace(report.signatures[0], messages=messages)
    return dataclasses.replace(report, signatures=(first, *report.signatures[1:]))


VALID, HASH_FAILED, MODIFIED, UNSIGNED, UNTRUSTED, NASTY = ALL
MIXED = (VALID, coded(HASH_FAILED, Message("integrity.hash")),
         coded(MODIFIED, Message("changed.annotation", page=2),
               Message("modified.docmdp", change="annotations")),
         coded(UNSIGNED, Message("file.not_signed")),
         coded(UNTRUSTED, Message("trust.no_chain")), NASTY, REVOKED, CUONG_VALID, CUONG_BAD)


def write_report(path: Path, files, *, lang: str = "en") -> Path:
    info = BatchInfo("0.1.0", BATCH.validation_time, "vn", len(files))
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = open_writer("html", out, info, lang=lang, spool_dir=path.parent)
        for report in files:
            writer.add(report)
        writer.finish()
    return path


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.requests, page.errors = requests, errors  # type: ignore[attr-defined]
    yield page
    context.close()


def visible_rows(page: Page) -> list[list[str]]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#files tbody tr'))
        .filter(r => !r.hidden).map(r => Array.from(r.cells).map(c => c.innerText.trim()))""")


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("""() => document.documentElement.scrollWidth
                              <= document.documentElement.clientWidth""")


def test_a_mixed_batch_filters_to_failures_and_sorts_by_signer(page, tmp_path):
    report = write_report(tmp_path / "report.html", MIXED)
    page.goto(report.as_uri())
    # the summary comes first, on screen without scrolling
    summary = page.locator("#summary")
    assert summary.bounding_box()["y"] < 200
    assert "9 files: 2 valid, 6 invalid, 1 not checkable" in summary.inner_text()
    assert "Trần Thị Bình (Sở Tư pháp)\t1" in summary.inner_text()
    assert "CN=Viettel-CA SHA2\t2" in summary.inner_text()
    assert len(visible_rows(page)) == 9
    assert page.locator("#shown").inner_text() == "9 of 9 files shown"

    page.select_option("#v", "TOTAL_FAILED")
    failures = visible_rows(page)
    assert len(failures) == 6 and {row[0] for row in failures} == {
        "Invalid", "Modified after signing", "Not signed"}
    assert page.locator("#shown").inner_text() == "6 of 9 files shown"
    # the details follow the filter: only the failures' are there to unfold
    assert page.locator("#details > details:visible").count() == 6

    page.click("#files th:nth-child(3)")  # signer
    signers = [row[2] for row in visible_rows(page)]
    an = "Nguyễn Văn An (UBND tỉnh Test)"
    assert signers == ["—", "Lê Văn Cường (UBND huyện Test)", an, an, an,
                       "Trần Thị Bình (Sở Tư pháp)"]
    assert page.get_attribute("#files th:nth-child(3)", "aria-sort") == "ascending"
    page.click("#files th:nth-child(3)")
    assert [row[2] for row in visible_rows(page)] == signers[::-1]
    assert page.get_attribute("#files th:nth-child(3)", "aria-sort") == "descending"
    assert visible_rows(page)[0][5] == (  # in the profile's zone (vn: +07:00)
        "the signer's certificate was revoked on 2026-11-01 09:30 +07:00 (key_compromise), "
        "before the signing time")

    # the file's name opens its folded details
    details = page.locator("#details > details", has_text="in/cong-van-45.pdf")
    assert details.get_attribute("open") is None
    page.click("#files a[href^='#f']:text('in/cong-van-45.pdf')")
    assert details.get_attribute("open") is not None
    assert "Issuer\nCN=VNPT-CA SHA2" in details.inner_text()

    # a signer's name in the summary filters the table to that signer's files
    page.click("#summary a:text('Lê Văn Cường (UBND huyện Test)')")
    assert page.input_value("#q") == "Lê Văn Cường (UBND huyện Test)"
    # both of his files, valid and not (the verdict filter was reset), in the sorted order
    assert [row[1] for row in visible_rows(page)] == ["in/to-trinh-9.pdf", "in/bao-cao-2.pdf"]
    assert no_horizontal_scroll(page)
    assert page.requests == [report.as_uri()] and page.errors == []


def test_the_vietnamese_page_and_its_screenshot(page, tmp_path):
    report = write_report(tmp_path / "bao-cao.html", MIXED, lang="vi")
    page.goto(report.as_uri())
    assert page.locator("h1").inner_text() == "Báo cáo kiểm tra chữ ký số"
    reasons = page.locator("#files td:nth-child(6)").all_inner_texts()
    assert "nội dung trang 1 đã bị thay đổi sau khi ký" in reasons
    assert "tài liệu chưa được ký số" in reasons
    assert not any("chi tiết kỹ thuật" in r or "unexplained" in r for r in reasons[:5])
    page.select_option("#v", "NOT_PASSED")
    assert page.locator("#shown").inner_text() == "đang hiển thị 7 trên 9 tệp"
    page.click("#files th:nth-child(3)")
    assert no_horizontal_scroll(page)
    shot = tmp_path / "html-report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("SIGNKIT_UPDATE_GALLERY"):
        shutil.copyfile(shot, GALLERY)
    assert page.requests == [report.as_uri()] and page.errors == []


def synthetic(count: int):
    """Reports of ``count`` files: every third fails, signers and issuers vary, long paths."""
    statuses = [(Indication.TOTAL_PASSED, None), (Indication.INDETERMINATE,
                SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
                (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)]
    for i in range(count):
        status, sub = statuses[i % 3]
        who = person(f"Người ký số {i % 97:02d}", f"Cơ quan {i % 13}", f"CN=CA {i % 5}")
        messages = () if sub is None else (f"reason {sub.value} for file {i}",)
        sig = signature(signer=who, status=status, subindication=sub, messages=messages,
                        signing_time=dt.datetime(2026, 1, 1, tzinfo=UTC)
                        + dt.timedelta(minutes=i))
        path = f"kho-luu-tru/{i // 1000:02d}/thu-muc-con-rat-dai-{'x' * 60}/van-ban-{i:05d}.pdf"
        yield FileReport(path, f"{i:064x}", status, sub, signatures=(sig,))


def test_ten_thousand_files_load_filter_and_never_scroll_sideways(page, tmp_path):
    report = write_report(tmp_path / "big.html", list(synthetic(10_000)))
    page.goto(report.as_uri(), timeout=120_000)
    assert page.locator("#files tbody tr").count() == 10_000
    assert page.locator("#shown").inner_text() == "10000 of 10000 files shown"
    assert "10000 files: 3334 valid, 3333 invalid, 3333 not checkable" in \
        page.locator("#summary").inner_text()
    assert no_horizontal_scroll(page)
    page.select_option("#v", "TOTAL_FAILED")
    assert page.locator("#shown").inner_text() == "3333 of 10000 files shown"
    page.fill("#q", "van-ban-09998")
    assert [row[1].rsplit("/", 1)[-1] for row in visible_rows(page)] == ["van-ban-09998.pdf"]
    page.fill("#q", "")
    page.click("#files th:nth-child(4)")  # time
    page.click("#files th:nth-child(4)")  # newest first
    assert visible_rows(page)[0][1].endswith("van-ban-09998.pdf")
    page.set_viewport_size({"width": 800, "height": 900})
    assert no_horizontal_scroll(page)
    assert page.errors == []
