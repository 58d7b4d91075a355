"""Long-term signature levels against the live certomancer services: B-T (signature
timestamp), B-LT (DSS with chains and revocation data), B-LTA (document timestamp); a TSA that
is dead, failing, refusing, lying or untrusted; retries; connection reuse across a batch."""

from __future__ import annotations

import io
import threading
import urllib.request
from pathlib import Path

import pytest
from asn1crypto import tsp
from click.testing import CliRunner
from conftest import SAMPLE, SAMPLE_PDFS
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from signkit_cli.main import cli

import signkit
from signkit import PadesLevel, SignOptions
from signkit.errors import TimestampError
from signkit.verification import VerifyOptions

DEAD_TSA = "http://127.0.0.1:1/tsa"


@pytest.fixture(scope="module")
def tsa_url(pki, pki_services) -> str:
    return pki_services[0] + "/testing-ca/tsa/tsa"


@pytest.fixture(scope="module")
def p12_key(pki):
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        yield key


def options(pki, level: str, tsa: str, **kw) -> SignOptions:
    return SignOptions(level=PadesLevel.from_name(level), tsa_url=tsa,
                       trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                       tsa_retries=kw.pop("tsa_retries", 2), **kw)


def vc(pki, **kw) -> ValidationContext:
    return ValidationContext(trust_roots=[_asn1(pki, "root")],
                             other_certs=[_asn1(pki, "interm")], allow_fetching=False,
                             revocation_mode="soft-fail", **kw)


def _asn1(pki, label):
    from certomancer import registry

    return pki.arch.get_cert(registry.CertLabel(label))


def reader_of(path: Path) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(path.read_bytes()))


def verify_offline(pki, path: Path):
    return signkit.verify_pdf(path, options=VerifyOptions(offline=True, trust=(pki.pem("root"),)))


class TsaProxy:
    """A loopback TSA in front of the real one: counts requests and TCP connections (distinct
    client ports), and can answer 5xx/4xx, garbage, or forward with a changed nonce. Built on
    http.server with HTTP/1.1 keep-alive (werkzeug's dev server closes every connection)."""

    def __init__(self, target: str):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, ctype, data = proxy.answer(body, self.client_address[1])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.target = target
        self.script: list[str] = []  # what to do with the next requests; then "forward"
        self.requests = 0
        self.ports: set[int] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"

    def answer(self, body: bytes, port: int) -> tuple[int, str, bytes]:
        with self.lock:
            self.requests += 1
            self.ports.add(port)
            action = self.script.pop(0) if self.script else "forward"
        if action.isdigit():
            return int(action), "text/plain", b"nope"
        if action == "garbage":
            return 200, "application/timestamp-reply", b"\x30\x03\x02\x01\x00 not a timestamp"
        if action == "bad-nonce":
            req = tsp.TimeStampReq.load(body)
            req["nonce"] = req["nonce"].native + 1
            body = req.dump()
        forwarded = urllib.request.Request(
            self.target, data=body, headers={"Content-Type": "application/timestamp-query"})
        with urllib.request.urlopen(forwarded, timeout=10) as answer:
            return 200, "application/timestamp-reply", answer.read()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(tsa_url):
    p = TsaProxy(tsa_url)
    yield p
    p.close()


# --- the levels ---------------------------------------------------------------------------

def test_b_t_has_a_trusted_signature_timestamp(pki, p12_key, tsa_url, tmp_path, checks):
    out = tmp_path / "bt.pdf"
    result = signkit.sign_pdf(SAMPLE, out, key=p12_key, options=options(pki, "B-T", tsa_url))
    assert result.ok and result.level == "PAdES-B-T"
    checks.qpdf(out)
    (status,) = checks.pyhanko(out)
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted, status.pretty_print_details()
    assert "/DSS" not in reader_of(out).root
    report = verify_offline(pki, out)
    assert report.status.name == "TOTAL_PASSED", report
    assert report.signatures[0].level == "PAdES-B-T"


def test_b_lt_embeds_chains_and_revocation_data(pki, p12_key, tsa_url, tmp_path, checks):
    out = tmp_path / "blt.pdf"
    result = signkit.sign_pdf(SAMPLE, out, key=p12_key, options=options(pki, "B-LT", tsa_url))
    assert result.ok and result.level == "PAdES-B-LT"
    checks.qpdf(out)
    checks.pyhanko(out)
    dss = reader_of(out).root["/DSS"]
    certs = [c.get_object().data for c in dss["/Certs"]]
    for label in ("signer-rsa2048", "interm", "tsa"):
        assert _asn1(pki, label).dump() in certs, label
    assert len(dss.get("/OCSPs", ())) + len(dss.get("/CRLs", ())) >= 1
    report = verify_offline(pki, out)
    assert report.status.name == "TOTAL_PASSED", report
    assert report.signatures[0].level == "PAdES-B-LT"


