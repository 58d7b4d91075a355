"""signkit's hex-string reader gives exactly what pyHanko's gives: the same object, the same
position after it, the same error, for every shape of hex string a PDF can hold; and it is
installed only when asked for (``signkit.enable_fast_pdf_parsing``), never by the library."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import signal

import pytest
from asn1crypto import x509
from conftest import SAMPLE
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.misc import PdfStreamError

import signkit
from signkit import _pdf_speedups
from signkit.ltv import ArchiveSession, LtvOptions
from signkit.report import FileReport, Indication
from signkit.verification.verify import Verifier

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


# --- tokens and names: the same bytes, the same position after them, the same errors ---------

PYHANKO_UNTIL = misc.read_until_delimiter
FAST_UNTIL = _pdf_speedups.read_until_delimiter
TOKEN_CASES = [
    b"", b"Type", b"Type/Catalog", b"Type /Catalog", b"abc", b"true>>", b"123 0 R",
    b"F#20oo bar", b"A" * 100, b"A" * 31 + b"/", b"A" * 32 + b"/", b"A" * 33 + b" ", b"x\x00y",
    b"na(me", b"na<me", b"na[me", b"na{me", b"na%comment", b"\xe1\xba\xa1bc def",
]


def until(reader, data: bytes):
    stream = io.BytesIO(b"/" + data)
    stream.seek(1)
    return reader(stream), stream.tell()


@pytest.mark.parametrize("data", TOKEN_CASES, ids=repr)
def test_tokens_end_where_pyhankos_do(data):
    assert until(FAST_UNTIL, data) == until(PYHANKO_UNTIL, data)


def test_random_tokens_end_where_pyhankos_do():
    alphabet = b"ab/#% \n\r\t\x00()<>[]{}09.-+\x80\xff"
    for _ in range(2000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(80)))
        assert until(FAST_UNTIL, data) == until(PYHANKO_UNTIL, data), data


NAME_CASES = [b"", b"Type", b"A;B", b"F#20oo", b"F#2", b"F#zz", b"Caf\xc3\xa9", b"\xe9t\xe9",
              b"a b", b"a\x00", b"a/b", b"~!", b"#23", b"Lime#20Green"]


def decoded(decoder, data: bytes):
    try:
        name = decoder(data)
    except Exception as e:  # noqa: BLE001 - the error is part of the answer
        return "error", type(e), str(e)
    return type(name), str(name)


@pytest.mark.parametrize("data", NAME_CASES, ids=repr)
def test_names_decode_as_pyhankos_do(data):
    assert decoded(_pdf_speedups.decode_name, data) == decoded(
        _pdf_speedups._pyhanko_decode_name, data)


def test_random_names_decode_as_pyhankos_do():
    alphabet = b"aZ09#F~!/ \x00\x7f\x80\xc3\xa9"
    for _ in range(2000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        assert decoded(_pdf_speedups.decode_name, data) == decoded(
            _pdf_speedups._pyhanko_decode_name, data), data


def written(writer, name: str):
    stream = io.BytesIO()
    try:
        writer(generic.NameObject(name), stream)
    except Exception as e:  # noqa: BLE001 - the error is part of the answer
        return "error", type(e), str(e)
    return stream.getvalue()


@pytest.mark.parametrize("name", ["/Type", "/Sig", "/A;B", "/a b", "/F#oo", "/x/y", "/Caf\u00e9",
                                  "/~!", "/", "NoSlash", "", "/Tab\t", "/(paren)"], ids=repr)
def test_names_are_written_as_pyhanko_writes_them(name):
    assert written(_pdf_speedups.write_name_to_stream, name) == written(
        _pdf_speedups._pyhanko_write_name, name)


def test_random_names_are_written_as_pyhanko_writes_them():
    alphabet = "aZ09#~!/ ()<>%\x7f\u00e9\u1ea1"
    for _ in range(2000):
        name = "/" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        assert written(_pdf_speedups.write_name_to_stream, name) == written(
            _pdf_speedups._pyhanko_write_name, name), name


# --- opt-in only (issue #9): a library must not patch pyHanko behind its user's back ----------

@pytest.fixture
def pyhankos_own_reader(monkeypatch):
    """pyHanko's own hex reader installed for the test (CLI tests run earlier in this process
    enable the fast one, as the signkit command does), whatever was there put back after."""
    monkeypatch.setattr(generic, "read_hex_string_from_stream", PYHANKO)
    monkeypatch.setattr(generic, "read_until_delimiter", PYHANKO_UNTIL)
    monkeypatch.setattr(generic, "_decode_name", _pdf_speedups._pyhanko_decode_name)
    monkeypatch.setattr(generic.NameObject, "write_to_stream",
                        _pdf_speedups._pyhanko_write_name)
    monkeypatch.setattr(x509.Name, "__eq__", _pdf_speedups._asn1_name_eq)
    monkeypatch.setattr(x509.Name, "hashable", _pdf_speedups._asn1_name_hashable)


def test_enable_fast_pdf_parsing_installs_it_for_the_parser(pyhankos_own_reader):
    signkit.enable_fast_pdf_parsing()
    assert generic.read_hex_string_from_stream is FAST
    assert _pdf_speedups.installed()
    value = generic.read_object(io.BytesIO(b"<4142>"), None)
    assert bytes(value.original_bytes) == b"AB"


def test_signing_verifying_and_archiving_leave_pyhankos_parser_alone(pyhankos_own_reader, pki,
                                                                      tmp_path):
    signed = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key, \
            signkit.DocumentSigner(key) as signer:
        assert generic.read_hex_string_from_stream is PYHANKO
        signer.sign(SAMPLE, signed)
    with signkit.Verifier(signkit.VerifyOptions(offline=True)):
        assert generic.read_hex_string_from_stream is PYHANKO
    signkit.verify_pdf(signed, options=signkit.VerifyOptions(offline=True))
    with ArchiveSession(LtvOptions()):
        assert generic.read_hex_string_from_stream is PYHANKO
    assert generic.read_hex_string_from_stream is PYHANKO
    assert not _pdf_speedups.installed()


def test_verify_pdf_arms_no_timer_and_installs_no_signal_handler(pki, tmp_path, monkeypatch):
    """A time limit is verify_many's watchdog's business, in other processes: the caller's
    SIGALRM and ITIMER_REAL stay its own."""
    signed = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, signed, key=key)
    handler_before = signal.getsignal(signal.SIGALRM)
    calls = []
    real_setitimer, real_signal = signal.setitimer, signal.signal
    monkeypatch.setattr(signal, "setitimer",
                        lambda *a: calls.append(("setitimer", a)) or real_setitimer(*a))
    monkeypatch.setattr(signal, "signal",
                        lambda *a: calls.append(("signal", a)) or real_signal(*a))
    report = signkit.verify_pdf(signed, options=signkit.VerifyOptions(
        offline=True, time_limit=5, trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),)))
    assert report.signatures, report  # it really verified a signature
    assert calls == []
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler_before


def _report_worker_state(self, path):
    """Stands in for Verifier.verify: says where it ran and with which hex reader."""
    return FileReport(str(path), None, Indication.TOTAL_PASSED, None,
                      (f"pid={os.getpid()}", f"fast={_pdf_speedups.installed()}"))


@pytest.mark.parametrize("enabled", [True, False], ids=["enabled", "not-enabled"])
def test_batch_workers_parse_as_the_parent_chose(pyhankos_own_reader, monkeypatch, enabled):
    monkeypatch.setattr(Verifier, "verify", _report_worker_state)
    if enabled:
        signkit.enable_fast_pdf_parsing()
    batch = signkit.verify_many([SAMPLE, SAMPLE], jobs=2)
    for report in batch.files:
        assert report.messages[0] != f"pid={os.getpid()}"  # it ran in a worker process
        assert report.messages[1] == f"fast={enabled}"


# --- distinguished names: asn1crypto's answers, remembered ------------------------------------

def _name(*rdns: tuple[str, str, str]) -> x509.Name:
    """A name from (attribute, string type, value) triples, one RDN each."""
    return x509.Name(name="", value=x509.RDNSequence([
        x509.RelativeDistinguishedName([x509.NameTypeAndValue({
            "type": attribute, "value": x509.DirectoryString(name=kind, value=value)})])
        for attribute, kind, value in rdns]))


NAMES = [
    _name(("country_name", "printable_string", "VN"),
          ("common_name", "utf8_string", "Nguyễn Văn An")),
    _name(("country_name", "printable_string", "VN"),
          ("common_name", "utf8_string", "NGUYỄN  VĂN AN")),  # caseIgnoreMatch, spaces folded
    _name(("country_name", "printable_string", "VN"),
          ("common_name", "printable_string", "Nguyen Van An")),
    _name(("country_name", "printable_string", "VN"),
          ("common_name", "utf8_string", "Nguyễn Văn Bình")),
    _name(("common_name", "utf8_string", "Nguyễn Văn An"),
          ("country_name", "printable_string", "VN")),  # RDN order matters
    _name(("country_name", "printable_string", "VN")),
]


def _as_general_name(name: x509.Name) -> x509.Name:
    """The same name as it sits in a GeneralName ([4] EXPLICIT: another encoding)."""
    general = x509.GeneralName(name="directory_name", value=name)
    return x509.GeneralName.load(general.dump()).chosen


@pytest.mark.parametrize("a", range(len(NAMES)))
def test_name_comparison_gives_asn1cryptos_answer(a):
    original_eq = _pdf_speedups._asn1_name_eq
    original_key = _pdf_speedups._asn1_name_hashable.fget
    for b in range(len(NAMES)):
        left, right = NAMES[a], x509.Name.load(NAMES[b].dump())
        for other in (right, _as_general_name(right)):
            assert _pdf_speedups.name_eq(left, other) is original_eq(left, other), (a, b)
            assert _pdf_speedups.name_eq(left, other) is _pdf_speedups.name_eq(left, other)
        assert _pdf_speedups.name_hashable(right) == original_key(right)
    assert _pdf_speedups.name_eq(NAMES[0], NAMES[1])  # the case-folded pair is equal
    assert not _pdf_speedups.name_eq(NAMES[0], NAMES[4])
    assert not _pdf_speedups.name_eq(NAMES[0], "CN=Nguyễn Văn An")


@pytest.fixture
def asn1cryptos_own_names(monkeypatch):
    monkeypatch.setattr(x509.Name, "__eq__", _pdf_speedups._asn1_name_eq)
    monkeypatch.setattr(x509.Name, "hashable", _pdf_speedups._asn1_name_hashable)


def test_verdicts_are_the_same_with_and_without_the_speedups(docs, pki, pyhankos_own_reader,
                                                             asn1cryptos_own_names):
    options = signkit.VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                                    at=dt.datetime.now(dt.UTC))
    plain = {name: signkit.verify_pdf(path, options=options) for name, path in docs.items()}
    signkit.enable_fast_pdf_parsing()
    for name, path in docs.items():
        assert signkit.verify_pdf(path, options=options) == plain[name], name
    assert sum(r.status is Indication.TOTAL_PASSED for r in plain.values()) >= 3
