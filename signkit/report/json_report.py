"""The verification report as JSON, in the schema of docs/report-schema.md::

    text = render_json(batch)            # what `signkit verify --format json` writes
    data = report_to_dict(batch)         # the same, as plain dicts/lists/str/int/bool/None

Enums are written as their values (the ETSI names), datetimes as ISO 8601 with ``Z`` for UTC.
Text is UTF-8 (Vietnamese stays readable) except control and bidi characters, which are
written as ``\\uXXXX`` escapes (``safe_text.json_text``): the decoded strings are unchanged.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from .model import BatchReport, FileReport, SignatureReport, SignerIdentity
from .safe_text import json_text


def iso8601(moment: dt.datetime | None) -> str | None:
    """ISO 8601; UTC as ``Z``, other offsets kept as given (a naive time stays naive)."""
    if moment is None:
        return None
    text = moment.isoformat()
    if moment.utcoffset() == dt.timedelta(0):
        text = text.removesuffix("+00:00") + "Z"
    return text


def _value(member: enum.Enum | None) -> Any:
    return None if member is None else member.value


def _signer(signer: SignerIdentity | None) -> dict[str, Any] | None:
    if signer is None:
        return None
    return {
        "common_name": signer.common_name,
        "subject": signer.subject,
        "organization": signer.organization,
        "serial": signer.serial,
        "certificate_sha256": signer.certificate_sha256,
        "issuer": signer.issuer,
    }


def _signature(sig: SignatureReport) -> dict[str, Any]:
    return {
        "field": sig.field,
        "status": sig.status.value,
        "subindication": _value(sig.subindication),
        "signer": _signer(sig.signer),
        "signing_time": iso8601(sig.signing_time),
        "timestamp_time": iso8601(sig.timestamp_time),
        "level": sig.level,
        "digest_algorithm": sig.digest_algorithm,
        "signature_algorithm": sig.signature_algorithm,
        "coverage": _value(sig.coverage),
        "modifications": _value(sig.modifications),
        "certified": sig.certified,
        "docmdp": sig.docmdp,
        "chain": list(sig.chain),
        "revocation": {
            "checked": sig.revocation.checked,
            "source": sig.revocation.source.value,
            "status": sig.revocation.status.value,
        },
        "messages": list(sig.messages),
    }


def _file(report: FileReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "sha256": report.sha256,
        "status": report.status.value,
        "subindication": _value(report.subindication),
        "messages": list(report.messages),
        "signatures": [_signature(sig) for sig in report.signatures],
    }


def report_to_dict(batch: BatchReport) -> dict[str, Any]:
    """The report as JSON-ready data, keys in docs/report-schema.md's order."""
    return {
        "signkit_version": batch.signkit_version,
        "validation_time": iso8601(batch.validation_time),
        "profile": batch.profile,
        "summary": batch.summary,
        "files": [_file(report) for report in batch.files],
    }


def json_head(signkit_version: str, validation_time: dt.datetime, profile: str,
              summary: dict[str, int], *, complete: bool = True) -> str:
    """The report's JSON text up to the ``files`` array, which a streaming writer then adds
    (``"files": `` ends it). A report cut short says ``"complete": false`` before it."""
    data: dict[str, Any] = {
        "signkit_version": signkit_version,
        "validation_time": iso8601(validation_time),
        "profile": profile,
        "summary": summary,
    }
    if not complete:
        data["complete"] = False
    data["files"] = []
    return json_text(data, indent=2).removesuffix("[]\n}")


def json_file_entry(report: FileReport) -> str:
    """One element of the ``files`` array as ``render_json`` indents it (no separator)."""
    return "\n".join("    " + line for line in json_text(_file(report), indent=2).split("\n"))


def render_json(batch: BatchReport) -> str:
    """The report as UTF-8-ready JSON text (indented, non-ASCII kept but control and bidi
    characters escaped, final newline)."""
    return json_text(report_to_dict(batch), indent=2) + "\n"
