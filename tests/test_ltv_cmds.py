"""`signkit timestamp`, `signkit ltv add` and `signkit ltv refresh` against the live certomancer
services (TSA, OCSP, CRLs on loopback). Every output is checked with pyHanko's validator alone
(offline, hard-fail: the document must carry what it needs), qpdf --check, and against the
input's bytes (earlier revisions untouched); faults are real (a closed port, the
fault-injecting server of tests/faultserver.py)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from certomancer import registry
from click.testing import CliRunner, Result
from conftest import SAMPLE
from faultserver import Fault, FaultServer, closed_port_url
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.api import FetcherBackend
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from signkit.cli.main import cli

import signkit
from signkit import PadesLevel, SignOptions
from signkit.ltv import newest_timestamp

P12_PASSWORD = "p12-secret"


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tsa_url(pki_services) -> str:
    return pki_services[0] + "/testing-ca/tsa/tsa"


@pytest.fixture(scope="module")
def signed(pki, tsa_url, tmp_path_factory) -> dict[str, Path]:
    """SAMPLE signed by signkit at B-B, B-T and B-LT (signer-rsa2048, PKCS#12), and at B-T by
    signer-g2 ("G2-B-T"), whose chain has revocation data for every certificate (what
    pyHanko's long-term validation needs; signer-rsa2048's intermediate names none)."""
    folder = tmp_path_factory.mktemp("signed")
    files = {}
    for name, label, interm in (("B-B", "signer-rsa2048", "interm"),
                                ("B-T", "signer-rsa2048", "interm"),
                                ("B-LT", "signer-rsa2048", "interm"),
                                ("G2-B-T", "signer-g2", "interm-g2")):
        files[name] = folder / f"{name}.pdf"
        level = PadesLevel.from_name(name.removeprefix("G2-"))
        options = SignOptions(level=level, tsa_url=tsa_url if level.timestamped else None,
                              trust=(pki.pem("root"),), other_certs=(pki.pem(interm),))
        with signkit.open_pkcs12(pki.p12(label), password=P12_PASSWORD) as key:
            signkit.sign_pdf(SAMPLE, files[name], key=key, options=options)
    return files


@pytest.fixture
def work(tmp_path, signed) -> Path:
    """A folder holding copies of the signed files (tests may change them)."""
    for level, path in signed.items():
        shutil.copyfile(path, tmp_path / f"{level}.pdf")
    return tmp_path


def trust(pki) -> list[str]:
    return ["--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm")),
            "--other-certs", str(pki.pem("interm-g2"))]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def records(result: Result) -> dict[str, dict]:
    return {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- independent checks -----------------------------------------------------------------------

def _asn1(pki, label):
    return pki.arch.get_cert(registry.CertLabel(label))


def reader_of(path: Path) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)


def assert_complete_offline(pki, path: Path, *, signatures: int = 1) -> None:
    """pyHanko, from the DSS alone, no fetching, hard-fail: every signature intact, valid,
    trusted with revocation data for its chain; nothing but LTA updates after it; every
    document timestamp intact, valid and trusted."""
    reader = reader_of(path)
    dss = DocumentSecurityStore.read_dss(reader)
    assert len(reader.embedded_regular_signatures) == signatures

    def context() -> ValidationContext:
        return dss.as_validation_context({"trust_roots": [_asn1(pki, "root")],
                                          "allow_fetching": False,
                                          "revocation_mode": "hard-fail"})

    for sig in reader.embedded_regular_signatures:
        status = validate_pdf_signature(sig, context())
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.modification_level <= ModificationLevel.LTA_UPDATES, status.modification_level
    for ts in reader.embedded_timestamp_signatures:
        status = validate_pdf_timestamp(ts, context())
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()


class _NoFetching(FetcherBackend):
    def get_fetchers(self):
        raise AssertionError("offline validation must not fetch")

    async def close(self) -> None:
        pass


def assert_lta_valid(pki, path: Path) -> None:
    """pyHanko's long-term validation (ETSI EN 319 102-1 §5.6.3), offline, hard-fail."""
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=[_asn1(pki, "root")]),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail"))),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            RevinfoOnlineFetchingRule.LOCAL_ONLY, fetcher_backend=_NoFetching(),
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH),
        local_knowledge=LocalKnowledge(known_certs=[_asn1(pki, "interm-g2")]),
    ))
    reader = reader_of(path)
    for sig in reader.embedded_regular_signatures:
        result = asyncio.run(ades_lta_validation(sig, spec))
        assert result.ades_subindic is AdESPassed.OK, (result.ades_subindic, result.failure_msg)


