"""signkit's hex-string reader gives exactly what pyHanko's gives: the same object, the same
position after it, the same error, for every shape of hex string a PDF can hold."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from signkit import _pdf_speedups

PYHANKO = _pdf_speedups._pyhanko_reader
FAST = _pdf_speedups.read_hex_string_from_stream

rng = random.Random(7)
LONG = bytes(rng.randrange(256) for _ in range(40_000)).hex().encode()  # a /Contents-sized one
CASES = [
    b"<>",
    b"<41>",
    b"<4142 43>rest",
    b"<abcdef0>/Next",  # odd: a 0 is appended
    b"<FEFF00560069EC1EC7>",  # UTF-16 with BOM: a text string
    b"< 4 1\n\r\t\f\x0042 >  ",
    b"<" + LONG + b">trailer",
    b"<" + LONG[:70_001] + b">",  # odd and long, across chunk boundaries
    b"<41 % a comment\n42>",  # comments are pyHanko's business
]
ERRORS = [
    b"<41G2>",
    b"<41(42>",
    b"<4142",  # ends prematurely
    b"<" + LONG,  # ends prematurely after many chunks
    b"<41 % unterminated comment",
]


def read(reader, data: bytes):
    stream = io.BytesIO(b"xx" + data)
    stream.seek(2)
    try:
        value = reader(stream)
    except PdfStreamError as e:
        return "error", str(e)
    return type(value), bytes(value.original_bytes), stream.tell()


@pytest.mark.parametrize("data", CASES + ERRORS, ids=lambda d: repr(d[:24]))
def test_same_result_as_pyhanko(data):
    assert read(FAST, data) == read(PYHANKO, data)


def test_errors_are_errors():
    for data in ERRORS:
        assert read(FAST, data)[0] == "error", data


def test_random_hex_strings_with_whitespace():
    for _ in range(300):
        digits = bytes(rng.choice(b"0123456789abcdefABCDEF") for _ in range(rng.randrange(40)))
        spaced = b"".join(d.to_bytes(1, "big") + rng.choice([b"", b" ", b"\n", b"\r\n", b"\t"])
                          for d in digits)
        data = b"<" + spaced + b">" + rng.choice([b"", b" /K 1", b">>"])
        assert read(FAST, data) == read(PYHANKO, data), data


def test_installed_for_the_parser():
    _pdf_speedups.install()
    assert generic.read_hex_string_from_stream is FAST
    value = generic.read_object(io.BytesIO(b"<4142>"), None)
    assert bytes(value.original_bytes) == b"AB"
