"""Errors in the clerk's language: every error class and every message code has English and
Vietnamese words with the same facts (``signkit.error_messages``), and the command line
prints them in Vietnamese under ``--lang vi`` or a Vietnamese locale (``LANG=vi_VN.UTF-8``),
without the English sentence."""

from __future__ import annotations

import ast
import inspect
import string
from collections.abc import Callable
from pathlib import Path

import pytest
import signkit.cli.pins
from click.testing import CliRunner, Result
from conftest import CKF_USER_PIN_LOCKED, SAMPLE, USER_PIN
from faultserver import closed_port_url
from signkit.cli.common_options import lang_from_environment
from signkit.cli.main import cli

import signkit
import signkit.errors
from signkit.error_messages import ERROR_CATALOG, said
from signkit.errors import (
    InputError,
    OutputExistsError,
    Pkcs12Error,
    SignkitError,
    TimestampError,
)
from signkit.report.messages import Message

P12_PASSWORD = "p12-secret"
WRONG_PIN = "97531864"

ERROR_CLASSES = sorted(
    (cls for _, cls in inspect.getmembers(signkit.errors, inspect.isclass)
     if issubclass(cls, SignkitError)), key=lambda cls: cls.__name__)
# message codes that belong to no class: frames, lists, network reasons, what and where a
# message is about, result codes
OTHER_PREFIXES = {"at_path", "joined", "joined_comma", "detail", "kind_with_detail", "net",
                  "what", "where", "stopped", "internal", "worker_died", "output_unwritable"}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --- the catalog -------------------------------------------------------------------------------

def test_the_error_tree_is_what_the_catalog_is_checked_against():
    assert len(ERROR_CLASSES) >= 35  # the probe found the whole tree
    assert {cls.code for cls in ERROR_CLASSES} >= {"pin_incorrect", "input", "output_exists"}


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_says_its_kind_in_english_and_vietnamese(cls):
    template = ERROR_CATALOG.get(f"error.{cls.code}")
    assert template is not None, f"{cls.__name__} ({cls.code}) has no entry in ERROR_CATALOG"
    assert template.english.strip() and template.vietnamese.strip()
    assert template.vietnamese != template.english, f"{cls.code}: not translated"


@pytest.mark.parametrize("code", sorted(ERROR_CATALOG))
def test_every_message_code_keeps_its_parameters_in_vietnamese(code):
    template = ERROR_CATALOG[code]
    dropped = fields(template.english) - fields(template.vietnamese)
    assert not dropped, f"{code}: the Vietnamese drops {sorted(dropped)}"
    names = fields(template.english) | fields(template.vietnamese)
    english = said(code.removeprefix("error."), **{name: f"<{name}>" for name in names})
    vietnamese = english.text("vi")
    for value in (f"<{name}>" for name in fields(template.english)):  # every fact, twice
        assert value in english and value in vietnamese, (code, english, vietnamese)


@pytest.mark.parametrize("code", sorted(ERROR_CATALOG))
def test_every_message_code_belongs_to_an_error_class_or_a_known_frame(code):
    prefix = code.removeprefix("error.").split(".")[0]
    assert prefix in {cls.code for cls in ERROR_CLASSES} | OTHER_PREFIXES, code


PACKAGE = Path(signkit.__file__).parent
ERROR_NAMES = {cls.__name__ for cls in ERROR_CLASSES}


def _calls(name_of: Callable[[ast.Call], str | None]) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and name_of(node):
                found.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node))
    return found


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else None


def test_no_library_error_is_raised_with_an_english_sentence_instead_of_a_code():
    """A clerk-facing message written as an English string literal has no Vietnamese: every
    error of signkit.errors gets its message from ``said(code, ...)``."""
    def english(node: ast.Call) -> str | None:
        if _called(node) not in ERROR_NAMES or not node.args:
            return None
        first = node.args[0]
        plain = isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp) or (
            isinstance(first, ast.Call) and _called(first) == "str")
        return "english" if plain else None

    offenders = [f"{where}: {ast.unparse(node)[:100]}" for where, node in _calls(english)]
    assert not offenders, "errors raised with English text:\n" + "\n".join(offenders)


def test_every_code_the_library_says_is_in_the_catalog():
    def coded(node: ast.Call) -> str | None:
        return "said" if _called(node) == "said" and node.args \
            and isinstance(node.args[0], ast.Constant) else None

    used = _calls(coded)
    assert len(used) > 150  # the probe found the raise sites
    missing = [f"{where}: {node.args[0].value}" for where, node in used  # type: ignore[attr-defined]
               if f"error.{node.args[0].value}" not in ERROR_CATALOG]  # type: ignore[attr-defined]
    assert not missing, missing


