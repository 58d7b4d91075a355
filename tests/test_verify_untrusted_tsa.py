"""Proof of existence only from a timestamp that validates to a trust anchor (issue #9 §3).

A revoked signer signs now (claimed time after the revocation) and adds a signature timestamp
from a self-signed, untrusted TSA back-dated to before the revocation. That token proves
nothing: the verdict stays TOTAL_FAILED/REVOKED, and the report says the token is untrusted.
"""

from __future__ import annotations

import datetime as dt
import io

import verify_docs as vd
from certomancer import registry
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

import signkit
from signkit import VerifyOptions
from signkit.report import Indication
from signkit.report import SubIndication as Sub

BACKDATED = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)  # a month before the revocation


def test_untrusted_backdated_timestamp_does_not_rescue_a_revoked_signer(kit, pki, tmp_path):
    arch = pki.arch
    rogue_tsa = DummyTimeStamper(
        tsa_cert=arch.get_cert(registry.CertLabel("foreign-root")),
        tsa_key=arch.key_set.get_private_key(registry.KeyLabel("foreign-root")),
        fixed_dt=BACKDATED)
    meta = signers.PdfSignatureMetadata(field_name="Signature1",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.PdfSigner(meta, kit.signer("signer-revoked"), timestamper=rogue_tsa).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(vd.QD.read_bytes())), output=out)
    path = tmp_path / "revoked-rogue-timestamp.pdf"
    path.write_bytes(out.getvalue())

    report = signkit.verify_pdf(path, options=VerifyOptions(
        trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),)))
    (signature,) = report.signatures
    text = "\n".join(signature.messages)
    assert (report.status, report.subindication) == (Indication.TOTAL_FAILED, Sub.REVOKED), text
    assert "revoked on 2025-06-01" in text
    assert "time-stamping authority is not trusted" in text