def test_b_lta_adds_a_document_timestamp(pki, p12_key, tsa_url, tmp_path, checks):
    out = tmp_path / "blta.pdf"
    result = signkit.sign_pdf(SAMPLE, out, key=p12_key, options=options(pki, "B-LTA", tsa_url))
    assert result.ok and result.level == "PAdES-B-LTA"
    checks.qpdf(out)
    reader = reader_of(out)
    (sig,) = reader.embedded_regular_signatures
    (doc_ts,) = reader.embedded_timestamp_signatures
    status = validate_pdf_signature(sig, vc(pki))
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    ts_status = validate_pdf_timestamp(doc_ts, vc(pki))
    assert ts_status.intact and ts_status.valid and ts_status.trusted
    report = verify_offline(pki, out)
    regular = [s for s in report.signatures if s.field == str(sig.field_name)]
    assert regular[0].level == "PAdES-B-LTA"
    assert regular[0].status.name == "TOTAL_PASSED", regular[0]
    # NOTE: verify_pdf still judges the document timestamp itself as a (failing) "CMS"
    # signature, so the file-level status is not asserted here (see the report to the owner).


# --- TSA faults -----------------------------------------------------------------------------

def test_dead_tsa_fails_naming_it_and_leaves_no_output(pki, p12_key, tmp_path):
    out = tmp_path / "dead.pdf"
    with pytest.raises(TimestampError) as info:
        signkit.sign_pdf(SAMPLE, out, key=p12_key,
                         options=options(pki, "B-T", DEAD_TSA, tsa_retries=1))
    assert DEAD_TSA in str(info.value) and "cannot connect" in str(info.value)
    assert info.value.url == DEAD_TSA
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_dead_tsa_exits_1_with_the_reason(pki, tmp_path):
    out = tmp_path / "dead.pdf"
    result = CliRunner().invoke(cli, [
        "sign", str(SAMPLE), "-o", str(out), "--pkcs12", str(pki.p12("signer-rsa2048")),
        "--level", "B-T", "--tsa", DEAD_TSA, "--trust", str(pki.pem("root")),
    ], env={"SIGNKIT_PIN": "p12-secret"})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert DEAD_TSA in result.output and "cannot connect" in result.output, result.output
    assert not out.exists()


def test_cli_timestamped_level_without_tsa_is_a_usage_error(pki, tmp_path):
    result = CliRunner().invoke(cli, [
        "sign", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
        "--pkcs12", str(pki.p12("signer-rsa2048")), "--level", "B-T",
    ], env={"SIGNKIT_PIN": "p12-secret"})
    assert result.exit_code == 2, result.output
    assert "--tsa" in result.output


def test_http_500_is_retried(pki, p12_key, proxy, tmp_path, checks):
    proxy.script = ["500"]
    out = tmp_path / "retry.pdf"
    assert signkit.sign_pdf(SAMPLE, out, key=p12_key,
                            options=options(pki, "B-T", proxy.url)).ok
    assert proxy.requests == 3  # 500, then the sizing token, then the document's token
    checks.pyhanko(out)


def test_http_400_is_not_retried(pki, p12_key, proxy, tmp_path):
    proxy.script = ["400"]
    out = tmp_path / "refused.pdf"
    with pytest.raises(TimestampError, match="HTTP 400"):
        signkit.sign_pdf(SAMPLE, out, key=p12_key, options=options(pki, "B-T", proxy.url))
    assert proxy.requests == 1
    assert not out.exists()


@pytest.mark.parametrize("action, reason", [
    ("garbage", "not a valid timestamp response"),
    ("bad-nonce", "wrong nonce"),
])
def test_lying_tsa_is_refused(pki, p12_key, proxy, tmp_path, action, reason):
    proxy.script = ["forward", action]  # the sizing token is fine, the document's is not
    out = tmp_path / "lie.pdf"
    with pytest.raises(TimestampError, match=reason) as info:
        signkit.sign_pdf(SAMPLE, out, key=p12_key, options=options(pki, "B-T", proxy.url))
    assert proxy.url in str(info.value)
    assert not out.exists()


def test_untrusted_tsa_is_refused(pki, p12_key, tsa_url, tmp_path):
    out = tmp_path / "untrusted.pdf"
    opts = SignOptions(level=PadesLevel.B_T, tsa_url=tsa_url, trust=(pki.pem("foreign-root"),))
    with pytest.raises(TimestampError, match="not trusted") as info:
        signkit.sign_pdf(SAMPLE, out, key=p12_key, options=opts)
    assert tsa_url in str(info.value)
    assert not out.exists()


def test_batch_requests_one_timestamp_per_document_over_reused_connections(
        pki, p12_key, proxy, tmp_path, checks):
    jobs = [(p, tmp_path / f"{i}-{p.name}") for i, p in enumerate((SAMPLE_PDFS * 5)[:5])]
    outcome = signkit.sign_many(jobs, key=p12_key, options=options(pki, "B-T", proxy.url))
    assert outcome.ok and outcome.signed == 5
    assert proxy.requests == 1 + 5  # one sizing token for the batch, one per document
    assert len(proxy.ports) == 1, proxy.ports  # one kept-alive TCP connection
    for _, out in jobs:
        checks.qpdf(out)
    checks.pyhanko(jobs[-1][1])
