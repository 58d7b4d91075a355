"""What the terminal shows when things go wrong: one readable line and a documented exit code,
never a traceback (issue #9). These run ``signkit`` as a real process: in-process, pytest's own
log handlers would hide what Python prints for log records when nothing else is configured."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLE
from signkit.cli.main import cli

import signkit

P12_PASSWORD = "p12-secret"


def signkit_cli(*args: str | Path, **run: Any) -> subprocess.CompletedProcess:
    """``signkit ARGS`` in a fresh interpreter (the PKCS#12 password in SIGNKIT_PIN)."""
    if "stdout" not in run:
        run["capture_output"] = True
    return subprocess.run(
        [sys.executable, "-c", "from signkit.cli.main import cli; cli()", *map(str, args)],
        text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "SIGNKIT_PIN": P12_PASSWORD}, **run)


@pytest.fixture(scope="module")
def tsa_url(pki_services) -> str:
    return pki_services[0] + "/testing-ca/tsa/tsa"


@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-errors") / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        signkit.sign_pdf(SAMPLE, out, key=key)
    return out


def trust(pki) -> list[str | Path]:
    return ["--trust", pki.pem("root"), "--other-certs", pki.pem("interm")]


# --- pyHanko's log records with a traceback attached -------------------------------------------

UNTRUSTED_TSA_COMMANDS = {
    "timestamp": lambda pki, out: ["timestamp", SAMPLE, "-o", out],
    "sign --level B-T": lambda pki, out: ["sign", SAMPLE, "-o", out, "--pkcs12",
                                          pki.p12("signer-rsa2048"), "--level", "B-T"],
}


@pytest.mark.parametrize("command", UNTRUSTED_TSA_COMMANDS)
def test_an_untrusted_tsa_is_one_plain_line_without_traceback(pki, tsa_url, tmp_path, command):
    """pyHanko logs the failed TSA path as a warning with two chained tracebacks; signkit
    says what is wrong itself."""
    args = UNTRUSTED_TSA_COMMANDS[command](pki, tmp_path / "out.pdf")
    result = signkit_cli(*args, "--tsa", tsa_url, "--trust", pki.pem("foreign-root"))
    assert result.returncode == 1, result.stderr
    assert "TSA certificate is not trusted" in result.stdout + result.stderr
    assert "(add its root with --trust)" in result.stdout + result.stderr  # the CLI's hint
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "Failed to build path" not in result.stderr  # pyHanko's warning: -v only


def test_verbose_shows_pyhankos_warnings_with_their_tracebacks(pki, tsa_url, tmp_path):
    result = signkit_cli("-v", "timestamp", SAMPLE, "-o", tmp_path / "out.pdf",
                         "--tsa", tsa_url, "--trust", pki.pem("foreign-root"))
    assert result.returncode == 1, result.stderr
    assert "WARNING pyhanko" in result.stderr and "Traceback" in result.stderr


# --- a report that cannot be written --------------------------------------------------------------

