"""Verification: pyHanko's validation wrapped into ETSI verdicts and a report.

The public entry points (``verify_pdf``, ``verify_many``, ``VerifyOptions``) are defined in
the modules of this package; this file is filled in as they land.
"""
