"""The verification report as one self-contained HTML5 page (inline CSS, no scripts, no
external resources), in English or Vietnamese::

    page = render_html(batch, lang="vi")

The header names the validation time and profile; then the summary counts, and per file its
verdict, the reason for a verdict that is not "valid", and a table with a row per signature.
Messages are in the page's language (``text_report.localized``). Every value from the report
is HTML-escaped: paths, names and messages come from untrusted PDFs; control and bidi
characters in them are shown as ``\\uXXXX`` first (``safe_text.printable``).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .json_report import iso8601
from .model import BatchReport, FileReport, Indication, SignatureReport
from .safe_text import printable
from .text_report import counts_line, localized, reason, verdict, word

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #eee; }
section.file { border-left: .4em solid #bbb; padding-left: 1em; margin-bottom: 1.5em; }
.file.TOTAL_PASSED { border-color: #2e7d32; } .TOTAL_PASSED .status { color: #2e7d32; }
.file.INDETERMINATE { border-color: #ef6c00; } .INDETERMINATE .status { color: #ef6c00; }
.file.TOTAL_FAILED { border-color: #c62828; } .TOTAL_FAILED .status { color: #c62828; }
.status { font-weight: bold; }
.reason { font-weight: bold; }
small { color: #555; }
ul { margin: 0; padding-left: 1.2em; }
"""

_COLUMNS = ("field", "signer", "signing_time", "timestamp_time", "level", "etsi_status",
            "coverage", "modifications", "revocation", "messages")


def _e(text: object) -> str:
    return escape(printable(str(text)), quote=True)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _messages(messages: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(m)}</li>" for m in messages) + "</ul>" if messages else ""


def _signature_row(sig: SignatureReport, lang: str) -> str:
    signer = sig.signer
    who = _e(word("unknown", lang))
    if signer is not None:
        who = _e(signer.common_name)
        if signer.organization:
            who += f"<br>{_e(signer.organization)}"
    if sig.chain:
        who += f"<br><small>{_e(' → '.join(sig.chain))}</small>"
    status = _e(sig.status.value)
    if sig.subindication:
        status += f"<br>{_e(sig.subindication.value)}"
    rev = sig.revocation
    revocation = _e(word("checked" if rev.checked else "not_checked", lang))
    revocation += f"<br>{_e(rev.source.value)} {_e(rev.status.value)}"
    messages = [localized(message, lang) for message in sig.messages]
    if not messages and sig.status is not Indication.TOTAL_PASSED and sig.subindication:
        messages = [sig.subindication.value]  # the reason must show, even without a message
    modifications = _e(sig.modifications.value) if sig.modifications else "—"
    if sig.certified:
        modifications += f"<br>{_e(word('certified', lang, docmdp=sig.docmdp or '—'))}"
    cells = (
        _e(sig.field), who, _e(iso8601(sig.signing_time) or "—"),
        _e(iso8601(sig.timestamp_time) or "—"), _e(sig.level), f'<span class="status">{status}'
        "</span>", _e(sig.coverage.value) if sig.coverage else "—", modifications, revocation,
        _messages(messages),
    )
    return f'<tr class="{sig.status.value}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _file_section(report: FileReport, lang: str) -> str:
    parts = [
        f'<section class="file {report.status.value}">',
        f'<h2><span class="status">{_e(_cap(word(verdict(report), lang)))}</span>: '
        f"<code>{_e(report.path)}</code></h2>",
    ]
    why = reason(report, lang)
    if why:
        parts.append(f'<p class="reason">{_e(_cap(word("reason", lang)))}: {_e(why)}</p>')
    status = report.status.value
    if report.subindication:
        status += f" ({report.subindication.value})"
    parts.append(f"<p>{_e(_cap(word('etsi_status', lang)))}: {_e(status)}<br>"
                 f"<small>{_e(word('file_sha256', lang))}: {_e(report.sha256 or '—')}</small></p>")
    parts.append(_messages([localized(message, lang) for message in report.messages]))
    if report.signatures:
        head = "".join(f"<th>{_e(_cap(word(c, lang)))}</th>" for c in _COLUMNS)
        rows = "\n".join(_signature_row(sig, lang) for sig in report.signatures)
        parts.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n"
                      "</table>")
    else:
        parts.append(f"<p>{_e(_cap(word('no_signatures', lang)))}</p>")
    parts.append("</section>")
    return "\n".join(part for part in parts if part)


def _summary(counts: dict[str, int], lang: str, incomplete: str | None = None) -> str:
    labels = [("files_heading", counts["files"], ""),
              ("count_valid", counts["TOTAL_PASSED"], "TOTAL_PASSED"),
              ("count_invalid", counts["TOTAL_FAILED"], "TOTAL_FAILED"),
              ("count_indeterminate", counts["INDETERMINATE"], "INDETERMINATE")]
    head = "".join(f"<th>{_e(_cap(word(key, lang)))}</th>" for key, _, _ in labels)
    cells = "".join((f'<td class="{css}">' if css else "<td>")
                    + f'<span class="status">{n}</span></td>' for _, n, css in labels)
    note = f'<p class="reason incomplete">{_e(_cap(incomplete))}</p>\n' if incomplete else ""
    return (f'<section class="summary">\n{note}<p>{_e(counts_line(counts, lang))}</p>\n'
            f"<table><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>\n"
            "</section>")


def html_head(signkit_version: str, validation_time: dt.datetime, profile: str,
              counts: dict[str, int], *, lang: str = "en", incomplete: str | None = None) -> str:
    """The page up to its first file section (``<main>`` opened, its newline included);
    ``incomplete``: the words saying the report was cut short."""
    title = _e(word("title", lang))
    header = (f"<p>{_e(_cap(word('validation_time', lang)))}: "
              f"{_e(iso8601(validation_time))} · "
              f"{_e(_cap(word('profile', lang)))}: {_e(profile)} · "
              f"{_e(word('version', lang))} {_e(signkit_version)}</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{"vi" if lang == "vi" else "en"}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n'
        f"<body>\n<header>\n<h1>{title}</h1>\n{header}\n</header>\n"
        f"{_summary(counts, lang, incomplete)}\n<main>\n"
    )


HTML_TAIL = "\n</main>\n</body>\n</html>\n"
"""What follows the file sections (joined by newlines) to end the page."""


def html_file_section(report: FileReport, *, lang: str = "en") -> str:
    """One file's section of ``render_html`` (no separator)."""
    return _file_section(report, lang)


def render_html(batch: BatchReport, *, lang: str = "en") -> str:
    """A complete HTML5 page; needs no network, no scripts and no other file."""
    body = "\n".join(_file_section(report, lang) for report in batch.files)
    return (html_head(batch.signkit_version, batch.validation_time, batch.profile,
                      batch.summary, lang=lang) + body + HTML_TAIL)
