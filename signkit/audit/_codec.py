"""A file's report as the store keeps it: the JSON object that ``signkit verify --format
json`` writes for that file, and back to the report dataclasses."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, overload

from ..report import (
    BatchReport,
    Coverage,
    FileReport,
    Indication,
    Modifications,
    RevocationCheck,
    RevocationSource,
    RevocationStatus,
    SignatureReport,
    SignerIdentity,
    SubIndication,
    report_to_dict,
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def file_entry(report: FileReport) -> dict[str, Any]:
    """The element of the JSON report's ``files`` array for ``report``."""
    batch = BatchReport(signkit_version="", validation_time=_EPOCH, profile="",
                        files=(report,))
    return report_to_dict(batch)["files"][0]


def entry_json(entry: dict[str, Any]) -> str:
    """Compact JSON text; ``json.loads`` gives back ``entry`` exactly."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def report_from_entry(entry: dict[str, Any]) -> FileReport:
    """The ``FileReport`` whose JSON entry is ``entry`` (the inverse of ``file_entry``)."""
    return FileReport(
        path=entry["path"],
        sha256=entry["sha256"],
        status=Indication(entry["status"]),
        subindication=_sub(entry["subindication"]),
        messages=tuple(entry["messages"]),
        signatures=tuple(_signature(s) for s in entry["signatures"]),
    )


def _signature(data: dict[str, Any]) -> SignatureReport:
    signer = data["signer"]
    revocation = data["revocation"]
    return SignatureReport(
        field=data["field"],
        status=Indication(data["status"]),
        subindication=_sub(data["subindication"]),
        signer=None if signer is None else SignerIdentity(**signer),
        signing_time=parse_time(data["signing_time"]),
        timestamp_time=parse_time(data["timestamp_time"]),
        level=data["level"],
        digest_algorithm=data["digest_algorithm"],
        signature_algorithm=data["signature_algorithm"],
        coverage=None if data["coverage"] is None else Coverage(data["coverage"]),
        modifications=(None if data["modifications"] is None
                       else Modifications(data["modifications"])),
        certified=data["certified"],
        docmdp=data["docmdp"],
        chain=tuple(data["chain"]),
        revocation=RevocationCheck(revocation["checked"],
                                   RevocationSource(revocation["source"]),
                                   RevocationStatus(revocation["status"])),
        messages=tuple(data["messages"]),
    )


def _sub(value: str | None) -> SubIndication | None:
    return None if value is None else SubIndication(value)


@overload
def parse_time(text: str) -> dt.datetime: ...
@overload
def parse_time(text: None) -> None: ...
def parse_time(text: str | None) -> dt.datetime | None:
    """ISO 8601 as the report writes it (``Z`` for UTC) back to a datetime."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


def utc_text(moment: dt.datetime) -> str:
    """A moment as sortable text in the store: UTC, microseconds, ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
