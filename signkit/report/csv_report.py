"""The verification report as CSV: one row per signature, columns in the order of ``COLUMNS``::

    text = render_csv(batch)             # what `signkit verify --format csv` writes

A file without signatures (or one that could not be parsed) still gets one row: its path and
file status filled, the signature columns empty, so that an auditor's spreadsheet counts it.
Values use the JSON vocabulary: enum values, ISO 8601 times, ``true``/``false``. Lists
(messages, chain) are joined with `` | ``. Columns are only ever appended, never reordered.

Signer names, field names and messages come from the documents being checked, so a cell
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is prefixed
with ``'`` (OWASP's CSV-injection advice): an auditor opening the report runs nothing.
Control and bidi characters in a cell (newlines and tabs included: the only line breaks are
the ``\\r\\n`` between records) are written as the visible escape ``\\uXXXX``
(``safe_text.printable``), so ``cat report.csv`` cannot drive the terminal.
"""

from __future__ import annotations

import csv
import io

from .json_report import iso8601
from .model import BatchReport, FileReport, SignatureReport
from .safe_text import printable

COLUMNS: tuple[str, ...] = (
    "path",
    "file_status",
    "file_subindication",
    "field",
    "status",
    "subindication",
    "signer",  # the signer certificate's common name
    "organization",
    "signing_time",
    "timestamp_time",
    "level",
    "coverage",
    "modifications",
    "certified",
    "docmdp",
    "revocation",  # GOOD | REVOKED | UNKNOWN when checked, NOT_CHECKED otherwise
    "digest_algorithm",
    "signature_algorithm",
    "certificate_sha256",
    "messages",  # the signature's messages
    "revocation_source",  # CRL | OCSP | EMBEDDED | NONE
    "signer_subject",
    "signer_issuer",
    "signer_serial",
    "chain",  # signer subject first, trust anchor last
    "file_sha256",
    "file_messages",
)

_JOIN = " | "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _file_columns(report: FileReport) -> dict[str, str]:
    return {
        "path": report.path,
        "file_status": report.status.value,
        "file_subindication": report.subindication.value if report.subindication else "",
        "file_sha256": report.sha256 or "",
        "file_messages": _JOIN.join(report.messages),
    }


def _signature_columns(sig: SignatureReport) -> dict[str, str]:
    signer = sig.signer
    revocation = sig.revocation
    return {
        "field": sig.field,
        "status": sig.status.value,
        "subindication": sig.subindication.value if sig.subindication else "",
        "signer": signer.common_name if signer else "",
        "organization": _text(signer.organization if signer else None),
        "signing_time": _text(iso8601(sig.signing_time)),
        "timestamp_time": _text(iso8601(sig.timestamp_time)),
        "level": sig.level,
        "coverage": sig.coverage.value if sig.coverage else "",
        "modifications": sig.modifications.value if sig.modifications else "",
        "certified": _text(sig.certified),
        "docmdp": _text(sig.docmdp),
        "revocation": revocation.status.value if revocation.checked else "NOT_CHECKED",
        "digest_algorithm": _text(sig.digest_algorithm),
        "signature_algorithm": _text(sig.signature_algorithm),
        "certificate_sha256": signer.certificate_sha256 if signer else "",
        "messages": _JOIN.join(sig.messages),
        "revocation_source": revocation.source.value,
        "signer_subject": signer.subject if signer else "",
        "signer_issuer": signer.issuer if signer else "",
        "signer_serial": signer.serial if signer else "",
        "chain": _JOIN.join(sig.chain),
    }


def _inert(row: dict[str, str]) -> dict[str, str]:
    """The row as written: controls escaped first, then any formula start neutralised."""
    shown = {k: printable(v) for k, v in row.items()}
    return {k: "'" + v if v.startswith(_FORMULA_STARTS) else v for k, v in shown.items()}


def _write_rows(writer: csv.DictWriter, report: FileReport) -> None:
    file_columns = _file_columns(report)
    if not report.signatures:
        writer.writerow(_inert(file_columns))
    for sig in report.signatures:
        writer.writerow(_inert({**file_columns, **_signature_columns(sig)}))


def csv_header() -> str:
    """The header row, as ``render_csv`` starts."""
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=COLUMNS, restval="").writeheader()
    return out.getvalue()


def csv_file_rows(report: FileReport) -> str:
    """The rows of one file, as ``render_csv`` writes them."""
    out = io.StringIO()
    _write_rows(csv.DictWriter(out, fieldnames=COLUMNS, restval=""), report)
    return out.getvalue()


def render_csv(batch: BatchReport) -> str:
    """The report as CSV text with a header row (RFC 4180 quoting, ``\\r\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    for report in batch.files:
        _write_rows(writer, report)
    return out.getvalue()
