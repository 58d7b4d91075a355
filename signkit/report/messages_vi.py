"""Vietnamese for the verification messages (why a signature or a file failed), for the text
and HTML reports under ``--lang vi``; JSON and CSV keep the English originals, which are the
machine-readable contract::

    to_vietnamese("the document is not signed")  # "tài liệu chưa được ký số"

Each ``Rule`` is one English message of signkit's as a template (``{name}`` stands for a
variable part) and its Vietnamese template. Variable parts are kept as they are (file names,
certificate names, pyHanko's own English explanations, framed as technical detail), or
converted: dates, revocation reasons, kinds of change, or a nested signkit message. A message
no rule knows (pyHanko's own words) keeps its English text behind ``TECHNICAL_DETAIL``: a
translation may never lose information. Terms follow the national verification tools (chữ ký
số, chứng thư số, dấu thời gian, thu hồi, chuỗi chứng thư số, tổ chức cung cấp dịch vụ...).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

TECHNICAL_DETAIL = "(chi tiết kỹ thuật) "
"""Put before a message no rule translates: pyHanko's English, shown as it came."""

Convert = Callable[[str], str]


@dataclass(frozen=True)
class Rule:
    """One English message (a compiled pattern over its whole text) and its Vietnamese."""

    english: re.Pattern[str]
    vietnamese: str
    convert: Mapping[str, Convert] = field(default_factory=dict)

    def translate(self, message: str) -> str | None:
        """The Vietnamese text when ``message`` is this rule's, else None."""
        match = self.english.fullmatch(message)
        if match is None:
            return None
        values = {name: self.convert.get(name, _as_is)(value or "")
                  for name, value in match.groupdict().items()}
        return self.vietnamese.format(**values)


def to_vietnamese(message: str) -> str:
    """``message`` in Vietnamese; a message no rule knows keeps its text, marked as detail."""
    for rule in RULES:
        translated = rule.translate(message)
        if translated is not None:
            return translated
    return TECHNICAL_DETAIL + message


def rule_for(message: str) -> Rule | None:
    """The rule that translates ``message`` (None: it would be passed on as detail)."""
    return next((rule for rule in RULES if rule.english.fullmatch(message)), None)


def _rule(english: str, vietnamese: str, *, shapes: Mapping[str, str] | None = None,
          **convert: Convert) -> Rule:
    """``english`` is the message as its f-string writes it, ``{name}`` for each variable
    part; ``shapes`` narrows a part's regular expression (default: any text, shortest)."""
    shapes = shapes or {}
    pattern = []
    for literal, name, _, _ in string.Formatter().parse(english):
        pattern.append(re.escape(literal))
        if name is not None:
            pattern.append(f"(?P<{name}>{shapes.get(name, '.+?')})")
    return Rule(re.compile("".join(pattern), re.DOTALL), vietnamese, convert)


def _as_is(text: str) -> str:
    return text


def _nested(text: str) -> str:
    return to_vietnamese(text)


def _moment(text: str) -> str:
    """signkit writes a time as "2025-06-01 00:00 UTC", or "an unknown time"."""
    return "một thời điểm không xác định" if text == "an unknown time" else text


def _doc_timestamp_time(text: str) -> str:
    """" of 2025-06-01 00:00 UTC" after a document timestamp's field name, or nothing."""
    return f" ngày {text.removeprefix(' of ')}" if text else ""


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


def _revocation_reason(text: str) -> str:
    return _REVOCATION_REASONS.get(text, text)


# pyHanko's ModificationLevel names as verdict.py writes them (lower case, spaces)
_CHANGES = {
    "none": "không có thay đổi",
    "lta updates": "bổ sung dữ liệu kiểm tra dài hạn",
    "form filling": "điền biểu mẫu",
    "annotations": "thêm chú thích",
    "other": "thay đổi khác",
}


def _change(text: str) -> str:
    return _CHANGES.get(text, text)


