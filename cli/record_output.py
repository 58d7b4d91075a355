"""Per-file results of ``sign``, ``timestamp`` and ``ltv`` as CSV or an HTML page, row by row
(``--format csv|html``; text and JSON have their own writers).

Cells come from documents, file names and services: control and bidi characters are written as
``\\uXXXX`` escapes, and a CSV cell a spreadsheet would run as a formula gets a leading ``'``,
as in the verification report (signkit.report.csv_report)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any, TextIO

from signkit.report import printable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
"""


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " | ".join(cell(v) for v in value)
    return printable(str(value))


class RecordWriter:
    """Writes ``columns`` of each record to ``out`` as CSV or HTML, as the records come."""

    def __init__(self, fmt: str, out: TextIO, columns: Sequence[str], *, title: str) -> None:
        if fmt not in ("csv", "html"):
            raise ValueError(f"RecordWriter writes csv or html, not {fmt}")
        self.fmt, self.out, self.columns = fmt, out, tuple(columns)
        if fmt == "csv":
            self._csv = csv.writer(out, lineterminator="\r\n")
            self._csv.writerow(self.columns)
        else:
            out.write(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                      f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>\n"
                      f"<h1>{escape(title)}</h1>\n<table>\n<thead><tr>"
                      + "".join(f"<th>{escape(c)}</th>" for c in self.columns)
                      + "</tr></thead>\n<tbody>\n")

    def add(self, record: Mapping[str, Any]) -> None:
        values = [cell(record.get(column)) for column in self.columns]
        if self.fmt == "csv":
            self._csv.writerow(["'" + v if v.startswith(_FORMULA_STARTS) else v
                                for v in values])
        else:
            self.out.write("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in values)
                           + "</tr>\n")

    def finish(self, summary: str) -> None:
        """Close the page (HTML: the summary under the table; CSV has none)."""
        if self.fmt == "html":
            self.out.write(f"</tbody>\n</table>\n<p>{escape(printable(summary))}</p>\n"
                           "</body></html>\n")
        self.out.flush()
