"""The words of every report message: ``CATALOG`` maps a code to its English and Vietnamese
templates (``signkit.report.messages`` explains the parameters; ``messages_vi`` matches plain
text against the same templates)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Convert = Callable[[str], str]

TECHNICAL_DETAIL = "(chi tiết kỹ thuật) "
"""Put before English no template translates: pyHanko's words, shown as they came."""


@dataclass(frozen=True)
class Template:
    english: str
    vietnamese: str
    convert: Mapping[str, Convert] = field(default_factory=dict)  # Vietnamese of a value
    shapes: Mapping[str, str] = field(default_factory=dict)  # its pattern, for plain text


def nested_vietnamese(text: str) -> str:
    """Plain English inside a message, in Vietnamese if a template knows it."""
    from .messages_vi import to_vietnamese

    return to_vietnamese(text)


# RFC 5280 CRLReason, as asn1crypto names them
_REVOCATION_REASONS = {
    "unspecified": "không nêu lý do",
    "key_compromise": "lộ khóa bí mật",
    "ca_compromise": "lộ khóa bí mật của tổ chức cung cấp dịch vụ chứng thực",
    "affiliation_changed": "thay đổi thông tin của chủ thể",
    "superseded": "đã được thay thế",
    "cessation_of_operation": "ngừng hoạt động",
    "certificate_hold": "tạm dừng hiệu lực",
    "remove_from_crl": "gỡ khỏi danh sách thu hồi",
    "privilege_withdrawn": "bị rút quyền",
    "aa_compromise": "lộ khóa bí mật của tổ chức cấp thuộc tính",
}

# pyHanko's ModificationLevel names as verdict.py writes them (lower case, spaces)
_CHANGES = {
    "none": "không có thay đổi",
    "lta updates": "bổ sung dữ liệu kiểm tra dài hạn",
    "form filling": "điền biểu mẫu",
    "annotations": "thêm chú thích",
    "other": "thay đổi khác",
}

_WHERE = {
    "the last signed revision": "phiên bản cuối cùng được ký",
    "the last revision read": "phiên bản cuối cùng đọc được",
}


def _revocation_reason(text: str) -> str:
    return _REVOCATION_REASONS.get(text, text)


def _change(text: str) -> str:
    return _CHANGES.get(text, text)


def _where(text: str) -> str:
    return _WHERE.get(text, text)


def _t(english: str, vietnamese: str, **convert: Convert) -> Template:
    return Template(english, vietnamese, convert)


def _shaped(english: str, vietnamese: str, shapes: Mapping[str, str],
            **convert: Convert) -> Template:
    return Template(english, vietnamese, convert, shapes)


_DETAIL = "chi tiết kỹ thuật: {detail}"
_MODIFIED = "tài liệu đã bị sửa đổi sau khi ký"
_SIG_TS = "dấu thời gian của chữ ký không hợp lệ"
_TSA = "tổ chức cung cấp dịch vụ cấp dấu thời gian"
_REVOKED = "the signer's certificate was revoked on {when} ({reason})"
_REVOKED_VI = "chứng thư số của người ký đã bị thu hồi ngày {when} (lý do: {reason})"
_NAME = {"name": "[A-Z_]+"}
_NUMBERS = {"revision": "[0-9]+", "number": "[0-9]+", "offset": "[0-9]+", "count": "[0-9]+"}
_R = _revocation_reason