def assert_extends(original: bytes, path: Path) -> None:
    """The output keeps the input's bytes as they were: only incremental updates follow."""
    data = path.read_bytes()
    assert len(data) > len(original) and data.startswith(original)


# --- ltv add ----------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["B-B", "B-T"])
def test_add_brings_signatures_to_b_lt_complete_offline(pki, tsa_url, work, checks, source):
    original = (work / f"{source}.pdf").read_bytes()
    out = work / "out" / f"{source}.pdf"
    result = run("ltv", "add", work / f"{source}.pdf", "-o", out, "--tsa", tsa_url,
                 *trust(pki), "--format", "json")
    assert result.exit_code == 0, result.output
    (record,) = records(result).values()
    assert record["status"] == "ADDED" and record["output"] == str(out)
    added = record["added"]
    assert added["certificates"] >= 2 and added["ocsp_responses"] + added["crls"] >= 1
    # a B-B signature has no proof of existence: a document timestamp gives it one
    assert added["document_timestamp"] is (source == "B-B")
    assert record["sha256"] == sha256(out)
    assert_extends(original, out)
    assert_complete_offline(pki, out)
    checks.qpdf(out)
    dss = reader_of(out).root["/DSS"]
    certs = [c.get_object().data for c in dss["/Certs"]]
    for label in ("signer-rsa2048", "interm", "tsa"):
        assert _asn1(pki, label).dump() in certs, label


def test_add_b_lta_passes_pyhankos_long_term_validation(pki, tsa_url, work, checks):
    original = (work / "G2-B-T.pdf").read_bytes()
    out = work / "lta.pdf"
    result = run("ltv", "add", work / "G2-B-T.pdf", "-o", out, "--level", "B-LTA",
                 "--tsa", tsa_url, *trust(pki))
    assert result.exit_code == 0, result.output
    assert "ADDED" in result.output and "a document timestamp" in result.output
    assert_extends(original, out)
    assert len(reader_of(out).embedded_timestamp_signatures) == 1
    assert_complete_offline(pki, out)
    assert_lta_valid(pki, out)
    checks.qpdf(out)
    # the signature as it was signed still verifies for poppler too
    assert "Signature is Valid" in checks.pdfsig(out)


