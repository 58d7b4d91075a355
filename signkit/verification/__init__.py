"""Verification: pyHanko's validation wrapped into ETSI verdicts and a report."""

from .options import VerifyOptions
from .verify import Verifier, verify_pdf

__all__ = ["Verifier", "VerifyOptions", "verify_pdf"]
