"""The report data model and its writers (JSON, CSV, text, HTML), and the two functions every
writer of untrusted text uses: ``printable`` (terminal, CSV, HTML) and ``json_text`` (JSON)."""

from .csv_report import render_csv
from .html_report import render_html
from .json_report import render_json, report_to_dict
from .model import (
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
    worst,
)
from .safe_text import json_text, printable
from .text_report import render_text

__all__ = [
    "BatchReport",
    "Coverage",
    "FileReport",
    "Indication",
    "Modifications",
    "RevocationCheck",
    "RevocationSource",
    "RevocationStatus",
    "SignatureReport",
    "SignerIdentity",
    "SubIndication",
    "json_text",
    "printable",
    "render_csv",
    "render_html",
    "render_json",
    "render_text",
    "report_to_dict",
    "worst",
]
