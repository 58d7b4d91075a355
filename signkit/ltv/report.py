"""The per-file report of an archive-maintenance run: a JSON document (the shape of the
verification report where it applies: version, time, profile, summary, files) and a text
table. Both are functions of the ``LtvOutcome``. Paths, errors and TSA names come from the
documents and services, so control and bidi characters in them are written as ``\\uXXXX``
escapes (``signkit.report.safe_text``): visible in the table, decoded unchanged from the JSON."""

from __future__ import annotations

import datetime as dt

from ..report.safe_text import json_text, printable
from .result import Additions, LtvOutcome, LtvResult, LtvStatus, TimestampFacts


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _facts(facts: TimestampFacts | None) -> dict | None:
    if facts is None:
        return None
    return {"kind": facts.kind, "time": _iso(facts.time), "tsa": facts.tsa,
            "tsa_certificate_expires": _iso(facts.tsa_expires),
            "digest_algorithm": facts.digest_algorithm,
            "signature_algorithm": facts.signature_algorithm}


def _added(added: Additions) -> dict:
    return {"certificates": added.certificates, "ocsp_responses": added.ocsp_responses,
            "crls": added.crls, "document_timestamp": added.document_timestamp}


def file_record(result: LtvResult) -> dict:
    return {
        "path": str(result.input),
        "output": str(result.output) if result.output is not None else None,
        "status": result.status.value,
        "added": _added(result.added),
        "newest_timestamp": _facts(result.newest_timestamp),
        "reasons": list(result.reasons),
        "sha256": result.sha256,
        "error": result.error,
        "error_code": result.error_code,
        "error_type": result.error_type,
    }


def summary(outcome: LtvOutcome) -> dict:
    counts = {status.value: outcome.count(status) for status in LtvStatus
              if outcome.count(status)}
    return {"files": len(outcome.results), **counts, "stopped": outcome.stopped}


def render_json(outcome: LtvOutcome, *, command: str, profile: str | None = None,
                extra: dict | None = None) -> str:
    """``extra``: command settings worth recording (e.g. the refresh window and deadline)."""
    from .. import __version__

    document = {
        "signkit_version": __version__,
        "command": command,
        "time": _iso(dt.datetime.now(dt.UTC).replace(microsecond=0)),
        "profile": profile,
        **(extra or {}),
        "summary": summary(outcome),
        "files": [file_record(r) for r in outcome.results],
    }
    return json_text(document, indent=2) + "\n"


def describe(result: LtvResult) -> str:
    """One line of details for a result, in words."""
    if result.status in (LtvStatus.FAILED, LtvStatus.SKIPPED):
        return result.error or ""
    parts = []
    if result.reasons:
        parts.append("; ".join(result.reasons))
    added = result.added
    if added.anything:
        items = [_count(n, name) for n, name in ((added.certificates, "certificate"),
                                                (added.ocsp_responses, "OCSP response"),
                                                (added.crls, "CRL")) if n]
        if added.document_timestamp:
            items.append("a document timestamp")
        parts.append("added " + ", ".join(items))
    facts = result.newest_timestamp
    if result.status is LtvStatus.NOT_NEEDED and facts is not None:
        parts.append(f"newest timestamp {facts.time:%Y-%m-%d} ({facts.kind}); TSA certificate "
                     f"valid until {facts.tsa_expires:%Y-%m-%d}")
    elif result.status is LtvStatus.NOT_NEEDED:
        parts.append("nothing missing")
    if result.output is not None:
        parts.append(f"-> {result.output}")
    return "; ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# the table's words in Vietnamese (``lang="vi"``); a file's details stay as the caller gives
_VIETNAMESE = {"STATUS": "TRẠNG THÁI", "FILE": "TỆP", "DETAILS": "CHI TIẾT",
               "ADDED": "ĐÃ BỔ SUNG", "RENEWED": "ĐÃ GIA HẠN", "NOT_NEEDED": "KHÔNG CẦN",
               "DUE": "ĐẾN HẠN", "FAILED": "LỖI", "SKIPPED": "BỎ QUA", "none": "không có"}


def render_text(outcome: LtvOutcome, lang: str = "en") -> str:
    """A table: status, file, details; then a summary line (``lang="vi"``: in Vietnamese)."""
    def word(text: str) -> str:
        return _VIETNAMESE.get(text, text) if lang == "vi" else text

    rows = [(word(r.status.value), printable(str(r.input)), printable(describe(r)))
            for r in outcome.results]
    status_w = max([len(word("STATUS")), *(len(s) for s, _, _ in rows)])
    file_w = min(60, max([len(word("FILE")), *(len(f) for _, f, _ in rows)]))
    lines = [f"{word('STATUS'):<{status_w}}  {word('FILE'):<{file_w}}  {word('DETAILS')}"]
    lines += [f"{s:<{status_w}}  {f:<{file_w}}  {d}" for s, f, d in rows]
    counts = summary(outcome)
    told = ", ".join(f"{counts[s.value]} {word(s.value)}" for s in LtvStatus
                     if s.value in counts)
    files = f"{counts['files']} tệp" if lang == "vi" else _count(counts["files"], "file")
    lines.append(f"{files}: {told or word('none')}")
    if outcome.stopped:
        stopped = "Dừng xử lý hàng loạt" if lang == "vi" else "Batch stopped"
        lines.append(f"{stopped}: {printable(outcome.stopped)}")
    return "\n".join(lines) + "\n"
