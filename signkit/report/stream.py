"""Report writers that take one ``FileReport`` at a time, so that a batch of any size is
written with flat memory::

    with signkit.iter_verify(["archive"], recursive=True) as stream, \\
            open("report.json", "w", encoding="utf-8", newline="") as out:
        writer = open_writer("json", out, stream.info)
        for report in stream:
            writer.add(report)
        writer.finish()

For a complete batch each writer writes exactly what ``render_json`` / ``render_csv`` /
``render_text`` / ``render_html`` give for the same reports. CSV rows and text lines go to
``out`` as each file arrives. JSON and HTML put the summary counts before the files, so their
file entries (HTML: the table rows and the details, in two files) wait in an anonymous
temporary file (removed by the system even if the process is killed; ``spool_dir`` says where)
and are copied out by ``finish``; only the counts stay in memory (HTML's by signer and issuer
bounded).

A batch cut short (Ctrl-C) still ends in a valid report: ``finish(complete=False)`` writes the
files added so far, counts only those, and says the report is incomplete — JSON with
``"complete": false`` after ``summary``, text and HTML with a line naming how many of the
batch's files were verified. CSV has no place for such a note: its rows are only ever whole
ones. ``add`` writes a file's entry whole or not at all, also when interrupted midway.

Open ``out`` with ``newline=""``: CSV rows end with ``\\r\\n`` of their own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path
from typing import Protocol, TextIO

from .csv_report import csv_file_rows, csv_header
from .html_report import (
    HTML_TAIL,
    HtmlTally,
    html_file_details,
    html_file_row,
    html_head,
    html_middle,
)
from .json_report import json_file_entry, json_head
from .model import BatchInfo, BatchReport, FileReport, Indication, Tally
from .safe_text import printable
from .text_report import counts_line, text_file_lines, word
from .times import display_zone

FORMATS = ("text", "json", "csv", "html")


class ReportWriter(Protocol):
    """Writes one report from the files handed to it in order."""

    def add(self, report: FileReport) -> None:
        """Write one file's entry (whole, or not at all if interrupted)."""

    def finish(self, *, complete: bool = True) -> None:
        """End the report; ``complete=False`` marks it cut short. Call once."""

    @property
    def summary(self) -> dict[str, int]:
        """``BatchReport.summary`` of the files added so far."""

    @property
    def status(self) -> Indication:
        """The worst indication added so far (TOTAL_PASSED for none)."""


def open_writer(fmt: str, out: TextIO, info: BatchInfo, *, lang: str = "en",
                verbose: bool = False, spool_dir: str | Path | None = None,
                zone: dt.tzinfo | None = None) -> ReportWriter:
    """The writer of ``fmt`` (one of ``FORMATS``) into ``out``; ``lang`` and ``verbose`` as
    for ``render_text`` and ``render_html``; ``spool_dir``: where JSON and HTML keep their
    entries until the end (default: the system's temporary folder, which may be in RAM);
    ``zone``: of the times text and HTML show (default: the profile's, ``display_zone``)."""
    if fmt == "json":
        return JsonReportWriter(out, info, spool_dir=spool_dir)
    if fmt == "csv":
        return CsvReportWriter(out, info)
    zone = zone or display_zone(info.profile)
    if fmt == "text":
        return TextReportWriter(out, info, lang=lang, verbose=verbose, zone=zone)
    if fmt == "html":
        return HtmlReportWriter(out, info, lang=lang, spool_dir=spool_dir, zone=zone)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def batch_info(batch: BatchReport) -> BatchInfo:
    """The header of a complete report."""
    return BatchInfo(batch.signkit_version, batch.validation_time, batch.profile,
                     len(batch.files))


class _Writer:
    def __init__(self, out: TextIO, info: BatchInfo) -> None:
        self.out = out
        self.info = info
        self._tally = Tally()
        self._finished = False

    @property
    def summary(self) -> dict[str, int]:
        return self._tally.summary

    @property
    def status(self) -> Indication:
        return self._tally.status

    def add(self, report: FileReport) -> None:
        if self._finished:
            raise ValueError("the report is finished")
        self._write_entry(report)
        self._tally.add(report)

    def finish(self, *, complete: bool = True) -> None:
        if self._finished:
            raise ValueError("the report is finished")
        self._finished = True
        self._write_end(complete)
        self.out.flush()

    def _incomplete_note(self, lang: str) -> str:
        return word("incomplete", lang, done=self._tally.files, total=self.info.files)

    def _write_entry(self, report: FileReport) -> None:
        raise NotImplementedError

    def _write_end(self, complete: bool) -> None:
        raise NotImplementedError


