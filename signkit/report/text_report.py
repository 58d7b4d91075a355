"""The verification report as plain text for people, in English or Vietnamese::

    text = render_text(batch, lang="vi", verbose=True)

One line per file with a verdict a clerk understands (the Acrobat-style words, not the ETSI
names), the most useful reason under a verdict that is not "valid", details with ``verbose``,
and a summary line. Every label of the text and HTML reports is in ``WORDS``; a verification
message gives its own words from its code (``messages.Message.text``), plain text read back
from JSON goes through ``messages_vi`` (``localized``); times are in the profile's time zone
(``times``). pyHanko's technical detail shows only with ``verbose``. Every line goes
through ``safe_text.printable``: a control or bidi character from a document is shown as the
visible escape ``\\uXXXX`` (``evil\\u001b.pdf``), never sent to the terminal.
"""

from __future__ import annotations

import datetime as dt
import enum

from .messages import Message
from .model import (
    BatchReport,
    FileReport,
    Indication,
    Modifications,
    SignatureReport,
    SubIndication,
)
from .safe_text import printable
from .times import display_zone, shown_time

# key: (English, Vietnamese)
WORDS: dict[str, tuple[str, str]] = {
    "valid": ("valid", "hợp lệ"),
    "not_checkable": ("signer not trusted or not checkable", "không xác minh được người ký"),
    "modified": ("modified after signing", "đã bị sửa sau khi ký"),
    "not_signed": ("not signed", "chưa được ký"),
    "invalid": ("invalid", "không hợp lệ"),
    "summary": (
        "{files} {noun}: {valid} valid, {invalid} invalid, {indeterminate} not checkable",
        "{files} {noun}: {valid} hợp lệ, {invalid} không hợp lệ, "
        "{indeterminate} không xác minh được",
    ),
    "file_one": ("file", "tệp"),
    "file_many": ("files", "tệp"),
    "file_sha256": ("file SHA-256", "SHA-256 của tệp"),
    "no_signatures": ("no signatures", "không có chữ ký"),
    "signature": ("signature", "chữ ký"),
    "signer": ("signer", "người ký"),
    "signing_time": ("signing time", "thời điểm ký"),
    "timestamp_time": ("timestamp", "dấu thời gian"),
    "level": ("level", "định dạng"),
    "etsi_status": ("ETSI status", "trạng thái ETSI"),
    "coverage": ("coverage", "phạm vi ký"),
    "modifications": ("changes after signing", "thay đổi sau khi ký"),
    "certified": ("certification signature, DocMDP {docmdp}",
                  "chữ ký chứng nhận, DocMDP {docmdp}"),
    "chain": ("certificate chain", "chuỗi chứng thư số"),
    "revocation": ("revocation", "kiểm tra thu hồi"),
    "checked": ("checked", "đã kiểm tra"),
    "not_checked": ("not checked", "chưa kiểm tra"),
    "messages": ("messages", "ghi chú"),
    "unknown": ("unknown", "không rõ"),
    # HTML page
    "title": ("Signature verification report", "Báo cáo kiểm tra chữ ký số"),
    "validation_time": ("validation time", "thời điểm kiểm tra"),
    "profile": ("profile", "hồ sơ tin cậy"),
    "version": ("signkit version", "phiên bản signkit"),
    "files_heading": ("files", "số tệp"),
    "count_valid": ("valid", "hợp lệ"),
    "count_invalid": ("invalid", "không hợp lệ"),
    "count_indeterminate": ("not checkable", "không xác minh được"),
    "verdict": ("verdict", "kết luận"),
    "field": ("field", "trường chữ ký"),
    "reason": ("reason", "lý do"),
    "file": ("file", "tệp"),
    "time": ("signing time", "thời điểm ký"),
    "issuer": ("issuer", "tổ chức cấp chứng thư số"),
    "by_signer": ("signer", "người ký"),
    "by_issuer": ("issuer of the signer's certificate", "tổ chức cấp chứng thư số người ký"),
    "none_signer": ("(no signature)", "(không có chữ ký)"),
    "others": ("others", "khác"),
    "files_table": ("files", "danh sách tệp"),
    "filter": ("filter", "lọc"),
    "all": ("all", "tất cả"),
    "not_passed": ("not valid (invalid or not checkable)",
                   "chưa hợp lệ (không hợp lệ hoặc không xác minh được)"),
    "shown": ("{shown} of {total} files shown", "đang hiển thị {shown} trên {total} tệp"),
    "details": ("details per file", "chi tiết từng tệp"),
    # a report cut short (Ctrl-C)
    "incomplete": (
        "incomplete: interrupted after {done} of {total} files; only those are listed",
        "chưa đầy đủ: bị dừng sau {done} trên {total} tệp; chỉ các tệp đó được liệt kê",
    ),
}


