"""The verification report as one self-contained HTML5 page for auditors (inline CSS and
script, no external resource; readable without the script), in English or Vietnamese::

    page = render_html(batch, lang="vi")

The page opens on the summary: the counts by verdict, by signer and by issuer. Then one
table of files (verdict, file, signer, time, level, reason) that sorts by any column (click
its heading) and filters by verdict and by any text; then each file's details, folded
(``<details>``), which the file's name in the table opens. Column widths are fixed and long
values wrap: no horizontal scrolling at any size, and tens of thousands of rows stay
usable. Times are in the profile's time zone (``times.shown_time``).

The writer (``stream.HtmlReportWriter``) spools rows and details to temporary files and keeps
only the counts (``HtmlTally``, bounded) in memory; the summary, known at the end, is
written first when the page is put together. Messages are in the page's language
(``text_report.localized``). Every value from the report is HTML-escaped: paths, names and
messages come from untrusted PDFs; control and bidi characters in them are shown as
``\\uXXXX`` first (``safe_text.printable``).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from ._html_assets import CSS, SCRIPT
from .model import BatchReport, FileReport, Indication, SignatureReport, SignerIdentity
from .safe_text import printable
from .text_report import (
    counts_line,
    culprit,
    reason,
    shown_lines,
    value_word,
    verdict,
    word,
)
from .times import display_zone, shown_time

_TOP = 10  # signers and issuers named in the summary; the rest are counted together
_TRACKED = 5000  # distinct signers (issuers) counted by name; later new ones count as others
_COLUMNS = ("verdict", "file", "signer", "time", "level", "reason")


def _e(text: object) -> str:
    return escape(printable(str(text)), quote=True)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label(key: str, lang: str, **values: object) -> str:
    return _e(_cap(word(key, lang, **values)))


def signer_label(signer: SignerIdentity) -> str:
    """How a signer is named in the table and the summary."""
    if signer.organization and signer.organization != signer.common_name:
        return f"{signer.common_name} ({signer.organization})"
    return signer.common_name


class _BoundedCounts:
    """Files per name, for at most ``_TRACKED`` names (memory stays flat on any batch);
    files of names seen after that are counted in ``untracked``."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.untracked = 0

    def add(self, name: str) -> None:
        if name in self.counts:
            self.counts[name] += 1
        elif len(self.counts) < _TRACKED:
            self.counts[name] = 1
        else:
            self.untracked += 1

    def top(self) -> tuple[list[tuple[str, int]], int]:
        """The ``_TOP`` largest counts, and the files of all the other names."""
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:_TOP], sum(n for _, n in ranked[_TOP:]) + self.untracked


class HtmlTally:
    """The summary's counts by signer and by issuer (each file once per name)."""

    def __init__(self) -> None:
        self.signers = _BoundedCounts()
        self.issuers = _BoundedCounts()

    def add(self, report: FileReport, lang: str) -> None:
        signers = [sig.signer for sig in report.signatures if sig.signer is not None]
        if not signers:
            self.signers.add(word("none_signer", lang))
        for name in dict.fromkeys(signer_label(s) for s in signers):
            self.signers.add(name)
        for name in dict.fromkeys(s.issuer for s in signers):
            self.issuers.add(name)


# --- one file: its row and its details ----------------------------------------------------------

def _file_id(index: int) -> str:
    return f"f{index}"


def html_file_row(report: FileReport, index: int, *, lang: str = "en",
                  zone: dt.tzinfo | None = None) -> str:
    """The file's row of the table (``index``: its place in the report, from 1)."""
    status = report.status.value
    plain = _cap(word(verdict(report), lang))
    signers = list(dict.fromkeys(signer_label(s.signer) for s in report.signatures
                                 if s.signer is not None))
    main = culprit(report)
    moment = main.signing_time if main is not None else None
    levels = list(dict.fromkeys(s.level for s in report.signatures))
    why = reason(report, lang, zone) or ""
    time_key = shown_time(moment, dt.UTC) or ""
    cells = (
        f'<td data-key="{report.status.severity}{_e(plain)}"><span class="status">'
        f"{_e(plain)}</span></td>",
        f'<td><a href="#{_file_id(index)}">{_e(report.path)}</a></td>',
        f"<td>{'<br>'.join(_e(s) for s in signers) or '—'}</td>",
        f'<td class="t" data-key="{_e(time_key)}">'
        f'{_e(shown_time(moment, zone) or "—").replace("T", "<wbr>T", 1)}</td>',
        f"<td>{'<br>'.join(_e(level) for level in levels) or '—'}</td>",
        f"<td>{_e(why)}</td>",
    )
    return (f'<tr class="{status}" data-status="{status}" data-id="{_file_id(index)}">'
            + "".join(cells) + "</tr>")


