"""Hot spots of verifying a batch, made faster process-wide, only on request
(``signkit.enable_fast_pdf_parsing``: the CLI and the benchmarks ask for it).

**Hex strings.**
pyHanko reads a hex string one byte at a time; a signature's /Contents is tens of thousands
of hex digits, so on a batch of signed files that loop was about half of the verification
time. This reader takes the same input and gives the same result or the same error: it
finds the closing ``>`` in chunks and decodes the digits in one call, and leaves anything
unusual (a comment inside the string) to pyHanko's own reader.

It cannot be given to signkit's readers alone: pyHanko's ``generic.read_object`` looks the
hex reader up as a module global on every call, also for strings nested in dictionaries
and arrays, so the only place to install it is that module global, for the whole process.
A library must not do that behind its user's back, hence the opt-in.

**Tokens and names.** pyHanko reads every name, number-like keyword and operator of a
document one byte at a time (``read_until_delimiter``) and decodes each name byte by byte
(``_decode_name``); a signature's dictionaries, the xref stream's and the form's are
hundreds of them per document. This reader finds the end of a token in a small chunk with
one regular expression and leaves the stream where pyHanko's would; a name with no escape
and nothing that must be escaped is decoded in one step, any other name by pyHanko. Writing
is the mirror image: pyHanko writes a name one byte per ``write`` call (a signed document's
new revision has dozens of names); a name that needs no escape is written in one call, the
same bytes.

**Distinguished names.** asn1crypto compares two names (RFC 5280 §7.1) by string-preparing
every attribute value of both, each time; pyHanko and its certificate validator compare the
same few issuer names dozens of times per signature (finding the signer among the embedded
certificates, checking the signing-certificate attribute, building the path), which was a
third of the time per document once hex strings were fast. ``name_eq`` and
``name_hashable`` give asn1crypto's own answers, computed once per pair of encodings (per
encoding for the dictionary key) and remembered; identical encodings need no preparation.
Being methods of asn1crypto's ``Name`` class, they too can only be installed process-wide.
"""

from __future__ import annotations

import binascii
import functools
import os
import re

from asn1crypto import x509
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
    if not len(body) % 2:
        try:  # digits only (a signature's /Contents): decoded in one call
            return generic.pdf_string(binascii.unhexlify(body))
        except binascii.Error:
            pass  # whitespace, a comment or a stray byte inside: the careful way below
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


_TOKEN_CHUNK = 32  # most tokens are shorter: one read, one search, one seek back
_DELIMITER = re.compile(rb"[ \n\r\t\f\x00()<>\[\]{}/%]")  # PDF whitespace and delimiters
_NOT_PLAIN_NAME = re.compile(rb"[^!-~]|[#()<>\[\]{}/%]")  # escaped, or must be

_pyhanko_decode_name = generic._decode_name


def read_until_delimiter(stream) -> bytes:
    """pyHanko's ``read_until_delimiter``: the bytes up to the next PDF whitespace or
    delimiter, the stream left at that byte (or at the end)."""
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_TOKEN_CHUNK)
        if not chunk:
            return b"".join(parts)
        found = _DELIMITER.search(chunk)
        if found is not None:
            stream.seek(found.start() - len(chunk), os.SEEK_CUR)
            parts.append(chunk[:found.start()])
            return b"".join(parts)
        parts.append(chunk)


def decode_name(name_bytes: bytes) -> generic.NameObject:
    """pyHanko's ``_decode_name``; a plain name (printable ASCII, no ``#`` escape, nothing
    that must be escaped) in one step, any other by pyHanko's own rules and errors."""
    if _NOT_PLAIN_NAME.search(name_bytes) is None:
        return generic.NameObject("/" + name_bytes.decode("ascii"))
    return _pyhanko_decode_name(name_bytes)


_pyhanko_write_name = generic.NameObject.write_to_stream


def write_name_to_stream(self, stream, handler=None, container_ref=None):
    """pyHanko's ``NameObject.write_to_stream``; a name that needs no escape in one write."""
    encoded = self.encode("utf8")
    if encoded[:1] == b"/" and _NOT_PLAIN_NAME.search(encoded, 1) is None:
        stream.write(encoded)
        return None
    return _pyhanko_write_name(self, stream, handler, container_ref)


_asn1_name_eq = x509.Name.__eq__
_asn1_name_hashable = x509.Name.hashable


@functools.lru_cache(maxsize=4096)
def _names_equal(a: bytes, b: bytes) -> bool:
    return _asn1_name_eq(x509.Name.load(a), x509.Name.load(b))


def name_eq(self: x509.Name, other: object) -> bool:
    """asn1crypto's comparison of distinguished names (RFC 5280: string preparation of every
    attribute value, each time), remembered per pair of encodings. Identical encodings are
    equal names; any other pair is compared once by asn1crypto's own rules. The encodings
    are the names' RDN sequences: a Name inside a GeneralName is tagged, the issuer in a
    certificate is not."""
    if not isinstance(other, x509.Name):
        return False
    a, b = self.chosen.dump(), other.chosen.dump()
    return a == b or _names_equal(a, b)


@functools.lru_cache(maxsize=4096)
def _hashable(der: bytes) -> str:
    return _asn1_name_hashable.fget(x509.Name.load(der))


def name_hashable(self: x509.Name) -> str:
    """asn1crypto's dictionary key for a name (its prepared values joined), remembered per
    encoding: certificate stores look every issuer up by it."""
    return _hashable(self.chosen.dump())


def install() -> None:
    """Make pyHanko's object parser use the faster reader, and name comparisons remembered,
    process-wide (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    generic.read_until_delimiter = read_until_delimiter
    generic._decode_name = decode_name
    generic.NameObject.write_to_stream = write_name_to_stream  # type: ignore[method-assign]
    x509.Name.__eq__ = name_eq  # type: ignore[method-assign]
    x509.Name.hashable = property(name_hashable)  # type: ignore[assignment]


def installed() -> bool:
    return generic.read_hex_string_from_stream is read_hex_string_from_stream \
        and generic.read_until_delimiter is read_until_delimiter \
        and generic._decode_name is decode_name \
        and generic.NameObject.write_to_stream is write_name_to_stream \
        and x509.Name.__eq__ is name_eq \
        and x509.Name.hashable.fget is name_hashable
