"""The few sentences the CLI itself says, in English and Vietnamese (``--lang vi``)."""

from __future__ import annotations

import click

_TEXT = {
    "signed": ("signed", "đã ký"),
    "sealed": ("sealed", "đã đóng dấu"),
    "failed": ("FAILED", "LỖI"),
    "skipped": ("skipped", "bỏ qua"),
    "summary": (
        "{signed} signed, {failed} failed, {skipped} skipped",
        "{signed} đã ký, {failed} lỗi, {skipped} bỏ qua",
    ),
    "stopped": ("Batch stopped: {reason}", "Dừng ký hàng loạt: {reason}"),
    "pin_prompt": ("PIN for token {label}", "Mã PIN của token {label}"),
    "p12_prompt": ("Password for {file}", "Mật khẩu của tệp {file}"),
    "seal_pin_prompt": ("PIN for the seal token {label}", "Mã PIN của token con dấu {label}"),
    "seal_p12_prompt": ("Password for the seal key {file}",
                        "Mật khẩu của tệp khóa con dấu {file}"),
    "final_try": (
        "Token {label} allows ONE more PIN attempt; a wrong PIN locks it. Continue?",
        "Token {label} chỉ còn MỘT lần nhập PIN; nhập sai sẽ khóa token. Tiếp tục?",
    ),
    "no_pin": (
        "No PIN given: set SIGNKIT_PIN, use --pin-file FILE, or run in a terminal to be asked.",
        "Chưa có mã PIN: đặt SIGNKIT_PIN, dùng --pin-file TỆP, hoặc chạy trong terminal để nhập.",
    ),
    "no_seal_pin": (
        "No PIN for the seal key: set SIGNKIT_SEAL_PIN, use --seal-pin-file FILE, or run in a "
        "terminal to be asked.",
        "Chưa có mã PIN của khóa con dấu: đặt SIGNKIT_SEAL_PIN, dùng --seal-pin-file TỆP, hoặc "
        "chạy trong terminal để nhập.",
    ),
    "interrupted": (
        "Interrupted; files already signed are complete, no partial file was left.",
        "Đã dừng; các tệp đã ký đều hoàn chỉnh, không để lại tệp dở dang.",
    ),
    "no_tokens": ("No token found in {module}.", "Không tìm thấy token trong {module}."),
    "what_pin": ("the PIN", "mã PIN"),
    "what_password": ("the password", "mật khẩu"),
    "what_token": ("the bearer token", "mã truy cập (bearer token)"),
    "empty_secret_file": ("{file} is empty: write {what} on its first line.",
                          "Tệp {file} trống: hãy ghi {what} ở dòng đầu tiên."),
    "no_p12_password": (
        "No password given for {file}: set SIGNKIT_PIN, use --pin-file FILE, or run in a "
        "terminal to be asked.",
        "Chưa có mật khẩu của tệp {file}: đặt SIGNKIT_PIN, dùng --pin-file TỆP, hoặc chạy "
        "trong terminal để nhập.",
    ),
    "no_seal_p12_password": (
        "No password given for the seal key {file}: set SIGNKIT_SEAL_PIN, use --seal-pin-file "
        "FILE, or run in a terminal to be asked.",
        "Chưa có mật khẩu của tệp khóa con dấu {file}: đặt SIGNKIT_SEAL_PIN, dùng "
        "--seal-pin-file TỆP, hoặc chạy trong terminal để nhập.",
    ),
    "module_missing": (
        "The PKCS#11 module {path} does not exist: check the path given with --module (or "
        "$SIGNKIT_PKCS11_MODULE).",
        "Không có mô-đun PKCS#11 {path}: hãy kiểm tra đường dẫn trong --module (hoặc "
        "$SIGNKIT_PKCS11_MODULE).",
    ),
    "no_module": (
        "No PKCS#11 module found. Tried: {tried}. Install your token's driver, or give "
        "--module PATH (or set SIGNKIT_PKCS11_MODULE).",
        "Không tìm thấy mô-đun PKCS#11 nào. Đã thử: {tried}. Hãy cài trình điều khiển của "
        "token, hoặc dùng --module ĐƯỜNG_DẪN (hoặc đặt SIGNKIT_PKCS11_MODULE).",
    ),
    "module_unloadable": (
        "{path} is not a PKCS#11 module ({detail}): --module wants the library of the token's "
        "driver, e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so.",
        "{path} không phải mô-đun PKCS#11 ({detail}): --module cần thư viện trình điều khiển "
        "của token, ví dụ /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so.",
    ),
    "not a shared library": ("not a shared library", "không phải thư viện dùng chung"),
    "it is a folder": ("it is a folder", "đó là một thư mục"),
    "built for another architecture": ("built for another architecture",
                                       "được biên dịch cho kiến trúc máy khác"),
    "a shared library without the PKCS#11 entry point C_GetFunctionList": (
        "a shared library without the PKCS#11 entry point C_GetFunctionList",
        "thư viện không có hàm C_GetFunctionList của PKCS#11"),
    "key_label_not_found": (
        "No key labelled {label!r} on token {token!r}. The labels of its keys: {labels}; "
        "choose one with --key-label.",
        "Token {token!r} không có khóa nhãn {label!r}. Nhãn các khóa trên token: {labels}; "
        "hãy chọn một nhãn bằng --key-label.",
    ),
    "key_id_not_found": (
        "No key with id {key_id} on token {token!r}. Its keys: {labels}; choose one with "
        "--key-label or --key-id.",
        "Token {token!r} không có khóa mã số {key_id}. Các khóa trên token: {labels}; hãy "
        "chọn bằng --key-label hoặc --key-id.",
    ),
    "none": ("none", "không có"),
    "choose_key": ("choose one with --key-label or --key-id",
                   "hãy chọn một khóa bằng --key-label hoặc --key-id"),
    "choose_token": ("choose one with --token LABEL", "hãy chọn một token bằng --token NHÃN"),
    "no_token_anywhere": (
        "No token found. Modules searched: {modules}. Plug in the token (and install its "
        "driver), or name its module with --module.",
        "Không tìm thấy token nào. Đã tìm trong các mô-đun: {modules}. Hãy cắm token (và cài "
        "trình điều khiển), hoặc chỉ rõ mô-đun bằng --module.",
    ),
    "module_unusable": ("{path}: cannot be loaded ({detail})",
                        "{path}: không nạp được ({detail})"),
    "anchors_none": (
        "none installed in {folder}: install them with `signkit profile install-anchors "
        "{name} --from FILE_OR_FOLDER` (PEM, DER or .p7b)",
        "chưa cài chứng thư gốc nào trong {folder}: hãy cài bằng `signkit profile "
        "install-anchors {name} --from TỆP_HOẶC_THƯ_MỤC` (PEM, DER hoặc .p7b)",
    ),
    "anchors_some": ("{n} installed in {folder}", "đã cài {n} chứng thư trong {folder}"),
    "hint_overwrite": ("use --overwrite to replace it", "dùng --overwrite để ghi đè"),
    "hint_yes": ("--yes accepts it", "dùng --yes để đồng ý"),
    "hint_trust_tsa": ("add its root with --trust", "thêm chứng thư gốc của nó bằng --trust"),
    "hint_trust": ("add the root with --trust", "thêm chứng thư gốc bằng --trust"),
    "hint_pdf_password": ("give it with --pdf-password-file FILE",
                          "hãy cho mật khẩu bằng --pdf-password-file TỆP"),
    "hint_tsa": ("give --tsa URL or set signing.tsa in the profile",
                 "hãy dùng --tsa URL hoặc đặt signing.tsa trong hồ sơ"),
    "interrupted_short": ("interrupted", "đã dừng theo yêu cầu"),
    "cannot_write_output": ("cannot write the output: {reason}",
                            "không ghi được kết quả: {reason}"),
    "internal_error": ("internal error: {detail} (run with -v for details)",
                       "lỗi nội bộ: {detail} (chạy với -v để xem chi tiết)"),
    "the disk is full": ("the disk is full", "ổ đĩa đã đầy"),
    "the disk quota is used up": ("the disk quota is used up", "đã dùng hết hạn mức ổ đĩa"),
    "the file would be too large": ("the file would be too large", "tệp sẽ quá lớn"),
    "the file system is read-only": ("the file system is read-only",
                                     "hệ thống tệp chỉ cho phép đọc"),
    "permission denied": ("permission denied", "không có quyền truy cập"),
    "the folder does not exist": ("the folder does not exist", "thư mục không tồn tại"),
    "bad_tsa_url": (
        "{url!r} is not the address of a time-stamping service: give an http:// or https:// "
        "URL, e.g. http://tsa.example.vn/tsa",
        "{url!r} không phải địa chỉ của dịch vụ cấp dấu thời gian: hãy cho một URL http:// "
        "hoặc https://, ví dụ http://tsa.example.vn/tsa",
    ),
}


def current_lang() -> str:
    """The language of `--lang`, for the running command ("en" outside one)."""
    ctx = click.get_current_context(silent=True)
    return (ctx.find_root().obj or {}).get("lang", "en") if ctx else "en"


def has_text(key: str) -> bool:
    return key in _TEXT


class Said(str):
    """Text the command line already wrote in the reader's language (an error it raises
    with it is shown as it is, not framed as English detail)."""


def say(key: str, **values: object) -> Said:
    english, vietnamese = _TEXT[key]
    return Said((vietnamese if current_lang() == "vi" else english).format(**values))