def _messages(messages: list[str], lang: str, zone: dt.tzinfo | None) -> str:
    """Each message escaped, its lines apart as ``text_report.shown_lines`` says."""
    items = ["<br>".join(_e(line) for line in shown_lines(m, lang, zone)) for m in messages]
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""


def _item(key: str, value: str, lang: str) -> str:
    return f"<dt>{_label(key, lang)}</dt><dd>{value}</dd>"


def _signature_details(sig: SignatureReport, lang: str, zone: dt.tzinfo | None) -> str:
    signer = sig.signer
    who = _e(word("unknown", lang)) if signer is None else _e(signer.common_name)
    if signer is not None and signer.organization:
        who += f"<br>{_e(signer.organization)}"
    status = _e(sig.status.value)
    if sig.subindication:
        status += f" ({_e(sig.subindication.value)})"
    rev = sig.revocation
    revocation = (f"{_e(word('checked' if rev.checked else 'not_checked', lang))}, "
                  f"{_e(value_word(rev.source, lang))}, {_e(value_word(rev.status, lang))}")
    modifications = _e(value_word(sig.modifications, lang))
    if sig.certified:
        modifications += f"<br>{_e(word('certified', lang, docmdp=sig.docmdp or '—'))}"
    messages = _messages(list(sig.messages), lang, zone)
    if not messages and sig.status is not Indication.TOTAL_PASSED and sig.subindication:
        # the reason must show, even without a message: the ETSI name, not a translation
        messages = f"<ul><li>{_e(sig.subindication.value)}</li></ul>"
    items = [
        _item("signer", who, lang),
        _item("issuer", _e(signer.issuer) if signer is not None else "—", lang),
        _item("signing_time", _e(shown_time(sig.signing_time, zone) or "—"), lang),
        _item("timestamp_time", _e(shown_time(sig.timestamp_time, zone) or "—"), lang),
        _item("level", _e(sig.level), lang),
        _item("etsi_status", f'<span class="status">{status}</span>', lang),
        _item("coverage", _e(value_word(sig.coverage, lang)), lang),
        _item("modifications", modifications, lang),
        _item("chain", _e(" → ".join(sig.chain)) or "—", lang),
        _item("revocation", revocation, lang),
    ]
    if messages:
        items.append(_item("messages", messages, lang))
    return (f'<div class="sig {sig.status.value}"><h3>{_label("signature", lang)} '
            f"{_e(sig.field)}</h3>\n<dl>{''.join(items)}</dl></div>")


def html_file_details(report: FileReport, index: int, *, lang: str = "en",
                      zone: dt.tzinfo | None = None) -> str:
    """The file's folded details (``index`` as for ``html_file_row``)."""
    parts = [
        f'<details id="{_file_id(index)}" class="{report.status.value}">',
        f'<summary><span class="status">{_e(_cap(word(verdict(report), lang)))}</span>: '
        f"<code>{_e(report.path)}</code></summary>",
    ]
    why = reason(report, lang, zone)
    if why:
        parts.append(f'<p class="reason">{_label("reason", lang)}: {_e(why)}</p>')
    status = report.status.value
    if report.subindication:
        status += f" ({report.subindication.value})"
    parts.append(f"<p>{_label('etsi_status', lang)}: {_e(status)}<br>"
                 f"<small>{_e(word('file_sha256', lang))}: {_e(report.sha256 or '—')}</small></p>")
    parts.append(_messages(list(report.messages), lang, zone))
    if report.signatures:
        parts += [_signature_details(sig, lang, zone) for sig in report.signatures]
    else:
        parts.append(f"<p>{_label('no_signatures', lang)}</p>")
    parts.append("</details>")
    return "\n".join(part for part in parts if part)


# --- the page around them ---------------------------------------------------------------------

