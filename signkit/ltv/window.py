"""Time windows as users write them: ``180d``, ``12w``, ``6m``, ``1y``, ``20y``."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_WINDOW = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}


@dataclass(frozen=True)
class Window:
    """A span of days, weeks, calendar months or calendar years.

    >>> Window.parse("6m").end(dt.datetime(2026, 8, 31, tzinfo=dt.UTC))
    datetime.datetime(2027, 2, 28, 0, 0, tzinfo=datetime.timezone.utc)
    """

    amount: int
    unit: str  # "d", "w", "m", "y"

    @classmethod
    def parse(cls, text: str) -> Window:
        match = _WINDOW.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a window; write a number and d, w, m or y "
                             "(e.g. 180d, 6m, 1y)")
        return cls(int(match[1]), match[2].lower())

    def end(self, start: dt.datetime) -> dt.datetime:
        """``start`` moved forward by the window (month ends clamp: Aug 31 + 6m = Feb 28)."""
        if self.unit == "d":
            return start + dt.timedelta(days=self.amount)
        if self.unit == "w":
            return start + dt.timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day)

    def __str__(self) -> str:
        name = _UNITS[self.unit]
        return f"{self.amount} {name}{'' if self.amount == 1 else 's'}"
