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
from test_hidden_updates import bases, hidden_docs  # noqa: F401 - fixtures used below

import signkit
from signkit import VerifyOptions
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
