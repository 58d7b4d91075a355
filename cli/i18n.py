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


def say(key: str, **values: object) -> str:
    english, vietnamese = _TEXT[key]
    return (vietnamese if current_lang() == "vi" else english).format(**values)
