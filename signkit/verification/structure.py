"""Signature-container checks pyHanko leaves to the caller: the /ByteRange and the CMS shape,
for signatures and document timestamps alike."""

from __future__ import annotations

from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from ..report.messages import Message
from .pdf_file import DocumentBytes


def byte_range_problem(sig: EmbeddedPdfSignature, data: DocumentBytes) -> Message | None:
    """The /ByteRange must be four ordered offsets inside the file whose single gap is
    exactly this signature's /Contents string: anything else lets unsigned bytes count as
    signed (universal signature forgery, signature wrapping; CCS 2019)."""
    byte_range = sig.byte_range
    try:
        start1, len1, start2, len2 = (int(v) for v in byte_range)
    except (TypeError, ValueError):
        return Message("sig.byterange_not_integers", value=repr(list(byte_range)))
    if start1 != 0 or min(len1, start2, len2) < 0 or len1 >= start2 or start2 + len2 > len(data):
        return Message("sig.byterange_malformed", value=str([start1, len1, start2, len2]))
    gap = data[len1:start2]
    expected = sig.pkcs7_content.hex().encode()
    if gap[:1] != b"<" or gap[-1:] != b">" or gap[1:-1].lower() != expected:
        return Message("sig.wrapping")
    return None


def structure_problem(sig: EmbeddedPdfSignature, data: DocumentBytes) -> Message | None:
    """A signature holds one SignerInfo over detached content; a document timestamp one
    SignerInfo over an encapsulated timestamp token (TSTInfo)."""
    problem = byte_range_problem(sig, data)
    if problem is not None:
        return problem
    signed_data = sig.signed_data
    if len(signed_data["signer_infos"]) != 1:
        return Message("sig.signer_infos", count=len(signed_data["signer_infos"]))
    content = signed_data["encap_content_info"]
    if sig.sig_object_type == "/DocTimeStamp":
        if content["content_type"].native != "tst_info":
            return Message("sig.no_tst_info")
    elif content["content"].native is not None:
        return Message("sig.encapsulated")
    return None
