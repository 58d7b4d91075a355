"""Untrusted text made safe to show: names, paths and messages come from the PDFs and
certificates being checked, and a control or bidi character in them could set a terminal's
title (``ESC ] 0 ; … BEL``), overwrite a line (``CR``, ``CSI``) or reorder what a reader sees
(``RIGHT-TO-LEFT OVERRIDE``)::

    printable("evil\\x1b]0;pwned\\x07.pdf")   # 'evil\\\\u001b]0;pwned\\\\u0007.pdf'
    json_text({"path": "a\\u202egpj.pdf"})  # '{"path": "a\\\\u202egpj.pdf"}'

The neutralised characters are C0 controls (U+0000–U+001F, newline and tab included), DEL,
C1 controls (U+0080–U+009F), the bidi marks U+200E, U+200F and U+061C, and the bidi
embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069. Each is shown as the six
visible characters ``\\uXXXX`` (backslash, ``u``, four lowercase hex digits: the JSON/Python
escape), so a reader sees that something was there and which code point it was. Every other
character, Vietnamese letters included, is kept as it is.

Every writer of text for a terminal, a CSV or an HTML page passes values through
``printable``; JSON writers use ``json_text``, whose decoded strings are exactly the originals.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# json.dumps already writes C0 controls as escapes (and the newlines of ``indent`` are
# structure, not text), so only the rest is left to escape in its output.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with each control and bidi-control character written as ``\\uXXXX``."""
    return _UNSAFE.sub(_escape, text)


def json_text(data: Any, *, indent: int | None = None) -> str:
    """``json.dumps(data)`` with non-ASCII text readable as UTF-8 but control and bidi
    characters as ``\\uXXXX`` escapes: ``json.loads`` gives back exactly ``data``."""
    # Those characters are never JSON syntax, so each raw one is inside a string, where
    # its \\uXXXX escape means the same character.
    return _UNSAFE_IN_JSON.sub(_escape, json.dumps(data, indent=indent, ensure_ascii=False))
