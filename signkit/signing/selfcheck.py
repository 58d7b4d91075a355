"""The check every output passes before it gets its name: the new signature verifies
against the signer's certificate and covers the whole file."""

from __future__ import annotations

import io
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.status import SignatureCoverageLevel

from ..errors import SigningError


def check_signed_output(data: bytes, signer_cert: asn1_x509.Certificate, source: Path) -> None:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        raise SigningError("internal check failed: the output has no signature", path=source)
    newest = signatures[-1]
    if newest.evaluate_signature_coverage() is not SignatureCoverageLevel.ENTIRE_FILE:
        raise SigningError(
            "internal check failed: the new signature does not cover the whole file", path=source
        )
    intact, valid = validate_sig_integrity(
        newest.signer_info, signer_cert, "data", newest.compute_digest()
    )
    if not (intact and valid):
        raise SigningError(
            "internal check failed: the new signature does not verify (token fault?)", path=source
        )
