"""Archive maintenance for signed PDFs: document timestamps, adding long-term validation data
(PAdES B-LT, B-LTA) to existing signatures from any producer, and renewing archive timestamps
before they lapse.

    from signkit.ltv import LtvOptions, RenewalRule, Window, add_ltv_many, refresh_many

    options = LtvOptions(tsa_url="http://tsa.example/", trust=(Path("root.pem"),))
    add_ltv_many([(Path("a.pdf"), Path("out/a.pdf"))], options=options)
    rule = RenewalRule(Window.parse("180d"), at=datetime.now(UTC), policy=profile.policy)
    refresh_many([(Path("a.pdf"), Path("a.pdf"))], options=options, rule=rule)  # in place
"""

from .add import add_validation_data
from .batch import ProgressCallback, add_ltv_many, refresh_many, run_batch, timestamp_many
from .refresh import RenewalRule, newest_timestamp, refresh_document, renewal_reasons
from .report import render_json, render_text
from .result import Additions, LtvOutcome, LtvResult, LtvStatus, TimestampFacts
from .session import ArchiveSession, LtvOptions
from .timestamp import timestamp_document
from .window import Window

__all__ = [
    "Additions",
    "ArchiveSession",
    "LtvOptions",
    "LtvOutcome",
    "LtvResult",
    "LtvStatus",
    "ProgressCallback",
    "RenewalRule",
    "TimestampFacts",
    "Window",
    "add_ltv_many",
    "add_validation_data",
    "newest_timestamp",
    "refresh_document",
    "refresh_many",
    "render_json",
    "render_text",
    "renewal_reasons",
    "run_batch",
    "timestamp_document",
    "timestamp_many",
]
