"""Every document gets a definite verdict (issue #9 §3): the reproducers of the review, as
documents built here, each with the verdict it must get and never an exception."""

from __future__ import annotations

import dataclasses
import io

import pytest
import verify_docs as vd
import verify_hidden_docs as vh
from asn1crypto import algos, cms
from pyhanko.pdf_utils.reader import PdfFileReader

import signkit
from signkit import VerifyOptions
from signkit.report import Indication
from signkit.report import SubIndication as Sub
from signkit.verification.limits import MAX_OBJECT_BYTES, MAX_REVISIONS


def no_signer_certificate(signed: bytes) -> bytes:
    info = vd.cms_of(signed)
    info["content"]["certificates"] = cms.CertificateSet([])
    return vd.embed_cms(signed, info.dump(force=True))


def unknown_digest_oid(signed: bytes) -> bytes:
    info = vd.cms_of(signed)
    signer = info["content"]["signer_infos"][0]
    signer["digest_algorithm"] = algos.DigestAlgorithm({"algorithm": "1.2.3.4.5.6.7"})
    return vd.embed_cms(signed, info.dump(force=True))


def deep_array(signed: bytes) -> bytes:
    """An update after signing that gives page 1 an array nested 3,000 deep."""
    base = vh.Base.of(signed)
    page = base.page_dict.replace(b"/Type", b"/Deep " + b"[" * 3000 + b"]" * 3000 + b" /Type", 1)
    return vh.raw_update(base, [(base.page, page)])


def many_revisions(signed: bytes) -> bytes:
    """MAX_REVISIONS empty updates after signing (each one an xref section and a trailer)."""
    base = vh.Base.of(signed)
    for _ in range(MAX_REVISIONS):
        data = vh.raw_update(base, [])
        xref = data.rindex(b"\nxref\n") + 1
        base = dataclasses.replace(base, data=data, startxref=xref)
    return base.data


def huge_name(signed: bytes) -> bytes:
    """An update after signing whose page 1 holds a name longer than MAX_OBJECT_BYTES."""
    base = vh.Base.of(signed)
    name = b"/N" + b"A" * (MAX_OBJECT_BYTES + 1)
    return vh.raw_update(base, [(base.page, base.page_dict.replace(b"/Type", name + b" /Type"))])


def huge_name_in_catalog(signed: bytes) -> bytes:
    """The same name in the catalog, which listing the signatures reads first."""
    base = vh.Base.of(signed)
    reader = PdfFileReader(io.BytesIO(signed))
    catalog = io.BytesIO()
    reader.root.write_to_stream(catalog)
    name = b"/N" + b"A" * (MAX_OBJECT_BYTES + 1)
    body = catalog.getvalue().replace(b"/Type", name + b" /Type", 1)
    return vh.raw_update(base, [(base.root, body)])


CASES = {
    "huge-name": (huge_name, Indication.TOTAL_FAILED, Sub.FORMAT_FAILURE, "resource limit"),
    "huge-name-in-catalog": (huge_name_in_catalog, Indication.TOTAL_FAILED, Sub.FORMAT_FAILURE,
                             "resource limit"),
    "no-signer-certificate": (no_signer_certificate, Indication.INDETERMINATE,
                              Sub.NO_SIGNING_CERTIFICATE_FOUND, "signer certificate"),
    "unknown-digest-oid": (unknown_digest_oid, Indication.TOTAL_FAILED, Sub.FORMAT_FAILURE, ""),
    "deep-array": (deep_array, Indication.TOTAL_FAILED, Sub.FORMAT_FAILURE, ""),
    "many-revisions": (many_revisions, Indication.TOTAL_FAILED, Sub.FORMAT_FAILURE,
                       "resource limit"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_document_gets_a_definite_verdict(kit, pki, tmp_path, name):
    build, status, sub, keyword = CASES[name]
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(build(vd.good_pyhanko(kit)))
    try:
        report = signkit.verify_pdf(path, options=VerifyOptions(
            trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),)))
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"verify_pdf raised {type(e).__name__}: {e}", pytrace=False)
    text = "\n".join([*report.messages, *(m for s in report.signatures for m in s.messages)])
    assert (report.status, report.subindication) == (status, sub), text
    assert keyword in text
    assert "could not finish" not in text