_DETAIL = "chi tiết kỹ thuật: {detail}"
_MODIFIED = "tài liệu đã bị sửa đổi sau khi ký"
_SIG_TS = "dấu thời gian của chữ ký không hợp lệ"
_TSA = "tổ chức cung cấp dịch vụ cấp dấu thời gian"
_DOC_TS = "document timestamp {field}{when}"
_DOC_TS_VI = "dấu thời gian tài liệu {field}{when}"
_DOC_TS_SHAPES = {"when": r"(?: of \d{4}-\d\d-\d\d \d\d:\d\d UTC)?"}
_REVOKED = "the signer's certificate was revoked on {when} ({reason})"
_REVOKED_VI = "chứng thư số của người ký đã bị thu hồi ngày {when} (lý do: {reason})"
_NAME = {"name": "[A-Z_]+"}

# Order matters: a specific message before a general one that would also match it.
RULES: tuple[Rule, ...] = (
    # --- the file (verify.py, batch.py) ---
    _rule("cannot read the file: {detail}", f"không đọc được tệp ({_DETAIL})"),
    _rule("verification took longer than {seconds} s and was stopped",
          "việc kiểm tra kéo dài quá {seconds} giây nên đã bị dừng"),
    _rule("empty file, not a PDF", "tệp rỗng, không phải tệp PDF"),
    _rule("not a PDF file (no %PDF- header)", "không phải tệp PDF (thiếu phần đầu %PDF-)"),
    _rule("damaged or unreadable PDF: {detail}",
          f"tệp PDF bị hỏng hoặc không đọc được ({_DETAIL})"),
    _rule("read leniently: the file is not strictly valid PDF ({detail})",
          f"đã đọc tệp ở chế độ nới lỏng: tệp không hoàn toàn đúng chuẩn PDF ({_DETAIL})"),
    _rule("the document carries document timestamps but no signature",
          "tài liệu chỉ có dấu thời gian tài liệu, không có chữ ký số nào"),
    _rule("the document is not signed", "tài liệu chưa được ký số"),
    _rule("verification could not finish: {why}", "không hoàn tất được việc kiểm tra: {why}",
          why=_nested),
    _rule("the file needs more memory than the per-file limit allows",
          "tệp cần nhiều bộ nhớ hơn giới hạn cho phép đối với mỗi tệp"),
    # --- the signature container (structure.py, verify.py) ---
    _rule("the /ByteRange {value} is not four integers",
          "/ByteRange {value} không phải là bốn số nguyên"),
    _rule("the /ByteRange {value} is malformed for this file",
          "/ByteRange {value} không hợp lệ đối với tệp này"),
    _rule("the bytes left out of the /ByteRange are not exactly the signature's /Contents "
          "(signature wrapping)",
          "phần dữ liệu nằm ngoài /ByteRange không đúng là giá trị /Contents của chữ ký "
          "(tấn công bọc chữ ký)"),
    _rule("the signature holds {count} SignerInfos; a PDF signature must hold exactly one",
          "chữ ký chứa {count} SignerInfo; chữ ký PDF phải chứa đúng một SignerInfo",
          shapes={"count": r"\d+"}),
    _rule("the document timestamp holds no timestamp token (TSTInfo)",
          "dấu thời gian tài liệu không chứa thẻ dấu thời gian (TSTInfo)"),
    _rule("the signature encapsulates content; a PDF signature must be detached",
          "chữ ký chứa kèm nội dung được ký; chữ ký PDF phải ở dạng tách rời (detached)"),
    _rule("the signature cannot be validated: {detail}",
          f"không kiểm tra được chữ ký số ({_DETAIL})"),
    _rule("a compressed stream of the document inflates beyond the safety limit "
          "(a decompression bomb?): {detail}",
          "một luồng dữ liệu nén trong tài liệu khi giải nén vượt quá giới hạn an toàn "
          f"(nghi là bom giải nén; {_DETAIL})"),
    _rule("malformed signature: {detail}", f"chữ ký số sai cấu trúc ({_DETAIL})"),
    # --- integrity and changes after signing (verdict.py) ---
    _rule("the signed bytes do not match the digest in the signature (content changed)",
          "dữ liệu được ký không khớp với giá trị băm trong chữ ký (nội dung đã bị thay đổi)"),
    _rule("the signature value does not verify with the signer's public key",
          "giá trị chữ ký không khớp với khóa công khai của người ký"),
    _rule("the signature's /ByteRange does not cover its whole revision "
          "(possible signature wrapping or universal signature forgery)",
          "vùng dữ liệu được ký (/ByteRange) không bao trùm toàn bộ phiên bản tài liệu được "
          "ký (có thể là tấn công bọc chữ ký hoặc giả mạo chữ ký)"),
    _rule("modified after signing: changes beyond form filling, annotations and signatures",
          f"{_MODIFIED}: có thay đổi ngoài việc điền biểu mẫu, thêm chú thích và thêm chữ ký"),
    _rule("modified after signing: {change} is not permitted by the document's "
          "certification (DocMDP)",
          f"{_MODIFIED}: {{change}} là thay đổi mà chữ ký chứng nhận của tài liệu (DocMDP) "
          "không cho phép",
          shapes={"change": "[a-z ]+"}, change=_change),
    _rule("modified after signing: {change} (refused by --strict-modifications)",
          f"{_MODIFIED}: {{change}} (bị từ chối theo tùy chọn --strict-modifications)",
          shapes={"change": "[a-z ]+"}, change=_change),
    # --- bytes after signing that pyHanko's reader did not read (revisions.py) ---
    _rule("modified after signing: data after {where}: an unparsed update of {n} bytes that "
          "viewers may display and no signature covers",
          f"{_MODIFIED}: sau phiên bản cuối cùng đọc được có {{n}} byte cập nhật không đọc "
          "được; trình xem có thể hiển thị phần này nhưng không chữ ký nào bao trùm nó",
          shapes={"n": "[0-9]+"}),
    _rule("modified after signing: read as viewers read it, the unparsed update {detail}",
          f"{_MODIFIED}: đọc như trình xem đọc, phần cập nhật không đọc được đã sửa đổi tài "
          f"liệu ({_DETAIL})"),
    _rule("modified after signing: update {n} lists object {m} twice, at two places: readers "
          "disagree on which one counts",
          f"{_MODIFIED}: bản cập nhật {{n}} khai báo đối tượng {{m}} hai lần ở hai vị trí; "
          "các trình đọc PDF hiểu khác nhau",
          shapes={"n": "[0-9]+", "m": "[0-9]+"}),
    _rule("modified after signing: update {n} defines object {m} at offset {o} without listing "
          "it: readers that rebuild the cross-reference table show it, pyHanko does not",
          f"{_MODIFIED}: bản cập nhật {{n}} chứa đối tượng {{m}} (vị trí {{o}}) không có trong "
          "bảng tham chiếu chéo; trình đọc dựng lại bảng sẽ hiển thị nó",
          shapes={"n": "[0-9]+", "o": "[0-9]+"}),
    _rule("modified after signing: {detail}", f"{_MODIFIED} ({_DETAIL})"),
    # --- the profile's algorithm policy (verdict.py) ---
    _rule("digest {digest} is not allowed (allowed: {allowed})",
          "thuật toán băm {digest} không được phép (được phép: {allowed})",
          shapes={"digest": r"\S+"}),
    _rule("RSA key of {bits} bits is below {minimum}",
          "khóa RSA dài {bits} bit, dưới mức tối thiểu {minimum} bit",
          shapes={"bits": r"\d+", "minimum": r"\d+"}),
    _rule("elliptic curve {curve} is not allowed", "đường cong elliptic {curve} không được phép",
          shapes={"curve": r"\S+"}),
    # --- certificates, revocation and trust (verdict.py, longterm.py) ---
    _rule(f"{_REVOKED}, before the signing time", f"{_REVOKED_VI}, trước thời điểm ký",
          reason=_revocation_reason),
    _rule(f"{_REVOKED}; no proof the signature existed before that",
          f"{_REVOKED_VI}; không có bằng chứng chữ ký đã tồn tại trước thời điểm đó",
          reason=_revocation_reason),
    _rule(f"{_REVOKED}, before the earliest proof that the signature existed ({{poe}})",
          f"{_REVOKED_VI}, trước bằng chứng sớm nhất về sự tồn tại của chữ ký ({{poe}})",
          reason=_revocation_reason, poe=_moment),
    _rule("valid: the signer's certificate was revoked on {when} ({reason}), after {poe}, "
          "when the signature timestamp proves the signature existed",
          "hợp lệ: chứng thư số của người ký bị thu hồi ngày {when} (lý do: {reason}), sau "
          "{poe}, thời điểm mà dấu thời gian chứng minh chữ ký đã tồn tại",
          reason=_revocation_reason, when=_moment, poe=_moment),
    _rule("valid: the signer's certificate was revoked , after {poe}, "
          "when the signature timestamp proves the signature existed",
          "hợp lệ: chứng thư số của người ký bị thu hồi sau {poe}, thời điểm mà dấu thời gian "
          "chứng minh chữ ký đã tồn tại",
          poe=_moment),
    _rule("valid at {poe}, the time a timestamp proves the signature existed "
          "(the certificate's status at the validation time does not matter then)",
          "hợp lệ tại {poe}, thời điểm mà dấu thời gian chứng minh chữ ký đã tồn tại (khi đó "
          "tình trạng của chứng thư số tại thời điểm kiểm tra không còn ảnh hưởng)",
          poe=_moment),
    _rule("no timestamp proves the signature valid at an earlier time ({name}: {detail})",
          "không có dấu thời gian nào chứng minh chữ ký hợp lệ tại một thời điểm sớm hơn "
          f"({{name}}; {_DETAIL})",
          shapes=_NAME),
    _rule("no timestamp proves the signature valid at an earlier time ({name})",
          "không có dấu thời gian nào chứng minh chữ ký hợp lệ tại một thời điểm sớm hơn "
          "({name})",
          shapes=_NAME),
    _rule("no chain to a trusted root (signer not trusted)",
          "không xây dựng được chuỗi chứng thư số đến chứng thư số gốc được tin cậy (người ký "
          "không được tin cậy)"),
    _rule("the signer's certificate has expired and nothing proves the signature existed "
          "while it was valid",
          "chứng thư số của người ký đã hết hạn và không có gì chứng minh chữ ký đã được tạo "
          "khi chứng thư số còn hiệu lực"),
    _rule("the revocation status could not be confirmed (no usable, current OCSP or CRL answer "
          "for a certificate in the chain)",
          "không xác nhận được tình trạng thu hồi (thiếu phản hồi OCSP hoặc CRL dùng được và "
          "còn hiệu lực cho một chứng thư số trong chuỗi)"),
    _rule("an algorithm in the certificate chain is too weak",
          "một thuật toán trong chuỗi chứng thư số không đủ an toàn"),
    _rule("the certificate does not allow document signing (key usage)",
          "chứng thư số không cho phép ký tài liệu (mục đích sử dụng khóa - key usage)"),
    _rule("a CA certificate in the chain was revoked",
          "một chứng thư số của tổ chức cung cấp dịch vụ chứng thực trong chuỗi đã bị thu hồi"),
    _rule("the signer's certificate is not yet valid",
          "chứng thư số của người ký chưa đến thời điểm có hiệu lực"),
    _rule("certificate validation failed ({name})",
          "kiểm tra chứng thư số không thành công ({name})", shapes=_NAME),
    # --- timestamps (verdict.py, verify.py) ---
    _rule("the signature timestamp does not verify: it does not time-stamp this signature "
          "(message imprint mismatch)",
          f"{_SIG_TS}: dấu thời gian này không được cấp cho chữ ký này (giá trị băm không "
          "khớp)"),
    _rule("the signature timestamp does not verify: the time-stamping authority's signature "
          "on it is invalid (the timestamp token was altered)",
          f"{_SIG_TS}: chữ ký của {_TSA} trên dấu thời gian không đúng (dấu thời gian đã bị "
          "sửa)"),
    _rule("the signature timestamp does not verify: its time-stamping authority is not "
          "trusted ({name})",
          f"{_SIG_TS}: {_TSA} không được tin cậy ({{name}})", shapes=_NAME),
    _rule(f"{_DOC_TS} does not verify: the time-stamped revision changed",
          f"{_DOC_TS_VI} không hợp lệ: phiên bản tài liệu được gắn dấu thời gian đã bị thay "
          "đổi",
          shapes=_DOC_TS_SHAPES, when=_doc_timestamp_time),
    _rule(f"{_DOC_TS} does not verify: the time-stamping authority's signature is invalid",
          f"{_DOC_TS_VI} không hợp lệ: chữ ký của {_TSA} không đúng",
          shapes=_DOC_TS_SHAPES, when=_doc_timestamp_time),
    _rule(f"{_DOC_TS} does not cover its whole revision",
          f"{_DOC_TS_VI} không bao trùm toàn bộ phiên bản tài liệu của nó",
          shapes=_DOC_TS_SHAPES, when=_doc_timestamp_time),
    _rule(f"{_DOC_TS}: the document was modified after it (beyond signatures, form filling "
          "and validation data)",
          f"{_DOC_TS_VI}: tài liệu đã bị sửa đổi sau dấu thời gian này (ngoài việc thêm chữ "
          "ký, điền biểu mẫu và bổ sung dữ liệu kiểm tra)",
          shapes=_DOC_TS_SHAPES, when=_doc_timestamp_time),
    _rule(f"{_DOC_TS} does not verify: its time-stamping authority is not trusted ({{name}})",
          f"{_DOC_TS_VI} không hợp lệ: {_TSA} không được tin cậy ({{name}})",
          shapes={**_DOC_TS_SHAPES, **_NAME}, when=_doc_timestamp_time),
    _rule("document timestamp {field} cannot be validated now: {detail}",
          f"chưa kiểm tra được dấu thời gian tài liệu {{field}}, hãy thử lại sau ({_DETAIL})"),
    _rule("document timestamp {field} cannot be validated: {detail}",
          f"không kiểm tra được dấu thời gian tài liệu {{field}} ({_DETAIL})"),
    _rule("document timestamp {field}: {problem}", "dấu thời gian tài liệu {field}: {problem}",
          problem=_nested),
    # --- offline validation: what the document lacks (verify.py) ---
    _rule("offline: the issuer certificate «{issuer}» of «{subject}» is neither in the "
          "document nor in the profile or --other-certs",
          "kiểm tra ngoại tuyến: chứng thư số của bên cấp «{issuer}» (bên đã cấp chứng thư số "
          "«{subject}») không có trong tài liệu, trong hồ sơ tin cậy hay trong --other-certs"),
    _rule("offline: no revocation data (OCSP response or CRL) for «{subject}» in the document "
          "or the --crl files",
          "kiểm tra ngoại tuyến: không có dữ liệu thu hồi (phản hồi OCSP hoặc CRL) cho chứng "
          "thư số «{subject}» trong tài liệu hay trong các tệp --crl"),
    # --- warnings on a signature that passed (verify.py) ---
    _rule("warning: revocation server did not answer ({detail}); judged without online "
          "revocation data",
          "cảnh báo: máy chủ cung cấp tình trạng thu hồi không trả lời "
          f"({_DETAIL}); đã đánh giá mà không có dữ liệu thu hồi trực tuyến"),
    _rule("warning: revocation not checked: {detail}",
          f"cảnh báo: chưa kiểm tra được tình trạng thu hồi của chứng thư số ({_DETAIL})"),
    _rule("warning: validation at the timestamps' proofs of existence could not run: {detail}",
          "cảnh báo: không thực hiện được việc kiểm tra tại thời điểm mà dấu thời gian chứng "
          f"minh chữ ký đã tồn tại ({_DETAIL})"),
    _rule("warning: {detail}", f"cảnh báo ({_DETAIL})"),
)
