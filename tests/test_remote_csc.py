"""signkit.remote.csc and `sign --remote csc` against a loopback CSC API v2 service that
signs with the test PKI's keys (tests/remote_servers.py): one authorisation per batch,
every failure mode a clear message and exit code, no output for unsigned documents, no
secret anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from remote_servers import (
    CLIENT_ID,
    CLIENT_SECRET,
    CREDENTIAL_ID,
    OTP,
    PIN,
    REDIRECT_URI,
    SECRETS,
    SigningServices,
    follow_redirect,
    material_from,
)
from signkit.cli.main import cli

import signkit
from signkit.errors import ApprovalRejectedError, RemoteAuthError
from signkit.remote import AuthorizationCode, ClientCredentials
from signkit.signing import SignStatus, sign_many, sign_pdf


@pytest.fixture
def csc(services, monkeypatch):
    services.reset()
    monkeypatch.setenv("SIGNKIT_CSC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SIGNKIT_CSC_CLIENT_SECRET", CLIENT_SECRET)
    for name in ("SIGNKIT_PIN", "SIGNKIT_OTP", "SIGNKIT_REMOTE_SECRETS"):
        monkeypatch.delenv(name, raising=False)
    return services


def _inputs(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"vb-{i:03d}.pdf"
        shutil.copyfile(SAMPLE, path)
        paths.append(path)
    return paths


def _run(csc: SigningServices, args: list[str], *, lang: str = "en"):
    runner = CliRunner()
    return runner.invoke(cli, ["--lang", lang, "sign", *args, "--remote", "csc", "--service",
                               csc.csc_url, "--credential", CREDENTIAL_ID], catch_exceptions=False)


def _no_secret_in(*texts: str, services: SigningServices | None = None) -> None:
    """No password, PIN, OTP, OAuth token or SAD in any of ``texts``."""
    found = services.secrets() if services is not None else SECRETS
    for text in texts:
        for secret in found:
            assert secret not in text


def test_a_batch_of_50_documents_is_authorised_once_and_every_output_passes_the_checks(
        csc, checks, tmp_path):
    inputs = _inputs(tmp_path / "in", 50)
    result = _run(csc, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert csc.counts["credentials/authorize"] == 1
    assert csc.counts["signatures/signHash"] == 1
    assert csc.batches == [50]
    assert csc.counts["oauth2/token"] == 1
    outputs = sorted((tmp_path / "out").glob("*.pdf"))
    assert [p.name for p in outputs] == [p.name for p in inputs]
    assert "50 document(s)" in result.output  # what the person is asked to approve
    for path in (outputs[0], outputs[-1]):
        checks.all(path)
    _no_secret_in(result.output, services=csc)


def test_a_credential_allowing_fewer_signatures_per_authorisation_gets_several_rounds(
        csc, checks, tmp_path):
    csc.reset(multisign=20)
    pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 45)]
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
        outcome = sign_many(pairs, key=key)
        assert key.approvals == 3
    assert outcome.ok and outcome.signed == 45
    assert csc.batches == [20, 20, 5]
    checks.all(pairs[-1][1])


def test_python_api_signs_one_document_and_reports_the_approval(csc, checks, tmp_path):
    seen = []
    out = tmp_path / "one.pdf"
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, lambda: CLIENT_SECRET),
                             on_approval=seen.append, description="Quyết định 123") as key:
        assert key.facts.common_name == "Nguyễn Văn An"
        result = sign_pdf(SAMPLE, out, key=key)
    assert result.status is SignStatus.SIGNED
    assert [(a.service, a.count, a.description) for a in seen] == [("CSC", 1, "Quyết định 123")]
    checks.all(out)


def test_a_person_logs_in_with_authorization_code_and_pkce(csc, checks, tmp_path):
    shown = []

    def browser(url: str) -> str:
        shown.append(url)
        return follow_redirect(url)  # the service redirects to REDIRECT_URI?code=...&state=...

    auth = AuthorizationCode(CLIENT_ID, REDIRECT_URI, browser)
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=auth) as key:
        sign_pdf(SAMPLE, tmp_path / "pkce.pdf", key=key)
    assert len(shown) == 1 and "code_challenge_method=S256" in shown[0]
    assert csc.counts["oauth2/authorize"] == 1
    checks.all(tmp_path / "pkce.pdf")


def test_a_redirect_with_another_state_is_refused(csc, tmp_path):
    def browser(url: str) -> str:
        return follow_redirect(url).replace("state=", "state=forged")

    auth = AuthorizationCode(CLIENT_ID, REDIRECT_URI, browser)
    with pytest.raises(RemoteAuthError, match="state"), signkit.open_remote(
            "csc", url=csc.csc_url, credential_id=CREDENTIAL_ID, auth=auth):
        pass


def test_an_approval_after_a_delay_is_waited_for(csc, tmp_path):
    csc.reset(approve_after=0.6)
    pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 3)]
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
        started = time.monotonic()
        outcome = sign_many(pairs, key=key)
    assert outcome.signed == 3 and time.monotonic() - started >= 0.6


def test_a_rejection_raises_in_the_api_and_writes_nothing(csc, tmp_path):
    csc.reset(reject=True)
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key, \
            pytest.raises(ApprovalRejectedError, match="refused"):
        sign_pdf(SAMPLE, tmp_path / "x.pdf", key=key)
    assert not list(tmp_path.iterdir())


FAILURES = [
    # (server behaviour, extra options, exit code, words of the message)
    ({"reject": True}, [], 4, "signer refused"),
    ({"never_answer": True}, ["--approval-timeout", "1s"], 4, "within 1 s"),
    ({"expire": True}, [], 4, "expired"),
    ({"http_500": True}, [], 4, "HTTP 500"),
    ({"garbage": True}, [], 4, "not a JSON object"),
    ({"other_key": True}, [], 4, "none of the 4 signatures"),
    ({"revoked": True}, [], 4, "revoked"),
    ({"require_otp": True}, [], 4, "No PIN given"),
    ({"fewer": 4}, [], 4, "no signature for any of the 4 document(s)"),
]


@pytest.mark.parametrize(("behaviour", "extra", "code", "words"), FAILURES,
                         ids=[next(iter(f[0])) for f in FAILURES])
def test_each_failure_gives_a_clear_message_an_exit_code_and_no_output(
        csc, tmp_path, behaviour, extra, code, words):
    csc.reset(**behaviour)
    _inputs(tmp_path / "in", 4)
    result = _run(csc, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"), *extra])
    assert result.exit_code == code, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True
    _no_secret_in(result.output, services=csc)


def test_fewer_signatures_than_hashes_fail_only_the_documents_left_without_one(
        csc, checks, tmp_path):
    csc.reset(fewer=2)
    _inputs(tmp_path / "in", 5)
    result = _run(csc, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output.count("returned no signature for this document") == 2
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["vb-000.pdf", "vb-001.pdf", "vb-002.pdf"]
    checks.all(tmp_path / "out" / "vb-002.pdf")


def test_an_otp_and_pin_from_the_secret_sources_authorise_the_batch(csc, checks, tmp_path,
                                                                     monkeypatch):
    csc.reset(require_otp=True)
    monkeypatch.setenv("SIGNKIT_OTP", OTP)
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(PIN + "\n")
    _inputs(tmp_path / "in", 3)
    result = _run(csc, [str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"),
                        "--pin-file", str(pin_file)])
    assert result.exit_code == 0, result.output
    assert csc.counts["credentials/authorize"] == 1
    checks.all(tmp_path / "out" / "vb-000.pdf")
    _no_secret_in(result.output, services=csc)


def test_a_wrong_otp_is_refused_without_echoing_it(csc, tmp_path, monkeypatch):
    csc.reset(require_otp=True)
    monkeypatch.setenv("SIGNKIT_OTP", "999999")
    monkeypatch.setenv("SIGNKIT_PIN", PIN)
    result = _run(csc, [str(SAMPLE), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 4 and "OTP" in result.output
    assert "999999" not in result.output and not (tmp_path / "x.pdf").exists()


def test_a_wrong_client_secret_is_refused_before_anything_is_signed(csc, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("SIGNKIT_CSC_CLIENT_SECRET", "not-the-secret")
    result = _run(csc, [str(SAMPLE), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 4
    assert "refused the OAuth2 client" in result.output and "not-the-secret" not in result.output
    assert csc.counts["credentials/authorize"] == 0 and not (tmp_path / "x.pdf").exists()


def test_secrets_come_from_a_secrets_file_and_remote_list_shows_the_credential(
        csc, tmp_path, monkeypatch):
    monkeypatch.delenv("SIGNKIT_CSC_CLIENT_ID")
    monkeypatch.delenv("SIGNKIT_CSC_CLIENT_SECRET")
    secrets_file = tmp_path / "remote.toml"
    secrets_file.write_text(f'[csc]\nclient_id = "{CLIENT_ID}"\n'
                            f'client_secret = "{CLIENT_SECRET}"\n')
    runner = CliRunner()
    listed = runner.invoke(cli, ["remote", "list", "--remote", "csc", "--service", csc.csc_url,
                                 "--remote-secrets-file", str(secrets_file)])
    assert listed.exit_code == 0, listed.output
    assert CREDENTIAL_ID in listed.output and "Nguyễn Văn An" in listed.output
    assert "RSA 2048" in listed.output and "valid" in listed.output
    shown = runner.invoke(cli, ["remote", "show", "--remote", "csc", "--service", csc.csc_url,
                                "--credential", CREDENTIAL_ID, "--remote-secrets-file",
                                str(secrets_file), "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"multisign": 500' in shown.output and '"auth_mode": "implicit"' in shown.output
    _no_secret_in(listed.output, shown.output, services=csc)


def test_usage_errors_name_the_missing_option(csc, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["sign", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                                 "--remote", "csc", "--service", csc.csc_url])
    assert result.exit_code == 2 and "--credential" in result.output
    result = runner.invoke(cli, ["sign", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                                 "--credential", CREDENTIAL_ID])
    assert result.exit_code == 2 and "--remote" in result.output


def test_the_command_line_and_its_output_never_hold_a_secret(csc, tmp_path):
    """A real process: its argv is read from /proc while it waits for the approval."""
    csc.reset(approve_after=1.5)
    _inputs(tmp_path / "in", 3)
    env = {**os.environ, "SIGNKIT_CSC_CLIENT_ID": CLIENT_ID,
           "SIGNKIT_CSC_CLIENT_SECRET": CLIENT_SECRET}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "signkit"), "-v", "sign", str(tmp_path / "in"),
         "--out-dir", str(tmp_path / "out"), "--remote", "csc", "--service", csc.csc_url,
         "--credential", CREDENTIAL_ID, "--format", "json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    argv = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert CREDENTIAL_ID in argv
    _no_secret_in(argv, out, err, services=csc)
    assert '"status": "signed"' in out


def test_a_refusal_fails_its_round_and_skips_the_later_ones(csc, tmp_path):
    csc.reset(multisign=2, reject=True)
    pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 5)]
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
        outcome = sign_many(pairs, key=key)
    assert [r.status for r in outcome.results] == [SignStatus.FAILED] * 2 + \
        [SignStatus.SKIPPED] * 3
    assert outcome.token_failed and "refused" in outcome.stopped
    assert csc.counts["credentials/authorize"] == 1
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_timestamped_and_visible_signatures_work_with_a_remote_key(csc, checks, pki,
                                                                    pki_services, tmp_path):
    from signkit.appearance import Placement
    from signkit.signing import PadesLevel, SignOptions

    options = SignOptions(level=PadesLevel.B_T, tsa_url=pki_services[0] + "/testing-ca/tsa/tsa",
                          trust=(pki.pem("root"),), placement=Placement(rect=(300, 100, 450, 160)))
    pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 3)]
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
        outcome = sign_many(pairs, key=key, options=options)
    assert outcome.ok, [r.error for r in outcome.results]
    assert csc.batches == [3]
    assert all(r.page is not None for r in outcome.results)  # a visible box was placed
    checks.all(pairs[0][1])
    status = checks.pyhanko(pairs[-1][1])[0]
    assert status.timestamp_validity is not None and status.timestamp_validity.valid


def test_an_ecdsa_credential_answering_raw_r_s_signatures_is_embedded_as_der(pki, checks,
                                                                            tmp_path):
    services = SigningServices(material_from(pki, "signer-ec256")).start()
    try:
        services.reset(raw_ecdsa=True)
        pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 3)]
        with signkit.open_remote("csc", url=services.csc_url, credential_id=CREDENTIAL_ID,
                                 auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
            outcome = sign_many(pairs, key=key)
    finally:
        services.stop()
    assert outcome.ok, [r.error for r in outcome.results]
    checks.all(pairs[1][1])


def test_importing_signkit_loads_no_remote_client():
    probe = ("import signkit, sys; signkit.open_remote; print(sorted(m for m in sys.modules "
             "if m.startswith(('aiohttp', 'signkit.remote.'))))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "[]"


def test_without_a_client_secret_the_cli_logs_the_person_in_with_pkce(csc, checks, tmp_path,
                                                                       monkeypatch):
    """The URL is printed (and offered to a browser); the address the browser reached is
    asked for; no secret is needed on the machine."""
    import signkit.cli.remote_options as remote_options

    class Terminal:
        def interactive(self) -> bool:
            return True

    opened: list[str] = []
    monkeypatch.delenv("SIGNKIT_CSC_CLIENT_SECRET")
    monkeypatch.setattr(signkit.cli.pins, "prompter", Terminal())
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setattr(remote_options.click, "prompt",
                        lambda text, err: follow_redirect(opened[-1]))
    secrets_file = tmp_path / "remote.toml"
    secrets_file.write_text(f'[csc]\nredirect_uri = "{REDIRECT_URI}"\n')
    result = _run(csc, [str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
                        "--remote-secrets-file", str(secrets_file)])
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].startswith(f"{csc.csc_url}/oauth2/authorize?")
    assert csc.counts["oauth2/authorize"] == 1 and csc.counts["credentials/authorize"] == 1
    checks.all(tmp_path / "x.pdf")


def test_the_synchronous_sign_of_the_signing_key_interface_works_too(csc):
    """``SigningKey.sign`` (what code written for tokens calls): one approval, a checked
    signature over the data."""
    from signkit.remote._key import verifies
    from signkit.tokens.base import RsaPadding

    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
        signature = key.sign(b"to be signed", digest="sha256")
        assert key.approvals == 1
        assert verifies(key.certificate, signature, b"to be signed", "sha256",
                        RsaPadding.PKCS1V15)
        assert not verifies(key.certificate, signature, b"something else", "sha256",
                            RsaPadding.PKCS1V15)


def test_remote_show_of_an_unknown_credential_is_a_usage_error(csc):
    result = CliRunner().invoke(cli, ["remote", "show", "--remote", "csc", "--service",
                                      csc.csc_url, "--credential", "nope"])
    assert result.exit_code == 2 and "no credential 'nope'" in result.output


@pytest.mark.parametrize("behaviour", ["reject", "expire", "http_500", "garbage", "other_key",
                                       "never_answer"])
def test_exceptions_carry_the_service_and_no_secret(csc, tmp_path, behaviour):
    from signkit.errors import RemoteSigningError

    csc.reset(**{behaviour: True})
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET),
                             approval_timeout=1) as key, \
            pytest.raises(RemoteSigningError) as caught:
        sign_pdf(SAMPLE, tmp_path / "x.pdf", key=key)
    error = caught.value
    assert error.service and error.service.startswith(csc.csc_url)
    _no_secret_in(str(error), repr(error), repr(error.args), services=csc)
    assert csc.issued  # the token and the SAD were really handed out, and are not shown
    assert not (tmp_path / "x.pdf").exists()


def test_a_b_lta_batch_with_a_remote_key_embeds_revocation_data_and_timestamps(
        csc, checks, pki, pki_services, tmp_path):
    from signkit.signing import PadesLevel, SignOptions

    options = SignOptions(level=PadesLevel.B_LTA, tsa_url=pki_services[0] + "/testing-ca/tsa/tsa",
                          trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    pairs = [(p, tmp_path / "out" / p.name) for p in _inputs(tmp_path / "in", 3)]
    with signkit.open_remote("csc", url=csc.csc_url, credential_id=CREDENTIAL_ID,
                             auth=ClientCredentials(CLIENT_ID, CLIENT_SECRET)) as key:
        outcome = sign_many(pairs, key=key, options=options)
    assert outcome.ok, [r.error for r in outcome.results]
    assert csc.batches == [3] and {r.level for r in outcome.results} == {"PAdES-B-LTA"}
    verdict = signkit.verify_pdf(pairs[-1][1], options=signkit.VerifyOptions(
        trust=(pki.pem("root"),), offline=True))
    assert verdict.status.value == "TOTAL_PASSED", verdict
    assert verdict.signatures[0].level == "PAdES-B-LTA"