# Order matters for plain text only: a specific template before a general one that would
# also match it (``messages_vi`` tries them in this order).
CATALOG: dict[str, Template] = {
    # --- the file (verify.py, batch.py) ---
    "file.unreadable": _t("cannot read the file: {detail}",
                          f"không đọc được tệp ({_DETAIL})"),
    # file.timeout and file.memory: written by earlier versions, read back from their stores
    "file.timeout": _shaped("verification took longer than {seconds} s and was stopped",
                            "việc kiểm tra kéo dài quá {seconds} giây nên đã bị dừng",
                            {"seconds": r"[0-9.]+"}),
    "file.time_limit": _shaped(
        "verification stopped at a resource limit: time: it took longer than the time limit "
        "of {seconds} s per file",
        "việc kiểm tra đã bị dừng vì vượt giới hạn thời gian {seconds} giây cho mỗi tệp",
        {"seconds": r"[0-9.]+"}),
    "file.memory_limit": _t(
        "verification stopped at a resource limit: memory: it needed more than the memory "
        "limit of {size} per file",
        "việc kiểm tra đã bị dừng vì cần nhiều bộ nhớ hơn giới hạn {size} cho mỗi tệp"),
    "file.worker_died": _t(
        "verification could not finish: the worker process verifying it died ({detail})",
        f"không hoàn tất được việc kiểm tra: tiến trình kiểm tra tệp này đã dừng đột ngột "
        f"({_DETAIL})"),
    "file.empty": _t("empty file, not a PDF", "tệp rỗng, không phải tệp PDF"),
    "file.not_pdf": _t("not a PDF file (no %PDF- header)",
                       "không phải tệp PDF (thiếu phần đầu %PDF-)"),
    "file.damaged_xref_stream": _t(
        "damaged cross-reference stream: it ends before the entries it claims ({detail})",
        f"luồng tham chiếu chéo bị hỏng: kết thúc trước các mục mà nó khai báo ({_DETAIL})"),
    "file.damaged": _t("damaged or unreadable PDF: {why}",
                       "tệp PDF bị hỏng hoặc không đọc được: {why}", why=nested_vietnamese),
    "pdf.too_deep": _t("objects nested too deeply to read (a hostile structure)",
                       "các đối tượng lồng nhau quá sâu nên không đọc được (cấu trúc độc hại)"),
    "pdf.corrupt_stream": _t("a compressed stream is corrupt ({detail})",
                             f"một luồng dữ liệu nén bị hỏng ({_DETAIL})"),
    "pdf.malformed": _t("malformed PDF structure ({detail})",
                        f"cấu trúc PDF sai ({_DETAIL})"),
    "file.lenient_hybrid": _t(
        "read leniently: the file has hybrid cross-references (a table and a stream), "
        "checked to agree",
        "đã đọc tệp ở chế độ nới lỏng: tệp có tham chiếu chéo kép (bảng và luồng), đã kiểm "
        "tra là khớp nhau"),
    "file.lenient": _t("read leniently: the file is not strictly valid PDF ({detail})",
                       "đã đọc tệp ở chế độ nới lỏng: tệp không hoàn toàn đúng chuẩn PDF "
                       f"({_DETAIL})"),
    "file.limit_revisions": _shaped(
        "resource limit: the file has {revisions} revisions; signkit analyses at most "
        "{maximum}",
        "giới hạn tài nguyên: tệp có {revisions} phiên bản; signkit chỉ phân tích tối đa "
        "{maximum} phiên bản", {"revisions": "[0-9]+", "maximum": "[0-9]+"}),
    "file.limit_object": _shaped(
        "resource limit: object {number} is {size} MB before any stream data; signkit "
        "parses objects of at most {maximum} MB",
        "giới hạn tài nguyên: đối tượng {number} dài {size} MB trước phần dữ liệu luồng; "
        "signkit chỉ phân tích đối tượng dài tối đa {maximum} MB", _NUMBERS),
    "file.only_doc_timestamps": _t(
        "the document carries document timestamps but no signature",
        "tài liệu chỉ có dấu thời gian tài liệu, không có chữ ký số nào"),
    "file.not_signed": _t("the document is not signed", "tài liệu chưa được ký số"),
    "file.could_not_finish": _t("verification could not finish: {why}",
                                "không hoàn tất được việc kiểm tra: {why}",
                                why=nested_vietnamese),
    "file.memory": _t("the file needs more memory than the per-file limit allows",
                      "tệp cần nhiều bộ nhớ hơn giới hạn cho phép đối với mỗi tệp"),
    # --- the signature container (structure.py, verify.py) ---
    "sig.byterange_not_integers": _t("the /ByteRange {value} is not four integers",
                                     "/ByteRange {value} không phải là bốn số nguyên"),
    "sig.byterange_malformed": _t("the /ByteRange {value} is malformed for this file",
                                  "/ByteRange {value} không hợp lệ đối với tệp này"),
    "sig.wrapping": _t(
        "the bytes left out of the /ByteRange are not exactly the signature's /Contents "
        "(signature wrapping)",
        "phần dữ liệu nằm ngoài /ByteRange không đúng là giá trị /Contents của chữ ký "
        "(tấn công bọc chữ ký)"),
    "sig.signer_infos": _shaped(
        "the signature holds {count} SignerInfos; a PDF signature must hold exactly one",
        "chữ ký chứa {count} SignerInfo; chữ ký PDF phải chứa đúng một SignerInfo",
        {"count": r"\d+"}),
    "sig.no_tst_info": _t("the document timestamp holds no timestamp token (TSTInfo)",
                          "dấu thời gian tài liệu không chứa thẻ dấu thời gian (TSTInfo)"),
    "sig.encapsulated": _t(
        "the signature encapsulates content; a PDF signature must be detached",
        "chữ ký chứa kèm nội dung được ký; chữ ký PDF phải ở dạng tách rời (detached)"),
    "sig.cannot_validate": _t("the signature cannot be validated: {detail}",
                              f"không kiểm tra được chữ ký số ({_DETAIL})"),
    "sig.decompression_bomb": _t(
        "a compressed stream of the document inflates beyond the safety limit "
        "(a decompression bomb?): {detail}",
        "một luồng dữ liệu nén trong tài liệu khi giải nén vượt quá giới hạn an toàn "
        f"(nghi là bom giải nén; {_DETAIL})"),
    "sig.malformed": _t("malformed signature: {why}", "chữ ký số sai cấu trúc: {why}",
                        why=nested_vietnamese),
    # --- integrity (verdict.py) ---
    "integrity.hash": _t(
        "the signed bytes do not match the digest in the signature (content changed)",
        "dữ liệu được ký không khớp với giá trị băm trong chữ ký (nội dung đã bị thay đổi)"),
    "integrity.signature_value": _t(
        "the signature value does not verify with the signer's public key",
        "giá trị chữ ký không khớp với khóa công khai của người ký"),
    "integrity.partial_coverage": _t(
        "the signature's /ByteRange does not cover its whole revision "
        "(possible signature wrapping or universal signature forgery)",
        "vùng dữ liệu được ký (/ByteRange) không bao trùm toàn bộ phiên bản tài liệu được "
        "ký (có thể là tấn công bọc chữ ký hoặc giả mạo chữ ký)"),
    # --- what changed after signing, in plain words (changes.py) ---
    "changed.page_content": _shaped(
        "page {page}'s content was changed after the signature",
        "nội dung trang {page} đã bị thay đổi sau khi ký", {"page": "[0-9]+"}),
    "changed.pages_replaced": _t(
        "the document's pages were replaced after the signature",
        "các trang của tài liệu đã bị thay thế sau khi ký"),
    "changed.annotation": _shaped(
        "an annotation was added to or changed on page {page} after the signature",
        "chú thích trên trang {page} đã bị thêm hoặc sửa sau khi ký", {"page": "[0-9]+"}),
    "changed.form_field": _t("the form field «{name}» was changed after the signature",
                             "trường biểu mẫu «{name}» đã bị thay đổi sau khi ký"),
    "changed.signature_field": _t(
        "the signature field «{name}» was added or changed after the signature",
        "trường chữ ký «{name}» đã bị thêm hoặc sửa sau khi ký"),
    "changed.hidden_update": _t(
        "the file was changed after the signature in a part that some PDF viewers show",
        "tệp đã bị thay đổi sau khi ký, ở phần mà một số trình xem PDF sẽ hiển thị"),
    "changed.other": _t("the document was changed after the signature in a way that is "
                        "not allowed",
                        "tài liệu đã bị thay đổi sau khi ký theo cách không được phép"),
    # --- changes after signing, technically (verdict.py, revisions.py) ---
    "modified.beyond_allowed": _t(
        "modified after signing: changes beyond form filling, annotations and signatures",
        f"{_MODIFIED}: có thay đổi ngoài việc điền biểu mẫu, thêm chú thích và thêm chữ ký"),
    "modified.docmdp": _shaped(
        "modified after signing: {change} is not permitted by the document's certification "
        "(DocMDP)",
        f"{_MODIFIED}: {{change}} là thay đổi mà chữ ký chứng nhận của tài liệu (DocMDP) "
        "không cho phép", {"change": "[a-z ]+"}, change=_change),
    "modified.strict": _shaped(
        "modified after signing: {change} (refused by the strict check of changes)",
        f"{_MODIFIED}: {{change}} (bị từ chối khi kiểm tra thay đổi nghiêm ngặt)",
        {"change": "[a-z ]+"}, change=_change),
    "modified.hidden": _t("modified after signing: {problem}", f"{_MODIFIED}: {{problem}}",
                          problem=nested_vietnamese),
    "detail.modified": _t("modified after signing: {detail}", f"{_MODIFIED} ({_DETAIL})"),
    # --- bytes after signing that pyHanko's reader did not read (revisions.py) ---
    "hidden.unparsed": _shaped(
        "data after {where}: an unparsed update of {n} bytes that viewers may display and "
        "no signature covers",
        "sau {where} có {n} byte cập nhật không đọc được; trình xem có thể hiển thị phần "
        "này nhưng không chữ ký nào bao trùm nó", {"n": "[0-9]+"}, where=_where),
    "hidden.reuses_xref": _shaped(
        "update {revision} re-uses cross-reference data from before it (offset {offset}): "
        "readers disagree on what it holds",
        "bản cập nhật {revision} dùng lại dữ liệu tham chiếu chéo nằm trước nó (vị trí "
        "{offset}); các trình đọc PDF hiểu nội dung của nó khác nhau", _NUMBERS),
    "hidden.startxref_beside": _shaped(
        "the startxref of update {revision} points beside its cross-reference section: "
        "readers repair such files differently",
        "con trỏ startxref của bản cập nhật {revision} không trỏ đúng vào phần tham chiếu "
        "chéo của nó; các trình đọc PDF sửa tệp như vậy theo những cách khác nhau", _NUMBERS),
    "hidden.no_own_end": _shaped(
        "update {revision} does not end with its own startxref and %%EOF",
        "bản cập nhật {revision} không kết thúc bằng startxref và %%EOF của riêng nó",
        _NUMBERS),
    "hidden.object_number": _shaped(
        "update {revision} uses object number {number}, beyond the {maximum} that readers "
        "accept: viewers refuse or misread the file",
        "bản cập nhật {revision} dùng số đối tượng {number}, vượt quá {maximum} mà các trình "
        "đọc PDF chấp nhận; trình xem sẽ từ chối hoặc đọc sai tệp", _NUMBERS),
    "hidden.listed_twice": _shaped(
        "update {revision} lists object {number} twice, at two places: readers disagree on "
        "which one counts",
        "bản cập nhật {revision} khai báo đối tượng {number} hai lần ở hai vị trí; các trình "
        "đọc PDF hiểu khác nhau", _NUMBERS),
    "hidden.entry_elsewhere": _shaped(
        "the cross-reference entry of object {number} in update {revision} does not point "
        "at that object: readers that rebuild the table may show other objects",
        "mục tham chiếu chéo của đối tượng {number} trong bản cập nhật {revision} không trỏ "
        "đúng vào đối tượng đó; trình đọc dựng lại bảng có thể hiển thị đối tượng khác",
        _NUMBERS),
    "hidden.unlisted_object": _shaped(
        "update {revision} defines object {number} {generation} at offset {offset} without "
        "listing it: readers that rebuild the cross-reference table show it, pyHanko does not",
        "bản cập nhật {revision} chứa đối tượng {number} {generation} (vị trí {offset}) "
        "không có trong bảng tham chiếu chéo; trình đọc dựng lại bảng sẽ hiển thị nó",
        {**_NUMBERS, "generation": "[0-9]+"}),
    "hidden.object_stream_unreadable": _shaped(
        "object stream {number} of update {revision} cannot be read: {detail}",
        "không đọc được luồng đối tượng {number} của bản cập nhật {revision} "
        f"({_DETAIL})", _NUMBERS),
    "hidden.object_stream_unlisted": _shaped(
        "object stream {number} of update {revision} holds object {held} that its "
        "cross-reference section does not point to: readers disagree on which definition "
        "counts",
        "luồng đối tượng {number} của bản cập nhật {revision} chứa đối tượng {held} mà phần "
        "tham chiếu chéo không trỏ tới; các trình đọc PDF hiểu khác nhau về định nghĩa có "
        "hiệu lực", {**_NUMBERS, "held": "[0-9]+"}),
    "hidden.viewer_modifies": _t(
        "read as viewers read it, the unparsed update modifies the document: {detail}",
        "đọc như trình xem đọc, phần cập nhật không đọc được đã sửa đổi tài liệu "
        f"({_DETAIL})"),
    "hidden.viewer_level": _shaped(
        "read as viewers read it, the unparsed update makes changes of level «{change}»",
        "đọc như trình xem đọc, phần cập nhật không đọc được tạo ra thay đổi loại «{change}»",
        {"change": "[a-z ]+"}, change=_change),
    "hidden.linearization_trap": _t(
        "the linearization dictionary states the length of the whole signed file: viewers "
        "that honour it (pdf.js) display only the first revision",
        "từ điển tuyến tính hóa (linearization) khai báo độ dài của cả tệp đã ký; trình xem "
        "tuân theo nó (pdf.js) chỉ hiển thị phiên bản đầu tiên"),
    "hidden.more": _shaped("… and {count} more problems", "… và {count} vấn đề khác",
                           _NUMBERS),
    "hidden.unchecked": _t("the revisions after signing cannot be checked: {detail}",
                           f"không kiểm tra được các phiên bản sau khi ký ({_DETAIL})"),
    # --- the profile's algorithm policy (verdict.py) ---
    "policy.digest": _shaped("digest {digest} is not allowed (allowed: {allowed})",
                             "thuật toán băm {digest} không được phép (được phép: {allowed})",
                             {"digest": r"\S+"}),
    "policy.rsa": _shaped("RSA key of {bits} bits is below {minimum}",
                          "khóa RSA dài {bits} bit, dưới mức tối thiểu {minimum} bit",
                          {"bits": r"\d+", "minimum": r"\d+"}),
    "policy.curve": _shaped("elliptic curve {curve} is not allowed",
                            "đường cong elliptic {curve} không được phép", {"curve": r"\S+"}),
    # --- certificates, revocation and trust (verdict.py, longterm.py) ---
    "trust.revoked_before_signing": _t(f"{_REVOKED}, before the signing time",
                                       f"{_REVOKED_VI}, trước thời điểm ký", reason=_R),
    "trust.revoked_no_poe": _t(
        f"{_REVOKED}; no proof the signature existed before that",
        f"{_REVOKED_VI}; không có bằng chứng chữ ký đã tồn tại trước thời điểm đó", reason=_R),
    "trust.revoked_before_poe": _t(
        f"{_REVOKED}, before the earliest proof that the signature existed ({{poe}})",
        f"{_REVOKED_VI}, trước bằng chứng sớm nhất về sự tồn tại của chữ ký ({{poe}})",
        reason=_R),
    "ltv.valid_revoked_after": _t(
        "valid: the signer's certificate was revoked on {when} ({reason}), after {poe}, "
        "when the signature timestamp proves the signature existed",
        "hợp lệ: chứng thư số của người ký bị thu hồi ngày {when} (lý do: {reason}), sau "
        "{poe}, thời điểm mà dấu thời gian chứng minh chữ ký đã tồn tại", reason=_R),
    "ltv.valid_revoked_later": _t(
        "valid: the signer's certificate was revoked after {poe}, when the signature "
        "timestamp proves the signature existed",
        "hợp lệ: chứng thư số của người ký bị thu hồi sau {poe}, thời điểm mà dấu thời gian "
        "chứng minh chữ ký đã tồn tại"),
    "ltv.valid_at": _t(
        "valid at {poe}, the time a timestamp proves the signature existed "
        "(the certificate's status at the validation time does not matter then)",
        "hợp lệ tại {poe}, thời điểm mà dấu thời gian chứng minh chữ ký đã tồn tại (khi đó "
        "tình trạng của chứng thư số tại thời điểm kiểm tra không còn ảnh hưởng)"),
    "ltv.no_proof_detail": _shaped(
        "no timestamp proves the signature valid at an earlier time ({name}: {detail})",
        "không có dấu thời gian nào chứng minh chữ ký hợp lệ tại một thời điểm sớm hơn "
        f"({{name}}; {_DETAIL})", _NAME),
    "ltv.no_proof": _shaped(
        "no timestamp proves the signature valid at an earlier time ({name})",
        "không có dấu thời gian nào chứng minh chữ ký hợp lệ tại một thời điểm sớm hơn "
        "({name})", _NAME),
    "trust.no_chain": _t(
        "no chain to a trusted root (signer not trusted)",
        "không xây dựng được chuỗi chứng thư số đến chứng thư số gốc được tin cậy (người ký "
        "không được tin cậy)"),
    "trust.expired": _t(
        "the signer's certificate has expired and nothing proves the signature existed "
        "while it was valid",
        "chứng thư số của người ký đã hết hạn và không có gì chứng minh chữ ký đã được tạo "
        "khi chứng thư số còn hiệu lực"),
    "trust.try_later": _t(
        "the revocation status could not be confirmed (no usable, current OCSP or CRL "
        "answer for a certificate in the chain)",
        "không xác nhận được tình trạng thu hồi (thiếu phản hồi OCSP hoặc CRL dùng được và "
        "còn hiệu lực cho một chứng thư số trong chuỗi)"),
    "trust.weak_chain": _t("an algorithm in the certificate chain is too weak",
                           "một thuật toán trong chuỗi chứng thư số không đủ an toàn"),
    "trust.key_usage": _t(
        "the certificate does not allow document signing (key usage)",
        "chứng thư số không cho phép ký tài liệu (mục đích sử dụng khóa - key usage)"),
    "trust.ca_revoked": _t(
        "a CA certificate in the chain was revoked",
        "một chứng thư số của tổ chức cung cấp dịch vụ chứng thực trong chuỗi đã bị thu hồi"),
    "trust.not_yet_valid": _t("the signer's certificate is not yet valid",
                              "chứng thư số của người ký chưa đến thời điểm có hiệu lực"),
    "trust.failed": _shaped("certificate validation failed ({name})",
                            "kiểm tra chứng thư số không thành công ({name})", _NAME),
    # --- timestamps (verdict.py, verify.py) ---
    "ts.imprint": _t(
        "the signature timestamp does not verify: it does not time-stamp this signature "
        "(message imprint mismatch)",
        f"{_SIG_TS}: dấu thời gian này không được cấp cho chữ ký này (giá trị băm không "
        "khớp)"),
    "ts.tsa_signature": _t(
        "the signature timestamp does not verify: the time-stamping authority's signature "
        "on it is invalid (the timestamp token was altered)",
        f"{_SIG_TS}: chữ ký của {_TSA} trên dấu thời gian không đúng (dấu thời gian đã bị "
        "sửa)"),
    "ts.untrusted": _shaped(
        "the signature timestamp does not verify: its time-stamping authority is not "
        "trusted ({name})",
        f"{_SIG_TS}: {_TSA} không được tin cậy ({{name}})", _NAME),
    "doc_ts.changed": _t(
        "{timestamp} does not verify: the time-stamped revision changed",
        "{timestamp} không hợp lệ: phiên bản tài liệu được gắn dấu thời gian đã bị thay đổi",
        timestamp=nested_vietnamese),
    "doc_ts.tsa_signature": _t(
        "{timestamp} does not verify: the time-stamping authority's signature is invalid",
        f"{{timestamp}} không hợp lệ: chữ ký của {_TSA} không đúng",
        timestamp=nested_vietnamese),
    "doc_ts.partial_coverage": _t(
        "{timestamp} does not cover its whole revision",
        "{timestamp} không bao trùm toàn bộ phiên bản tài liệu của nó",
        timestamp=nested_vietnamese),
    "doc_ts.modified": _t(
        "{timestamp}: the document was modified after it (beyond signatures, form filling "
        "and validation data)",
        "{timestamp}: tài liệu đã bị sửa đổi sau dấu thời gian này (ngoài việc thêm chữ ký, "
        "điền biểu mẫu và bổ sung dữ liệu kiểm tra)", timestamp=nested_vietnamese),
    "doc_ts.untrusted": _shaped(
        "{timestamp} does not verify: its time-stamping authority is not trusted ({name})",
        f"{{timestamp}} không hợp lệ: {_TSA} không được tin cậy ({{name}})", _NAME,
        timestamp=nested_vietnamese),
    "doc_ts.try_later": _t(
        "document timestamp {field} cannot be validated now: {detail}",
        f"chưa kiểm tra được dấu thời gian tài liệu {{field}}, hãy thử lại sau ({_DETAIL})"),
    "doc_ts.cannot_validate": _t(
        "document timestamp {field} cannot be validated: {detail}",
        f"không kiểm tra được dấu thời gian tài liệu {{field}} ({_DETAIL})"),
    "doc_ts.problem": _t("document timestamp {field}: {problem}",
                         "dấu thời gian tài liệu {field}: {problem}", problem=nested_vietnamese),
    # --- offline validation: what the document lacks (verify.py) ---
    "offline.no_issuer": _t(
        "offline: the issuer certificate «{issuer}» of «{subject}» is neither in the "
        "document nor in the profile or the other certificates given",
        "kiểm tra ngoại tuyến: chứng thư số của bên cấp «{issuer}» (bên đã cấp chứng thư số "
        "«{subject}») không có trong tài liệu, trong hồ sơ tin cậy hay trong các chứng thư số "
        "khác được cung cấp"),
    "offline.no_revocation": _t(
        "offline: no revocation data (OCSP response or CRL) for «{subject}» in the document "
        "or the CRL files given",
        "kiểm tra ngoại tuyến: không có dữ liệu thu hồi (phản hồi OCSP hoặc CRL) cho chứng "
        "thư số «{subject}» trong tài liệu hay trong các tệp CRL được cung cấp"),
    # --- warnings on a signature that passed (verify.py) ---
    "warning.revocation_server": _t(
        "warning: revocation server did not answer ({detail}); judged without online "
        "revocation data",
        "cảnh báo: máy chủ cung cấp tình trạng thu hồi không trả lời "
        f"({_DETAIL}); đã đánh giá mà không có dữ liệu thu hồi trực tuyến"),
    "warning.revocation_not_checked": _t(
        "warning: revocation not checked: {detail}",
        f"cảnh báo: chưa kiểm tra được tình trạng thu hồi của chứng thư số ({_DETAIL})"),
    "warning.long_term_failed": _t(
        "warning: validation at the timestamps' proofs of existence could not run: {detail}",
        "cảnh báo: không thực hiện được việc kiểm tra tại thời điểm mà dấu thời gian chứng "
        f"minh chữ ký đã tồn tại ({_DETAIL})"),
    "warning.detail": _t("warning: {detail}", f"cảnh báo ({_DETAIL})"),
    # pyHanko's own account of a certificate problem, word for word
    "detail.validation": _t("{detail}", TECHNICAL_DETAIL + "{detail}"),
    # names inside other messages: last, they would match any message starting alike
    "doc_ts.name_at": _shaped("document timestamp {field} of {time}",
                              "dấu thời gian tài liệu {field} ngày {time}",
                              {"time": r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"}),
    "doc_ts.name": _t("document timestamp {field}", "dấu thời gian tài liệu {field}"),
}


def template_for(code: str) -> Template:
    """The template of ``code``: a report message's, or (``error.*``) an error's, whose
    catalog is ``signkit.error_messages``."""
    if code.startswith("error."):
        from ..error_messages import ERROR_CATALOG

        return ERROR_CATALOG[code]
    return CATALOG[code]
