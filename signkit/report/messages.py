"""Report messages as codes with parameters, and their English and Vietnamese words::

    message = Message("policy.rsa", bits=1024, minimum=2048)
    str(message)                 # 'RSA key of 1024 bits is below 2048' (JSON, CSV, the API)
    message.text("vi")           # 'khóa RSA dài 1024 bit, dưới mức tối thiểu 2048 bit'
    message.code, message.params # 'policy.rsa', {'bits': 1024, 'minimum': 2048}

A ``Message`` is a ``str`` (its English text), so the report model, JSON and CSV are unchanged;
the text and HTML writers ask it for its words in the reader's language and time zone
(``text(lang, zone)``). ``CATALOG`` (in ``_catalog``) holds every code's English and
Vietnamese template, with ``{name}`` for each parameter. Parameters are kept as given except
in Vietnamese where the template converts them (revocation reasons, kinds of change); a
datetime is shown in the reader's zone (UTC in the English text), ``None`` as an unknown
time; a nested ``Message`` in the reader's language. pyHanko's own words travel as a
``detail`` parameter and stay in English, framed as technical detail (``chi tiết kỹ thuật``).

Text that arrives without its code (a report read back from JSON or an audit store, a
message of a module that writes plain strings) is matched against the same templates by
``messages_vi.to_vietnamese``: one table for both.

Terms follow the national verification tools (chữ ký số, chứng thư số, dấu thời gian, thu
hồi, chuỗi chứng thư số, tổ chức cung cấp dịch vụ chứng thực...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from ._catalog import CATALOG, TECHNICAL_DETAIL, Convert, Template, template_for

__all__ = ["CATALOG", "TECHNICAL_DETAIL", "Message", "Template", "moment_text"]

class Message(str):
    """One report message: the English text, made from ``code`` and ``params``."""

    code: str
    params: Mapping[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> Message:
        self = super().__new__(cls, _render(template_for(code).english, params, "en", None, {}))
        self.code = code
        self.params = params
        return self

    def __reduce__(self):  # worker processes send reports back pickled
        return _restore, (self.code, dict(self.params))

    def text(self, lang: str = "en", zone: dt.tzinfo | None = None) -> str:
        """The message in ``lang`` ("en" or "vi"), its times in ``zone`` (default UTC)."""
        template = template_for(self.code)
        if lang == "vi":
            return _render(template.vietnamese, self.params, "vi", zone, template.convert)
        return _render(template.english, self.params, "en", zone, {})

    def map_text(self, change: Callable[[str], str]) -> Message:
        """The same message with ``change`` applied to its plain-text parameters (pyHanko's
        words) and to those of nested messages."""
        params = {name: value.map_text(change) if isinstance(value, Message)
                  else change(value) if isinstance(value, str) else value
                  for name, value in self.params.items()}
        return Message(self.code, **params)

    @property
    def technical(self) -> bool:
        """Whether the message is detail for specialists (``-v`` and JSON), not a reason."""
        return self.code.startswith("detail.")


def _restore(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


def moment_text(moment: dt.datetime | None, lang: str = "en",
                zone: dt.tzinfo | None = None) -> str:
    """``2025-06-01 00:00 UTC``; in another zone ``2025-06-01 07:00 +07:00``."""
    if moment is None:
        return "một thời điểm không xác định" if lang == "vi" else "an unknown time"
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone or dt.UTC)
    offset = moment.utcoffset()
    if offset is None or offset == dt.timedelta(0):
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    return f"{moment:%Y-%m-%d %H:%M} {moment.isoformat()[-6:]}"


def _render(template: str, params: Mapping[str, Any], lang: str, zone: dt.tzinfo | None,
            convert: Mapping[str, Convert]) -> str:
    values = {}
    for name, value in params.items():
        if isinstance(value, Message):
            values[name] = value.text(lang, zone)
        elif value is None or isinstance(value, dt.datetime):
            values[name] = moment_text(value, lang, zone)
        else:
            values[name] = convert.get(name, str)(str(value))
    return template.format(**values)