def _count_table(heading: str, counted: _BoundedCounts, lang: str) -> str:
    top, others = counted.top()
    if not top and not others:
        return ""
    unsigned = word("none_signer", lang)  # no row shows these words: nothing to filter by
    rows = [(f"<tr><td>{_e(name)}</td>" if name == unsigned else
             f'<tr><td><a href="#files" data-q="{_e(name)}">{_e(name)}</a></td>')
            + f'<td class="n">{n}</td></tr>' for name, n in top]
    if others:
        rows.append(f"<tr><td>{_label('others', lang)}</td><td class=\"n\">{others}</td></tr>")
    return (f"<table><thead><tr><th>{heading}</th><th>{_label('files_heading', lang)}</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _summary(counts: dict[str, int], tally: HtmlTally, lang: str,
             incomplete: str | None) -> str:
    labels = [("files_heading", counts["files"], ""),
              ("count_valid", counts["TOTAL_PASSED"], "TOTAL_PASSED"),
              ("count_invalid", counts["TOTAL_FAILED"], "TOTAL_FAILED"),
              ("count_indeterminate", counts["INDETERMINATE"], "INDETERMINATE")]
    head = "".join(f"<th>{_label(key, lang)}</th>" for key, _, _ in labels)
    cells = "".join((f'<td class="n {css}">' if css else '<td class="n">')
                    + f'<span class="status">{n}</span></td>' for _, n, css in labels)
    note = f'<p class="reason incomplete">{_e(_cap(incomplete))}</p>\n' if incomplete else ""
    return (f'<section class="summary" id="summary">\n{note}'
            f'<p class="counts">{_e(counts_line(counts, lang))}</p>\n'
            f"<table><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>\n"
            f"{_count_table(_label('by_signer', lang), tally.signers, lang)}\n"
            f"{_count_table(_label('by_issuer', lang), tally.issuers, lang)}\n</section>\n")


def _verdict_filter(lang: str) -> str:
    options = [("", "all"), ("NOT_PASSED", "not_passed"), ("TOTAL_PASSED", "count_valid"),
               ("TOTAL_FAILED", "count_invalid"), ("INDETERMINATE", "count_indeterminate")]
    return "".join(f'<option value="{value}">{_label(key, lang)}</option>'
                   for value, key in options)


def html_head(signkit_version: str, validation_time: dt.datetime, profile: str,
              counts: dict[str, int], tally: HtmlTally | None = None, *, lang: str = "en",
              incomplete: str | None = None, zone: dt.tzinfo | None = None) -> str:
    """The page up to the first row of the files table (its newline included);
    ``incomplete``: the words saying the report was cut short."""
    title = _e(word("title", lang))
    header = (f"<p>{_label('validation_time', lang)}: "
              f"{_e(shown_time(validation_time, zone))} · "
              f"{_label('profile', lang)}: {_e(profile)} · "
              f"{_e(word('version', lang))} {_e(signkit_version)}</p>")
    shown = _e(word("shown", lang, shown="{shown}", total="{total}"))
    columns = "".join(f'<col class="{c}">' for c in _COLUMNS)
    heads = "".join(f'<th scope="col">{_label(c, lang)}</th>' for c in _COLUMNS)
    return (
        f'<!DOCTYPE html>\n<html lang="{"vi" if lang == "vi" else "en"}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<header>\n<h1>{title}</h1>\n{header}\n</header>\n"
        f"{_summary(counts, tally or HtmlTally(), lang, incomplete)}"
        f'<section id="list">\n<h2>{_label("files_table", lang)}</h2>\n'
        f'<div class="controls"><label>{_label("filter", lang)} '
        '<input id="q" type="search" autocomplete="off"></label> '
        f'<label>{_label("verdict", lang)} <select id="v">{_verdict_filter(lang)}</select>'
        f'</label> <span id="shown" data-template="{shown}"></span></div>\n'
        f'<table id="files">\n<colgroup>{columns}</colgroup>\n'
        f"<thead><tr>{heads}</tr></thead>\n<tbody>\n"
    )


def html_middle(lang: str = "en") -> str:
    """What comes between the last row and the first file's details."""
    return (f"\n</tbody>\n</table>\n</section>\n<section id=\"details\">\n"
            f"<h2>{_label('details', lang)}</h2>\n")


HTML_TAIL = f"\n</section>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
"""What follows the details (joined by newlines) to end the page."""


def render_html(batch: BatchReport, *, lang: str = "en",
                zone: dt.tzinfo | None = None) -> str:
    """A complete HTML5 page; needs no network and no other file. ``zone``: of the times
    shown (default: the profile's, ``times.display_zone``)."""
    import io

    from .stream import HtmlReportWriter, batch_info

    out = io.StringIO(newline="")
    writer = HtmlReportWriter(out, batch_info(batch), lang=lang,
                              zone=zone or display_zone(batch.profile))
    for report in batch.files:
        writer.add(report)
    writer.finish()
    return out.getvalue()
