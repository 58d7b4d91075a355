"""Signature-container checks pyHanko leaves to the caller: the /ByteRange and the CMS shape,
for signatures and document timestamps alike."""

from __future__ import annotations

from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature


def byte_range_problem(sig: EmbeddedPdfSignature, data: bytes) -> str | None:
    """The /ByteRange must be four ordered offsets inside the file whose single gap is
    exactly this signature's /Contents string: anything else lets unsigned bytes count as
    signed (universal signature forgery, signature wrapping; CCS 2019)."""
    byte_range = sig.byte_range
    try:
        start1, len1, start2, len2 = (int(v) for v in byte_range)
    except (TypeError, ValueError):
        return f"the /ByteRange {list(byte_range)!r} is not four integers"
    if start1 != 0 or min(len1, start2, len2) < 0 or len1 >= start2 or start2 + len2 > len(data):
        return f"the /ByteRange {[start1, len1, start2, len2]} is malformed for this file"
    gap = data[len1:start2]
    expected = sig.pkcs7_content.hex().encode()
    if gap[:1] != b"<" or gap[-1:] != b">" or gap[1:-1].lower() != expected:
        return ("the bytes left out of the /ByteRange are not exactly the signature's "
                "/Contents (signature wrapping)")
    return None


def structure_problem(sig: EmbeddedPdfSignature, data: bytes) -> str | None:
    """A signature holds one SignerInfo over detached content; a document timestamp one
    SignerInfo over an encapsulated timestamp token (TSTInfo)."""
    problem = byte_range_problem(sig, data)
    if problem is not None:
        return problem
    signed_data = sig.signed_data
    if len(signed_data["signer_infos"]) != 1:
        return (f"the signature holds {len(signed_data['signer_infos'])} SignerInfos; "
                "a PDF signature must hold exactly one")
    content = signed_data["encap_content_info"]
    if sig.sig_object_type == "/DocTimeStamp":
        if content["content_type"].native != "tst_info":
            return "the document timestamp holds no timestamp token (TSTInfo)"
    elif content["content"].native is not None:
        return "the signature encapsulates content; a PDF signature must be detached"
    return None
