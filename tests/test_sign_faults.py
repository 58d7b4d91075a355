"""What `signkit sign` does when a service it needs fails: the TSA (B-T and up) or the OCSP
responder / CRL of the signer (B-LT). Every fault is real: a closed port, or the
fault-injecting server of tests/faultserver.py in front of the certomancer services.

For each fault: exit code 1, a message naming the service's URL and the reason, no output
file and no temporary file left, the input untouched; `--on-error continue` signs the other
files of the batch and `--on-error stop` skips them. Outputs that do get signed are checked
with pyHanko's validator, not with signkit's."""

from __future__ import annotations

import hashlib
import io
import shutil
import threading
from pathlib import Path

import pytest
from certomancer import registry
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE, SAMPLE_PDFS
from conftest import TestPki as LivePki  # not "Test...": pytest would try to collect it
from faultserver import Fault, FaultServer, closed_port_url
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from signkit.cli.main import cli

import signkit
from signkit import PadesLevel, SignOptions
from signkit.errors import RevocationFetchError, SigningError, TimestampError
from signkit.signing.document import DocumentSigner
from signkit.signing.selfcheck import SignatureVerifier
from signkit.tokens.base import RsaPadding, SigningKey

P12_PASSWORD = "p12-secret"  # conftest's LivePki.p12 default
TIMEOUT = "0.5"  # seconds, for every service in these tests
OCSP_PATH = "/faulty-services/ocsp/interm-ocsp"
CRL_PATH = "/faulty-services/crls/interm-crl/latest.crl"


class FaultyServices:
    """fixtures/pki/faulty-services.yml served by certomancer's animator on a loopback port,
    with a FaultServer in front: the signers' certificates name the FaultServer as their
    OCSP responder and CRL, so each test decides how those services fail. ``refusing`` is the
    same PKI with the services named on a closed port."""

    def __init__(self, folder: Path):
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from werkzeug.serving import make_server

        animator: list = []
        self._animator_server = make_server(
            "127.0.0.1", 0, lambda env, start: animator[0](env, start), threaded=True)
        threading.Thread(target=self._animator_server.serve_forever, daemon=True).start()
        direct = f"http://127.0.0.1:{self._animator_server.server_port}"
        self.tsa_url = f"{direct}/faulty-services/tsa/tsa"
        self.rogue_tsa_url = f"{direct}/faulty-services/tsa/rogue-tsa"
        self.server = FaultServer(direct)
        self.pki = LivePki(_faulty_arch(self.server.url), folder / "served")
        self.refusing = LivePki(_faulty_arch(closed_port_url("").rstrip("/")),
                                folder / "refusing")
        for pki in (self.pki, self.refusing):
            pki.folder.mkdir()
        animator.append(Animator(AnimatorArchStore({self.pki.arch.arch_label: self.pki.arch}),
                                 with_web_ui=False))

    def close(self) -> None:
        self.server.close()
        self._animator_server.shutdown()


def _faulty_arch(url_prefix: str) -> registry.PKIArchitecture:
    cfg = registry.CertomancerConfig.from_file(
        FIXTURES / "pki" / "faulty-services.yml", key_search_dir=FIXTURES / "pki",
        external_url_prefix=url_prefix)
    return cfg.get_pki_arch(registry.ArchLabel("faulty-services"))


@pytest.fixture(scope="module")
def faulty_services(tmp_path_factory):
    services = FaultyServices(tmp_path_factory.mktemp("faulty-services"))
    yield services
    services.close()


@pytest.fixture
def revocation(faulty_services) -> FaultyServices:
    faulty_services.server.reset()
    yield faulty_services
    faulty_services.server.reset()  # releases nothing hung: close() does that at the end


@pytest.fixture
def tsa(pki, pki_services, faulty_services):
    """A FaultServer in front of the test PKI's TSA (its ``url`` is the TSA's URL for signkit);
    UNTRUSTED forwards to a TSA under a root that no test trusts."""
    with FaultServer(pki_services[0] + "/testing-ca/tsa/tsa",
                     untrusted_upstream=faulty_services.rogue_tsa_url) as server:
        yield server