def test_english_text_of_coded_errors_is_unchanged_and_the_facts_are_attributes():
    error = OutputExistsError(said("output_exists.named", output="/tmp/x.pdf"),
                              path="scan.pdf", output="/tmp/x.pdf")
    assert str(error) == "scan.pdf: output /tmp/x.pdf already exists"
    assert error.text("vi") == "scan.pdf: tệp kết quả /tmp/x.pdf đã tồn tại"
    assert (error.path, error.output, error.params) == ("scan.pdf", "/tmp/x.pdf",
                                                        {"output": "/tmp/x.pdf"})
    assert str(InputError(said("input.not_pdf"), path="a.pdf")) \
        == "a.pdf: not a PDF file (no %PDF- header)"
    p12 = Pkcs12Error(said("pkcs12.wrong_password", file="k.p12"), file="k.p12")
    assert str(p12) == "Cannot open k.p12: wrong password, or not a PKCS#12 file."
    assert p12.file == "k.p12"


def test_nested_reasons_are_translated_with_their_frame():
    error = TimestampError(
        said("timestamp.failed", url="http://tsa/", why=said("net.after_attempts",
                                                             reason=said("net.refused"),
                                                             attempts=2)),
        url="http://tsa/", path="a.pdf")
    assert str(error) == ("a.pdf: time-stamping service http://tsa/ failed: connection "
                          "refused after 2 attempts")
    assert error.text("vi") == ("a.pdf: dịch vụ cấp dấu thời gian http://tsa/ gặp lỗi: bị từ "
                                "chối kết nối sau 2 lần thử")


def test_a_message_that_came_as_plain_english_is_framed_by_its_kind_in_vietnamese():
    error = InputError("some words of pyHanko", path="a.pdf")
    assert error.text("en") == "a.pdf: some words of pyHanko"
    assert error.text("vi") == ("a.pdf: tệp đầu vào không dùng được (chi tiết kỹ thuật: some "
                                "words of pyHanko)")


