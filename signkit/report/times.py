"""Times as people read them: in the profile's time zone (``vn``: +07:00), to the second,
ISO 8601 with the offset (``2026-11-29T05:00:00+07:00``; ``Z`` for UTC). The JSON and CSV
reports keep the times as verification found them (``json_report.iso8601``)::

    zone = display_zone("vn")                       # UTC+07:00
    shown_time(dt.datetime(2026, 11, 28, 22, tzinfo=dt.UTC), zone)
    # '2026-11-29T05:00:00+07:00'
"""

from __future__ import annotations

import datetime as dt
import functools

from .json_report import iso8601


@functools.lru_cache(maxsize=16)
def display_zone(profile: str) -> dt.tzinfo:
    """The time zone profile ``profile`` names for people (UTC when it names none, or when
    it cannot be loaded: a report read back from a store may name a profile gone since)."""
    from ..profiles import load_profile  # the report model does not need the profiles

    try:
        return load_profile(profile).time_zone
    except Exception:  # noqa: BLE001 - a report is still written, in UTC
        return dt.UTC


def shown_time(moment: dt.datetime | None, zone: dt.tzinfo | None) -> str | None:
    """``moment`` in ``zone`` to the second (a naive time is shown as it is)."""
    if moment is None:
        return None
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    return iso8601(moment.replace(microsecond=0))