@pytest.fixture
def inputs(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    return [Path(shutil.copy(p, folder / f"{i}-{p.name}"))
            for i, p in enumerate((SAMPLE_PDFS * 3)[:3])]


def digests(paths: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def sign(*args: str):
    return CliRunner().invoke(cli, ["sign", "--no-progress", *args],
                              env={"SIGNKIT_PIN": P12_PASSWORD})


def b_t_args(pki, tsa_url: str, *extra: str) -> list[str]:
    return ["--pkcs12", str(pki.p12("signer-rsa2048")), "--level", "B-T", "--tsa", tsa_url,
            "--trust", str(pki.pem("root")), "--tsa-timeout", TIMEOUT, "--tsa-retries", "0",
            *extra]


def b_lt_args(services: FaultyServices, pki: LivePki, signer: str) -> list[str]:
    return ["--pkcs12", str(pki.p12(signer)), "--level", "B-LT", "--tsa", services.tsa_url,
            "--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm")),
            "--tsa-timeout", "5", "--revocation-timeout", TIMEOUT]


def assert_failed_cleanly(result, inputs: list[Path], before: list[str], out: Path,
                          url: str, reason: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED: ")]
    assert len(failed) == 1, result.stdout
    assert url in failed[0] and reason in failed[0], failed[0]
    assert list(out.iterdir()) == []  # no output, no temporary file
    assert digests(inputs) == before


def pyhanko_validates_offline(pki: LivePki, path: Path) -> None:
    """pyHanko alone, no fetching, hard-fail: the DSS must carry the chain and revocation."""
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    vc = DocumentSecurityStore.read_dss(reader).as_validation_context({
        "trust_roots": [pki.arch.get_cert(registry.CertLabel("root"))],
        "allow_fetching": False, "revocation_mode": "hard-fail"})
    (sig,) = reader.embedded_regular_signatures
    status = validate_pdf_signature(sig, vc)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted


# --- the TSA ----------------------------------------------------------------------------------

# the first request sizes the signature (one per batch), the second is the document's
TSA_FAULTS = [
    pytest.param([Fault.FORWARD, Fault.HANG], (), f"no answer within {TIMEOUT} s", 2,
                 id="slow"),
    pytest.param([Fault.FORWARD, Fault.GARBAGE], (), "not a valid timestamp response", 2,
                 id="garbage"),
    pytest.param([Fault.FORWARD, 503, 503], ("--tsa-retries", "1"),
                 "HTTP 503 Service Unavailable after 2 attempts", 3, id="5xx-retried"),
    pytest.param([Fault.FORWARD, 400], ("--tsa-retries", "2"), "HTTP 400 Bad Request", 2,
                 id="4xx-not-retried"),
    pytest.param([Fault.FORWARD, 401], (), "HTTP 401 Unauthorized (check the TSA credentials)",
                 2, id="401"),
    pytest.param([Fault.FORWARD, Fault.WRONG_NONCE], (), "wrong nonce in the answer", 2,
                 id="wrong-nonce"),
    pytest.param([Fault.FORWARD, Fault.WRONG_IMPRINT], (),
                 "the token's message imprint is not the digest that was sent", 2,
                 id="wrong-imprint"),
    pytest.param([Fault.FORWARD, Fault.REJECTION], (),
                 "the request was refused (status rejection: request refused by policy; "
                 "unaccepted_policy)", 2, id="rejection"),
    pytest.param([Fault.UNTRUSTED], (), "the TSA certificate is not trusted", 1,
                 id="untrusted"),
    pytest.param([Fault.FORWARD, Fault.FORGED], (), "the timestamp token's signature is not valid",
                 2, id="forged"),
]


@pytest.mark.parametrize(("script", "extra", "reason", "requests"), TSA_FAULTS)
def test_tsa_fault_fails_the_file_naming_the_tsa_and_the_reason(
        pki, tsa, inputs, tmp_path, script, extra, reason, requests):
    tsa.script = list(script)
    before, out = digests(inputs[:1]), tmp_path / "out"
    result = sign(str(inputs[0]), "--out-dir", str(out), *b_t_args(pki, tsa.url, *extra))
    assert_failed_cleanly(result, inputs[:1], before, out,
                          f"time-stamping service {tsa.url} failed", reason)
    assert tsa.requests == requests  # 5xx retried as asked, 4xx never


def test_unreachable_tsa_is_retried_then_fails(pki, inputs, tmp_path):
    url = closed_port_url("/tsa")
    before, out = digests(inputs[:1]), tmp_path / "out"
    result = sign(str(inputs[0]), "--out-dir", str(out),
                  *b_t_args(pki, url, "--tsa-retries", "1"))
    assert_failed_cleanly(result, inputs[:1], before, out, url,
                          "connection refused after 2 attempts")


def test_tsa_answering_5xx_then_succeeding_signs(pki, tsa, tmp_path, checks):
    tsa.script = [503]
    out = tmp_path / "signed.pdf"
    result = sign(str(SAMPLE), "-o", str(out), *b_t_args(pki, tsa.url, "--tsa-retries", "1"))
    assert result.exit_code == 0, result.output
    assert tsa.requests == 3  # 503, its retry for the sizing token, the document's token
    (status,) = checks.pyhanko(out)
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted


@pytest.mark.parametrize(("fault", "reason"), [
    (Fault.UNTRUSTED, "the TSA certificate is not trusted"),
    (Fault.FORGED, "the timestamp token's signature is not valid"),
])
def test_a_tsa_trusted_earlier_in_the_batch_still_has_each_token_checked(
        pki, tsa, inputs, tmp_path, fault, reason):
    # the TSA's chain is validated once per batch: a later token from another TSA, or with a
    # signature that does not verify, must still be refused
    tsa.script = [Fault.FORWARD, Fault.FORWARD, fault]
    out = tmp_path / "out"
    result = sign(*map(str, inputs[:2]), "--out-dir", str(out), *b_t_args(pki, tsa.url))
    assert result.exit_code == 1, result.output
    first, second = result.stdout.splitlines()[:2]
    assert first.startswith(f"signed: {inputs[0]}")
    assert second.startswith(f"FAILED: {inputs[1]}") and reason in second, second
    assert list(out.iterdir()) == [out / inputs[0].name]


def test_timestamp_error_carries_the_url_and_the_file(pki, tsa, tmp_path):
    tsa.script = [Fault.FORWARD, Fault.GARBAGE]
    opts = SignOptions(level=PadesLevel.B_T, tsa_url=tsa.url, trust=(pki.pem("root"),))
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key, \
            pytest.raises(TimestampError) as info:
        signkit.sign_pdf(SAMPLE, tmp_path / "x.pdf", key=key, options=opts)
    assert info.value.url == tsa.url and info.value.path == str(SAMPLE)
    assert not (tmp_path / "x.pdf").exists()


# --- batches ----------------------------------------------------------------------------------

def test_on_error_continue_signs_the_other_files(pki, tsa, inputs, tmp_path, checks):
    tsa.script = [Fault.FORWARD, Fault.FORWARD, Fault.GARBAGE]  # the second file's token
    before, out = digests(inputs), tmp_path / "out"
    result = sign(*map(str, inputs), "--out-dir", str(out),
                  *b_t_args(pki, tsa.url, "--on-error", "continue"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"signed: {inputs[0]}")
    assert lines[1].startswith(f"FAILED: {inputs[1]}: time-stamping service {tsa.url}")
    assert lines[2].startswith(f"signed: {inputs[2]}")
    assert "2 signed, 1 failed, 0 skipped" in result.stderr
    assert sorted(out.iterdir()) == [out / inputs[0].name, out / inputs[2].name]
    for path in out.iterdir():
        checks.pyhanko(path)
    assert digests(inputs) == before


def test_on_error_stop_skips_the_files_after_the_failure(pki, tsa, inputs, tmp_path, checks):
    tsa.script = [Fault.FORWARD, Fault.FORWARD, Fault.WRONG_NONCE]
    out = tmp_path / "out"
    result = sign(*map(str, inputs), "--out-dir", str(out),
                  *b_t_args(pki, tsa.url, "--on-error", "stop"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith(f"FAILED: {inputs[1]}") and "wrong nonce" in lines[1]
    assert lines[2].startswith(f"skipped: {inputs[2]}")
    assert "1 signed, 1 failed, 1 skipped" in result.stderr
    assert tsa.requests == 3  # nothing asked for the skipped file
    assert list(out.iterdir()) == [out / inputs[0].name]
    checks.pyhanko(out / inputs[0].name)


# --- OCSP and CRL (B-LT) ----------------------------------------------------------------------

REVOCATION_FAULTS = [
    pytest.param("signer-ocsp", Fault.HANG, OCSP_PATH, f"no answer within {TIMEOUT} s",
                 id="ocsp-slow"),
    pytest.param("signer-ocsp", Fault.GARBAGE, OCSP_PATH,
                 "the answer is not a valid OCSP response", id="ocsp-garbage"),
    pytest.param("signer-ocsp", None, OCSP_PATH, "connection refused", id="ocsp-unreachable"),
    pytest.param("signer-crl", Fault.HANG, CRL_PATH, f"no answer within {TIMEOUT} s",
                 id="crl-slow"),
    pytest.param("signer-crl", Fault.GARBAGE, CRL_PATH, "the answer is not a valid CRL",
                 id="crl-garbage"),
    pytest.param("signer-crl", 503, CRL_PATH, "HTTP 503 Service Unavailable", id="crl-5xx"),
    pytest.param("signer-crl", None, CRL_PATH, "connection refused", id="crl-unreachable"),
]


@pytest.mark.parametrize(("signer", "fault", "path", "reason"), REVOCATION_FAULTS)
def test_revocation_fault_fails_the_file_naming_the_service_and_the_reason(
        revocation, inputs, tmp_path, signer, fault, path, reason):
    if fault is None:  # the certificates name a closed port
        pki = revocation.refusing
        url = _revocation_url(pki, path)
    else:
        pki, url = revocation.pki, revocation.server.url + path
        revocation.server.default = fault
    before, out = digests(inputs[:1]), tmp_path / "out"
    result = sign(str(inputs[0]), "--out-dir", str(out), *b_lt_args(revocation, pki, signer))
    service = "OCSP responder" if path == OCSP_PATH else "CRL distribution point"
    assert_failed_cleanly(result, inputs[:1], before, out, f"{service} {url}", reason)


def _revocation_url(pki: LivePki, path: str) -> str:
    from cryptography import x509

    cert = pki.cert("signer-ocsp" if path == OCSP_PATH else "signer-crl")
    if path == OCSP_PATH:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        (url,) = [d.access_location.value for d in aia]
    else:
        dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        (url,) = [n.value for dp in dps for n in dp.full_name]
    assert url.endswith(path)
    return url


def test_revocation_error_carries_the_service_urls(revocation, tmp_path):
    revocation.server.default = Fault.GARBAGE
    pki = revocation.pki
    opts = SignOptions(level=PadesLevel.B_LT, tsa_url=revocation.tsa_url,
                       trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    with signkit.open_pkcs12(pki.p12("signer-ocsp"), password=P12_PASSWORD) as key, \
            pytest.raises(RevocationFetchError) as info:
        signkit.sign_pdf(SAMPLE, tmp_path / "x.pdf", key=key, options=opts)
    assert info.value.urls == (revocation.server.url + OCSP_PATH,)
    assert not (tmp_path / "x.pdf").exists()


def test_revocation_data_is_fetched_once_per_batch(revocation, inputs, tmp_path):
    out = tmp_path / "out"
    result = sign(*map(str, inputs), "--out-dir", str(out),
                  *b_lt_args(revocation, revocation.pki, "signer-ocsp"))
    assert result.exit_code == 0, result.output
    assert revocation.server.paths == [OCSP_PATH]  # one OCSP request for three documents
    for src in inputs:
        pyhanko_validates_offline(revocation.pki, out / src.name)


def test_a_passing_revocation_outage_fails_only_the_files_signed_during_it(
        revocation, inputs, tmp_path):
    revocation.server.script = [Fault.GARBAGE]  # then the CRL is served again
    out = tmp_path / "out"
    result = sign(*map(str, inputs[:2]), "--out-dir", str(out),
                  *b_lt_args(revocation, revocation.pki, "signer-crl"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"FAILED: {inputs[0]}") and "not a valid CRL" in lines[0]
    assert lines[1].startswith(f"signed: {inputs[1]}"), result.stdout
    assert revocation.server.paths == [CRL_PATH, CRL_PATH]  # asked again for the next file
    pyhanko_validates_offline(revocation.pki, out / inputs[1].name)


# --- the self-check ---------------------------------------------------------------------------

class _FailingTokenKey(SigningKey):
    """A real key whose ``bad``-th signature comes back with one bit flipped (a token fault)."""

    def __init__(self, key: SigningKey, bad: int):
        self._key, self._bad, self.calls = key, bad, 0
        self.label, self.certificate, self.chain = key.label, key.certificate, key.chain

    def sign(self, data: bytes, *, digest: str, padding: RsaPadding = RsaPadding.PKCS1V15
             ) -> bytes:
        self.calls += 1
        signature = self._key.sign(data, digest=digest, padding=padding)
        return bytes([signature[0] ^ 1]) + signature[1:] if self.calls == self._bad \
            else signature


@pytest.mark.parametrize("bad", [1, 3])  # the batch's first signature, or a later one
def test_a_signature_the_token_got_wrong_fails_its_file_and_leaves_no_output(
        pki, inputs, tmp_path, checks, bad):
    out = tmp_path / "out"
    out.mkdir()
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as real, \
            DocumentSigner(_FailingTokenKey(real, bad)) as signer:
        results = []
        for source in inputs:
            try:
                results.append(signer.sign(source, out / source.name))
            except SigningError as e:
                results.append(e)
    failed = [i for i, r in enumerate(results) if isinstance(r, SigningError)]
    assert failed == [bad - 1]
    assert "internal check failed: the new signature does not verify" in str(results[bad - 1])
    assert sorted(out.iterdir()) == sorted(out / s.name for i, s in enumerate(inputs)
                                           if i != bad - 1)
    for path in out.iterdir():
        checks.pyhanko(path)


def test_the_self_check_of_a_repeated_signature_shape_still_checks_digest_and_value(
        pki, tmp_path):
    """After a full check, a signature whose signed attributes differ only in the message
    digest is checked on its digest and its value alone: both must still be right."""
    out = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        signkit.sign_pdf(SAMPLE, out, key=key)
    signature = PdfFileReader(io.BytesIO(out.read_bytes())).embedded_signatures[0]
    signer_info = signature.signer_info
    digest = signature.compute_digest()
    verifier = SignatureVerifier(signature.signer_cert)
    assert verifier.verify(signer_info, digest)  # pyHanko's full check
    assert verifier.verify(signer_info, digest)  # the same shape: digest and value only
    assert not verifier.verify(signer_info, bytes(len(digest)))
    forged = signer_info.copy()
    value = bytearray(forged["signature"].native)
    value[-1] ^= 1
    forged["signature"] = bytes(value)
    assert not verifier.verify(forged, digest)