def test_a_report_on_a_full_disk_is_exit_2_with_a_plain_message(pki, signed):
    """/dev/full takes the open and refuses every write with ENOSPC. A device is written in
    place: an atomic replace would swap the device node for a regular file."""
    result = signkit_cli("verify", signed, *trust(pki), "--format", "json", "-o", "/dev/full")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "signkit: cannot write the report to /dev/full: " \
                                    "the disk is full"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_report_into_a_missing_folder_is_exit_2_with_a_plain_message(pki, signed, tmp_path):
    target = tmp_path / "no-such-folder" / "report.json"
    result = signkit_cli("verify", signed, *trust(pki), "--format", "json", "-o", target)
    assert result.returncode == 2, result.stderr
    assert "cannot write the report" in result.stderr
    assert "the folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_report_on_stdout_to_a_full_disk_is_exit_2_with_a_plain_message(pki, signed):
    with open("/dev/full", "w") as full:
        result = signkit_cli("verify", signed, *trust(pki), "--format", "json",
                             stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "signkit: cannot write the output: the disk is full"


# --- the mistakes a newcomer makes (issue #13): one message that says what to do ----------------

def cli_run(*args: str | Path, pin: str | None = None) -> Result:
    """``signkit ARGS`` in-process, without a terminal (``pin``: SIGNKIT_PIN, else unset)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"SIGNKIT_PIN": pin})
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_an_empty_pin_file_says_it_is_empty_before_the_token_is_asked(
        module_env, tmp_path, lang):
    (tmp_path / "pin").write_text("\n")
    result = cli_run("sign", SAMPLE, "-o", tmp_path / "out.pdf", "--token", "rsa2048",
                     "--pin-file", tmp_path / "pin", "--lang", lang)
    assert result.exit_code == 2, result.output
    text = one_line(result.output)
    assert "CKR_" not in text
    expected = {"en": f"{tmp_path / 'pin'} is empty: write the PIN on its first line",
                "vi": f"Tệp {tmp_path / 'pin'} trống: hãy ghi mã PIN ở dòng đầu tiên"}
    assert expected[lang] in text
    assert not (tmp_path / "out.pdf").exists()


def test_an_empty_password_file_for_a_pkcs12_says_password(pki, tmp_path):
    (tmp_path / "password").write_text("")
    result = cli_run("sign", SAMPLE, "-o", tmp_path / "out.pdf", "--pkcs12",
                     pki.p12("signer-rsa2048"), "--pin-file", tmp_path / "password")
    assert result.exit_code == 2, result.output
    assert "is empty: write the password on its first line" in one_line(result.output)


def test_the_library_refuses_an_empty_pin_by_name(softhsm):
    with (pytest.raises(signkit.PinRequiredError, match="the PIN given is empty") as caught,
          signkit.open_token(module=softhsm.module, token="rsa2048", pin="")):
        pass
    assert caught.value.code == "pin_required"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_module_naming_a_missing_file_says_so(tmp_path, lang):
    missing = tmp_path / "libnothere.so"
    result = cli_run("sign", SAMPLE, "-o", tmp_path / "out.pdf", "--module", missing,
                     "--lang", lang)
    assert result.exit_code == 4, result.output
    expected = {"en": f"The PKCS#11 module {missing} does not exist: check the path given "
                      "with --module",
                "vi": f"Không có mô-đun PKCS#11 {missing}: hãy kiểm tra đường dẫn trong "
                      "--module"}
    assert expected[lang] in one_line(result.output)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_module_naming_a_file_that_is_no_library_says_what_it_is(tmp_path, lang):
    fake = tmp_path / "token.so"
    fake.write_text("this is a text file, not a driver")
    result = cli_run("token", "list", "--module", fake, "--lang", lang)
    assert result.exit_code == 4, result.output
    expected = {"en": f"{fake} is not a PKCS#11 module (not a shared library): --module "
                      "wants the library of the token's driver",
                "vi": f"{fake} không phải mô-đun PKCS#11 (không phải thư viện dùng chung): "
                      "--module cần thư viện trình điều khiển của token"}
    assert expected[lang] in one_line(result.output)


def test_the_library_says_why_a_module_cannot_be_loaded(tmp_path):
    with pytest.raises(signkit.Pkcs11ModuleLoadError) as caught:
        signkit.list_tokens(str(tmp_path))
    assert caught.value.detail == "it is a folder" and caught.value.path == str(tmp_path)
    assert "--module" not in str(caught.value)  # facts, not options


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_key_label_that_matches_nothing_lists_the_labels(module_env, tmp_path, lang):
    result = cli_run("sign", SAMPLE, "-o", tmp_path / "out.pdf", "--token", "two-keys",
                     "--key-label", "chi", "--lang", lang, pin="246810")
    assert result.exit_code == 4, result.output
    expected = {"en": "No key labelled 'chi' on token 'two-keys'. The labels of its keys: "
                      "'an', 'dung'; choose one with --key-label.",
                "vi": "Token 'two-keys' không có khóa nhãn 'chi'. Nhãn các khóa trên token: "
                      "'an', 'dung'; hãy chọn một nhãn bằng --key-label."}
    assert expected[lang] in one_line(result.output)
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("command", [
    ["sign", "--pkcs12", "{p12}", "-o", "{tmp}/o.pdf", "--level", "B-T"],
    ["timestamp", "-o", "{tmp}/o.pdf"],
    ["ltv", "add", "-o", "{tmp}/o.pdf", "--level", "B-LTA"]])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_tsa_that_is_not_a_url_is_a_usage_error_naming_it(pki, tmp_path, command, lang):
    args = [a.format(p12=pki.p12("signer-rsa2048"), tmp=tmp_path) for a in command]
    result = cli_run(*args, SAMPLE, "--tsa", "notaurl", "--lang", lang, pin=P12_PASSWORD)
    assert result.exit_code == 2, result.output
    expected = {"en": "'notaurl' is not the address of a time-stamping service: give an "
                      "http:// or https:// URL",
                "vi": "'notaurl' không phải địa chỉ của dịch vụ cấp dấu thời gian"}
    assert expected[lang] in one_line(result.output)
    assert "Error" not in result.output.split("Error:", 1)[-1]  # no class name
    assert not (tmp_path / "o.pdf").exists()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_pkcs12_without_a_password_asks_for_a_password_not_a_pin(pki, tmp_path, lang):
    p12 = pki.p12("signer-rsa2048")
    result = cli_run("sign", SAMPLE, "-o", tmp_path / "o.pdf", "--pkcs12", p12,
                     "--lang", lang)
    assert result.exit_code == 4, result.output
    expected = {"en": f"No password given for {p12}: set SIGNKIT_PIN, use --pin-file FILE",
                "vi": f"Chưa có mật khẩu của tệp {p12}: đặt SIGNKIT_PIN, dùng --pin-file TỆP"}
    assert expected[lang] in one_line(result.output)
    assert "PIN given" not in result.output and "mã PIN" not in result.output


def _no_token_env(tmp_path: Path) -> dict[str, str]:
    """SoftHSM2 with an empty token folder, and no module named in the environment."""
    from signkit.tokens.provision import write_softhsm_config

    env = {k: v for k, v in os.environ.items()
           if k not in ("SIGNKIT_PKCS11_MODULE", "SIGNKIT_PIN")}
    env["SOFTHSM2_CONF"] = str(write_softhsm_config(tmp_path))
    return env


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_token_list_without_any_token_names_every_module_searched_and_exits_4(tmp_path, lang):
    from signkit.tokens import WELL_KNOWN_MODULES

    result = subprocess.run(
        [sys.executable, "-c", "from signkit.cli.main import cli; cli()", "token", "list",
         "--lang", lang], env=_no_token_env(tmp_path), capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 4, result.stderr
    installed = [m for m in WELL_KNOWN_MODULES if Path(m).exists()]
    assert installed, "the test machine has SoftHSM2"
    start = {"en": "signkit: No token found. Modules searched: ",
             "vi": "signkit: Không tìm thấy token nào. Đã tìm trong các mô-đun: "}[lang]
    assert result.stderr.startswith(start), result.stderr
    for module in installed:
        assert module in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_token_list_with_one_named_module_and_no_token_exits_4(softhsm, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from signkit.cli.main import cli; cli()", "token", "list",
         "--module", softhsm.module], env=_no_token_env(tmp_path), capture_output=True,
        text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip() == f"signkit: No token found in {softhsm.module}."


VN_CA = Path(__file__).resolve().parents[2] / "shared" / "ca" / "vn"


@pytest.mark.parametrize("outform", ["DER", "PEM"])
def test_install_anchors_accepts_a_pkcs7_bundle(tmp_path, monkeypatch, outform):
    monkeypatch.setenv("SIGNKIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    bundle = tmp_path / "vn-chain.p7b"
    subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", VN_CA / "rootcag2.pem",
                    "-certfile", VN_CA / "vnrca256.pem", "-outform", outform, "-out", bundle],
                   check=True)
    result = cli_run("profile", "install-anchors", "vn", "--from", bundle)
    assert result.exit_code == 0, result.output
    installed = [line for line in result.stdout.splitlines() if line.startswith("installed:")]
    assert len(installed) == 2, result.output
    assert "refused" not in result.output
    shown = cli_run("profile", "show", "vn")
    assert f"2 installed in {tmp_path / 'anchors' / 'vn'}" in shown.stdout


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_profile_show_without_anchors_says_none_and_how_to_install(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("SIGNKIT_ANCHOR_DIR", str(tmp_path / "no-such-folder"))
    result = cli_run("profile", "show", "vn", "--lang", lang)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "no-such-folder" / "vn"
    expected = {"en": f"none installed in {folder}: install them with `signkit profile "
                      "install-anchors vn --from FILE_OR_FOLDER`",
                "vi": f"chưa cài chứng thư gốc nào trong {folder}: hãy cài bằng `signkit "
                      "profile install-anchors vn --from TỆP_HOẶC_THƯ_MỤC`"}
    assert expected[lang] in result.stdout