# the Vietnamese of the report's enum values; the value itself is kept beside it (auditors
# search for it, and it is what JSON and CSV say)
VALUE_WORDS: dict[str, str] = {
    "ENTIRE_FILE": "toàn bộ tệp",
    "ENTIRE_REVISION": "toàn bộ phiên bản được ký",
    "PARTIAL": "một phần",
    "NONE": "không có",
    "LTA_UPDATES": "bổ sung dữ liệu kiểm tra dài hạn",
    "FORM_FILLING": "điền biểu mẫu",
    "ANNOTATIONS": "thêm chú thích",
    "OTHER": "thay đổi khác",
    "CRL": "CRL",
    "OCSP": "OCSP",
    "EMBEDDED": "dữ liệu trong tài liệu",
    "GOOD": "chưa bị thu hồi",
    "REVOKED": "đã bị thu hồi",
    "UNKNOWN": "không rõ",
}


def value_word(value: enum.Enum | None, lang: str = "en") -> str:
    """An enum value as the report shows it: the value; in Vietnamese words, the value
    kept in parentheses (``toàn bộ tệp (ENTIRE_FILE)``)."""
    if value is None:
        return "—"
    name = str(value.value)
    if lang != "vi" or VALUE_WORDS.get(name, name) == name:
        return name
    return f"{VALUE_WORDS[name]} ({name})"


def word(key: str, lang: str = "en", **values: object) -> str:
    english, vietnamese = WORDS[key]
    return (vietnamese if lang == "vi" else english).format(**values)


def localized(message: str, lang: str = "en", zone: dt.tzinfo | None = None) -> str:
    """A verification message in the reader's language, its times in ``zone``: a
    ``messages.Message`` from its code; plain English text (a report read back from JSON)
    through ``messages_vi``."""
    if isinstance(message, Message):
        return message.text(lang, zone)
    if lang != "vi":
        return message
    from .messages_vi import to_vietnamese  # its patterns compile only when needed

    return to_vietnamese(message)


def _says_modified(messages: tuple[str, ...]) -> bool:
    return any(message.code.startswith(("modified.", "changed."))
               if isinstance(message, Message) else "modified" in message.lower()
               for message in messages)


def _modified_signature(report: FileReport) -> SignatureReport | None:
    for sig in report.signatures:
        if sig.modifications is Modifications.OTHER or _says_modified(sig.messages):
            return sig
    return None


def _for_people(messages: tuple[str, ...]) -> tuple[str, ...]:
    """The messages that can be a reason: not technical detail (kept for ``-v``)."""
    from .messages_vi import recover  # a report read back from a store has plain text

    return tuple(m for m in messages if not ((found := recover(m)) and found.technical))


def verdict(report: FileReport) -> str:
    """The ``WORDS`` key of a file's plain verdict."""
    if report.status is Indication.TOTAL_PASSED:
        return "valid"
    if report.status is Indication.INDETERMINATE:
        return "not_checkable"
    if report.subindication is SubIndication.SIGNED_DATA_NOT_FOUND:
        return "not_signed"
    if _modified_signature(report) or _says_modified(report.messages):
        return "modified"
    return "invalid"


def culprit(report: FileReport) -> SignatureReport | None:
    """The signature that explains the verdict: the modified one, else the worst one."""
    if verdict(report) == "modified" and (modified := _modified_signature(report)):
        return modified
    if not report.signatures:
        return None
    return max(report.signatures, key=lambda sig: sig.status.severity)


def reason(report: FileReport, lang: str = "en", zone: dt.tzinfo | None = None) -> str | None:
    """The one most useful reason for a verdict that is not "valid": a message for people
    (technical detail only when there is nothing else) in ``lang``, else the ETSI
    sub-indication."""
    if report.status is Indication.TOTAL_PASSED:
        return None
    sig = culprit(report)
    sig_messages = sig.messages if sig else ()
    ranked = (sig_messages if sig and sig.status is report.status else (),
              report.messages, sig_messages)
    for messages in (*map(_for_people, ranked), *ranked):
        if messages:
            return localized(messages[0], lang, zone)
    subindication = report.subindication or (sig.subindication if sig else None)
    return subindication.value if subindication else None


def summary_line(batch: BatchReport, lang: str = "en") -> str:
    return counts_line(batch.summary, lang)


