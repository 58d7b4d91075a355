"""The TSA's hash algorithm (`--tsa-hash`, the profile's `signing.tsa_digest`): the message
imprint of the signature timestamp and of the B-LTA document timestamp, read from the signed
file with asn1crypto, and pyHanko's validator accepting the result."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from asn1crypto import cms
from certomancer import registry
from click.testing import CliRunner
from conftest import SAMPLE
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from signkit.cli.main import cli


@pytest.fixture(scope="module")
def tsa_url(pki, pki_services) -> str:
    return pki_services[0] + "/testing-ca/tsa/tsa"


def sign(pki, out: Path, tsa_url: str, *args: str):
    result = CliRunner().invoke(cli, [
        "sign", str(SAMPLE), "-o", str(out), "--pkcs12", str(pki.p12("signer-rsa2048")),
        "--tsa", tsa_url, "--trust", str(pki.pem("root")), "--other-certs", str(pki.pem("interm")),
        *args,
    ], env={"SIGNKIT_PIN": "p12-secret"})
    assert result.exit_code == 0, result.output


def contents(signature) -> cms.ContentInfo:
    """The signature's CMS object, parsed by asn1crypto from the raw /Contents bytes."""
    return cms.ContentInfo.load(bytes(signature.sig_object["/Contents"]))


def imprint_algorithm(token: cms.ContentInfo) -> str:
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    return tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native


def signature_timestamp(signed_data: cms.SignedData) -> cms.ContentInfo:
    (signer_info,) = signed_data["signer_infos"]
    (token,) = [attr["values"][0] for attr in signer_info["unsigned_attrs"]
                if attr["type"].native == "signature_time_stamp_token"]
    return token


def signature_digest(signed_data: cms.SignedData) -> str:
    (signer_info,) = signed_data["signer_infos"]
    return signer_info["digest_algorithm"]["algorithm"].native


def validation_context(pki) -> ValidationContext:
    return ValidationContext(trust_roots=[pki.arch.get_cert(registry.CertLabel("root"))],
                             other_certs=[pki.arch.get_cert(registry.CertLabel("interm"))],
                             allow_fetching=False, revocation_mode="soft-fail")


@pytest.mark.parametrize("tsa_hash", ["sha384", "sha512"])
def test_tsa_hash_sets_the_imprint_of_both_timestamps_of_b_lta(pki, tsa_url, tmp_path,
                                                               tsa_hash):
    out = tmp_path / "blta.pdf"
    sign(pki, out, tsa_url, "--level", "B-LTA", "--tsa-hash", tsa_hash)
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    (sig,) = reader.embedded_regular_signatures
    (doc_ts,) = reader.embedded_timestamp_signatures
    signed_data = contents(sig)["content"]
    assert signature_digest(signed_data) == "sha256"  # the signature keeps its own digest
    assert imprint_algorithm(signature_timestamp(signed_data)) == tsa_hash
    assert imprint_algorithm(contents(doc_ts)) == tsa_hash

    status = validate_pdf_signature(sig, validation_context(pki))
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted
    ts_status = validate_pdf_timestamp(doc_ts, validation_context(pki))
    assert ts_status.intact and ts_status.valid and ts_status.trusted


def test_profile_tsa_digest_is_used_when_no_option_is_given(pki, tsa_url, tmp_path):
    profile = tmp_path / "tsa-sha512.toml"
    profile.write_text('name = "tsa-sha512"\n[signing]\ntsa_digest = "sha512"\n')
    out = tmp_path / "bt.pdf"
    sign(pki, out, tsa_url, "--level", "B-T", "--profile", str(profile))
    (sig,) = PdfFileReader(io.BytesIO(out.read_bytes())).embedded_regular_signatures
    assert imprint_algorithm(signature_timestamp(contents(sig)["content"])) == "sha512"
    status = validate_pdf_signature(sig, validation_context(pki))
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted


def test_without_tsa_hash_the_imprint_follows_the_signature_digest(pki, tsa_url, tmp_path):
    out = tmp_path / "bt.pdf"
    sign(pki, out, tsa_url, "--level", "B-T", "--digest", "sha384")
    (sig,) = PdfFileReader(io.BytesIO(out.read_bytes())).embedded_regular_signatures
    signed_data = contents(sig)["content"]
    assert signature_digest(signed_data) == "sha384"
    assert imprint_algorithm(signature_timestamp(signed_data)) == "sha384"
    status = validate_pdf_signature(sig, validation_context(pki))
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
