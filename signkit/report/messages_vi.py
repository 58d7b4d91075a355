"""Vietnamese for report messages that arrive as plain English text, without their code: a
report read back from JSON or an audit store, or a message of a module that writes plain
strings. A ``messages.Message`` knows its own words (``Message.text("vi")``); this module
matches plain text against the same templates (``messages.CATALOG``)::

    to_vietnamese("the document is not signed")  # "tài liệu chưa được ký số"

Each ``Rule`` is a catalog template compiled into a pattern over the whole text (``{name}``
matches any text, shortest first, unless the template narrows its shape). A message no rule
knows (pyHanko's own words) keeps its English text behind ``TECHNICAL_DETAIL``: a
translation may never lose information.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass

from ._catalog import CATALOG, TECHNICAL_DETAIL, Template, nested_vietnamese
from .messages import Message, moment_text

_UNKNOWN_TIME = moment_text(None, "vi")

__all__ = ["RULES", "TECHNICAL_DETAIL", "Rule", "recover", "rule_for", "to_vietnamese"]


@dataclass(frozen=True)
class Rule:
    """One catalog template as a pattern over a whole English message."""

    code: str
    english: re.Pattern[str]
    template: Template

    @property
    def vietnamese(self) -> str:
        return self.template.vietnamese

    def translate(self, message: str) -> str | None:
        """The Vietnamese text when ``message`` is this rule's, else None."""
        found = self._translate(message)
        return None if found is None else found[0]

    def _translate(self, message: str) -> tuple[str, bool] | None:
        """(Vietnamese, whether every nested message was known) or None."""
        match = self.english.fullmatch(message)
        if match is None:
            return None
        convert = self.template.convert
        values = {name: _UNKNOWN_TIME if value == moment_text(None)
                  else convert.get(name, str)(value or "")
                  for name, value in match.groupdict().items()}
        known = not any(convert.get(name) is nested_vietnamese
                        and values[name].startswith(TECHNICAL_DETAIL) for name in values)
        return self.template.vietnamese.format(**values), known


def _compile(code: str, template: Template) -> Rule:
    pattern = []
    for literal, name, _, _ in string.Formatter().parse(template.english):
        pattern.append(re.escape(literal))
        if name is not None:
            pattern.append(f"(?P<{name}>{template.shapes.get(name, '.+?')})")
    return Rule(code, re.compile("".join(pattern), re.DOTALL), template)


def _is_bare(template: Template) -> bool:
    """A template that is only a parameter (pyHanko's words) would match any text."""
    return template.english.startswith("{") and template.english.endswith("}") \
        and template.english.count("{") == 1


RULES: tuple[Rule, ...] = tuple(_compile(code, template) for code, template in CATALOG.items()
                                if not _is_bare(template))


def to_vietnamese(message: str) -> str:
    """``message`` in Vietnamese; a message no rule knows keeps its text, marked as detail."""
    if isinstance(message, Message):
        return message.text("vi")
    return _plain_to_vietnamese(str(message))


@functools.lru_cache(maxsize=4096)
def _plain_to_vietnamese(message: str) -> str:
    """The first rule that knows all of ``message``; else the first that knows its frame
    ("modified after signing: {problem}" around words of pyHanko's)."""
    framed = None
    for rule in RULES:
        found = rule._translate(message)
        if found is not None:
            if found[1]:
                return found[0]
            framed = framed or found[0]
    return framed or TECHNICAL_DETAIL + message


def recover(text: str) -> Message | None:
    """The ``Message`` whose English is exactly ``text`` (its code found again from the
    catalog's templates), or None: for reports read back without their codes, so that they
    are shown as the original ones were."""
    if isinstance(text, Message):
        return text
    rule = rule_for(text)
    if rule is None:
        return None
    match = rule.english.fullmatch(text)
    assert match is not None
    params = {name: None if value == moment_text(None) else value
              for name, value in match.groupdict().items()}
    message = Message(rule.code, **params)
    return message if str(message) == text else None


def rule_for(message: str) -> Rule | None:
    """The rule that translates plain ``message`` (None: it would be passed on as detail)."""
    framed = None
    for rule in RULES:
        found = rule._translate(message)
        if found is not None:
            if found[1]:
                return rule
            framed = framed or rule
    return framed
