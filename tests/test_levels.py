"""Long-term signature levels against the live certomancer services: B-T (signature
timestamp), B-LT (DSS with chains and revocation data), B-LTA (document timestamp); connection
reuse across a batch. What happens when the TSA, OCSP or CRL services fail:
tests/test_sign_faults.py."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, SAMPLE_PDFS
from faultserver import FaultServer
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from signkit.cli.main import cli

import signkit
from signkit import PadesLevel, SignOptions
from signkit.verification import VerifyOptions


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


@pytest.fixture
def proxy(tsa_url):
    """Counts the TSA's requests and the TCP connections they came on."""
    with FaultServer(tsa_url) as server:
        yield server


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
    # offline, a B-T file lacks the revocation data a B-LT file carries: not passed, and
    # the report says what is missing
    report = verify_offline(pki, out)
    assert report.status.name == "INDETERMINATE", report
    assert report.signatures[0].level == "PAdES-B-T"
    assert any("revocation" in m for m in report.signatures[0].messages), report


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


# --- the CLI and batches ----------------------------------------------------------------------

def test_cli_timestamped_level_without_tsa_is_a_usage_error(pki, tmp_path):
    result = CliRunner().invoke(cli, [
        "sign", str(SAMPLE), "-o", str(tmp_path / "x.pdf"),
        "--pkcs12", str(pki.p12("signer-rsa2048")), "--level", "B-T",
    ], env={"SIGNKIT_PIN": "p12-secret"})
    assert result.exit_code == 2, result.output
    assert "--tsa" in result.output


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


def test_the_signkit_command_loads_the_network_clients_for_b_lt(pki, tsa_url, tmp_path,
                                                                checks):
    """The command starts without aiohttp (a PAdES-B-B run never needs it, and pyHanko's
    modules that import it are stood in for): a level that timestamps and fetches
    revocation data loads it when the signer starts."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for i in range(2):
        shutil.copy(SAMPLE, folder / f"doc-{i}.pdf")
    run = subprocess.run(
        [str(Path(sys.executable).parent / "signkit"), "sign", str(folder), "--out-dir", str(out),
         "--pkcs12", str(pki.p12("signer-rsa2048")), "--level", "B-LT", "--tsa", tsa_url,
         "--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm")),
         "--no-progress"],
        env={**os.environ, "SIGNKIT_PIN": "p12-secret"}, capture_output=True, text=True,
        timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    outputs = sorted(out.iterdir())
    assert len(outputs) == 2
    for signed in outputs:
        checks.qpdf(signed)
        assert "/DSS" in reader_of(signed).root
        report = verify_offline(pki, signed)
        assert report.status.name == "TOTAL_PASSED", report
        assert report.signatures[0].level == "PAdES-B-LT"
