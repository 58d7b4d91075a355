"""Shared test fixtures: the certomancer test PKI, real SoftHSM2 tokens written through
PyKCS11, an NSS database for poppler's pdfsig, and the independent output checks."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from certomancer import registry
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from signkit.tokens.provision import (
    import_key_and_certificate,
    init_token,
    write_softhsm_config,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SAMPLE_PDFS = sorted((FIXTURES / "pdf").glob("*.pdf"))
SAMPLE = FIXTURES / "pdf" / "qd-123-quyet-dinh.pdf"
FIELD_SAMPLE = FIXTURES / "pdf" / "tt-7-to-trinh-co-truong-ky.pdf"
USER_PIN = "246810"
SO_PIN = "13579111"

# PKCS#11 token flags that SoftHSM2 never sets by itself (it does not lock PINs)
CKF_USER_PIN_FINAL_TRY = 0x20000
CKF_USER_PIN_LOCKED = 0x40000


@dataclass
class TestPki:
    """The certomancer architecture in fixtures/pki, as cryptography objects and PEM files."""

    arch: registry.PKIArchitecture
    folder: Path

    def cert(self, label: str) -> x509.Certificate:
        asn1 = self.arch.get_cert(registry.CertLabel(label))
        return x509.load_der_x509_certificate(asn1.dump())

    def key(self, label: str):
        info = self.arch.key_set.get_private_key(registry.KeyLabel(label))
        return serialization.load_der_private_key(info.dump(), password=None)

    def pem(self, label: str) -> Path:
        path = self.folder / f"{label}.pem"
        if not path.exists():
            path.write_bytes(self.cert(label).public_bytes(serialization.Encoding.PEM))
        return path

    def p12(self, label: str, password: bytes = b"p12-secret") -> Path:
        path = self.folder / f"{label}.p12"
        if not path.exists():
            path.write_bytes(
                pkcs12.serialize_key_and_certificates(
                    label.encode(), self.key(label), self.cert(label),
                    [self.cert("interm"), self.cert("root")],
                    serialization.BestAvailableEncryption(password),
                )
            )
        return path


@pytest.fixture(scope="session")
def pki_services() -> Iterator[tuple[str, list]]:
    """A loopback HTTP server for the test PKI's OCSP, CRL, TSA and certificate URLs.

    The port is bound first, so the certificates can name it; the certomancer animator is
    attached once the PKI is built (see ``pki``)."""
    from werkzeug.serving import make_server

    app_holder: list = []

    def app(environ, start_response):
        return app_holder[0](environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app_holder
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def pki(tmp_path_factory, pki_services) -> TestPki:
    from certomancer.integrations.animator import Animator, AnimatorArchStore

    url, app_holder = pki_services
    cfg = registry.CertomancerConfig.from_file(
        FIXTURES / "pki" / "testing-ca.yml", key_search_dir=FIXTURES / "pki",
        external_url_prefix=url,
    )
    arch = cfg.get_pki_arch(registry.ArchLabel("testing-ca"))

    class WholeSecondAnimator(Animator):
        # NSS (pdfsig) rejects OCSP responses whose times carry fractional seconds
        def at_time(self, request):
            return super().at_time(request).replace(microsecond=0)

    app_holder.append(
        WholeSecondAnimator(AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False)
    )
    return TestPki(arch, tmp_path_factory.mktemp("pki"))


@dataclass
class SoftHsm:
    """One SoftHSM2 installation for the test session (own SOFTHSM2_CONF)."""

    folder: Path
    module: str
    pki: TestPki
    labels: list[str] = field(default_factory=list)

    def make_token(self, label: str, keys: dict[str, str], *, always_authenticate=False,
                   add_flags: int = 0) -> str:
        """A token ``label`` holding ``{key label: PKI cert label}`` with the issuing CA's
        certificate; ``add_flags`` forces PIN-state flags SoftHSM2 would never set."""
        init_token(self.module, label=label, so_pin=SO_PIN, user_pin=USER_PIN)
        for i, (key_label, cert_label) in enumerate(keys.items(), start=1):
            import_key_and_certificate(
                self.module, token_label=label, user_pin=USER_PIN,
                key=self.pki.key(cert_label), certificate=self.pki.cert(cert_label),
                label=key_label, key_id=bytes([i]),
                extra_certificates=(self.pki.cert("interm"),) if i == 1 else (),
                always_authenticate=always_authenticate,
            )
        if add_flags:
            self.set_flags(label, add_flags)
        self.labels.append(label)
        return label

    def token_dir(self, label: str) -> Path:
        padded = label.encode().ljust(32, b" ")
        for obj in (self.folder / "tokens").glob("*/token.object"):
            if padded in obj.read_bytes():
                return obj.parent
        raise LookupError(label)

    def set_flags(self, label: str, add_flags: int) -> None:
        # SoftHSM2's file store keeps the token flags as attribute 0x8000534B (integer kind 2,
        # 8-byte big-endian value); OR in the flags a real token would report.
        path = self.token_dir(label) / "token.object"
        data = bytearray(path.read_bytes())
        tag = bytes.fromhex("000000008000534b0000000000000002")
        at = data.find(tag)
        assert at >= 0, "SoftHSM2 token file layout changed"
        at += len(tag)
        value = int.from_bytes(data[at:at + 8], "big") | add_flags
        data[at:at + 8] = value.to_bytes(8, "big")
        path.write_bytes(bytes(data))

    def remove_token(self, label: str) -> None:
        shutil.rmtree(self.token_dir(label))


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory, pki) -> SoftHsm:
    from signkit.demo import softhsm_module

    folder = tmp_path_factory.mktemp("softhsm")
    os.environ["SOFTHSM2_CONF"] = str(write_softhsm_config(folder))
    os.environ.pop("SIGNKIT_PIN", None)
    hsm = SoftHsm(folder, softhsm_module(), pki)
    hsm.make_token("rsa2048", {"an": "signer-rsa2048"})
    hsm.make_token("rsa3072", {"binh": "signer-rsa3072"})
    hsm.make_token("ec256", {"cuong": "signer-ec256"})
    hsm.make_token("two-keys", {"an": "signer-rsa2048", "dung": "signer-second"})
    return hsm


@pytest.fixture
def module_env(softhsm, monkeypatch) -> str:
    """SIGNKIT_PKCS11_MODULE pointing at SoftHSM2, as a clerk's profile would."""
    monkeypatch.setenv("SIGNKIT_PKCS11_MODULE", softhsm.module)
    return softhsm.module


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory, pki) -> Path:
    """An NSS database for pdfsig that trusts the test root."""
    folder = tmp_path_factory.mktemp("nssdb")
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{folder}", "-n", "signkit-test-root", "-t", "CT,C,C",
         "-i", str(pki.pem("root"))],
        check=True,
    )
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{folder}", "-n", "signkit-test-interm", "-t", ",,",
         "-i", str(pki.pem("interm"))],
        check=True,
    )
    return folder


