"""The report data model and its writers (JSON, CSV, text, HTML)."""

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
    "render_csv",
    "render_html",
    "render_json",
    "render_text",
    "report_to_dict",
    "worst",
]
