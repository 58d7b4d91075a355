"""The words of signkit's errors: ``ERROR_CATALOG`` maps a message code to its English and
Vietnamese templates, the same ``Template`` and ``Message`` as report messages::

    error = OutputExistsError(said("output_exists.named", output="/tmp/x.pdf"), path="a.pdf")
    str(error)          # 'a.pdf: output /tmp/x.pdf already exists'
    error.text("vi")    # 'a.pdf: tệp kết quả /tmp/x.pdf đã tồn tại'
    error.params        # {'output': '/tmp/x.pdf'}

Codes are ``error.<class code>`` for each class of ``signkit.errors`` (what kind of error it
is, without parameters: the frame for a message that came as plain English), and
``error.<class code>.<what>`` for the messages raised (their parameters are the error's
facts). ``error.net.*`` are the reasons a network service failed (TSA, OCSP, CRL); the
codes of ``SignResult.error_code`` that are no class (``stopped``, ``internal``...) have
their kind too. English texts are the ones signkit always printed: JSON reports keep them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .report._catalog import TECHNICAL_DETAIL, Convert, Template
from .report.messages import Message

__all__ = ["ERROR_CATALOG", "joined", "kind_of", "said"]


def said(code: str, /, **params: Any) -> Message:
    """The message ``error.<code>`` with its parameters."""
    return Message(f"error.{code}", **params)


def joined(parts: Iterable[str], separator: str = "; ") -> str:
    """``parts`` one after another; messages among them keep their words in each language."""
    items = list(parts)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    code = "joined_comma" if separator == ", " else "joined"
    return said(code, first=items[0], rest=joined(items[1:], separator))


def kind_of(code: str | None) -> Message:
    """What kind of error ``code`` (a class's or a result's) is, in words."""
    key = f"error.{code}"
    return Message(key if key in ERROR_CATALOG else "error.signkit")


_SERVICES = {"OCSP responder": "máy chủ OCSP",
             "CRL distribution point": "điểm phân phối danh sách thu hồi (CRL)"}
_ANSWERS = {"timestamp response": "phản hồi cấp dấu thời gian", "OCSP response": "phản hồi OCSP",
            "CRL": "danh sách thu hồi (CRL)"}
_STATES = {"no warnings": "không có cảnh báo"}
_KINDS_OF_VALUE = {"a string": "một chuỗi ký tự", "an integer": "một số nguyên",
                   "a table": "một bảng", "true or false": "true hoặc false",
                   "a page number (1 = first, -1 = last)":
                       "một số trang (1 = trang đầu, -1 = trang cuối)",
                   "a positive number": "một số dương", "a non-empty string": "một chuỗi khác rỗng",
                   "a list of strings": "một danh sách chuỗi ký tự",
                   "an array of tables": "một mảng bảng (array of tables)"}
_ACTIONS = {"logging in": "đăng nhập", "signing": "ký", "listing tokens": "liệt kê token",
            "opening a session": "mở phiên làm việc", "reading mechanisms": "đọc các cơ chế ký",
            "reading objects": "đọc các đối tượng trên token"}


def _service(text: str) -> str:
    return _SERVICES.get(text, text)


def _answer(text: str) -> str:
    return _ANSWERS.get(text, text)


def _state(text: str) -> str:
    return _STATES.get(text, text)


def _kind_of_value(text: str) -> str:
    if text.startswith("one of "):
        return "một trong: " + text.removeprefix("one of ")
    return _KINDS_OF_VALUE.get(text, text)


def _what(text: str) -> str:
    return {"seal": "con dấu", "signature": "chữ ký"}.get(text, text)


def _pages(text: str) -> str:
    """"page 3", "pages 2, 1", "pages 100–1" (``placement._page_list``) in Vietnamese."""
    return "trang " + text.removeprefix("pages ").removeprefix("page ")


def _t(english: str, vietnamese: str, **convert: Convert) -> Template:
    return Template(english, vietnamese, convert)


_DETAIL = "chi tiết kỹ thuật: {detail}"
_TSA = "dịch vụ cấp dấu thời gian"

# each class of signkit.errors (and each result code that is no class): what kind of error
_KINDS: dict[str, Template] = {
    "signkit": _t("signkit could not do it", "signkit không thực hiện được yêu cầu"),
    "profile": _t("the profile is not valid", "hồ sơ tin cậy không hợp lệ"),
    "token": _t("the token cannot be used", "không dùng được token"),
    "pkcs11_module_not_found": _t("no PKCS#11 module found",
                                  "không tìm thấy mô-đun PKCS#11"),
    "pkcs11_module_load": _t("the PKCS#11 module cannot be loaded",
                             "không nạp được mô-đun PKCS#11"),
    "token_not_found": _t("no token found", "không tìm thấy token"),
    "token_ambiguous": _t("several tokens are present", "có nhiều token đang cắm"),
    "token_removed": _t("the token was removed or stopped answering",
                        "token đã bị rút ra hoặc ngừng phản hồi"),
    "pin": _t("the PIN cannot be used", "lỗi mã PIN"),
    "pin_incorrect": _t("wrong PIN", "sai mã PIN"),
    "pin_locked": _t("the PIN is locked", "mã PIN đã bị khóa"),
    "pin_final_try": _t("one PIN attempt is left", "chỉ còn một lần nhập mã PIN"),
    "pin_required": _t("a PIN is needed", "cần mã PIN"),
    "key_not_found": _t("no such key on the token", "không tìm thấy khóa trên token"),
    "key_ambiguous": _t("several signing keys are available", "có nhiều khóa ký"),
    "mechanism_unsupported": _t("the token cannot sign this way",
                                "token không hỗ trợ cơ chế ký này"),
    "certificate_unusable": _t("the certificate cannot be used to sign",
                               "chứng thư số không dùng để ký được"),
    "pkcs12": _t("the PKCS#12 file cannot be used", "không dùng được tệp PKCS#12"),
    "remote_signing": _t("the remote signing service failed",
                         "dịch vụ ký số từ xa gặp lỗi"),
    "remote_auth": _t("the remote signing service refused the credentials",
                      "dịch vụ ký số từ xa từ chối thông tin xác thực"),
    "remote_credential": _t("the remote signing credential cannot be used",
                            "không dùng được chứng thư số ký từ xa"),
    "approval_rejected": _t("the signer refused the request",
                            "người ký đã từ chối yêu cầu ký"),
    "approval_timeout": _t("the request was not approved in time",
                           "yêu cầu ký không được phê duyệt kịp thời"),
    "remote_service": _t("the remote signing service answered wrongly",
                         "dịch vụ ký số từ xa trả lời không hợp lệ"),
    "signing": _t("the document could not be signed", "không ký được tài liệu"),
    "input": _t("the input file cannot be used", "tệp đầu vào không dùng được"),
    "encrypted_input": _t("the PDF is encrypted", "tệp PDF đã được mã hóa"),
    "placement": _t("the visible signature cannot be placed there",
                    "không đặt được chữ ký hiển thị vào vị trí yêu cầu"),
    "appearance": _t("the visible signature cannot be drawn",
                     "không vẽ được chữ ký hiển thị"),
    "output_exists": _t("the output file already exists", "tệp kết quả đã tồn tại"),
    "remote_signature": _t("the remote signature is missing or wrong",
                           "chữ ký từ dịch vụ ký số từ xa bị thiếu hoặc không đúng"),
    "timestamp": _t("the time-stamping service failed", f"{_TSA} gặp lỗi"),
    "timestamp_untrusted": _t("the time-stamping service is not trusted",
                              f"{_TSA} không được tin cậy"),
    "no_tsa": _t("no time-stamping service was given", f"chưa chỉ định {_TSA}"),
    "chain_untrusted": _t("the certificate chains to no trust anchor",
                          "chứng thư số không dẫn tới chứng thư gốc tin cậy nào"),
    "revocation_fetch": _t("revocation data could not be obtained",
                           "không lấy được thông tin thu hồi chứng thư số"),
    # result codes that are no class
    "stopped": _t("not attempted: the batch stopped", "chưa xử lý: việc ký hàng loạt đã dừng"),
    "internal": _t("internal error", "lỗi nội bộ"),
    "worker_died": _t("the worker process died", "tiến trình xử lý đã dừng đột ngột"),
    "output_unwritable": _t("the output cannot be written", "không ghi được tệp kết quả"),
}

_MESSAGES: dict[str, Template] = {
    # frames and lists
    "at_path": _t("{path}: {reason}", "{path}: {reason}"),
    "joined": _t("{first}; {rest}", "{first}; {rest}"),
    "joined_comma": _t("{first}, {rest}", "{first}, {rest}"),
    "detail": _t("{detail}", TECHNICAL_DETAIL + "{detail}"),
    "kind_with_detail": _t("{detail}", "{kind} (" + _DETAIL + ")"),
    # --- the input and the output ---
    "input.not_found": _t("file not found", "không tìm thấy tệp"),
    "input.folder": _t("is a folder, not a PDF file", "là một thư mục, không phải tệp PDF"),
    "input.unreadable": _t("cannot read: {detail}", f"không đọc được tệp ({_DETAIL})"),
    "input.empty": _t("empty file, not a PDF", "tệp rỗng, không phải tệp PDF"),
    "input.not_pdf": _t("not a PDF file (no %PDF- header)",
                        "không phải tệp PDF (thiếu phần đầu %PDF-)"),
    "input.damaged": _t("damaged or unreadable PDF ({detail})",
                        f"tệp PDF bị hỏng hoặc không đọc được ({_DETAIL})"),
    "input.damaged_structure": _t("damaged PDF structure ({kind}: {detail})",
                                  "cấu trúc tệp PDF bị hỏng (chi tiết kỹ thuật: {kind}: "
                                  "{detail})"),
    "input.cannot_decrypt": _t("cannot decrypt the PDF: {detail}",
                               f"không giải mã được tệp PDF ({_DETAIL})"),
    "input.wrong_pdf_password": _t("wrong password for the encrypted PDF",
                                   "sai mật khẩu của tệp PDF đã mã hóa"),
    "input.encrypted_unsupported": _t(
        "encrypted (password-protected) PDFs are not supported",
        "không hỗ trợ tệp PDF đã mã hóa (có mật khẩu)"),
    "input.not_signed": _t(
        "not signed: there is no signature or document timestamp to add validation data for",
        "chưa được ký: không có chữ ký số hay dấu thời gian tài liệu nào để bổ sung dữ liệu "
        "kiểm tra"),
    "input.not_signed_refresh": _t(
        "not signed: there is no signature or timestamp to preserve",
        "chưa được ký: không có chữ ký số hay dấu thời gian nào cần gia hạn"),
    "input.text_unreadable": _t("the PDF's text cannot be read ({detail})",
                                "không đọc được phần chữ của tệp PDF (" + _DETAIL + ")"),
    "input.page_text_unreadable": _t("the text of page {page} cannot be read ({detail})",
                                     "không đọc được phần chữ của trang {page} ("
                                     + _DETAIL + ")"),
    "input.malformed_signature": _t("the signature in field {field!r} is malformed ({detail})",
                                    "chữ ký số trong trường {field!r} sai định dạng ("
                                    + _DETAIL + ")"),
    "input.signer_unreadable": _t(
        "{what}: its signer's certificate cannot be read ({detail})",
        "{what}: không đọc được chứng thư số của bên ký (" + _DETAIL + ")"),
    "encrypted_input.needs_password": _t(
        "the PDF is encrypted (password-protected); its password is needed "
        "(SignOptions(password=...))",
        "tệp PDF đã được mã hóa (có mật khẩu); cần mật khẩu của tệp"),
    "signing.replaces_input": _t(
        "the output would replace the input; choose another output",
        "tệp kết quả sẽ ghi đè lên tệp đầu vào; hãy chọn tệp kết quả khác"),
    "signing.changed_meanwhile": _t(
        "the file changed while it was being processed; nothing was written",
        "tệp đã thay đổi trong khi đang xử lý; không ghi gì cả"),
    "signing.output_not_intact": _t(
        "internal check failed: the output does not keep the original bytes intact",
        "kiểm tra nội bộ không đạt: tệp kết quả không giữ nguyên các byte của tệp gốc"),
    "signing.revoked": _t("{what}: its certificate is revoked ({detail})",
                          "{what}: chứng thư số đã bị thu hồi (" + _DETAIL + ")"),
    "signing.chain_invalid": _t("{what}: its certificate chain is not valid now ({detail})",
                                "{what}: chuỗi chứng thư số hiện không hợp lệ (" + _DETAIL
                                + ")"),
    "chain_untrusted.what": _t(
        "{what}: its certificate does not chain to a trust anchor ({detail})",
        "{what}: chứng thư số không dẫn tới chứng thư gốc tin cậy nào (" + _DETAIL + ")"),
    "output_unwritable.cannot_sync": _t("cannot sync folder {folder}: {detail}",
                                        "không đồng bộ được thư mục {folder} (" + _DETAIL
                                        + ")"),
    "signing.internal_check": _t("internal check failed: {why}",
                                 "kiểm tra nội bộ không đạt (chi tiết kỹ thuật: {why})"),
    "signing.one_output_many_inputs": _t(
        "one output file was named for {count} inputs; several files need an output folder",
        "chỉ có một tệp kết quả cho {count} tệp đầu vào; nhiều tệp cần một thư mục kết quả"),
    "signing.no_output": _t(
        "no output was named: an output file for one input, or an output folder",
        "chưa chỉ định nơi ghi kết quả: một tệp kết quả cho một tệp đầu vào, hoặc một thư mục "
        "kết quả"),
    "signing.same_output": _t("{first} and {second} would both be written to {output}",
                              "{first} và {second} sẽ cùng được ghi vào {output}"),
    "worker_died.starting": _t("a verification worker process died while starting ({why})",
                               "một tiến trình kiểm tra đã dừng đột ngột khi khởi động ({why})"),
    "token.no_free_slot": _t("No free slot to initialise a token in {module}.",
                             "Không còn khe trống để khởi tạo token trong {module}."),
    "input.no_page_tree": _t("damaged PDF: its page tree cannot be read",
                             "tệp PDF bị hỏng: không đọc được cây trang"),
    "output_unwritable.cannot_write": _t("cannot write {output}: {detail}",
                                         "không ghi được {output} (" + _DETAIL + ")"),
    "stopped.after_error": _t("stopped after the error in {path}",
                              "đã dừng sau lỗi ở tệp {path}"),
    "output_exists.named": _t("output {output} already exists",
                              "tệp kết quả {output} đã tồn tại"),
    # --- visible signatures: where they go ---
    "where.below": _t("below {anchor!r}", "bên dưới {anchor!r}"),
    "where.above": _t("above {anchor!r}", "bên trên {anchor!r}"),
    "where.right": _t("right of {anchor!r}", "bên phải {anchor!r}"),
    "where.over": _t("over {anchor!r}", "đè lên {anchor!r}"),
    "where.between": _t("between {anchor!r} and {until!r}", "giữa {anchor!r} và {until!r}"),
    "placement.anchor_not_found": _t(
        "the text {anchor!r} was not found on {pages} (scanned pages without a text layer "
        "have no text to find)",
        "không tìm thấy dòng chữ {anchor!r} trên {pages} (trang scan không có lớp văn bản thì "
        "không tìm được chữ)", pages=_pages),
    "placement.until_not_found": _t(
        "the text {until!r} was not found below {anchor!r} on page {page}",
        "không tìm thấy dòng chữ {until!r} bên dưới {anchor!r} trên trang {page}"),
    "placement.gap_too_low": _t(
        "the blank space {where} on page {page} is {room} pt high; the {what} needs {need} pt",
        "khoảng trống {where} trên trang {page} chỉ cao {room} pt; {what} cần {need} pt",
        what=_what),
    "placement.text_between": _t(
        "the text {text!r} lies {where} on page {page}: there is no blank space between them",
        "dòng chữ {text!r} nằm {where} trên trang {page}: giữa hai dòng không có khoảng trống"),
    "placement.wider_than_page": _t("a {width} pt wide {what} is wider than page {page}",
                                    "{what} rộng {width} pt, rộng hơn trang {page}",
                                    what=_what),
    "placement.leaves_page": _t(
        "the {what} ({size} pt) {where} on page {page} would leave the page",
        "{what} ({size} pt) {where} trên trang {page} sẽ tràn ra ngoài trang", what=_what),
    "placement.would_cover": _t(
        "there is no blank space for the {what} ({size} pt) {where} on page {page}: it would "
        "cover the text {text!r}",
        "không có khoảng trống cho {what} ({size} pt) {where} trên trang {page}: nó sẽ che "
        "dòng chữ {text!r}", what=_what),
    "placement.nor_other_lines": _t(
        "{first} (nor next to the {others} other line(s) with {anchor!r})",
        "{first} (cũng không đặt được cạnh {others} dòng khác có {anchor!r})"),
    "placement.several_ways": _t("choose one way to place the signature, not {given}",
                                 "hãy chọn một cách đặt chữ ký, không dùng cùng lúc {given}",
                                 given=lambda g: g.replace(" and ", " và ")),
    "placement.bad_rectangle": _t("a rectangle is four numbers X1,Y1,X2,Y2, not {value}",
                                  "hình chữ nhật là bốn số X1,Y1,X2,Y2, không phải {value}"),
    "placement.bad_box": _t("a box is four numbers X1,Y1,X2,Y2 in points, not {text!r}",
                            "khung là bốn số X1,Y1,X2,Y2 tính bằng point, không phải {text!r}"),
    "placement.page_zero": _t("page numbers start at 1 (use -1 for the last page)",
                              "số trang bắt đầu từ 1 (dùng -1 cho trang cuối)"),
    "placement.until_alone": _t("'until' needs an anchor text to start from",
                                "'until' cần một dòng chữ neo để bắt đầu"),
    "placement.empty_anchor": _t("an anchor text cannot be empty",
                                 "dòng chữ neo không được để trống"),
    "placement.unknown_position": _t("unknown anchor position {position!r}; use one of {known}",
                                     "không có vị trí neo {position!r}; hãy dùng một trong: "
                                     "{known}"),
    "placement.negative_gap": _t("the gap to the anchor text cannot be negative",
                                 "khoảng cách tới dòng chữ neo không được âm"),
    "placement.no_size": _t("the signature box must have a size, not {size}",
                            "khung chữ ký phải có kích thước, không phải {size}"),
    "placement.no_such_page": _t("there is no page {page}: the document has {count} pages",
                                 "không có trang {page}: tài liệu có {count} trang"),
    "placement.no_such_page_one": _t("there is no page {page}: the document has 1 page",
                                     "không có trang {page}: tài liệu chỉ có 1 trang"),
    "placement.no_mediabox": _t("page {page} has no MediaBox", "trang {page} không có MediaBox"),
    "placement.empty_page_area": _t(
        "page {page} has an empty visible area (CropBox outside its MediaBox)",
        "trang {page} không có vùng hiển thị (CropBox nằm ngoài MediaBox)"),
    "placement.bad_rotate": _t("page {page} has an invalid /Rotate {rotate} (must be a "
                               "multiple of 90)",
                               "trang {page} có /Rotate {rotate} không hợp lệ (phải là bội "
                               "số của 90)"),
    "placement.box_too_big": _t("a {box} pt box does not fit on page {page} ({size} pt)",
                                "khung {box} pt không vừa trang {page} ({size} pt)"),
    "placement.not_rectangle": _t("the box {box} is not a rectangle: it needs X1 < X2 and "
                                  "Y1 < Y2",
                                  "khung {box} không phải hình chữ nhật: cần X1 < X2 và "
                                  "Y1 < Y2"),
    "placement.outside_page": _t(
        "the box {box} is outside page {page}, whose visible area is {area} (points, origin "
        "bottom-left)",
        "khung {box} nằm ngoài trang {page}, vùng hiển thị của trang là {area} (tính bằng "
        "point, gốc ở góc dưới bên trái)"),
    "placement.not_signature_field": _t("field {field!r} is not a signature field ({detail})",
                                        "trường {field!r} không phải trường chữ ký ("
                                        + _DETAIL + ")"),
    "placement.fields_are": _t("its signature fields are {names}",
                               "các trường chữ ký của tài liệu: {names}"),
    "placement.no_fields": _t("it has no signature field", "tài liệu không có trường chữ ký"),
    "placement.no_such_field": _t("the document has no signature field {field!r}; {have}",
                                  "tài liệu không có trường chữ ký {field!r}; {have}"),
    "placement.several_widgets": _t(
        "signature field {field!r} has {count} widgets; signkit needs exactly one",
        "trường chữ ký {field!r} có {count} vùng hiển thị; signkit cần đúng một"),
    "placement.invisible_field": _t(
        "signature field {field!r} is invisible: it has no box on a page",
        "trường chữ ký {field!r} ẩn: không có khung trên trang nào"),
    "placement.field_elsewhere": _t("signature field {field!r} is on page {page}, not on page "
                                    "{wanted}",
                                    "trường chữ ký {field!r} nằm ở trang {page}, không phải "
                                    "trang {wanted}"),
    "placement.widget_nowhere": _t("the signature field's widget is on no page",
                                   "vùng hiển thị của trường chữ ký không nằm trên trang nào"),
    "placement.field_signed": _t(
        "signature field {field!r} is already signed; choose an empty field, or a new box "
        "(at a rectangle or an anchor text)",
        "trường chữ ký {field!r} đã được ký; hãy chọn một trường còn trống, hoặc một khung "
        "mới (theo tọa độ hoặc theo dòng chữ neo)"),
    "placement.no_empty_field": _t("the document has no empty visible signature field",
                                   "tài liệu không có trường chữ ký hiển thị nào còn trống"),
    "placement.several_empty_fields": _t("it has several empty signature fields: {names}",
                                         "tài liệu có nhiều trường chữ ký trống: {names}"),
    "placement.where": _t(
        "say where the visible signature goes: a box X1,Y1,X2,Y2 on a page, an anchor text "
        "or a signature field ({found})",
        "hãy cho biết đặt chữ ký hiển thị ở đâu: một khung X1,Y1,X2,Y2 trên trang, một dòng "
        "chữ neo hoặc một trường chữ ký ({found})"),
    "placement.page": _t("page {page}", "trang {page}"),
    "placement.a_widget": _t("a widget", "một vùng hiển thị"),
    "placement.malformed_rect": _t("{where} has a malformed rectangle {value}",
                                   "{where} có hình chữ nhật sai định dạng {value}"),
    "placement.field_exists_signed": _t(
        "the document already has a signed signature field {field!r}; name a new field, or "
        "leave out the placement options to sign into an empty one",
        "tài liệu đã có trường chữ ký {field!r} đã được ký; hãy đặt tên trường mới, hoặc bỏ "
        "các tùy chọn vị trí để ký vào một trường còn trống"),
    "placement.field_exists_empty": _t(
        "the document already has an empty signature field {field!r}; name a new field, or "
        "leave out the placement options to sign into an empty one",
        "tài liệu đã có trường chữ ký trống {field!r}; hãy đặt tên trường mới, hoặc bỏ các "
        "tùy chọn vị trí để ký vào một trường còn trống"),
    # --- visible signatures: how they are drawn ---
    "appearance.unknown": _t("unknown appearance {name!r}; use one of {known}",
                             "không có kiểu hiển thị {name!r}; hãy dùng một trong: {known}"),
    "appearance.unknown_language": _t("unknown language {language!r}; use vi or en",
                                      "không có ngôn ngữ {language!r}; hãy dùng vi hoặc en"),
    "appearance.seal_size": _t("a seal of {size} mm? Give its real diameter, between 10 and "
                               "100 mm",
                               "con dấu {size} mm? Hãy cho đường kính thật, từ 10 đến 100 mm"),
    "appearance.font_sizes": _t(
        "font sizes must be positive, the smallest ({smallest}) at most the wanted ({wanted})",
        "cỡ chữ phải dương, cỡ nhỏ nhất ({smallest}) không lớn hơn cỡ mong muốn ({wanted})"),
    "appearance.text_colour": _t("a text colour is three numbers from 0 to 1 (R, G, B)",
                                 "màu chữ là ba số từ 0 đến 1 (R, G, B)"),
    "appearance.needs_signature_image": _t(
        "vn-personal needs the signature image (a transparent PNG)",
        "vn-personal cần ảnh chữ ký (ảnh PNG nền trong suốt)"),
    "appearance.needs_seal_image": _t("vn-seal needs the seal image (a transparent PNG)",
                                      "vn-seal cần ảnh con dấu (ảnh PNG nền trong suốt)"),
    "appearance.needs_reference": _t(
        "vn-attachment needs the number and code of the main document (reference), e.g. "
        "123/QĐ-UBND",
        "vn-attachment cần số và ký hiệu của văn bản chính (reference), ví dụ 123/QĐ-UBND"),
    "appearance.box_too_small": _t("a {size} pt box is too small to draw in",
                                   "khung {size} pt quá nhỏ để vẽ"),
    "appearance.no_room_for_image": _t(
        "the box has no room left for the signature image between the title and the name; "
        "make it taller",
        "khung không còn chỗ cho ảnh chữ ký giữa chức danh và họ tên; hãy làm khung cao hơn"),
    "appearance.seal_box": _t(
        "the seal at its real size ({mm} mm) needs a box of at least {need} pt; this one is "
        "{size} pt",
        "con dấu ở kích thước thật ({mm} mm) cần khung ít nhất {need} pt; khung này chỉ "
        "{size} pt"),
    "appearance.no_room_beside_seal": _t(
        "the box has no room beside the seal for the organisation and the signing time; make "
        "it wider",
        "khung không còn chỗ cạnh con dấu cho tên cơ quan và thời gian ký; hãy làm khung rộng "
        "hơn"),
    "appearance.image_missing": _t("the image {path} does not exist",
                                   "không có tệp ảnh {path}"),
    "appearance.image_not_png": _t(
        "the image {path} is a {format} file; Decree 30/2020 asks for a PNG with a transparent "
        "background",
        "ảnh {path} là tệp {format}; Nghị định 30/2020 yêu cầu ảnh PNG có nền trong suốt"),
    "appearance.not_an_image": _t("not an image", "không phải tệp ảnh"),
    "appearance.image_unreadable": _t("cannot read the image {path}: {why}",
                                      "không đọc được ảnh {path}: {why}"),
    "appearance.image_opaque": _t(
        "the image {path} has no transparent background; save it as a PNG with transparency "
        "(an opaque image would cover the text under it)",
        "ảnh {path} không có nền trong suốt; hãy lưu thành PNG có nền trong suốt (ảnh có nền "
        "sẽ che chữ bên dưới)"),
    "appearance.image_empty": _t("the image {path} is fully transparent: there is nothing "
                                 "to draw",
                                 "ảnh {path} trong suốt hoàn toàn: không có gì để vẽ"),
    "appearance.font_unreadable": _t("cannot read the font file {path}: {detail}",
                                     "không đọc được tệp phông chữ {path} (" + _DETAIL + ")"),
    "appearance.not_a_font": _t("{path} is not a usable TrueType/OpenType font ({detail})",
                                "{path} không phải phông chữ TrueType/OpenType dùng được ("
                                + _DETAIL + ")"),
    "appearance.font_no_cmap": _t("the font {path} has no Unicode character map",
                                  "phông chữ {path} không có bảng mã Unicode"),
    "appearance.font_no_glyph": _t(
        "the font {font} has no glyph for {characters}; name a font that covers Vietnamese "
        "(e.g. Liberation Serif, Times New Roman)",
        "phông chữ {font} không có ký tự {characters}; hãy chọn phông chữ có đủ tiếng Việt "
        "(ví dụ Liberation Serif, Times New Roman)"),
    "appearance.no_room": _t("there is no room for the text ({size} pt)",
                             "không còn chỗ cho phần chữ ({size} pt)"),
    "appearance.text_does_not_fit": _t(
        "the text {text!r} does not fit a {size} pt box even at {minimum} pt; make the "
        "signature box larger or the text shorter",
        "dòng chữ {text!r} không vừa khung {size} pt kể cả ở cỡ {minimum} pt; hãy làm khung "
        "chữ ký lớn hơn hoặc rút ngắn nội dung"),
    "appearance.word_too_wide": _t("a word of {text!r} is wider than {width} pt at {size} pt",
                                   "một từ trong {text!r} rộng hơn {width} pt ở cỡ {size} pt"),
    # --- profiles and the certificates they name ---
    "profile.file_not_found": _t("profile file not found", "không tìm thấy tệp hồ sơ"),
    "profile.unknown": _t("unknown profile {name!r}; available: {available}",
                          "không có hồ sơ {name!r}; các hồ sơ hiện có: {available}"),
    "profile.toml": _t("not valid TOML ({detail})", "không phải TOML hợp lệ (" + _DETAIL + ")"),
    "profile.sha256": _t("sha256 must be 64 hex digits",
                         "sha256 phải gồm 64 chữ số thập lục phân"),
    "profile.missing": _t("missing", "còn thiếu"),
    "profile.role": _t("must be 'root' or 'intermediate'",
                       "phải là 'root' (gốc) hoặc 'intermediate' (trung gian)"),
    "profile.key_usage": _t("must name key usages among {allowed}",
                            "phải nêu mục đích sử dụng khóa trong số: {allowed}"),
    "profile.time_zone": _t("{value!r} is not UTC or an offset like +07:00",
                            "{value!r} không phải UTC hay độ lệch múi giờ dạng +07:00"),
    "profile.must_be": _t("must be {what}", "phải là {what}", what=_kind_of_value),
    "profile.config_not_found": _t("config file not found", "không tìm thấy tệp cấu hình"),
    "profile.cannot_read": _t("cannot read: {detail}", "không đọc được tệp (" + _DETAIL + ")"),
    "profile.unknown_table": _t('unknown table; use [appearance] and [people."NAME"]',
                                'bảng không hợp lệ; hãy dùng [appearance] và [people."TÊN"]'),
    "profile.people_tables": _t("must be tables keyed by the signer's name",
                                "phải là các bảng theo tên người ký"),
    "profile.unknown_setting": _t("unknown setting; known: {known}",
                                  "thiết lập không hợp lệ; các thiết lập có: {known}"),
    "profile.choice": _t("{value!r} is not one of {allowed}",
                         "{value!r} không thuộc các giá trị: {allowed}"),
    "profile.listed_file_not_found": _t("file {path} not found", "không tìm thấy tệp {path}"),
    "profile.certificate_unreadable": _t("cannot read certificate file {path}: {detail}",
                                         "không đọc được tệp chứng thư số {path} ("
                                         + _DETAIL + ")"),
    "profile.not_certificate": _t("{path} is not a certificate file ({detail})",
                                  "{path} không phải tệp chứng thư số (" + _DETAIL + ")"),
    "profile.not_crl": _t("{path} is not a readable CRL ({detail})",
                          "{path} không phải danh sách thu hồi (CRL) đọc được ("
                          + _DETAIL + ")"),
    "profile.unpinned": _t(
        "{role} {path} (SHA-256 {fingerprint}) matches no pin of profile {profile!r}; refusing "
        "to trust it",
        "chứng thư {role} {path} (SHA-256 {fingerprint}) không khớp dấu vân tay nào của hồ sơ "
        "{profile!r}; không tin cậy chứng thư này",
        role=lambda r: {"root": "gốc", "intermediate": "trung gian"}.get(r, r)),
    # --- PKCS#12 files ---
    "pkcs12.unreadable": _t("Cannot read the PKCS#12 file {file}: {detail}.",
                            "Không đọc được tệp PKCS#12 {file} (" + _DETAIL + ")."),
    "pkcs12.wrong_password": _t(
        "Cannot open {file}: wrong password, or not a PKCS#12 file.",
        "Không mở được tệp {file}: sai mật khẩu, hoặc đó không phải tệp PKCS#12."),
    "pkcs12.no_key": _t("{file} holds no private key with its certificate.",
                        "Tệp {file} không chứa khóa bí mật kèm chứng thư số của nó."),
    "pkcs12.key_type": _t("{file}: only RSA and ECDSA keys are supported.",
                          "{file}: chỉ hỗ trợ khóa RSA và ECDSA."),
    "pkcs12.digest": _t("Digest {digest!r} is not supported; use sha256, sha384 or sha512.",
                        "Không hỗ trợ hàm băm {digest!r}; hãy dùng sha256, sha384 hoặc sha512."),
    # --- tokens, PINs and keys ---
    "pkcs11_module_not_found.named": _t("The PKCS#11 module {path} does not exist.",
                                        "Không có mô-đun PKCS#11 {path}."),
    "pkcs11_module_not_found.searched": _t(
        "No PKCS#11 module found. Tried: {tried}. Install your token's driver, or name its "
        "module.",
        "Không tìm thấy mô-đun PKCS#11 nào. Đã thử: {tried}. Hãy cài trình điều khiển của "
        "token, hoặc chỉ rõ mô-đun của nó."),
    "pkcs11_module_load.path": _t(
        "{path} is not a PKCS#11 module that can be loaded ({detail}).",
        "{path} không phải mô-đun PKCS#11 nạp được (" + _DETAIL + ")."),
    "token_not_found.label": _t(
        "No token labelled {label!r} in {module} (present: {present}).",
        "Không có token nhãn {label!r} trong {module} (đang có: {present})."),
    "token_not_found.none": _t(
        "No token is present for module {module}. Plug in the USB token and retry.",
        "Không có token nào cho mô-đun {module}. Hãy cắm token USB rồi thử lại."),
    "token_ambiguous.labels": _t(
        "Several tokens are present; choose one by its label: {candidates}",
        "Có nhiều token đang cắm; hãy chọn một token theo nhãn: {candidates}"),
    "token_removed.while": _t(
        "The token{where} was removed or stopped answering while {action} ({name}).",
        "Token{where} đã bị rút ra hoặc ngừng phản hồi khi {action} ({name}).",
        where=lambda w: w.replace(" on token ", " "), action=lambda a: _ACTIONS.get(a, a)),
    "token.failed": _t(
        "Token error{where} while {action}: {name}.",
        "Lỗi token{where} khi {action}: {name}.",
        where=lambda w: w.replace(" on token ", " "), action=lambda a: _ACTIONS.get(a, a)),
    "pin_locked.rv": _t(
        "The PIN{where} is locked; ask your CA to unblock it.",
        "Mã PIN{where} đã bị khóa; hãy đề nghị tổ chức cung cấp dịch vụ chứng thực mở khóa.",
        where=lambda w: w.replace(" on token ", " của token ")),
    "pin_locked.token": _t(
        "The PIN of token {token!r} is locked (too many wrong entries). Ask your certificate "
        "authority to unblock it; signkit will not try to log in.",
        "Mã PIN của token {token!r} đã bị khóa (nhập sai quá nhiều lần). Hãy đề nghị tổ chức "
        "cung cấp dịch vụ chứng thực mở khóa; signkit sẽ không thử đăng nhập."),
    "pin_final_try.token": _t(
        "Token {token!r} allows one more PIN attempt; a wrong PIN will lock it. Logging in "
        "needs an explicit confirmation.",
        "Token {token!r} chỉ còn MỘT lần nhập mã PIN; nhập sai sẽ khóa token. Cần xác nhận rõ "
        "ràng trước khi đăng nhập."),
    "pin_required.empty": _t("Token {token!r} needs a PIN, and the PIN given is empty.",
                             "Token {token!r} cần mã PIN, nhưng mã PIN được cho là rỗng."),
    "pin_required.none": _t("Token {token!r} needs a PIN and none was given.",
                            "Token {token!r} cần mã PIN nhưng chưa có mã PIN."),
    "pin_incorrect.token": _t(
        "Wrong PIN for token {token!r}. signkit does not retry; token state now: {state}.",
        "Sai mã PIN của token {token!r}. signkit không thử lại; trạng thái token hiện tại: "
        "{state}.", state=_state),
    "pin_incorrect.key": _t(
        "Wrong PIN for the key {key!r} (context login). signkit does not retry.",
        "Sai mã PIN của khóa {key!r} (đăng nhập theo ngữ cảnh). signkit không thử lại."),
    "key_not_found.label": _t(
        "No private key with label {label!r} on token {token!r}; the labels of its keys: "
        "{labels}.",
        "Token {token!r} không có khóa bí mật nhãn {label!r}; nhãn các khóa trên token: "
        "{labels}.", labels=lambda t: "không có" if t == "none" else t),
    "key_not_found.id": _t(
        "No private key with id {key_id} on token {token!r}; the labels of its keys: "
        "{labels}.",
        "Token {token!r} không có khóa bí mật mã số {key_id}; nhãn các khóa trên token: "
        "{labels}.", labels=lambda t: "không có" if t == "none" else t),
    "key_not_found.no_signing": _t(
        "Token {token!r} has no private key with a matching signing certificate.",
        "Token {token!r} không có khóa bí mật nào kèm chứng thư số dùng để ký."),
    "key_ambiguous.keys": _t(
        "Several signing keys are available; choose one by its label or id:\n  {candidates}",
        "Có nhiều khóa ký; hãy chọn một khóa theo nhãn hoặc mã số:\n  {candidates}"),
    "token.no_module_loaded": _t("No PKCS#11 module could be loaded from: {paths}",
                                 "Không nạp được mô-đun PKCS#11 nào từ: {paths}"),
    "mechanism_unsupported.malformed_ecdsa": _t(
        "The token returned a malformed ECDSA signature.",
        "Token trả về chữ ký ECDSA sai định dạng."),
    "mechanism_unsupported.no_ecdsa": _t("The token offers no ECDSA signing mechanism.",
                                         "Token không có cơ chế ký ECDSA."),
    "mechanism_unsupported.no_pss": _t(
        "The token offers no RSA-PSS mechanism for {digest}; sign with PKCS#1 v1.5 instead.",
        "Token không có cơ chế RSA-PSS cho {digest}; hãy ký bằng PKCS#1 v1.5."),
    "mechanism_unsupported.no_pkcs1": _t(
        "The token offers no RSA PKCS#1 v1.5 signing mechanism.",
        "Token không có cơ chế ký RSA PKCS#1 v1.5."),
    "certificate_unusable.key_type": _t(
        "Unsupported public key type {kind}; signkit signs with RSA or ECDSA keys.",
        "Không hỗ trợ loại khóa công khai {kind}; signkit ký bằng khóa RSA hoặc ECDSA."),
    "certificate_unusable.expired": _t(
        "The certificate of {name!r} expired on {date}; a signature made with it would not "
        "be valid.",
        "Chứng thư số của {name!r} đã hết hạn ngày {date}; chữ ký tạo bằng nó sẽ không hợp lệ."),
    "certificate_unusable.not_yet": _t(
        "The certificate of {name!r} is not valid before {date}.",
        "Chứng thư số của {name!r} chưa có hiệu lực trước ngày {date}."),
    "certificate_unusable.usage": _t(
        "The certificate of {name!r} does not allow document signing (key usage has neither "
        "digitalSignature nor nonRepudiation).",
        "Chứng thư số của {name!r} không cho phép ký tài liệu (mục đích sử dụng khóa không có "
        "digitalSignature hay nonRepudiation)."),
    # --- remote signing services (CSC, VNPT SmartCA) ---
    "remote_service.no_answer": _t(
        "the {service_name} service at {url} did not answer {call} within {seconds} s",
        "dịch vụ {service_name} tại {url} không trả lời {call} trong {seconds} giây"),
    "remote_service.unreachable": _t(
        "cannot reach the {service_name} service at {url}: {detail}",
        "không kết nối được dịch vụ {service_name} tại {url} (" + _DETAIL + ")"),
    "remote_service.not_json": _t(
        "the {service_name} service answered {url} with HTTP {status} and something that is "
        "not a JSON object; it is not working properly",
        "dịch vụ {service_name} trả lời {url} bằng HTTP {status} kèm nội dung không phải đối "
        "tượng JSON; dịch vụ đang hoạt động không đúng"),
    "remote_service.digest": _t("digest {digest!r} is not supported; use sha256, sha384 or "
                                "sha512",
                                "không hỗ trợ hàm băm {digest!r}; hãy dùng sha256, sha384 hoặc "
                                "sha512"),
    "remote_service.count_mismatch": _t(
        "the {service_name} service returned {got} signature entries for {documents} "
        "documents; not trusting any of them",
        "dịch vụ {service_name} trả về {got} chữ ký cho {documents} tài liệu; không tin cậy "
        "chữ ký nào"),
    "remote_service.no_signatures": _t(
        "the {service_name} service returned no signature for any of the {documents} "
        "document(s); it is not working properly",
        "dịch vụ {service_name} không trả về chữ ký nào cho {documents} tài liệu; dịch vụ "
        "đang hoạt động không đúng"),
    "remote_service.wrong_key": _t(
        "none of the {documents} signatures the {service_name} service returned verifies with "
        "the credential's certificate; the service is not signing with this credential's key",
        "không chữ ký nào trong {documents} chữ ký dịch vụ {service_name} trả về khớp với "
        "chứng thư số; dịch vụ không ký bằng khóa của chứng thư số này"),
    "remote_service.answer_without": _t(
        "the {service_name} service at {url} answered {call} without {what}",
        "dịch vụ {service_name} tại {url} trả lời {call} mà thiếu {what}"),
    "remote_service.credential_without": _t(
        "the CSC service at {url} described credential {credential!r} without {what}",
        "dịch vụ CSC tại {url} mô tả chứng thư số {credential!r} mà thiếu {what}"),
    "remote_service.unreadable_certificate": _t(
        "the SmartCA service at {url} listed a certificate that cannot be read",
        "dịch vụ SmartCA tại {url} liệt kê một chứng thư số không đọc được"),
    "remote_service.hash_count_mismatch": _t(
        "the CSC service at {url} returned {got} signatures for {hashes} hashes; not trusting "
        "any of them",
        "dịch vụ CSC tại {url} trả về {got} chữ ký cho {hashes} giá trị băm; không tin cậy "
        "chữ ký nào"),
    "remote_auth.oauth_client": _t(
        "the CSC service at {url} refused the OAuth2 client {client!r}: {why}",
        "dịch vụ CSC tại {url} từ chối ứng dụng OAuth2 {client!r}: {why}"),
    "remote_auth.not_authorised": _t("the CSC service at {url} did not authorise signkit: {why}",
                                     "dịch vụ CSC tại {url} không cấp quyền cho signkit: {why}"),
    "remote_auth.state": _t(
        "the OAuth2 redirect does not carry the state signkit sent; start the login again",
        "địa chỉ chuyển hướng OAuth2 không mang giá trị state signkit đã gửi; hãy đăng nhập "
        "lại"),
    "remote_auth.no_code": _t("no authorization code was given", "chưa có mã cấp quyền"),
    "remote_auth.refused": _t(
        "the CSC service at {url} refused signkit's authorisation for {call}: {why}",
        "dịch vụ CSC tại {url} từ chối quyền của signkit khi gọi {call}: {why}"),
    "remote_auth.smartca": _t(
        "the SmartCA service at {url} refused the service id {sp_id!r} and its password ({why})",
        "dịch vụ SmartCA tại {url} từ chối mã dịch vụ {sp_id!r} và mật khẩu của nó ({why})"),
    "pin_required.credential": _t("the credential {credential!r} asks for a PIN and none was "
                                  "given",
                                  "chứng thư số {credential!r} cần mã PIN nhưng chưa có mã PIN"),
    "remote_credential.no_otp": _t(
        "the credential {credential!r} asks for a one-time password (OTP) and none was given",
        "chứng thư số {credential!r} cần mật khẩu dùng một lần (OTP) nhưng chưa có"),
    "remote_credential.no_pss": _t(
        "the credential {label!r} does not offer RSASSA-PSS; sign with PKCS#1 v1.5 padding",
        "chứng thư số {label!r} không hỗ trợ RSASSA-PSS; hãy ký với đệm PKCS#1 v1.5"),
    "remote_credential.no_algorithm": _t(
        "the credential {label!r} offers none of the signature algorithms signkit needs for "
        "{digest} ({offered})",
        "chứng thư số {label!r} không có thuật toán ký nào signkit cần cho {digest} ({offered})",
        offered=lambda o: "không có" if o == "none" else o),
    "remote_credential.smartca_only_sha256": _t(
        "VNPT SmartCA signs SHA-256 hashes with RSA PKCS#1 v1.5 padding only; sign with that "
        "digest and padding",
        "VNPT SmartCA chỉ ký giá trị băm SHA-256 với đệm RSA PKCS#1 v1.5; hãy ký với hàm băm và "
        "đệm đó"),
    "remote_service.failed_on": _t(
        "the {service_name} service at {url} failed on {call} (HTTP {status}: {why})",
        "dịch vụ {service_name} tại {url} gặp lỗi khi gọi {call} (HTTP {status}: {why})"),
    "approval_timeout.no_answer": _t(
        "no answer from the {service_name} service within {seconds} s (the approval of "
        "{documents} document(s) was not confirmed in time); nothing was signed",
        "dịch vụ {service_name} không trả lời trong {seconds} giây (yêu cầu duyệt ký "
        "{documents} tài liệu không được xác nhận kịp thời); chưa ký tài liệu nào"),
    "approval_timeout.csc_expired": _t(
        "the CSC authorisation expired before the documents were signed ({why}); nothing was "
        "signed",
        "phiên ủy quyền CSC đã hết hạn trước khi ký xong ({why}); chưa ký tài liệu nào"),
    "approval_timeout.smartca_expired": _t(
        "the SmartCA transaction expired before it was confirmed ({why}); nothing was signed",
        "giao dịch SmartCA đã hết hạn trước khi được xác nhận ({why}); chưa ký tài liệu nào"),
    "approval_rejected.csc": _t(
        "the signer refused the signing request ({why}); nothing was signed",
        "người ký đã từ chối yêu cầu ký ({why}); chưa ký tài liệu nào"),
    "approval_rejected.smartca": _t(
        "the signer refused the signing request in the SmartCA app ({why}); nothing was "
        "signed",
        "người ký đã từ chối yêu cầu ký trong ứng dụng SmartCA ({why}); chưa ký tài liệu nào"),
    "remote_credential.refused_secret": _t(
        "the CSC service refused the credential's {secret}: {why}",
        "dịch vụ CSC từ chối mã {secret} của chứng thư số: {why}"),
    "remote_credential.refused_call": _t(
        "the {service_name} service at {url} refused {call} (HTTP {status}: {why})",
        "dịch vụ {service_name} tại {url} từ chối {call} (HTTP {status}: {why})"),
    "remote_credential.certificate_status": _t(
        "the credential {credential!r}'s certificate is {status} according to the service; it "
        "cannot make a valid signature",
        "theo dịch vụ, chứng thư số của {credential!r} đang ở trạng thái {status}; không thể "
        "tạo chữ ký hợp lệ"),
    "remote_credential.key_status": _t(
        "the credential {credential!r}'s key is {status}",
        "khóa của chứng thư số {credential!r} đang ở trạng thái {status}"),
    "remote_credential.auth_mode": _t(
        "the credential {credential!r} is authorised by {mode!r}, which signkit does not "
        "support yet (implicit and explicit PIN/OTP are)",
        "chứng thư số {credential!r} dùng cách xác thực {mode!r}, signkit chưa hỗ trợ (chỉ hỗ "
        "trợ implicit và explicit PIN/OTP)"),
    "remote_credential.no_certificate": _t(
        "the SmartCA account {user!r} has no certificate",
        "tài khoản SmartCA {user!r} không có chứng thư số nào"),
    "remote_credential.no_certificate_serial": _t(
        "the SmartCA account {user!r} has no certificate with serial number {serial}",
        "tài khoản SmartCA {user!r} không có chứng thư số số hiệu {serial}"),
    "remote_credential.not_active": _t(
        "the SmartCA certificate of {user!r} is not active according to the service "
        "({states}); it cannot make a valid signature",
        "theo dịch vụ, chứng thư số SmartCA của {user!r} không ở trạng thái hoạt động "
        "({states}); không thể tạo chữ ký hợp lệ"),
    "remote_signature.missing": _t(
        "the {service_name} service returned no signature for this document; nothing was "
        "written",
        "dịch vụ {service_name} không trả về chữ ký cho tài liệu này; không ghi gì cả"),
    "remote_signature.wrong": _t(
        "the signature the {service_name} service returned for this document does not verify "
        "with the credential's certificate; nothing was written",
        "chữ ký dịch vụ {service_name} trả về cho tài liệu này không khớp với chứng thư số; "
        "không ghi gì cả"),
    # --- network services (TSA, OCSP, CRL) ---
    "net.timeout": _t("no answer within {seconds} s", "không có phản hồi trong {seconds} giây"),
    "net.refused": _t("connection refused", "bị từ chối kết nối"),
    "net.http": _t("HTTP {status}", "lỗi HTTP {status}"),
    "net.invalid_answer": _t("the answer is not a valid {answer}",
                             "câu trả lời không phải {answer} hợp lệ", answer=_answer),
    "net.cannot_connect": _t("cannot connect ({detail})",
                             "không kết nối được (" + _DETAIL + ")"),
    "net.service_failed": _t("{service} {url}: {reason}", "{service} {url}: {reason}",
                             service=_service),
    "net.after_attempts": _t("{reason} after {attempts} attempts",
                             "{reason} sau {attempts} lần thử"),
    # --- the time-stamping service ---
    "timestamp.failed": _t("time-stamping service {url} failed: {why}",
                           f"{_TSA} {{url}} gặp lỗi: {{why}}"),
    "timestamp.credentials": _t("HTTP {status} (check the TSA credentials)",
                                "lỗi HTTP {status} (hãy kiểm tra thông tin đăng nhập TSA)"),
    "timestamp.unexpected_http": _t("unexpected HTTP {status}", "mã HTTP bất thường {status}"),
    "timestamp.not_reply": _t(
        "the answer is not a timestamp reply (Content-Type {content_type!r})",
        "câu trả lời không phải phản hồi cấp dấu thời gian (Content-Type {content_type!r})"),
    "timestamp.invalid": _t("the answer is not a valid timestamp response ({detail})",
                            "câu trả lời không phải phản hồi cấp dấu thời gian hợp lệ ("
                            + _DETAIL + ")"),
    "timestamp.refused": _t("the request was refused (status {status}{details})",
                            "yêu cầu bị từ chối (trạng thái {status}{details})"),
    "timestamp.nonce": _t("wrong nonce in the answer (sent {sent}, got {got})",
                          "số nonce trong câu trả lời không khớp (đã gửi {sent}, nhận {got})"),
    "timestamp.malformed": _t("malformed timestamp token ({detail})",
                              "dấu thời gian sai định dạng (" + _DETAIL + ")"),
    "timestamp.imprint": _t("the token's message imprint is not the digest that was sent",
                            "giá trị băm trong dấu thời gian không khớp giá trị đã gửi"),
    "timestamp.no_certificate": _t(
        "the token carries no TSA certificate although one was requested",
        "dấu thời gian không kèm chứng thư số của TSA dù đã yêu cầu"),
    "timestamp.not_validated": _t("the timestamp token does not validate ({detail})",
                                  "dấu thời gian không hợp lệ (" + _DETAIL + ")"),
    "timestamp.bad_signature": _t("the timestamp token's signature is not valid",
                                  "chữ ký trên dấu thời gian không hợp lệ"),
    "timestamp.untrusted": _t("the TSA certificate is not trusted ({problem})",
                              "chứng thư số của TSA không được tin cậy ({problem})"),
    "timestamp.chain": _t("its certificate could not be validated ({detail})",
                          "không kiểm tra được chứng thư số của nó (" + _DETAIL + ")"),
    "no_tsa.needed": _t("a document timestamp is needed but no time-stamping service was given",
                        f"cần dấu thời gian tài liệu nhưng chưa chỉ định {_TSA}"),
    # --- revocation data (B-LT and above) ---
    "revocation_fetch.failures": _t(
        "revocation data for {level} could not be obtained: {failures}",
        "không lấy được thông tin thu hồi cho mức {level}: {failures}"),
    "revocation_fetch.for": _t("revocation data for {what} could not be obtained: {failures}",
                               "không lấy được thông tin thu hồi cho {what}: {failures}"),
    "revocation_fetch.insufficient": _t(
        "revocation data for {what} could not be obtained{services}: {detail}",
        "không lấy được thông tin thu hồi cho {what}{services} (" + _DETAIL + ")",
        services=lambda s: s.replace(" (services: ", " (dịch vụ: ")),
    "revocation_fetch.tsa": _t(
        "revocation data for the TSA {url} could not be obtained: {failures}",
        "không lấy được thông tin thu hồi cho TSA {url}: {failures}"),
    # --- what a message is about (ltv add, ltv refresh) ---
    "what.signature": _t("signature {field!r}", "chữ ký {field!r}"),
    "what.document_timestamp": _t("document timestamp {field!r}",
                                  "dấu thời gian tài liệu {field!r}"),
    "what.signature_timestamp": _t("signature timestamp of {field!r}",
                                   "dấu thời gian của chữ ký {field!r}"),
    "what.timestamp_of": _t("the timestamp of {what}", "dấu thời gian của {what}"),
    "what.newest_timestamp": _t("the newest timestamp ({kind})",
                                "dấu thời gian mới nhất ({kind})"),
    "revocation_fetch.chain": _t(
        "the signer's certificate chain or its revocation data could not be obtained for "
        "{level}{services}: {detail}",
        "không lấy được chuỗi chứng thư số của người ký hoặc thông tin thu hồi cho mức "
        "{level}{services} (" + _DETAIL + ")",
        services=lambda s: s.replace(" (services: ", " (dịch vụ: ")),
}

ERROR_CATALOG: dict[str, Template] = {
    **{f"error.{code}": template for code, template in _KINDS.items()},
    **{f"error.{code}": template for code, template in _MESSAGES.items()},
}
