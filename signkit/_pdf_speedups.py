"""A faster hex-string reader for pyHanko's parser, installed only on request
(``signkit.enable_fast_pdf_parsing``: the CLI and the benchmarks ask for it).

pyHanko reads a hex string one byte at a time; a signature's /Contents is tens of thousands
of hex digits, so on a batch of signed files that loop was about half of the verification
time. This reader takes the same input and gives the same result or the same error: it
finds the closing ``>`` in chunks and decodes the digits in one call, and leaves anything
unusual (a comment inside the string) to pyHanko's own reader.

It cannot be given to signkit's readers alone: pyHanko's ``generic.read_object`` looks the
hex reader up as a module global on every call, also for strings nested in dictionaries
and arrays, so the only place to install it is that module global, for the whole process.
A library must not do that behind its user's back, hence the opt-in.
"""

from __future__ import annotations

import binascii
import os
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

_CHUNK = 1 << 16
_NOT_HEX_OR_SPACE = re.compile(rb"[^0-9a-fA-F \n\r\t\f\x00]")
_SPACE = re.compile(rb"[ \n\r\t\f\x00]+")

_pyhanko_reader = generic.read_hex_string_from_stream


def read_hex_string_from_stream(stream):
    start = stream.tell()
    stream.read(1)  # the opening "<"
    parts = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            stream.seek(start)
            return _pyhanko_reader(stream)  # ends prematurely: pyHanko's own error
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)
            break
        parts.append(chunk)
    body = b"".join(parts)
    bad = _NOT_HEX_OR_SPACE.search(body)
    if bad is not None:
        if bad.group() != b"%":
            raise PdfStreamError("Unexpected token in hex string: " + repr(bad.group()))
        stream.seek(start)
        return _pyhanko_reader(stream)  # a comment inside: pyHanko knows the rules
    digits = _SPACE.sub(b"", body)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """Make pyHanko's object parser use the faster reader, process-wide (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string_from_stream


def installed() -> bool:
    return generic.read_hex_string_from_stream is read_hex_string_from_stream
