"""The test PKI of fixtures/pki served live on loopback for the benchmarks (``LivePki``), and
certomancer's services made to sign as a real TSA or responder does
(``keep_service_keys_loaded``)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import Counter
from pathlib import Path

PKI_CONFIG = Path(__file__).resolve().parent.parent / "fixtures" / "pki" / "testing-ca.yml"
SIGNER = "signer-rsa2048"  # LivePki's signer


def keep_service_keys_loaded() -> None:
    """Make certomancer's services (TSA, OCSP responder, CRLs) in this process sign with keys
    loaded once, as a real TSA or responder does: certomancer re-parses the private key for
    every signature, which for RSA means cryptography's key check, ~70-90 ms of CPU per
    token, and on a shared 2-core machine that would time the test PKI, not the signer."""
    from certomancer import crypto_utils
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    class KeyCachingBackend(crypto_utils.PycaCryptographyBackend):
        def __init__(self) -> None:
            self._keys: dict[bytes, object] = {}

        def generic_sign(self, private_key, tbs_bytes, sd_algo) -> bytes:
            if sd_algo.signature_algo != "rsassa_pkcs1v15":
                return super().generic_sign(private_key, tbs_bytes, sd_algo)
            der = private_key.dump()
            key = self._keys.get(der)
            if key is None:
                key = self._keys[der] = serialization.load_der_private_key(der, password=None)
            digest = getattr(hashes, sd_algo.hash_algo.upper())()
            return key.sign(tbs_bytes, padding.PKCS1v15(), digest)

    crypto_utils.CRYPTO_BACKEND = KeyCachingBackend()



class LivePki:
    """The test PKI with its OCSP responder, CRLs and TSA served live on 127.0.0.1 (a free
    port) by certomancer's animator in a thread of this process, as tests/conftest.py does.

    The port is bound first, so that the certificates' CRL distribution point and OCSP
    address name it. Writes root.pem, interm.pem and the signer's PKCS#12 to ``folder``.
    The services sign with keys loaded once (``keep_service_keys_loaded``) unless
    ``slow_services``: certomancer as shipped spends ~35 ms of the machine's CPU re-checking
    its key for every OCSP answer, inside a benchmark's timed run."""

    def __init__(self, folder: Path, *, slow_services: bool = False):
        if not slow_services:
            keep_service_keys_loaded()
        from certomancer import registry
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        animator: list = []

        def app(environ, start_response):
            path = environ.get("PATH_INFO", "")
            kind = "ocsp" if "/ocsp/" in path else "crl" if "/crls/" in path else "other"
            with self._lock:
                self._counts[kind] += 1
            return animator[0](environ, start_response)

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

        cfg = registry.CertomancerConfig.from_file(
            PKI_CONFIG, key_search_dir=PKI_CONFIG.parent, external_url_prefix=self.url)
        arch = cfg.get_pki_arch(registry.ArchLabel("testing-ca"))

        class WholeSecondAnimator(Animator):
            # NSS (pdfsig) rejects OCSP responses whose times carry fractional seconds
            def at_time(self, request):
                return super().at_time(request).replace(microsecond=0)

        animator.append(
            WholeSecondAnimator(AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False))

        def cert(label: str) -> x509.Certificate:
            return x509.load_der_x509_certificate(arch.get_cert(registry.CertLabel(label)).dump())

        folder.mkdir(parents=True, exist_ok=True)
        self.root_pem, self.interm_pem = folder / "root.pem", folder / "interm.pem"
        self.signer_pem = folder / f"{SIGNER}.pem"
        for path, label in ((self.root_pem, "root"), (self.interm_pem, "interm"),
                            (self.signer_pem, SIGNER)):
            path.write_bytes(cert(label).public_bytes(serialization.Encoding.PEM))
        signer = cert(SIGNER)
        self.signer_name = signer.subject.rfc4514_string()
        self.crl_urls = [name.value for dp in _extension(signer, x509.CRLDistributionPoints)
                         for name in dp.full_name or ()]
        self.ocsp_urls = [ad.access_location.value
                          for ad in _extension(signer, x509.AuthorityInformationAccess)
                          if ad.access_method == x509.oid.AuthorityInformationAccessOID.OCSP]
        key = serialization.load_der_private_key(
            arch.key_set.get_private_key(registry.KeyLabel(SIGNER)).dump(), password=None)
        self.p12_password = secrets.token_hex(8)
        self.p12 = folder / f"{SIGNER}.p12"
        self.p12.write_bytes(pkcs12.serialize_key_and_certificates(
            SIGNER.encode(), key, signer, [cert("interm"), cert("root")],
            serialization.BestAvailableEncryption(self.p12_password.encode())))
        self.p12.chmod(0o600)

    def requests(self) -> Counter[str]:
        """Requests served so far, by kind (ocsp, crl, other)."""
        with self._lock:
            return Counter(self._counts)

    def requests_since(self, before: Counter[str]) -> dict[str, int]:
        """Requests served since ``before`` (an earlier ``requests()``), by kind."""
        after = self.requests()
        return {kind: after[kind] - before[kind] for kind in ("ocsp", "crl", "other")}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _extension(cert, kind) -> list:
    from cryptography import x509

    try:
        return list(cert.extensions.get_extension_for_class(kind).value)
    except x509.ExtensionNotFound:
        return []


# --- options and the work folder ---------------------------------------------------------------

