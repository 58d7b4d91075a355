"""Verification's revocation fetchers over http.client (signkit.verification.http_fetchers),
and the ``signkit verify`` command that, thanks to them, never imports aiohttp
(signkit._deferred_aiohttp).

The answers come from the live test PKI on loopback; faults from tests/faultserver.py and a
small redirecting server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from certomancer import registry
from conftest import SAMPLE
from faultserver import Fault, FaultServer, closed_port_url
from pyhanko_certvalidator.authority import CertTrustAnchor
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.util import get_ocsp_urls

import signkit
from signkit.verification.http_fetchers import HttpFetchError, StdlibFetcherBackend, http_request

SIGNKIT = Path(sys.executable).with_name("signkit")


def _certs(arch, label: str = "signer-rsa2048", issuer: str = "interm"):
    return (arch.get_cert(registry.CertLabel(label)),
            CertTrustAnchor(arch.get_cert(registry.CertLabel(issuer))).authority)


def _fetch_ocsp(arch, timeout: float = 5):
    cert, authority = _certs(arch)
    fetchers = StdlibFetcherBackend(per_request_timeout=timeout).get_fetchers()
    return asyncio.run(fetchers.ocsp_fetcher.fetch(cert, authority)), fetchers, cert


def test_ocsp_and_crl_come_from_the_live_pki_and_are_kept(pki):
    response, fetchers, cert = _fetch_ocsp(pki.arch)
    assert response["response_status"].native == "successful"
    single = response.basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert single["cert_status"].name == "good"
    assert single["cert_id"]["serial_number"].native == cert.serial_number
    assert list(fetchers.ocsp_fetcher.fetched_responses_for_cert(cert)) == [response]

    crls = asyncio.run(fetchers.crl_fetcher.fetch(cert))
    assert crls and all(isinstance(c, asn1_crl.CertificateList) for c in crls)
    assert {c.issuer.human_friendly for c in crls} == {
        pki.arch.get_cert(registry.CertLabel("interm")).subject.human_friendly}
    assert list(fetchers.crl_fetcher.fetched_crls_for_cert(cert)) == crls


@pytest.mark.parametrize("fault, error", [
    (500, OCSPFetchError),
    (404, OCSPFetchError),
    (Fault.GARBAGE, OCSPFetchError),
])
def test_a_failed_ocsp_answer_is_a_fetch_error(pki, kit, fault, error):
    with FaultServer(pki_url(pki)) as server:
        server.default = fault
        with pytest.raises(error, match="Failed to fetch OCSP response from"):
            _fetch_ocsp(kit.arch_with_urls(server.url))
        assert server.requests == 1


def test_a_failed_crl_download_is_a_fetch_error(pki, kit):
    with FaultServer(pki_url(pki)) as server:
        server.default = 503
        cert, _ = _certs(kit.arch_with_urls(server.url))
        fetchers = StdlibFetcherBackend(per_request_timeout=5).get_fetchers()
        with pytest.raises(CRLFetchError):
            asyncio.run(fetchers.crl_fetcher.fetch(cert))


def _arch_ready(kit, url: str):
    """The PKI with its URLs under ``url``, its certificates already issued: certomancer
    issues them on first use, which takes seconds, and must not count in a timed fetch."""
    arch = kit.arch_with_urls(url)
    _certs(arch)
    return arch


def test_a_refused_connection_is_a_fetch_error_at_once(kit):
    arch = _arch_ready(kit, closed_port_url().rstrip("/"))
    started = time.monotonic()
    with pytest.raises(OCSPFetchError):
        _fetch_ocsp(arch)
    assert time.monotonic() - started < 1.5


def test_a_server_that_never_answers_times_out(pki, kit):
    """As with pyHanko's aiohttp fetchers, a timeout is not a fetch error: the verifier
    catches it, judges offline and says the server did not answer."""
    with FaultServer(pki_url(pki)) as server:
        server.default = Fault.HANG
        arch = _arch_ready(kit, server.url)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            _fetch_ocsp(arch, timeout=0.5)
        assert 0.45 < time.monotonic() - started < 2


# --- redirects, and a server that trickles its answer -----------------------------------------

class _Scripted(BaseHTTPRequestHandler):
    """Redirects /moved/<status>/<rest> to the live PKI's /<rest>; /loop redirects to itself;
    /trickle sends a byte every 0.2 s."""

    protocol_version = "HTTP/1.1"
    live = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._serve()

    def _serve(self) -> None:
        if self.path.startswith("/moved/"):
            _, _, status, rest = self.path.split("/", 3)
            self._redirect(int(status), f"{self.live}/{rest}")
        elif self.path == "/loop":
            self._redirect(302, "/loop")
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def scripted(pki):
    handler = type("Handler", (_Scripted,), {"live": pki_url(pki)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_redirects_are_followed_keeping_a_post_on_307(pki, scripted):
    cert, authority = _certs(pki.arch)
    from pyhanko_certvalidator.fetchers.common_utils import format_ocsp_request

    request = format_ocsp_request(cert, authority, certid_hash_algo="sha1",
                                  request_nonces=False)
    live_path = get_ocsp_urls(cert)[0].removeprefix(pki_url(pki) + "/")
    answer = http_request("POST", f"{scripted}/moved/307/{live_path}", body=request.dump(),
                          headers={"Content-Type": "application/ocsp-request"}, timeout=5)
    assert asn1_ocsp.OCSPResponse.load(answer.content)["response_status"].native == "successful"


def test_a_redirect_loop_and_a_trickling_answer_are_cut_off(kit, scripted):
    with pytest.raises(HttpFetchError, match="redirects"):
        http_request("GET", f"{scripted}/loop", headers={}, timeout=5)

    # each byte comes within the socket timeout; the whole answer does not within the total
    fetchers = StdlibFetcherBackend(per_request_timeout=1).get_fetchers()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(fetchers.cert_fetcher.fetch_certs(f"{scripted}/trickle", "certificate"))
    assert time.monotonic() - started < 3


# --- the signkit verify command ---------------------------------------------------------------

@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fetchers") / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, out, key=key)
    return out


def test_signkit_verify_checks_revocation_live_without_importing_aiohttp(pki, signed):
    """Python lists every module it imports (PYTHONPROFILEIMPORTTIME), the forked worker's
    too: aiohttp is not among them, and the OCSP answer was still fetched."""
    run = subprocess.run(
        [str(SIGNKIT), "verify", str(signed), "--trust", str(pki.pem("root")),
         "--other-certs", str(pki.pem("interm")), "--format", "json", "--no-progress"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
        timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()
                if line.startswith("import time:")]
    assert "pyhanko.sign.validation" in imported  # the probe sees the verifier's imports
    assert not [m for m in imported if m.split(".")[0] == "aiohttp"]
    signature = json.loads(run.stdout)["files"][0]["signatures"][0]
    assert signature["status"] == "TOTAL_PASSED"
    assert signature["revocation"] == {"checked": True, "source": "OCSP", "status": "GOOD"}


def test_deferred_modules_load_for_real_on_first_use():
    probe = """
import sys
from signkit import _deferred_aiohttp
_deferred_aiohttp.defer()
import pyhanko.sign.timestamps as ts
import pyhanko.sign.validation.ades as ades
assert "aiohttp" not in sys.modules and _deferred_aiohttp.is_deferred()
stamper = ts.HTTPTimeStamper("http://127.0.0.1:9/")
real = type(stamper)
assert real.__module__ == "pyhanko.sign.timestamps.aiohttp_client", real
assert ts.HTTPTimeStamper is real and isinstance(stamper, ts.HTTPTimeStamper)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
assert ades.AIOHttpFetcherBackend is AIOHttpFetcherBackend
assert "aiohttp" in sys.modules and not _deferred_aiohttp.is_deferred()
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60)
    assert run.stdout.strip() == "ok", run.stderr


def pki_url(pki) -> str:
    """The live PKI's base URL (what its certificates' OCSP and CRL URLs start with)."""
    url = get_ocsp_urls(pki.arch.get_cert(registry.CertLabel("signer-rsa2048")))[0]
    return url.split("/", 3)[0] + "//" + url.split("/", 3)[2]
