"""``iter_verify`` (issue #10): the files of a batch listed lean and in ``collect_pdfs``'s
order, reports yielded in input order when workers finish out of order, and a stream closed
halfway stops its workers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import verify_attack_docs as vad
from conftest import SAMPLE
from pyhanko.pdf_utils import reader as pdf_reader

import signkit
from signkit import VerifyOptions, batch
from signkit.inputs import collect_pdfs
from signkit.report import Indication

# --- which files, in which order -------------------------------------------------------------

def test_the_batch_walks_folders_in_collect_pdfs_order(tmp_path):
    """Files, folders and names that sort differently as strings than as path parts
    ("a/b.pdf" before "a-c.pdf"), any-case suffixes, non-PDFs, a linked folder."""
    root = tmp_path / "in"
    for name in ["a/b.pdf", "a-c.pdf", "a/z/y.PDF", "B.pdf", "b.pdf", "notes.txt", ".pdf",
                 "x..pdf", "sub.pdf/inner.pdf", "c/d/e/f.pdf", "c/d.pdf"]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7\n")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)
    (root / "link.pdf").symlink_to(root / "b.pdf")
    named = [root, tmp_path / "in" / "notes.txt", str(root / "a") + "/"]
    for recursive in (False, True):
        expected = [str(p) for p, _ in collect_pdfs(named, recursive=recursive)]
        assert list(batch._walk_pdfs(named, recursive=recursive)) == expected
        assert list(batch._FileList(expected)) == expected


# --- iter_verify -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stream-signed")
    good = folder / "good.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret") as key:
        signkit.sign_pdf(SAMPLE, good, key=key)
    return good


@pytest.fixture(scope="module")
def trusted(pki) -> VerifyOptions:
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),),
                         offline=True)


def copies(source: Path, folder: Path, n: int) -> list[Path]:
    """``n`` hard links of ``source`` (a copy where links are refused), sorted by name."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(n):
        target = folder / f"doc-{i:06d}.pdf"
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        made.append(target)
    return made


def test_iter_verify_yields_in_input_order_when_workers_finish_out_of_order(
        signed, trusted, kit, tmp_path, monkeypatch):
    """The first file keeps its worker busy until the time limit; the other worker
    verifies the rest meanwhile, and a small reorder window makes it wait for the first."""
    monkeypatch.setattr(pdf_reader, "DecodeLimits", pdf_reader.DecodeLimits.for_trusted_input)
    monkeypatch.setattr(batch, "_REORDER_WINDOW", 4)
    hostile = tmp_path / "a-hostile.pdf"
    vad.BOMBS["bomb-object-stream"](kit, hostile)
    rest = copies(signed, tmp_path / "rest", 10)
    options = VerifyOptions(**{**trusted.__dict__, "time_limit": 2})
    seen = []
    with signkit.iter_verify([hostile, tmp_path / "rest"], options=options, jobs=2) as stream:
        assert stream.info.files == 11 and stream.info.profile == "default"
        for report in stream:
            seen.append(report)
    assert [r.path for r in seen] == [str(hostile)] + [str(p) for p in rest]
    assert seen[0].status is Indication.TOTAL_FAILED and "time limit" in seen[0].messages[0]
    assert {r.status for r in seen[1:]} == {seen[1].status}


def test_closing_a_stream_halfway_stops_its_workers(signed, trusted, tmp_path):
    files = copies(signed, tmp_path / "many", 40)
    stream = signkit.iter_verify(files, options=trusted, jobs=2)
    first = next(iter(stream))
    workers = children_of(os.getpid())
    assert workers, "no worker process was running"
    stream.close()
    assert first.path == str(files[0])
    assert not set(children_of(os.getpid())) & set(workers)
    assert list(stream) == []


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found