@dataclass
class OutputChecks:
    """Independent checks of a signed PDF: poppler's pdfsig, qpdf, pyHanko's validator."""

    nss_db: Path
    pki: TestPki

    def pdfsig(self, path: Path) -> str:
        run = subprocess.run(["pdfsig", "-nssdir", f"sql:{self.nss_db}", str(path)],
                             capture_output=True, text=True)
        return run.stdout + run.stderr

    def qpdf(self, path: Path) -> None:
        run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "No syntax or stream encoding errors found" in run.stdout, run.stdout

    def pyhanko(self, path: Path, *, signatures: int = 1):
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        vc = ValidationContext(
            trust_roots=[self.pki.arch.get_cert(registry.CertLabel("root"))],
            other_certs=[self.pki.arch.get_cert(registry.CertLabel("interm"))],
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        reader = PdfFileReader(io.BytesIO(path.read_bytes()))
        assert len(reader.embedded_signatures) == signatures
        statuses = [validate_pdf_signature(s, vc) for s in reader.embedded_signatures]
        for status in statuses:
            assert status.intact and status.valid, status.pretty_print_details()
            assert status.trusted, status.pretty_print_details()
        return statuses

    def all(self, path: Path, *, signatures: int = 1) -> None:
        """pdfsig says valid, whole document, trusted; qpdf is clean; pyHanko validates."""
        text = self.pdfsig(path)
        assert text.count("Signature is Valid") == signatures, text
        assert "Total document signed" in text, text
        assert "Certificate is Trusted" in text, text
        self.qpdf(path)
        self.pyhanko(path, signatures=signatures)


@pytest.fixture(scope="session")
def checks(nss_db, pki) -> OutputChecks:
    return OutputChecks(nss_db, pki)


@pytest.fixture(scope="session")
def kit(pki, tmp_path_factory):
    """What the verification documents' builders need (tests/verify_docs.py)."""
    import verify_docs

    return verify_docs.Kit(pki, tmp_path_factory.mktemp("verify-kit"))


@pytest.fixture(scope="session")
def docs(kit, tmp_path_factory) -> dict[str, Path]:
    """Every document of verify_docs.DOCS (and verify_attack_docs), built once per session."""
    import verify_attack_docs  # noqa: F401 - registers its documents in verify_docs.DOCS
    import verify_docs

    return verify_docs.build_all(kit, tmp_path_factory.mktemp("verify-docs"))


def pytest_terminal_summary(terminalreporter):
    """The fuzz harness's counts (tests/test_fuzz.py), when it ran: documents tried and their
    verdicts, for the closing note of a fuzzing run."""
    import sys

    harness = sys.modules.get("fuzz.harness")
    if harness is not None and harness.STATS.documents:
        terminalreporter.section("fuzz")
        for line in harness.STATS.summary_lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def services(pki):
    """The loopback CSC and SmartCA services (tests/remote_servers.py), signing with the test
    PKI's signer; one per test module (tests reset its switches and counters)."""
    from remote_servers import SigningServices, material_from

    running = SigningServices(material_from(pki)).start()
    yield running
    running.stop()
