"""The ``signkit`` command line: signing, exit codes, PIN sources, token and profile commands,
and the demo. Every run is also checked for tracebacks and for the PIN leaking into output."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import signkit.cli.pins
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner, Result
from conftest import (
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    FIELD_SAMPLE,
    SAMPLE,
    SAMPLE_PDFS,
    USER_PIN,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from signkit.cli.main import cli

import signkit

WRONG_PIN = "97531864"
SIGNKIT = Path(sys.executable).parent / "signkit"


class FakePrompter:
    """Stands in for the terminal: answers PIN prompts and confirmations, counting them."""

    def __init__(self, answer: str = USER_PIN, *, interactive: bool = True, confirm: bool = False):
        self.answer, self._interactive, self._confirm = answer, interactive, confirm
        self.secrets: list[str] = []
        self.confirms: list[str] = []

    def interactive(self) -> bool:
        return self._interactive

    def secret(self, text: str) -> str:
        self.secrets.append(text)
        return self.answer

    def confirm(self, text: str) -> bool:
        self.confirms.append(text)
        return self._confirm


@pytest.fixture
def prompter(monkeypatch) -> FakePrompter:
    """A non-interactive terminal unless a test says otherwise; never asked by default."""
    fake = FakePrompter(interactive=False)
    monkeypatch.setattr(signkit.cli.pins, "prompter", fake)
    return fake


@pytest.fixture(scope="module")
def odd_tokens(softhsm) -> dict[str, str]:
    """Tokens in states SoftHSM2 never reaches alone, made once for this module."""
    return {
        "wrong": softhsm.make_token("cli-wrong-pin", {"an": "signer-rsa2048"}),
        "locked": softhsm.make_token("cli-locked", {"an": "signer-rsa2048"},
                                     add_flags=CKF_USER_PIN_LOCKED),
        "final": softhsm.make_token("cli-final-try", {"an": "signer-rsa2048"},
                                    add_flags=CKF_USER_PIN_FINAL_TRY),
    }


def run(*args: str, pin: str | None = USER_PIN) -> Result:
    """Invoke the CLI in-process; ``pin`` goes to SIGNKIT_PIN (None: no PIN in the env)."""
    result = CliRunner().invoke(cli, list(args), env={"SIGNKIT_PIN": pin})
    text = result.output
    assert "Traceback" not in text, text
    assert USER_PIN not in text and WRONG_PIN not in text, "the PIN leaked into the output"
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    return result


def sign(*args: str, token: str = "rsa2048", pin: str | None = USER_PIN) -> Result:
    return run("sign", "--token", token, *args, pin=pin)


def folder_of_samples(folder: Path) -> list[Path]:
    folder.mkdir()
    return [Path(shutil.copy(p, folder)) for p in SAMPLE_PDFS]


# --- signing ---------------------------------------------------------------------------------

def test_sign_one_file_with_pin_from_env_exits_0_and_passes_all_checks(
    module_env, prompter, checks, tmp_path
):
    out = tmp_path / "signed.pdf"
    result = sign(str(SAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"-> {out} [Signature1]" in result.stdout
    assert "1 signed, 0 failed, 0 skipped" in result.stderr
    assert prompter.secrets == []
    checks.all(out)


def test_out_dir_gives_one_line_per_file_and_a_summary_on_stderr(
    module_env, prompter, checks, tmp_path
):
    inputs = folder_of_samples(tmp_path / "in")
    out = tmp_path / "out"
    result = sign(str(tmp_path / "in"), "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(inputs)
    for src in inputs:
        assert any(line.startswith(f"signed: {src} -> {out / src.name}") for line in lines)
        checks.pyhanko(out / src.name)
    assert result.stderr.strip() == f"{len(inputs)} signed, 0 failed, 0 skipped"


def test_json_gives_one_record_per_file_then_a_summary(module_env, prompter, tmp_path):
    inputs = folder_of_samples(tmp_path / "in")
    result = sign(str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.output
    *records, summary = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["input"] for r in records) == sorted(str(p) for p in inputs)
    for r in records:
        assert r["status"] == "signed" and r["error"] is None
        assert r["signer"] == "Nguyễn Văn An" and r["level"] == "PAdES-B-B"
        assert Path(r["output"]).is_file()
        assert r["field"] == ("ChuKyLanhDao" if r["input"].endswith(FIELD_SAMPLE.name)
                              else "Signature1")
    assert summary == {"summary": {"signed": len(inputs), "failed": 0, "skipped": 0,
                                   "stopped": None}}


def test_pkcs12_with_password_from_env_signs(prompter, checks, pki, tmp_path):
    out = tmp_path / "signed.pdf"
    result = run("sign", "--pkcs12", str(pki.p12("signer-rsa2048")), str(SAMPLE),
                 "-o", str(out), pin="p12-secret")
    assert result.exit_code == 0, result.output
    assert "p12-secret" not in result.output
    checks.pyhanko(out)


def test_lang_vi_prints_the_vietnamese_summary(module_env, prompter, tmp_path):
    out = tmp_path / "signed.pdf"
    result = run("--lang", "vi", "sign", "--token", "rsa2048", str(SAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("đã ký: ")
    assert "1 đã ký, 0 lỗi, 0 bỏ qua" in result.stderr


def test_encrypted_input_is_signed_with_the_pdf_password_file(module_env, prompter, tmp_path):
    encrypted, out = tmp_path / "encrypted.pdf", tmp_path / "signed.pdf"
    subprocess.run(["qpdf", "--encrypt", "user", "owner", "256", "--", str(SAMPLE),
                    str(encrypted)], check=True)
    (tmp_path / "pdf-password").write_text("user\n")
    result = sign(str(encrypted), "-o", str(out), "--pdf-password-file",
                  str(tmp_path / "pdf-password"))
    assert result.exit_code == 0, result.output
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    reader.decrypt("user")
    assert len(reader.embedded_signatures) == 1


def test_encrypted_input_without_password_names_the_option_that_gives_it(
    module_env, prompter, tmp_path
):
    encrypted = tmp_path / "encrypted.pdf"
    subprocess.run(["qpdf", "--encrypt", "user", "owner", "256", "--", str(SAMPLE),
                    str(encrypted)], check=True)
    result = sign(str(encrypted), "-o", str(tmp_path / "signed.pdf"))
    assert result.exit_code == 1
    assert "encrypted" in result.stdout
    # the hint must name an option `signkit sign` has
    assert "--pdf-password-file" in result.stdout, result.stdout


# --- exit codes ------------------------------------------------------------------------------

def test_some_file_failing_exits_1_and_the_good_ones_are_signed(module_env, prompter, tmp_path):
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a PDF at all")
    out = tmp_path / "out"
    result = sign(str(SAMPLE), str(bad), "--out-dir", str(out))
    assert result.exit_code == 1, result.output
    assert f"FAILED: {bad}: not a PDF" in result.stdout
    assert f"signed: {SAMPLE}" in result.stdout
    assert "1 signed, 1 failed, 0 skipped" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [SAMPLE.name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/missing.pdf", "-o", "{tmp}/out.pdf"], "no such file"),
        ([str(SAMPLE), str(FIELD_SAMPLE), "-o", "{tmp}/out.pdf"], "--out-dir"),
        (["--pkcs11", "--pkcs12", "{p12}", str(SAMPLE), "-o", "{tmp}/out.pdf"], "--pkcs12"),
        (["--key-id", "zz", str(SAMPLE), "-o", "{tmp}/out.pdf"], "--key-id"),
    ],
    ids=["missing-input", "one-output-two-inputs", "pkcs11-and-pkcs12", "bad-key-id"],
)
def test_usage_errors_exit_2_before_asking_for_a_pin(
    module_env, prompter, pki, tmp_path, args, message
):
    args = [a.format(tmp=tmp_path, p12=pki.p12("signer-rsa2048")) for a in args]
    result = sign(*args, pin=None)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert prompter.secrets == []
    assert not (tmp_path / "out.pdf").exists()


def test_wrong_pin_exits_4_after_asking_once_and_shows_the_token_state(
    module_env, monkeypatch, odd_tokens, tmp_path
):
    asked = FakePrompter(WRONG_PIN)
    monkeypatch.setattr(signkit.cli.pins, "prompter", asked)
    out = tmp_path / "signed.pdf"
    result = sign(str(SAMPLE), "-o", str(out), token=odd_tokens["wrong"], pin=None)
    assert result.exit_code == 4, result.output
    assert "Wrong PIN" in result.stderr and "cli-wrong-pin" in result.stderr
    assert "token state now: login_required" in result.stderr
    assert len(asked.secrets) == 1
    assert not out.exists()


def test_locked_token_exits_4_without_asking_for_the_pin(
    module_env, monkeypatch, odd_tokens, tmp_path
):
    asked = FakePrompter(USER_PIN)
    monkeypatch.setattr(signkit.cli.pins, "prompter", asked)
    result = sign(str(SAMPLE), "-o", str(tmp_path / "o.pdf"), token=odd_tokens["locked"], pin=None)
    assert result.exit_code == 4, result.output
    assert "is locked" in result.stderr and "cli-locked" in result.stderr
    assert asked.secrets == []
    assert not (tmp_path / "o.pdf").exists()


def test_missing_module_exits_4_naming_the_path(prompter, tmp_path):
    result = sign("--module", "/nonexistent/libpkcs11.so", str(SAMPLE), "-o", str(tmp_path / "o"))
    assert result.exit_code == 4, result.output
    assert "/nonexistent/libpkcs11.so" in result.stderr


def test_two_keys_without_a_choice_exit_4_listing_both(module_env, prompter, tmp_path):
    result = sign(str(SAMPLE), "-o", str(tmp_path / "o.pdf"), token="two-keys")
    assert result.exit_code == 4, result.output
    assert "--key-label" in result.stderr
    assert "Nguyễn Văn An" in result.stderr and "Phạm Thị Dung" in result.stderr
    assert not (tmp_path / "o.pdf").exists()


def test_key_label_picks_one_of_two_keys(module_env, prompter, checks, tmp_path):
    out = tmp_path / "o.pdf"
    result = sign("--key-label", "dung", str(SAMPLE), "-o", str(out), token="two-keys")
    assert result.exit_code == 0, result.output
    (status,) = checks.pyhanko(out)
    assert status.signing_cert.subject.native["common_name"] == "Phạm Thị Dung"


# --- PIN sources -----------------------------------------------------------------------------

def test_pin_file_is_used_when_no_env_pin(module_env, prompter, checks, tmp_path):
    (tmp_path / "pin").write_text(USER_PIN + "\n")
    out = tmp_path / "signed.pdf"
    result = sign("--pin-file", str(tmp_path / "pin"), str(SAMPLE), "-o", str(out), pin=None)
    assert result.exit_code == 0, result.output
    assert prompter.secrets == []
    checks.pyhanko(out)


def test_prompt_is_asked_once_when_interactive(module_env, monkeypatch, checks, tmp_path):
    asked = FakePrompter(USER_PIN)
    monkeypatch.setattr(signkit.cli.pins, "prompter", asked)
    out = tmp_path / "signed.pdf"
    result = sign(str(SAMPLE), "-o", str(out), pin=None)
    assert result.exit_code == 0, result.output
    assert len(asked.secrets) == 1 and "rsa2048" in asked.secrets[0]
    checks.pyhanko(out)


def test_no_pin_source_and_no_terminal_exits_4_saying_no_pin(module_env, prompter, tmp_path):
    result = sign(str(SAMPLE), "-o", str(tmp_path / "o.pdf"), pin=None)
    assert result.exit_code == 4, result.output
    assert "No PIN given" in result.stderr
    assert not (tmp_path / "o.pdf").exists()


def test_final_try_token_needs_yes_when_not_interactive(
    module_env, prompter, odd_tokens, checks, tmp_path
):
    out = tmp_path / "signed.pdf"
    refused = sign(str(SAMPLE), "-o", str(out), token=odd_tokens["final"])
    assert refused.exit_code == 4, refused.output
    assert "one more PIN attempt" in refused.stderr and not out.exists()
    accepted = sign("--yes", str(SAMPLE), "-o", str(out), token=odd_tokens["final"])
    assert accepted.exit_code == 0, accepted.output
    checks.pyhanko(out)


def test_final_try_token_is_confirmed_at_the_prompt(module_env, monkeypatch, odd_tokens, tmp_path):
    asked = FakePrompter(USER_PIN, confirm=True)
    monkeypatch.setattr(signkit.cli.pins, "prompter", asked)
    out = tmp_path / "signed.pdf"
    result = sign(str(SAMPLE), "-o", str(out), token=odd_tokens["final"], pin=None)
    assert len(asked.confirms) == 1 and "ONE more PIN attempt" in asked.confirms[0]
    assert result.exit_code == 0, result.output
    assert out.is_file()


# --- token, profile, version -----------------------------------------------------------------

def test_token_list_shows_every_token_with_its_flags(module_env, odd_tokens):
    result = run("token", "list", pin=None)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"module: {module_env}"
    for label in ("rsa2048", "rsa3072", "ec256", "two-keys"):
        assert any(f"{label!r}" in line and "flags: login required" in line for line in lines)
    assert any("'cli-locked'" in line and "LOCKED" in line for line in lines)
    assert any("'cli-final-try'" in line and "FINAL TRY" in line for line in lines)


def test_token_show_lists_the_key_that_can_sign_with_its_subject(module_env, prompter):
    result = run("token", "show", "--token", "rsa2048")
    assert result.exit_code == 0, result.output
    assert "key 'an' id=01 RSA-2048: CAN SIGN" in result.stdout
    assert "subject:  CN=Nguyễn Văn An,O=UBND tỉnh Thử Nghiệm,C=VN" in result.stdout
    assert "certificate 'signkit Test Issuing CA'" in result.stdout


def test_profile_list_and_show_vn_with_its_root_and_intermediate_pins():
    listed = run("profile", "list", pin=None)
    assert listed.exit_code == 0, listed.output
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["default", "demo", "vn"]
    shown = run("profile", "show", "vn", pin=None)
    assert shown.exit_code == 0, shown.output
    pins = [line for line in shown.stdout.splitlines() if line.startswith("trust pin:")]
    roots = [line for line in pins if "(root)" in line]
    assert len(pins) == 4 and len(roots) == 2
    assert "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8" in roots[0]
    assert "BAC8BF609AB420A8EE1780D74F4DE5C7F7184959D2A7375B0A75E4C29F0908E7" in roots[1]


def test_version_prints_the_package_version():
    result = run("--version", pin=None)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"signkit, version {signkit.__version__}"


# --- demo ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_demo_signs_a_sample_that_validates_against_the_demo_root(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNKIT_")}
    run_ = subprocess.run([str(SIGNKIT), "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    text = run_.stdout + run_.stderr
    assert run_.returncode == 0, text
    assert "Traceback" not in text
    work = tmp_path / "demo-work"
    assert (work / "demo-pin.txt").read_text().strip() not in text
    signed = [Path(line.split("signed -> ")[1]) for line in run_.stdout.splitlines()
              if "signed -> " in line]
    assert signed == [work / "signed" / "sample-quyet-dinh.pdf"]
    assert "1 signed, 0 failed" in run_.stdout
    _, _, der = pem.unarmor((work / "pki" / "root.pem").read_bytes())
    vc = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False,
                           revocation_mode="soft-fail")
    (sig,) = PdfFileReader(io.BytesIO(signed[0].read_bytes())).embedded_signatures
    status = validate_pdf_signature(sig, vc)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    pdfsig = subprocess.run(["pdfsig", str(signed[0])], capture_output=True, text=True).stdout
    assert "Signature is Valid" in pdfsig and "Total document signed" in pdfsig, pdfsig
