"""Large files are verified through a memory mapping instead of being read into memory
(issue #10, ``signkit.verification.pdf_file``), and the file's hash and the signatures'
digests come from one read. Neither may change a verdict: every verification document, the
attacks and hidden updates included, gets the same report both ways."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from conftest import SAMPLE
from test_hidden_updates import bases, hidden_docs  # noqa: F401 - fixtures used below

import signkit
from signkit import VerifyOptions, _prehash
from signkit.report import Indication
from signkit.verification import pdf_file


@pytest.fixture(scope="module")
def trusted_now(pki) -> VerifyOptions:
    """One validation time for both readings, so that they must agree word for word."""
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                         at=dt.datetime.now(dt.UTC))


def both_readings(path: Path, options: VerifyOptions, monkeypatch) -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(pdf_file, "MAPPED_FROM", 1 << 62)
        in_memory = signkit.verify_pdf(path, options=options)
    with monkeypatch.context() as patch:
        patch.setattr(pdf_file, "MAPPED_FROM", 0)
        mapped = signkit.verify_pdf(path, options=options)
    return in_memory, mapped


def comparable(report) -> dict:
    """The report without what depends on the moment a revocation server answered."""
    fields = dataclasses.asdict(report)
    for sig in fields["signatures"]:
        sig.pop("revocation")
    return fields


def test_mapped_reading_gives_every_document_the_same_report(docs, hidden_docs,  # noqa: F811
                                                             trusted_now, monkeypatch):
    checked = 0
    for name, path in {**docs, **{f"hidden-{k}": v for k, v in hidden_docs.items()}}.items():
        in_memory, mapped = both_readings(path, trusted_now, monkeypatch)
        assert comparable(mapped) == comparable(in_memory), name
        data = path.read_bytes()
        assert mapped.sha256 == (hashlib.sha256(data).hexdigest() if data else mapped.sha256)
        checked += 1
    assert checked > 50


def test_one_pass_digests_equal_pyhankos_own(docs, monkeypatch):
    """The digest signkit hands pyHanko for each signature is the one pyHanko computes."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    monkeypatch.setattr(pdf_file, "MAPPED_FROM", 0)
    compared = 0
    for name in ("good-signkit", "good-two-approvals", "good-ecdsa"):
        with pdf_file.PdfFile.open(docs[name]) as document:
            ours = PdfFileReader(document.stream(), strict=False).embedded_signatures
            document.digest_signatures(ours)
            theirs = PdfFileReader(docs[name].open("rb"), strict=False).embedded_signatures
            for mine, pyhanko in zip(ours, theirs, strict=True):
                algorithm = mine.external_md_algorithm
                assert mine.external_digests[algorithm] == pyhanko.compute_digest(), name
                compared += 1
    assert compared >= 4


def test_a_file_that_cannot_be_mapped_or_read_is_a_verdict(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_file, "MAPPED_FROM", 0)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    report = signkit.verify_pdf(empty)
    assert report.status is Indication.TOTAL_FAILED
    assert "empty file" in report.messages[0]
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    report = signkit.verify_pdf(folder)
    assert report.status is Indication.TOTAL_FAILED and report.sha256 is None
    assert "cannot read the file" in report.messages[0]


def test_a_file_hashed_ahead_gets_the_same_report(docs, hidden_docs,  # noqa: F811
                                                  trusted_now, monkeypatch):
    """``signkit verify`` hashes large inputs while it imports (signkit._prehash); the
    digests finished from its saved states must be the ones a plain reading computes, for
    every document (saved states 4 KiB apart, so that gaps fall between several)."""
    monkeypatch.setattr(pdf_file, "MAPPED_FROM", 0)
    monkeypatch.setattr(_prehash, "WORTH_FROM", 1)
    monkeypatch.setattr(_prehash, "CHECKPOINT", 4096)
    monkeypatch.setattr(_prehash, "MOST_FILES", 1)
    used = 0
    for name, path in {**docs, **{f"hidden-{k}": v for k, v in hidden_docs.items()}}.items():
        plain = signkit.verify_pdf(path, options=trusted_now)
        _prehash.start([str(path)])
        ahead = _prehash._started.get(str(path.resolve()))
        hashed_ahead = signkit.verify_pdf(path, options=trusted_now)
        assert not _prehash._started, name  # taken by the verifier, whatever it found
        assert comparable(hashed_ahead) == comparable(plain), name
        used += ahead is not None and ahead.sha256 is not None
    assert used > 50


def test_a_file_changed_after_it_was_hashed_is_read_again(pki, tmp_path, trusted_now,
                                                         monkeypatch):
    """A pass over bytes that have changed since must not be used: the verdict is the one
    of the file as it is now (here: a signed file changed in place, size and times kept)."""
    import os

    monkeypatch.setattr(pdf_file, "MAPPED_FROM", 0)
    monkeypatch.setattr(_prehash, "WORTH_FROM", 1)
    signed = tmp_path / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, signed, key=key)
    assert signkit.verify_pdf(signed, options=trusted_now).status is Indication.TOTAL_PASSED
    before = signed.stat()
    _prehash.start([str(signed)])
    assert _prehash._started[str(signed.resolve())].wait()
    data = bytearray(signed.read_bytes())
    at = data.index(b"stream") + 10  # a byte of the first stream: inside the signed range
    data[at] ^= 0x01
    with open(signed, "r+b") as f:
        f.write(data)
    os.utime(signed, ns=(before.st_atime_ns, before.st_mtime_ns))
    report = signkit.verify_pdf(signed, options=trusted_now)
    assert not _prehash._started
    assert report.status is Indication.TOTAL_FAILED
    assert report.sha256 == hashlib.sha256(bytes(data)).hexdigest()