def test_coded_messages_survive_pickling_as_worker_processes_send_them():
    import pickle

    message = said("output_exists.named", output="/tmp/x.pdf")
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Message) and again.text("vi") == message.text("vi")


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "vi_VN.UTF-8"}, "vi"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "vi_VN"}, "vi"),
    ({"LANG": "vi_VN.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL decides first
    ({"LC_ALL": "vi"}, "vi"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_default_language_follows_the_locale(environ, lang):
    assert lang_from_environment(environ) == lang


# --- the command line --------------------------------------------------------------------------

# the two ways a clerk gets Vietnamese: the option, or the locale
VI_BY_OPTION = (["--lang", "vi"], {"LANG": "C.UTF-8"})
VI_BY_LOCALE = ([], {"LANG": "vi_VN.UTF-8"})
WAYS = pytest.mark.parametrize("way", [VI_BY_OPTION, VI_BY_LOCALE], ids=["option", "locale"])


class _Prompter:
    def __init__(self, answer: str):
        self.answer, self.secrets = answer, []

    def interactive(self) -> bool:
        return True

    def secret(self, text: str) -> str:
        self.secrets.append(text)
        return self.answer

    def confirm(self, text: str) -> bool:
        return False


def run_vi(way, *args: str, pin: str | None) -> Result:
    options, locale = way
    env = {"SIGNKIT_PIN": pin, "LC_ALL": None, "LC_MESSAGES": None, **locale}
    result = CliRunner().invoke(cli, [*options, *args], env=env)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def assert_vietnamese(result: Result, vietnamese: str, *english: str) -> None:
    assert vietnamese in result.output, result.output
    for sentence in english:
        assert sentence not in result.output, result.output


@WAYS
def test_not_a_pdf_is_said_in_vietnamese(way, pki, tmp_path):
    bad = tmp_path / "notpdf.pdf"
    bad.write_text("hello, not a PDF\n")
    result = run_vi(way, "sign", "--no-progress", str(bad), "-o", str(tmp_path / "x.pdf"),
                    "--pkcs12", str(pki.p12("signer-rsa2048")), pin=P12_PASSWORD)
    assert result.exit_code == 1, result.output
    assert_vietnamese(result, "LỖI: ", "FAILED")
    assert_vietnamese(result, "không phải tệp PDF (thiếu phần đầu %PDF-)",
                      "not a PDF file", "no %PDF- header")
    assert "0 đã ký, 1 lỗi, 0 bỏ qua" in result.output


@WAYS
def test_existing_output_is_said_in_vietnamese_with_the_option_that_replaces_it(
        way, pki, tmp_path):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"earlier output")
    result = run_vi(way, "sign", "--no-progress", str(SAMPLE), "-o", str(out),
                    "--pkcs12", str(pki.p12("signer-rsa2048")), pin=P12_PASSWORD)
    assert result.exit_code == 1, result.output
    assert_vietnamese(result, f"tệp kết quả {out} đã tồn tại (dùng --overwrite để ghi đè)",
                      "already exists", "use --overwrite")
    assert out.read_bytes() == b"earlier output"


@WAYS
def test_wrong_pkcs12_password_is_said_in_vietnamese(way, pki, tmp_path):
    p12 = pki.p12("signer-rsa2048")
    result = run_vi(way, "sign", "--no-progress", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                    "--pkcs12", str(p12), pin="not-the-password")
    assert result.exit_code == 4, result.output
    assert_vietnamese(result, f"Không mở được tệp {p12}: sai mật khẩu, hoặc đó không phải "
                      "tệp PKCS#12.", "Cannot open", "wrong password")
    assert not (tmp_path / "x.pdf").exists()


@pytest.fixture(scope="module")
def vi_tokens(softhsm) -> dict[str, str]:
    return {
        "wrong": softhsm.make_token("vi-wrong-pin", {"an": "signer-rsa2048"}),
        "locked": softhsm.make_token("vi-locked", {"an": "signer-rsa2048"},
                                     add_flags=CKF_USER_PIN_LOCKED),
    }


@WAYS
def test_wrong_token_pin_is_said_in_vietnamese(way, module_env, vi_tokens, monkeypatch,
                                               tmp_path):
    asked = _Prompter(WRONG_PIN)
    monkeypatch.setattr(signkit.cli.pins, "prompter", asked)
    result = run_vi(way, "sign", "--no-progress", "--token", vi_tokens["wrong"], str(SAMPLE),
                    "-o", str(tmp_path / "x.pdf"), pin=None)
    assert result.exit_code == 4, result.output
    assert len(asked.secrets) == 1 and asked.secrets[0].startswith("Mã PIN của token")
    assert_vietnamese(result, "Sai mã PIN của token 'vi-wrong-pin'. signkit không thử lại; "
                      "trạng thái token hiện tại: ", "Wrong PIN", "does not retry")
    assert WRONG_PIN not in result.output and USER_PIN not in result.output


@WAYS
def test_locked_token_is_said_in_vietnamese(way, module_env, vi_tokens, tmp_path):
    result = run_vi(way, "sign", "--no-progress", "--token", vi_tokens["locked"], str(SAMPLE),
                    "-o", str(tmp_path / "x.pdf"), pin=USER_PIN)
    assert result.exit_code == 4, result.output
    assert_vietnamese(result, "Mã PIN của token 'vi-locked' đã bị khóa (nhập sai quá nhiều lần)",
                      "is locked", "Ask your certificate authority")


@WAYS
def test_unreachable_tsa_is_said_in_vietnamese(way, pki, tmp_path):
    url = closed_port_url("/tsa")
    result = run_vi(way, "sign", "--no-progress", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                    "--pkcs12", str(pki.p12("signer-rsa2048")), "--level", "B-T",
                    "--tsa", url, "--trust", str(pki.pem("root")), "--tsa-retries", "1",
                    "--tsa-timeout", "5", pin=P12_PASSWORD)
    assert result.exit_code == 1, result.output
    assert_vietnamese(result, f"dịch vụ cấp dấu thời gian {url} gặp lỗi: bị từ chối kết nối "
                      "sau 2 lần thử", "time-stamping service", "connection refused",
                      "attempts")
    assert not (tmp_path / "x.pdf").exists()


@WAYS
def test_timestamp_with_the_tsa_down_is_said_in_vietnamese(way, pki, tmp_path):
    url = closed_port_url("/tsa")
    out = tmp_path / "x.pdf"
    result = run_vi(way, "timestamp", str(SAMPLE), "-o", str(out), "--tsa", url,
                    "--trust", str(pki.pem("root")), "--tsa-retries", "0", pin=None)
    assert result.exit_code == 1, result.output
    assert_vietnamese(result, f"dịch vụ cấp dấu thời gian {url} gặp lỗi: bị từ chối kết nối",
                      "time-stamping service", "connection refused", "FAILED", "STATUS")
    assert "TRẠNG THÁI" in result.output and "1 tệp: 1 LỖI" in result.output
    assert not out.exists()


@WAYS
def test_unknown_profile_is_said_in_vietnamese(way, pki, tmp_path):
    result = run_vi(way, "sign", "--no-progress", "--profile", "khong-co", str(SAMPLE),
                    "-o", str(tmp_path / "x.pdf"), "--pkcs12", str(pki.p12("signer-rsa2048")),
                    pin=P12_PASSWORD)
    assert result.exit_code == 2, result.output
    assert_vietnamese(result, "không có hồ sơ 'khong-co'; các hồ sơ hiện có: ",
                      "unknown profile", "available")


def test_a_broken_profile_names_the_file_and_key_and_says_why_in_vietnamese(tmp_path):
    profile = tmp_path / "office.toml"
    profile.write_text('[signing]\ndigest = "md5"\n', encoding="utf-8")
    with pytest.raises(signkit.errors.ProfileError) as caught:
        signkit.load_profile(str(profile))
    assert str(caught.value) == f"{profile}: signing.digest: 'md5' is not one of " \
        "sha256, sha384, sha512"
    assert caught.value.text("vi") == f"{profile}: signing.digest: 'md5' không thuộc các " \
        "giá trị: sha256, sha384, sha512"


@WAYS
def test_an_anchor_text_not_found_is_said_in_vietnamese(way, pki, tmp_path):
    result = run_vi(way, "sign", "--no-progress", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                    "--pkcs12", str(pki.p12("signer-rsa2048")), "--appearance", "plain",
                    "--anchor", "DÒNG KHÔNG CÓ", pin=P12_PASSWORD)
    assert result.exit_code == 1, result.output
    assert_vietnamese(result, "không tìm thấy dòng chữ 'DÒNG KHÔNG CÓ' trên trang ",
                      "was not found", "scanned pages")
    assert not (tmp_path / "x.pdf").exists()


@pytest.fixture(scope="module")
def remote_services(pki):
    from remote_servers import SigningServices, material_from

    running = SigningServices(material_from(pki)).start()
    yield running
    running.stop()


@WAYS
@pytest.mark.parametrize(("behaviour", "vietnamese", "english"), [
    ({"reject": True}, "người ký đã từ chối yêu cầu ký trong ứng dụng SmartCA",
     "refused the signing request"),
    ({"revoked": True}, "không ở trạng thái hoạt động", "not active"),
], ids=["rejected", "revoked"])
def test_remote_signing_errors_are_said_in_vietnamese(way, remote_services, monkeypatch,
                                                      tmp_path, behaviour, vietnamese, english):
    from remote_servers import SP_ID, SP_PASSWORD, USER_ID

    remote_services.reset(**behaviour)
    monkeypatch.setenv("SIGNKIT_SMARTCA_SP_ID", SP_ID)
    monkeypatch.setenv("SIGNKIT_SMARTCA_SP_PASSWORD", SP_PASSWORD)
    monkeypatch.setenv("SIGNKIT_SMARTCA_POLL", "0.1")
    result = run_vi(way, "sign", "--no-progress", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                    "--remote", "smartca", "--service", remote_services.smartca_url,
                    "--user-id", USER_ID, pin=None)
    assert result.exit_code == 4, result.output
    assert_vietnamese(result, vietnamese, english, "nothing was signed")
    assert not (tmp_path / "x.pdf").exists()


def test_a_full_disk_is_said_in_vietnamese_by_a_real_process_in_a_vietnamese_locale(
        pki, tmp_path):
    import os
    import subprocess
    import sys

    signed = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        signkit.sign_pdf(SAMPLE, signed, key=key)
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-c", "from signkit.cli.main import cli; cli()", "verify",
             str(signed), "--trust", str(pki.pem("root")), "--other-certs",
             str(pki.pem("interm")), "--format", "json"],
            env={**env, "LANG": "vi_VN.UTF-8"}, stdout=full, stderr=subprocess.PIPE,
            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "signkit: không ghi được kết quả: ổ đĩa đã đầy"


def test_english_stays_the_default_outside_a_vietnamese_locale(pki, tmp_path):
    bad = tmp_path / "notpdf.pdf"
    bad.write_text("hello\n")
    result = run_vi(([], {"LANG": "C.UTF-8"}), "sign", "--no-progress", str(bad),
                    "-o", str(tmp_path / "x.pdf"), "--pkcs12", str(pki.p12("signer-rsa2048")),
                    pin=P12_PASSWORD)
    assert "FAILED: " in result.output and "not a PDF file (no %PDF- header)" in result.output


def test_json_keeps_the_english_message_and_the_code_under_lang_vi(pki, tmp_path):
    import json

    bad = tmp_path / "notpdf.pdf"
    bad.write_text("hello\n")
    result = run_vi(VI_BY_OPTION, "sign", "--no-progress", "--json", str(bad),
                    "-o", str(tmp_path / "x.pdf"), "--pkcs12", str(pki.p12("signer-rsa2048")),
                    pin=P12_PASSWORD)
    record = json.loads(result.stdout.splitlines()[0])
    assert record["error"] == f"{bad}: not a PDF file (no %PDF- header)" \
        or record["error"] == "not a PDF file (no %PDF- header)"
    assert record["error_code"] == "input"