def test_add_on_a_complete_document_is_not_needed_and_writes_nothing(pki, tsa_url, work):
    out = work / "lt-again.pdf"
    result = run("ltv", "add", work / "B-LT.pdf", "-o", out, "--tsa", tsa_url, *trust(pki),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert records(result)["B-LT.pdf"]["status"] == "NOT_NEEDED"
    assert not out.exists()


def test_add_in_place_replaces_atomically_and_keeps_permissions(pki, tsa_url, work, checks):
    target = work / "B-T.pdf"
    original = target.read_bytes()
    target.chmod(0o600)
    before = set(work.iterdir())
    result = run("ltv", "add", target, "--in-place", "--tsa", tsa_url, *trust(pki))
    assert result.exit_code == 0, result.output
    assert set(work.iterdir()) == before  # no temporary file left beside it
    assert_extends(original, target)
    assert target.stat().st_mode & 0o777 == 0o600
    assert_complete_offline(pki, target)
    checks.qpdf(target)


@pytest.mark.parametrize("in_place", [False, True])
def test_dead_tsa_leaves_the_input_untouched_and_no_output(pki, work, in_place):
    source = work / "B-T.pdf"
    before, names = sha256(source), set(work.iterdir())
    dead = closed_port_url("/tsa")
    where = ["--in-place"] if in_place else ["-o", str(work / "out.pdf")]
    result = run("ltv", "add", source, *where, "--level", "B-LTA", "--tsa", dead,
                 "--tsa-retries", "0", *trust(pki))
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output
    assert f"time-stamping service {dead} failed: connection refused" in result.output
    assert sha256(source) == before
    assert set(work.iterdir()) == names  # no output, no temporary file


@pytest.fixture(scope="module")
def kit(pki, tmp_path_factory):
    from verify_docs import Kit

    return Kit(pki, tmp_path_factory.mktemp("kit"))


@pytest.fixture
def dead_ocsp_doc(kit, tmp_path) -> Path:
    """Signed (B-B, by pyHanko) with a certificate whose OCSP responder and CRL live on a
    port where nothing listens."""
    from verify_docs import DEAD_URL, pyhanko_sign

    path = tmp_path / "dead-ocsp.pdf"
    path.write_bytes(pyhanko_sign(SAMPLE.read_bytes(), kit.signer("signer-rsa2048",
                                                                  urls=DEAD_URL)))
    return path


@pytest.mark.parametrize("on_error", ["continue", "stop"])
def test_unreachable_ocsp_fails_that_file_and_on_error_decides_the_rest(
        pki, tsa_url, work, dead_ocsp_doc, on_error):
    out = work / "out"
    result = run("ltv", "add", dead_ocsp_doc, work / "B-T.pdf", "--out-dir", out,
                 "--tsa", tsa_url, *trust(pki), "--revocation-timeout", "2",
                 "--on-error", on_error, "--format", "json")
    assert result.exit_code == 1, result.output
    files = records(result)
    failed = files["dead-ocsp.pdf"]
    assert failed["status"] == "FAILED" and failed["output"] is None
    assert "OCSP responder http://127.0.0.1:1/" in failed["error"]
    assert "connection refused" in failed["error"]
    assert not (out / "dead-ocsp.pdf").exists()
    if on_error == "continue":
        assert files["B-T.pdf"]["status"] == "ADDED"
        assert_complete_offline(pki, out / "B-T.pdf")
    else:
        assert files["B-T.pdf"]["status"] == "SKIPPED"
        assert not (out / "B-T.pdf").exists()
        assert json.loads(result.stdout)["summary"]["stopped"]


def test_add_on_an_unsigned_file_fails_clearly(pki, tsa_url, tmp_path):
    result = run("ltv", "add", SAMPLE, "-o", tmp_path / "x.pdf", "--tsa", tsa_url, *trust(pki))
    assert result.exit_code == 1, result.output
    assert "not signed" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_add_handles_a_poppler_signature_through_the_lenient_reader(
        pki, kit, tsa_url, tmp_path, checks):
    from verify_docs import good_pdfsig

    source, out = tmp_path / "pdfsig.pdf", tmp_path / "pdfsig-lta.pdf"
    good_pdfsig(kit, source)
    original = source.read_bytes()
    result = run("ltv", "add", source, "-o", out, "--level", "B-LTA", "--tsa", tsa_url,
                 *trust(pki))
    assert result.exit_code == 0, result.output
    assert "ADDED" in result.output
    assert_extends(original, out)
    assert_complete_offline(pki, out)
    assert "Signature is Valid" in checks.pdfsig(out)
    checks.qpdf(out)
    # refresh reads the poppler file leniently too: no timestamp before, due; after, not
    before = run("ltv", "refresh", source, "--dry-run", "--format", "json")
    assert records(before)[source.name]["status"] == "DUE", before.output
    after = run("ltv", "refresh", out, "--dry-run", "--within", "1d", "--format", "json")
    assert records(after)[out.name]["status"] == "NOT_NEEDED", after.output


def test_add_takes_one_output_choice(pki, work):
    """docs/cli.md's in-place rule: -o, --out-dir or --in-place (the default), never two."""
    result = run("ltv", "add", work / "B-T.pdf", "-o", work / "x.pdf", "--in-place",
                 *trust(pki))
    assert result.exit_code == 2
    assert "--in-place" in result.output


# --- timestamp --------------------------------------------------------------------------------

def test_timestamp_adds_a_trusted_document_timestamp(pki, tsa_url, tmp_path, checks):
    out = tmp_path / "ts.pdf"
    result = run("timestamp", SAMPLE, "-o", out, "--tsa", tsa_url, "--trust", pki.pem("root"))
    assert result.exit_code == 0, result.output
    assert_extends(SAMPLE.read_bytes(), out)
    (doc_ts,) = reader_of(out).embedded_timestamp_signatures
    context = ValidationContext(trust_roots=[_asn1(pki, "root")], allow_fetching=False)
    status = validate_pdf_timestamp(doc_ts, context)
    assert status.intact and status.valid and status.trusted
    checks.qpdf(out)


def test_a_batch_reuses_one_tsa_connection(pki, tsa_url, tmp_path):
    with FaultServer(tsa_url) as proxy:
        result = run("timestamp", SAMPLE, SAMPLE.parent / "tt-7-to-trinh-co-truong-ky.pdf",
                     "--out-dir", tmp_path, "--tsa", proxy.url, "--trust", pki.pem("root"))
        assert result.exit_code == 0, result.output
        assert proxy.requests == 1 + 2  # one sizing token for the batch, one per document
        assert len(proxy.ports) == 1, proxy.ports


@pytest.mark.parametrize(("fault", "said"), [
    (Fault.WRONG_NONCE, "wrong nonce"),
    (Fault.GARBAGE, "not a valid timestamp response"),
    (503, "HTTP 503"),
    (Fault.HANG, "no answer within 0.5 s"),
])
def test_a_faulty_tsa_fails_the_file_saying_why(pki, tsa_url, tmp_path, fault, said):
    with FaultServer(tsa_url) as proxy:
        proxy.default = fault
        result = run("timestamp", SAMPLE, "-o", tmp_path / "x.pdf", "--tsa", proxy.url,
                     "--tsa-retries", "1", "--tsa-timeout", "0.5", "--trust", pki.pem("root"))
    assert result.exit_code == 1, result.output
    assert f"time-stamping service {proxy.url} failed" in result.output
    assert said in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_untrusted_tsa_is_refused(pki, tsa_url, tmp_path):
    result = run("timestamp", SAMPLE, "-o", tmp_path / "x.pdf", "--tsa", tsa_url,
                 "--trust", pki.pem("foreign-root"))
    assert result.exit_code == 1, result.output
    assert "not trusted" in result.output
    assert list(tmp_path.iterdir()) == []


# --- ltv refresh ------------------------------------------------------------------------------

@pytest.fixture
def lta_doc(pki, tsa_url, work) -> Path:
    path = work / "G2-B-T.pdf"
    result = run("ltv", "add", path, "--in-place", "--level", "B-LTA", "--tsa", tsa_url,
                 *trust(pki))
    assert result.exit_code == 0, result.output
    return path


def test_refresh_renews_when_the_tsa_certificate_expires_within_the_window(
        pki, tsa_url, lta_doc, checks):
    original = lta_doc.read_bytes()
    # the test TSA's certificate is valid until 2040-01-01: within 20 years of now
    result = run("ltv", "refresh", lta_doc, "--within", "20y", "--in-place", "--tsa", tsa_url,
                 *trust(pki), "--format", "json")
    assert result.exit_code == 0, result.output
    record = records(result)[lta_doc.name]
    assert record["status"] == "RENEWED"
    assert any("2040-01-01" in reason for reason in record["reasons"])
    assert record["newest_timestamp"]["tsa_certificate_expires"] == "2040-01-01T00:00:00Z"
    assert record["added"]["document_timestamp"] is True
    assert_extends(original, lta_doc)
    reader = reader_of(lta_doc)
    assert len(reader.embedded_timestamp_signatures) == 2
    # refresh's scan (no validation) finds the token pyHanko's full parse says is the last one
    token, _ = newest_timestamp(reader)
    assert token.dump() == reader.embedded_timestamp_signatures[-1].signed_data.dump()
    assert_complete_offline(pki, lta_doc)
    assert_lta_valid(pki, lta_doc)
    checks.qpdf(lta_doc)


def test_refresh_not_needed_leaves_the_file_alone(pki, tsa_url, lta_doc):
    before = sha256(lta_doc)
    result = run("ltv", "refresh", lta_doc, "--within", "1d", "--in-place", "--tsa", tsa_url,
                 *trust(pki))
    assert result.exit_code == 0, result.output
    assert "NOT_NEEDED" in result.output and "2040-01-01" in result.output
    assert sha256(lta_doc) == before


def test_refresh_dry_run_reports_what_is_due_without_any_service(work, tmp_path):
    result = run("ltv", "refresh", work / "B-B.pdf", work / "B-T.pdf", SAMPLE, "--dry-run",
                 "--within", "1d", "--at", "2039-12-31T12:00:00Z", "--format", "json")
    assert result.exit_code == 1, result.output  # SAMPLE is not signed
    files = records(result)
    assert files["B-B.pdf"]["status"] == "DUE"
    assert files["B-B.pdf"]["reasons"] == ["the document has no timestamp"]
    assert files["B-T.pdf"]["status"] == "DUE"
    assert "expires on 2040-01-01" in files["B-T.pdf"]["reasons"][0]
    assert files[SAMPLE.name]["status"] == "FAILED"
    assert "not signed" in files[SAMPLE.name]["error"]


def test_refresh_rejects_a_window_it_cannot_read(work):
    result = run("ltv", "refresh", work / "B-T.pdf", "--dry-run", "--within", "5x")
    assert result.exit_code == 2
    assert "--within" in result.output


class _AuthTsa:
    """A loopback TSA that wants ``Authorization: Bearer <token>`` and forwards to the real
    one (HTTP 401 otherwise)."""

    def __init__(self, upstream: str, token: str):
        import threading
        import urllib.request
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {token}":
                    status, ctype, data = 401, "text/plain", b"who are you?"
                else:
                    request = urllib.request.Request(
                        upstream, data=body,
                        headers={"Content-Type": "application/timestamp-query"})
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, ctype, data = 200, answer.headers["Content-Type"], answer.read()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"


@pytest.fixture
def auth_tsa(tsa_url):
    tsa = _AuthTsa(tsa_url, "s3cret-token")
    yield tsa
    tsa.server.shutdown()
    tsa.server.server_close()


def test_tsa_bearer_token_from_a_file_is_sent_and_never_shown(pki, auth_tsa, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    ok = run("timestamp", SAMPLE, "-o", tmp_path / "ok.pdf", "--tsa", auth_tsa.url,
             "--tsa-token-file", token_file, "--trust", pki.pem("root"))
    assert ok.exit_code == 0, ok.output
    refused = run("timestamp", SAMPLE, "-o", tmp_path / "no.pdf", "--tsa", auth_tsa.url,
                  "--trust", pki.pem("root"))
    assert refused.exit_code == 1, refused.output
    assert "HTTP 401" in refused.output and "check the TSA credentials" in refused.output
    assert not (tmp_path / "no.pdf").exists()
    assert "s3cret-token" not in ok.output + refused.output


def with_contents(source: Path, target: Path, make) -> Path:
    """``source`` with its signature's /Contents hex digits replaced, same length."""
    data = source.read_bytes()
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    target.write_bytes(data[:start] + make(end - start) + data[end:])
    return target


@pytest.mark.parametrize("command", [["ltv", "refresh", "--dry-run"],
                                     ["ltv", "add", "--level", "B-LT"]])
def test_a_malformed_signature_fails_its_file_and_the_batch_goes_on(pki, tsa_url, work,
                                                                    command):
    not_cms = with_contents(work / "B-T.pdf", work / "not-cms.pdf",
                            lambda n: (b"3003020101" + b"0" * n)[:n])
    odd = with_contents(work / "B-T.pdf", work / "odd.pdf", lambda n: b"308" + b" " * (n - 3))
    out = work / "out"
    result = run(*command, not_cms, odd, work / "G2-B-T.pdf", "--out-dir", out,
                 "--tsa", tsa_url, *trust(pki), "--format", "json")
    assert result.exit_code == 1, result.output
    files = records(result)
    assert files["not-cms.pdf"]["status"] == "FAILED"
    assert files["odd.pdf"]["status"] == "FAILED"
    assert all(files[name]["error"] for name in ("not-cms.pdf", "odd.pdf"))
    assert files["G2-B-T.pdf"]["status"] in ("NOT_NEEDED", "ADDED")  # the batch went on


def test_b_lta_needs_a_document_timestamp_over_the_dss_not_before_it(pki, tsa_url, work):
    """timestamp, then B-LT data: the DSS comes after the only document timestamp, so the
    file is B-LT; `ltv add --level B-LTA` must add one more, and then have nothing to add."""
    stamped, lt, lta = work / "stamped.pdf", work / "lt.pdf", work / "lta.pdf"
    assert run("timestamp", work / "G2-B-T.pdf", "-o", stamped, "--tsa", tsa_url,
               *trust(pki)).exit_code == 0
    assert run("ltv", "add", stamped, "-o", lt, "--level", "B-LT", "--tsa", tsa_url,
               *trust(pki)).exit_code == 0
    options = signkit.VerifyOptions(trust=(pki.pem("root"),), offline=True)
    (before,) = signkit.verify_pdf(lt, options=options).signatures
    assert before.level == "PAdES-B-LT"
    result = run("ltv", "add", lt, "-o", lta, "--level", "B-LTA", "--tsa", tsa_url,
                 *trust(pki), "--format", "json")
    assert records(result)["lt.pdf"]["status"] == "ADDED", result.output
    (after,) = signkit.verify_pdf(lta, options=options).signatures
    assert after.level == "PAdES-B-LTA"
    again = run("ltv", "add", lta, "-o", work / "again.pdf", "--level", "B-LTA",
                "--tsa", tsa_url, *trust(pki), "--format", "json")
    assert records(again)["lta.pdf"]["status"] == "NOT_NEEDED", again.output


def test_timestamp_and_refresh_work_in_place_as_design_spells_them(pki, tsa_url, work):
    """docs/cli.md: `signkit timestamp INPUT...` and `signkit ltv refresh INPUT... --within`
    take no output option; the files are updated in place, atomically."""
    target = work / "B-B.pdf"
    original = target.read_bytes()
    assert run("timestamp", target, "--tsa", tsa_url, *trust(pki)).exit_code == 0
    assert target.read_bytes().startswith(original)
    assert len(reader_of(target).embedded_timestamp_signatures) == 1
    stamped = target.read_bytes()
    result = run("ltv", "refresh", target, "--within", "20y", "--tsa", tsa_url, *trust(pki),
                 "--format", "json")
    assert records(result)["B-B.pdf"]["status"] == "RENEWED", result.output
    assert target.read_bytes().startswith(stamped)
    assert len(reader_of(target).embedded_timestamp_signatures) == 2
    assert not [p for p in work.iterdir() if p.name.startswith(".")]  # no temporary files
