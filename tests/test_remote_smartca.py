"""signkit.remote.smartca and `sign --remote smartca` against a loopback VNPT SmartCA
gateway signing with the test PKI's keys (tests/remote_servers.py): one transaction per
batch, the Vietnamese waiting message, every failure a clear message and exit code, no
output for unsigned documents, no secret anywhere."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from remote_servers import SECRETS, SP_ID, SP_PASSWORD, USER_ID, SigningServices
from signkit.cli.main import cli

import signkit
from signkit.errors import ApprovalRejectedError, RemoteCredentialError, RemoteServiceError
from signkit.signing import SignStatus, sign_many, sign_pdf


@pytest.fixture
def smartca(services, monkeypatch):
    services.reset()
    monkeypatch.setenv("SIGNKIT_SMARTCA_SP_ID", SP_ID)
    monkeypatch.setenv("SIGNKIT_SMARTCA_SP_PASSWORD", SP_PASSWORD)
    monkeypatch.setenv("SIGNKIT_SMARTCA_POLL", "0.1")
    monkeypatch.delenv("SIGNKIT_REMOTE_SECRETS", raising=False)
    return services


def _inputs(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        shutil.copyfile(SAMPLE, folder / f"vb-{i:03d}.pdf")
    return sorted(folder.iterdir())


def _run(smartca: SigningServices, args: list[str], *, lang: str = "en"):
    return CliRunner().invoke(cli, ["--lang", lang, "sign", *args, "--remote", "smartca",
                                    "--service", smartca.smartca_url, "--user-id", USER_ID],
                              catch_exceptions=False)


def _key(smartca: SigningServices, **options):
    return signkit.open_remote("smartca", url=smartca.smartca_url, user_id=USER_ID,
                               sp_id=SP_ID, sp_password=SP_PASSWORD, poll_interval=0.05,
                               **options)


def _no_secret_in(*texts: str, services: SigningServices | None = None) -> None:
    """No password, PIN, OTP, OAuth token or SAD in any of ``texts``."""
    found = services.secrets() if services is not None else SECRETS
    for text in texts:
        for secret in found:
            assert secret not in text


def test_a_batch_of_50_documents_is_one_transaction_confirmed_once(smartca, checks, tmp_path):
    _inputs(tmp_path / "in", 50)
    result = _run(smartca, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out")],
                  lang="vi")
    assert result.exit_code == 0, result.output
    assert smartca.counts["smartca/sign"] == 1
    assert smartca.batches == [50]
    assert smartca.counts["smartca/get_certificate"] == 1
    assert "Xác nhận trên ứng dụng SmartCA: 50 văn bản…" in result.output
    outputs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(outputs) == 50
    for path in (outputs[0], outputs[-1]):
        checks.all(path)
    _no_secret_in(result.output, services=smartca)


def test_python_api_signs_and_says_what_the_person_approves(smartca, checks, tmp_path):
    seen = []
    with _key(smartca, on_approval=seen.append, description="Ký quyết định 123") as key:
        assert key.facts.common_name == "Nguyễn Văn An"
        assert len(key.chain) == 2  # the CA and root of chain_data, in order
        result = sign_pdf(SAMPLE, tmp_path / "one.pdf", key=key)
    assert result.status is SignStatus.SIGNED
    assert len(seen) == 1 and seen[0].count == 1 and seen[0].transaction_id
    assert seen[0].description == "Ký quyết định 123"
    checks.all(tmp_path / "one.pdf")


def test_the_signer_confirming_later_is_waited_for(smartca, tmp_path):
    smartca.reset(approve_after=0.5)
    pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 4)]
    with _key(smartca) as key:
        started = time.monotonic()
        outcome = sign_many(pairs, key=key)
    assert outcome.signed == 4 and time.monotonic() - started >= 0.5
    assert smartca.counts["smartca/status"] >= 2 and smartca.batches == [4]


def test_a_rejection_raises_in_the_api_and_writes_nothing(smartca, tmp_path):
    smartca.reset(reject=True)
    with _key(smartca) as key, pytest.raises(ApprovalRejectedError, match="SmartCA app"):
        sign_pdf(SAMPLE, tmp_path / "x.pdf", key=key)
    assert not list(tmp_path.iterdir())


def test_a_revoked_certificate_is_refused_when_the_key_is_opened(smartca):
    smartca.reset(revoked=True)
    with pytest.raises(RemoteCredentialError, match="not active"), _key(smartca):
        pass
    assert smartca.counts["smartca/sign"] == 0


FAILURES = [
    ({"reject": True}, [], 4, "refused the signing request in the SmartCA app"),
    ({"never_answer": True}, ["--approval-timeout", "1"], 4, "within 1 s"),
    ({"expire": True}, [], 4, "transaction expired"),
    ({"http_500": True}, [], 4, "HTTP 500"),
    ({"garbage": True}, [], 4, "not a JSON object"),
    ({"other_key": True}, [], 4, "none of the 3 signatures"),
    ({"revoked": True}, [], 4, "not active"),
]


@pytest.mark.parametrize(("behaviour", "extra", "code", "words"), FAILURES,
                         ids=[next(iter(f[0])) for f in FAILURES])
def test_each_failure_gives_a_clear_message_an_exit_code_and_no_output(
        smartca, tmp_path, behaviour, extra, code, words):
    smartca.reset(**behaviour)
    _inputs(tmp_path / "in", 3)
    result = _run(smartca, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"), *extra])
    assert result.exit_code == code, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    _no_secret_in(result.output, services=smartca)


def test_fewer_signatures_than_documents_fail_only_those_left_without(smartca, checks,
                                                                       tmp_path):
    smartca.reset(fewer=1)
    _inputs(tmp_path / "in", 3)
    result = _run(smartca, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"),
                            "--format", "json"])
    assert result.exit_code == 1, result.output
    assert result.output.count('"status": "failed"') == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["vb-000.pdf", "vb-001.pdf"]
    checks.all(tmp_path / "out" / "vb-001.pdf")


def test_a_wrong_service_password_is_refused_without_echoing_it(smartca, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("SIGNKIT_SMARTCA_SP_PASSWORD", "wrong-password-123")
    result = _run(smartca, [str(SAMPLE), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 4 and "refused the service id" in result.output
    assert "wrong-password-123" not in result.output and not (tmp_path / "x.pdf").exists()


def test_missing_service_secrets_are_a_usage_error_naming_the_variables(smartca, tmp_path,
                                                                        monkeypatch):
    monkeypatch.delenv("SIGNKIT_SMARTCA_SP_PASSWORD")
    result = _run(smartca, [str(SAMPLE), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "SIGNKIT_SMARTCA_SP_PASSWORD" in result.output
    assert smartca.counts["smartca/get_certificate"] == 0


def test_remote_list_shows_the_users_certificates(smartca, tmp_path, monkeypatch):
    monkeypatch.delenv("SIGNKIT_SMARTCA_SP_ID")
    monkeypatch.delenv("SIGNKIT_SMARTCA_SP_PASSWORD")
    secrets_file = tmp_path / "remote.toml"
    secrets_file.write_text(f'[smartca]\nsp_id = "{SP_ID}"\nsp_password = "{SP_PASSWORD}"\n')
    result = CliRunner().invoke(cli, ["--lang", "vi", "remote", "list", "--remote", "smartca",
                                      "--service", smartca.smartca_url, "--user-id", USER_ID,
                                      "--remote-secrets-file", str(secrets_file)])
    assert result.exit_code == 0, result.output
    assert "Nguyễn Văn An" in result.output and "Đang hoạt động" in result.output
    assert "RSA 2048" in result.output and "hiệu lực" in result.output
    _no_secret_in(result.output, services=smartca)


@pytest.mark.parametrize(("behaviour", "words"), [
    ({"reject": True}, "người ký đã từ chối yêu cầu ký"),
    ({"revoked": True}, "chứng thư số SmartCA của '001085012345' không ở trạng thái hoạt động"),
    ({"fewer": 1}, "dịch vụ SmartCA không trả về chữ ký cho tài liệu này; không ghi gì cả"),
])
def test_messages_are_vietnamese_with_lang_vi_and_keep_the_detail(smartca, tmp_path,
                                                                  behaviour, words):
    smartca.reset(**behaviour)
    _inputs(tmp_path / "in", 2)
    result = _run(smartca, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out")],
                  lang="vi")
    assert result.exit_code in (1, 4), result.output
    assert words in result.output
    assert "SmartCA" in result.output  # the English detail, in brackets
    _no_secret_in(result.output, services=smartca)


def test_the_service_url_comes_from_the_profile_when_not_given(smartca, checks, tmp_path):
    profile = tmp_path / "office.toml"
    profile.write_text(f'name = "office"\n[remote]\nsmartca_url = "{smartca.smartca_url}"\n',
                       encoding="utf-8")
    assert signkit.load_profile(str(profile)).remote_smartca_url == smartca.smartca_url
    result = CliRunner().invoke(cli, ["sign", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                                      "--remote", "smartca", "--user-id", USER_ID,
                                      "--profile", str(profile)])
    assert result.exit_code == 0, result.output
    assert smartca.counts["smartca/sign"] == 1
    checks.all(tmp_path / "x.pdf")


def test_then_seal_signs_the_person_remotely_and_the_office_with_pkcs12(smartca, pki, checks,
                                                                        tmp_path, monkeypatch):
    """The seal workflow works unchanged with a remote person's key (one approval per
    document there: each output holds both signatures or does not exist)."""
    from conftest import FIXTURES

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SIGNKIT_CONFIG", raising=False)
    monkeypatch.setenv("SIGNKIT_SEAL_PIN", "p12-secret")
    out = tmp_path / "qd-124-ky.pdf"
    result = _run(smartca, [str(FIXTURES / "pdf" / "qd-124-quyet-dinh-vi.pdf"), "-o", str(out),
                            "--anchor", "CHỦ TỊCH", "--until", "Nguyễn Văn Đặng",
                            "--signature-image", str(FIXTURES / "appearance" / "signature.png"),
                            "--then-seal", "--seal-pkcs12", str(pki.p12("signer-second")),
                            "--seal-image", str(FIXTURES / "appearance" / "seal.png"),
                            "--organisation", "Ủy ban nhân dân tỉnh Quảng Ngãi"])
    assert result.exit_code == 0, result.output
    assert smartca.counts["smartca/sign"] == 1
    checks.all(out, signatures=2)
    assert "p12-secret" not in result.output


def test_a_service_that_never_answers_is_named_after_the_request_timeout(smartca):
    smartca.reset(silent=True)
    with pytest.raises(RemoteServiceError, match="did not answer credentials/get_certificate "
                                                 "within 0.5 s"), _key(smartca, timeout=0.5):
        pass


def test_an_unknown_user_is_a_clear_refusal(smartca):
    with pytest.raises(RemoteCredentialError, match="USER_NOT_FOUND"), signkit.open_remote(
            "smartca", url=smartca.smartca_url, user_id="000000000000", sp_id=SP_ID,
            sp_password=SP_PASSWORD):
        pass


def test_credential_picks_a_smartca_certificate_by_serial_number(smartca, pki, tmp_path):
    serial = format(pki.cert("signer-rsa2048").serial_number, "x")
    ok = _run(smartca, [str(SAMPLE), "-o", str(tmp_path / "a.pdf"), "--credential", serial])
    assert ok.exit_code == 0, ok.output
    wrong = _run(smartca, [str(SAMPLE), "-o", str(tmp_path / "b.pdf"), "--credential", "abc"])
    assert wrong.exit_code == 4 and "no certificate with serial number abc" in wrong.output
    assert not (tmp_path / "b.pdf").exists()
