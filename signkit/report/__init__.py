"""The report data model and its writers (JSON, CSV, text, HTML), and the two functions every
writer of untrusted text uses: ``printable`` (terminal, CSV, HTML) and ``json_text`` (JSON).

``render_*`` turn a whole ``BatchReport`` into text; ``open_writer`` gives a ``ReportWriter``
that writes the same report one file at a time (``signkit.iter_verify``), in flat memory.
A report's messages are ``Message``s: ``str`` (their English) with a ``code``, ``params`` and
``text(lang, zone)`` (``messages.CATALOG`` holds the English and Vietnamese of each code).
Text and HTML show times in the profile's time zone (``times``)."""

from .csv_report import render_csv
from .html_report import render_html
from .json_report import render_json, report_to_dict
from .messages import Message
from .model import (
    BatchInfo,
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
    Tally,
    worst,
)
from .safe_text import json_text, printable
from .stream import (
    FORMATS,
    CsvReportWriter,
    HtmlReportWriter,
    JsonReportWriter,
    ReportWriter,
    TextReportWriter,
    open_writer,
)
from .text_report import render_text

__all__ = [
    "FORMATS",
    "BatchInfo",
    "BatchReport",
    "Coverage",
    "CsvReportWriter",
    "FileReport",
    "HtmlReportWriter",
    "Indication",
    "JsonReportWriter",
    "Message",
    "Modifications",
    "ReportWriter",
    "RevocationCheck",
    "RevocationSource",
    "RevocationStatus",
    "SignatureReport",
    "SignerIdentity",
    "SubIndication",
    "Tally",
    "TextReportWriter",
    "json_text",
    "printable",
    "open_writer",
    "render_csv",
    "render_html",
    "render_json",
    "render_text",
    "report_to_dict",
    "worst",
]