def counts_line(counts: dict[str, int], lang: str = "en") -> str:
    """The summary line for ``BatchReport.summary``-style counts."""
    return word(
        "summary", lang,
        files=counts["files"],
        noun=word("file_one" if counts["files"] == 1 else "file_many", lang),
        valid=counts[Indication.TOTAL_PASSED.value],
        invalid=counts[Indication.TOTAL_FAILED.value],
        indeterminate=counts[Indication.INDETERMINATE.value],
    )


def _signature_details(sig: SignatureReport, lang: str, zone: dt.tzinfo | None) -> list[str]:
    none = "—"
    signer = sig.signer
    who = word("unknown", lang) if signer is None else signer.common_name + (
        f" ({signer.organization})" if signer.organization else "")
    status = sig.status.value + (f" ({sig.subindication.value})" if sig.subindication else "")
    revocation = sig.revocation
    checked = word("checked" if revocation.checked else "not_checked", lang)
    lines = [
        f"{word('signature', lang)} {sig.field}",
        f"  {word('signer', lang)}: {who}",
        f"  {word('signing_time', lang)}: {shown_time(sig.signing_time, zone) or none}",
        f"  {word('timestamp_time', lang)}: {shown_time(sig.timestamp_time, zone) or none}",
        f"  {word('level', lang)}: {sig.level}",
        f"  {word('etsi_status', lang)}: {status}",
        f"  {word('coverage', lang)}: {value_word(sig.coverage, lang)}",
        f"  {word('modifications', lang)}: "
        f"{value_word(sig.modifications, lang)}",
    ]
    if sig.certified:
        lines.append(f"  {word('certified', lang, docmdp=sig.docmdp or none)}")
    lines.append(f"  {word('chain', lang)}: {' → '.join(sig.chain) or none}")
    lines.append(f"  {word('revocation', lang)}: {checked}, "
                 f"{value_word(revocation.source, lang)}, "
                 f"{value_word(revocation.status, lang)}")
    if sig.messages:
        lines.append(f"  {word('messages', lang)}:")
        for message in sig.messages:
            lines += message_lines(message, lang, zone, "    - ", "      ")
    return lines


def _file_lines(report: FileReport, lang: str, verbose: bool,
                zone: dt.tzinfo | None) -> list[str]:
    lines = [f"{word(verdict(report), lang)}: {report.path}"]
    why = reason(report, lang, zone)
    if why:
        lines.append(f"  {why}")
    if verbose:
        details = [f"{word('file_sha256', lang)}: {report.sha256 or '—'}"]
        for message in report.messages:
            details += message_lines(message, lang, zone, "- ", "  ")
        if not report.signatures:
            details.append(word("no_signatures", lang))
        for sig in report.signatures:
            details += _signature_details(sig, lang, zone)
        lines += [f"    {line}" for line in details]
    return lines


def shown_lines(message: str, lang: str, zone: dt.tzinfo | None) -> list[str]:
    """A message as the lines people read: a ``Message`` signkit made breaks where its text
    does (pyHanko's detail runs over lines), also when read back without its code
    (``messages_vi.recover``); the line breaks of any other text stay escaped
    (``printable``), as they may come from a document."""
    text = localized(message, lang, zone)
    if not isinstance(message, Message) and "\n" in message:
        from .messages_vi import recover

        if recover(message) is None:
            return [text]
    return text.split("\n")


def message_lines(message: str, lang: str, zone: dt.tzinfo | None, first: str,
                  rest: str) -> list[str]:
    """``shown_lines`` indented: ``first`` before the first line, ``rest`` before the others
    (never a line that starts where a file's verdict does)."""
    return [(rest if i else first) + line
            for i, line in enumerate(shown_lines(message, lang, zone))]


def text_file_lines(report: FileReport, *, lang: str = "en", verbose: bool = False,
                    zone: dt.tzinfo | None = None) -> str:
    """One file's lines of ``render_text``, each ending with a newline."""
    return "".join(printable(line) + "\n" for line in _file_lines(report, lang, verbose, zone))


def render_text(batch: BatchReport, *, lang: str = "en", verbose: bool = False,
                zone: dt.tzinfo | None = None) -> str:
    """Plain text: per file a verdict line (and reason), then the summary line. Times are
    in ``zone`` (default: the profile's, ``times.display_zone``)."""
    zone = zone or display_zone(batch.profile)
    lines = [text_file_lines(report, lang=lang, verbose=verbose, zone=zone)
             for report in batch.files]
    lines.append(printable(summary_line(batch, lang)) + "\n")
    return "".join(lines)
