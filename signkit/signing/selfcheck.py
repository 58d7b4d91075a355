"""The check every output passes before it gets its name: the new signature covers the whole
file and verifies against the signer's certificate.

It reads only what this run appended (the last /ByteRange after the input's bytes), so it
costs a hash and a signature verification, not a second parse of the document. With
``later_updates`` (B-LT, B-LTA: a DSS revision and maybe a document timestamp follow the
signature, and pyHanko may add DSS data for the document timestamp after it) it checks the
first new /ByteRange instead, which must cover the file up to the end of its own revision;
the later revisions are validation data that verification judges.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from ..errors import SigningError

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def check_signed_output(
    data: bytes, signer_cert: asn1_x509.Certificate, source: Path, *, appended_from: int,
    later_updates: bool = False,
) -> None:
    def fail(why: str) -> SigningError:
        return SigningError(f"internal check failed: {why}", path=source)

    matches = list(_BYTE_RANGE.finditer(data, appended_from))
    if not matches:
        raise fail("the output has no new signature")
    start1, len1, start2, len2 = (int(g) for g in matches[-1].groups())
    if not later_updates and (start1 != 0 or start2 + len2 != len(data)
                              or not (0 < len1 < start2)):
        raise fail("the new signature does not cover the whole file")
    if later_updates:
        start1, len1, start2, len2 = (int(g) for g in matches[0].groups())
        end = start2 + len2
        if start1 != 0 or end > len(data) or not (0 < len1 < start2) \
                or not data[:end].rstrip().endswith(b"%%EOF"):
            raise fail("the new signature does not cover its whole revision")
    contents = data[len1:start2]
    if contents[:1] != b"<" or contents[-1:] != b">":
        raise fail("the signature value is not where its /ByteRange says")
    try:
        signed_data = cms.ContentInfo.load(bytes.fromhex(contents[1:-1].decode("ascii")))
        signer_info = signed_data["content"]["signer_infos"][0]
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
    except (ValueError, KeyError, IndexError) as e:
        raise fail(f"the embedded signature cannot be parsed ({e})") from None
    digest = hashlib.new(digest_name)
    digest.update(memoryview(data)[:len1])
    digest.update(memoryview(data)[start2:start2 + len2])
    intact, valid = validate_sig_integrity(signer_info, signer_cert, "data", digest.digest())
    if not (intact and valid):
        raise fail("the new signature does not verify (token fault?)")