class _Spool:
    """Finished entries, joined by ``separator``, in an anonymous temporary file."""

    def __init__(self, separator: str, folder: str | Path | None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by copy_to
        self._separator = separator.encode("utf-8")
        self._size = 0  # bytes of whole entries

    def append(self, text: str) -> None:
        data = (self._separator if self._size else b"") + text.encode("utf-8")
        try:
            self._file.write(data)
        except BaseException:
            self._file.seek(self._size)  # an interrupted write leaves no part of an entry
            self._file.truncate()
            raise
        self._size += len(data)

    @property
    def size(self) -> int:
        """Bytes of the whole entries so far."""
        return self._size

    def truncate(self, size: int) -> None:
        """Forget the entries after ``size`` (a ``size`` read before appending them)."""
        self._file.seek(size)
        self._file.truncate()
        self._size = size

    def copy_to(self, out: TextIO) -> None:
        self._file.seek(0)
        with io.TextIOWrapper(self._file, encoding="utf-8", newline="") as text:
            shutil.copyfileobj(text, out, 1 << 16)  # also closes the file

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


class JsonReportWriter(_Writer):
    """The JSON report (docs/report-schema.md), entries spooled until the counts are known."""

    def __init__(self, out: TextIO, info: BatchInfo, *,
                 spool_dir: str | Path | None = None) -> None:
        super().__init__(out, info)
        self._spool = _Spool(",\n", spool_dir)

    def _write_entry(self, report: FileReport) -> None:
        self._spool.append(json_file_entry(report))

    def _write_end(self, complete: bool) -> None:
        try:
            info = self.info
            self.out.write(json_head(info.signkit_version, info.validation_time, info.profile,
                                     self.summary, complete=complete))
            if self._tally.files:
                self.out.write("[\n")
                self._spool.copy_to(self.out)
                self.out.write("\n  ]\n}\n")
            else:
                self.out.write("[]\n}\n")
        finally:
            self._spool.close()


class CsvReportWriter(_Writer):
    """The CSV report: the header now, each file's rows as it arrives."""

    def __init__(self, out: TextIO, info: BatchInfo) -> None:
        super().__init__(out, info)
        out.write(csv_header())

    def _write_entry(self, report: FileReport) -> None:
        self.out.write(csv_file_rows(report))

    def _write_end(self, complete: bool) -> None:
        pass  # no summary and no note: a CSV report is its rows


class TextReportWriter(_Writer):
    """The plain-text report: each file's lines as it arrives, the summary line last."""

    def __init__(self, out: TextIO, info: BatchInfo, *, lang: str = "en",
                 verbose: bool = False, zone: dt.tzinfo | None = None) -> None:
        super().__init__(out, info)
        self.lang = lang
        self.verbose = verbose
        self.zone = zone

    def _write_entry(self, report: FileReport) -> None:
        self.out.write(text_file_lines(report, lang=self.lang, verbose=self.verbose,
                                       zone=self.zone))

    def _write_end(self, complete: bool) -> None:
        lines = [] if complete else [self._incomplete_note(self.lang)]
        lines.append(counts_line(self.summary, self.lang))
        self.out.write("".join(printable(line) + "\n" for line in lines))


class HtmlReportWriter(_Writer):
    """The HTML page: rows and details spooled apart until the summary at the top is known;
    in memory only the counts (``HtmlTally``, bounded)."""

    def __init__(self, out: TextIO, info: BatchInfo, *, lang: str = "en",
                 spool_dir: str | Path | None = None, zone: dt.tzinfo | None = None) -> None:
        super().__init__(out, info)
        self.lang = lang
        self.zone = zone
        self._html_tally = HtmlTally()
        self._rows = _Spool("\n", spool_dir)
        try:
            self._details = _Spool("\n", spool_dir)
        except BaseException:
            self._rows.close()
            raise

    def _write_entry(self, report: FileReport) -> None:
        index = self._tally.files + 1
        row = html_file_row(report, index, lang=self.lang, zone=self.zone)
        details = html_file_details(report, index, lang=self.lang, zone=self.zone)
        size = self._rows.size
        self._rows.append(row)
        try:
            self._details.append(details)
        except BaseException:
            self._rows.truncate(size)  # a file is in both parts or in neither
            raise
        self._html_tally.add(report, self.lang)

    def _write_end(self, complete: bool) -> None:
        try:
            info = self.info
            self.out.write(html_head(
                info.signkit_version, info.validation_time, info.profile, self.summary,
                self._html_tally, lang=self.lang, zone=self.zone,
                incomplete=None if complete else self._incomplete_note(self.lang)))
            self._rows.copy_to(self.out)
            self.out.write(html_middle(self.lang))
            self._details.copy_to(self.out)
            self.out.write(HTML_TAIL)
        finally:
            self._rows.close()
            self._details.close()
