"""The signing library: PAdES B-B signatures from tokens and PKCS#12 files, fields,
certification, bad inputs failing alone, atomic outputs, and batches that survive kills."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import io
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asn1crypto import cms
from certomancer import registry
from conftest import FIELD_SAMPLE, SAMPLE, SAMPLE_PDFS, USER_PIN
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

import signkit
from signkit import RsaPadding, SignOptions, SignStatus
from signkit.signing import workers as workers_module

AN, BINH, CUONG = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"
SIGNER_OF = {"rsa2048": AN, "rsa3072": BINH, "ec256": CUONG, "p12": AN}
SIGNKIT = Path(sys.executable).parent / "signkit"


@pytest.fixture(scope="module")
def key(softhsm, pki):
    """``key(name)``: a logged-in token key ("rsa2048", ...) or the PKCS#12 ("p12")."""
    with contextlib.ExitStack() as stack:
        opened: dict[str, signkit.SigningKey] = {}

        def get(name: str) -> signkit.SigningKey:
            if name not in opened:
                if name == "p12":
                    ctx = signkit.open_pkcs12(pki.p12("signer-rsa2048"), password="p12-secret")
                else:
                    ctx = signkit.open_token(module=softhsm.module, token=name, pin=USER_PIN)
                opened[name] = stack.enter_context(ctx)
            return opened[name]

        yield get


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reader_of(path: Path) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(path.read_bytes()))


def only_signature(path: Path):
    (sig,) = reader_of(path).embedded_signatures
    return sig


def pdf_copies(folder: Path, count: int, source: Path = SAMPLE) -> list[Path]:
    folder.mkdir(parents=True)
    return [Path(shutil.copyfile(source, folder / f"doc-{i:03}.pdf")) for i in range(count)]


# --- kinds of key and what a signature contains -----------------------------------------------

@pytest.mark.parametrize("name", ["rsa2048", "rsa3072", "ec256", "p12"])
def test_each_kind_of_key_makes_a_signature_that_passes_every_check(key, checks, tmp_path, name):
    out = tmp_path / "signed.pdf"
    result = signkit.sign_pdf(SAMPLE, out, key=key(name))
    assert result.status is SignStatus.SIGNED and result.ok and result.error is None
    assert (result.input, result.output) == (SAMPLE, out)
    assert result.field == "Signature1"
    assert result.signer == SIGNER_OF[name]
    assert result.level == "PAdES-B-B" and not result.certified
    assert result.sha256 == sha256(out)
    checks.all(out)


@pytest.mark.parametrize("name", ["rsa2048", "ec256"])
def test_cms_is_pades_b_b_and_openssl_verifies_it_over_the_byte_range(
    key, pki, tmp_path, name
):
    out = tmp_path / "signed.pdf"
    signkit.sign_pdf(SAMPLE, out, key=key(name))
    sig = only_signature(out)
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "/M" in sig.sig_object
    types = {a["type"].native for a in sig.signer_info["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_certificate_v2"} <= types
    assert "signing_time" not in types  # PAdES: the time is /M, never a CMS attribute

    data = out.read_bytes()
    start1, len1, start2, len2 = (int(x) for x in sig.byte_range)
    (tmp_path / "content.bin").write_bytes(data[start1:start1 + len1] + data[start2:start2 + len2])
    (tmp_path / "sig.der").write_bytes(cms.ContentInfo.load(sig.pkcs7_content).dump())
    (tmp_path / "ca.pem").write_bytes(pki.pem("root").read_bytes() + pki.pem("interm").read_bytes())
    run = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
         "-content", "content.bin", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "Verification successful" in run.stderr


@pytest.mark.parametrize("digest", ["sha384", "sha512"])
def test_sha384_and_sha512_digests_are_used_and_validate(key, checks, tmp_path, digest):
    out = tmp_path / "signed.pdf"
    signkit.sign_pdf(SAMPLE, out, key=key("rsa3072"), options=SignOptions(digest=digest))
    sig = only_signature(out)
    assert sig.md_algorithm == digest
    assert sig.signer_info["signature_algorithm"]["algorithm"].native == f"{digest}_rsa"
    checks.all(out)


@pytest.mark.parametrize("name", ["rsa2048", "p12"])
def test_rsa_pss_option_makes_an_rsassa_pss_signature_that_validates(key, checks, tmp_path, name):
    out = tmp_path / "signed.pdf"
    signkit.sign_pdf(SAMPLE, out, key=key(name), options=SignOptions(padding=RsaPadding.PSS))
    sig = only_signature(out)
    assert sig.signer_info["signature_algorithm"]["algorithm"].native == "rsassa_pss"
    checks.qpdf(out)
    checks.pyhanko(out)


# --- certification, fields, several signatures ------------------------------------------------

def test_certification_with_docmdp_1_refuses_any_later_signature_clearly(key, checks, tmp_path):
    certified, second = tmp_path / "certified.pdf", tmp_path / "second.pdf"
    result = signkit.sign_pdf(SAMPLE, certified, key=key("rsa2048"),
                              options=SignOptions(certify=True, docmdp=1))
    assert result.certified
    assert only_signature(certified).docmdp_level is MDPPerm.NO_CHANGES
    checks.all(certified)
    before = sha256(certified)
    with pytest.raises(signkit.SigningError) as info:
        signkit.sign_pdf(certified, second, key=key("ec256"))
    assert not isinstance(info.value, signkit.OutputExistsError)
    message = str(info.value)
    assert "certified" in message and "forbids" in message, message
    assert str(certified) in message
    assert not second.exists()
    assert sha256(certified) == before


def test_certification_with_docmdp_2_allows_a_second_signature(key, checks, tmp_path):
    certified, second = tmp_path / "certified.pdf", tmp_path / "second.pdf"
    signkit.sign_pdf(SAMPLE, certified, key=key("rsa2048"),
                     options=SignOptions(certify=True, docmdp=2))
    assert only_signature(certified).docmdp_level is MDPPerm.FILL_FORMS
    result = signkit.sign_pdf(certified, second, key=key("ec256"))
    assert result.field == "Signature2" and not result.certified
    checks.all(second, signatures=2)


def test_existing_empty_field_is_signed_without_adding_a_field(key, checks, tmp_path):
    out = tmp_path / "signed.pdf"
    result = signkit.sign_pdf(FIELD_SAMPLE, out, key=key("rsa2048"))
    assert result.field == "ChuKyLanhDao"
    fields = [(name, value is not None) for name, value, _ in enumerate_sig_fields(reader_of(out))]
    assert fields == [("ChuKyLanhDao", True)]
    checks.all(out)


def test_named_field_is_created_and_reason_location_contact_are_recorded(key, checks, tmp_path):
    out = tmp_path / "signed.pdf"
    options = SignOptions(field="Other", reason="Phê duyệt văn bản", location="Hà Nội",
                          contact="vanthu@example.gov.vn")
    result = signkit.sign_pdf(FIELD_SAMPLE, out, key=key("ec256"), options=options)
    assert result.field == "Other"
    fields = {name: value is not None for name, value, _ in enumerate_sig_fields(reader_of(out))}
    assert fields == {"ChuKyLanhDao": False, "Other": True}
    sig = only_signature(out)
    assert sig.field_name == "Other"
    assert str(sig.sig_object["/Reason"]) == "Phê duyệt văn bản"
    assert str(sig.sig_object["/Location"]) == "Hà Nội"
    assert str(sig.sig_object["/ContactInfo"]) == "vanthu@example.gov.vn"
    checks.all(out)


def test_signing_time_is_the_time_the_signature_carries(key, pki, tmp_path):
    """``SignResult.signing_time`` is the /M pyHanko reads back (and reports as the signer's
    time when validating), to the second, not a clock reading taken around the signing."""
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = tmp_path / "signed.pdf"
    result = signkit.sign_pdf(SAMPLE, out, key=key("rsa2048"))
    after = dt.datetime.now(dt.UTC)
    sig = only_signature(out)
    written = sig.self_reported_timestamp
    assert written is not None and result.signing_time is not None
    assert result.signing_time == written
    assert result.signing_time.utcoffset() == dt.timedelta(0)
    assert before <= result.signing_time <= after
    vc = ValidationContext(trust_roots=[pki.arch.get_cert(registry.CertLabel("root"))],
                           allow_fetching=False, revocation_mode="soft-fail")
    assert validate_pdf_signature(sig, vc).signer_reported_dt == result.signing_time


def test_signing_time_from_a_worker_process_is_the_one_in_its_output(key, tmp_path,
                                                                     only_workers):
    jobs = [(src, tmp_path / "out" / src.name) for src in pdf_copies(tmp_path / "in", 3)]
    outcome = signkit.sign_many(jobs, key=key("rsa2048"), workers=2)
    assert outcome.signed == 3
    for result, (_, dst) in zip(outcome.results, jobs, strict=True):
        assert result.signing_time == only_signature(dst).self_reported_timestamp


def test_signing_a_signed_document_adds_a_second_signature_keeping_the_first(
    key, checks, tmp_path
):
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    signkit.sign_pdf(SAMPLE, first, key=key("rsa2048"))
    before = first.read_bytes()
    result = signkit.sign_pdf(first, second, key=key("p12"))
    assert result.field == "Signature2"
    assert second.read_bytes().startswith(before)  # an incremental update
    assert first.read_bytes() == before
    checks.all(second, signatures=2)


# --- bad inputs ------------------------------------------------------------------------------

def make_bad_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    data = SAMPLE.read_bytes()
    start = data.rindex(b"startxref")
    xref_at = int(data[start:].split()[1])
    garbage = (b"#garbage!" * 1000)[: start - xref_at]
    files = {
        "good-1.pdf": data,
        "not-a-pdf.pdf": "Kính gửi: các phòng ban\n".encode() * 20,
        "empty.pdf": b"",
        "truncated.pdf": data[: len(data) // 2],
        "garbage-xref.pdf": data[:xref_at] + garbage + data[start:],
        "good-2.pdf": FIELD_SAMPLE.read_bytes(),
    }
    paths = {name: folder / name for name in [*files, "encrypted.pdf"]}
    for name, content in files.items():
        paths[name].write_bytes(content)
    subprocess.run(["qpdf", "--encrypt", "user", "owner", "256", "--", str(SAMPLE),
                    str(paths["encrypted.pdf"])], check=True)
    return paths


def test_bad_inputs_fail_alone_with_readable_errors_and_leave_nothing(key, checks, tmp_path):
    inputs = make_bad_inputs(tmp_path / "in")
    hashes = {name: sha256(p) for name, p in inputs.items()}
    out = tmp_path / "out"
    jobs = signkit.plan_outputs(signkit.collect_pdfs([tmp_path / "in"]), out_dir=out)
    progress = []
    outcome = signkit.sign_many(jobs, key=key("rsa2048"),
                                on_progress=lambda r, done, total: progress.append((done, total)))
    by_name = {r.input.name: r for r in outcome.results}
    assert progress == [(i, 7) for i in range(1, 8)]
    assert (outcome.signed, outcome.failed, outcome.skipped) == (2, 5, 0)
    assert not outcome.ok and outcome.stopped is None
    expected_words = {"not-a-pdf.pdf": "not a PDF", "empty.pdf": "empty",
                      "truncated.pdf": "damaged", "garbage-xref.pdf": "damaged",
                      "encrypted.pdf": "encrypted"}
    for name, word in expected_words.items():
        result = by_name[name]
        assert result.status is SignStatus.FAILED and result.output is None, name
        assert word in result.error, (name, result.error)
        assert "Traceback" not in result.error
    assert sorted(p.name for p in out.iterdir()) == ["good-1.pdf", "good-2.pdf"]
    assert not list(out.rglob(".*")), "hidden temporary files left behind"
    for name in ("good-1.pdf", "good-2.pdf"):
        assert by_name[name].status is SignStatus.SIGNED
        checks.pyhanko(out / name)
    assert {name: sha256(p) for name, p in inputs.items()} == hashes


def test_encrypted_pdf_with_its_password_is_signed_and_stays_encrypted(
    key, pki, checks, tmp_path
):
    src, out = make_bad_inputs(tmp_path / "in")["encrypted.pdf"], tmp_path / "signed.pdf"
    result = signkit.sign_pdf(src, out, key=key("rsa2048"), options=SignOptions(password="user"))
    assert result.status is SignStatus.SIGNED
    reader = reader_of(out)
    assert reader.encrypted
    reader.decrypt("user")
    vc = ValidationContext(
        trust_roots=[pki.arch.get_cert(registry.CertLabel("root"))],
        other_certs=[pki.arch.get_cert(registry.CertLabel("interm"))],
        allow_fetching=False, revocation_mode="soft-fail",
    )
    (sig,) = reader.embedded_signatures
    status = validate_pdf_signature(sig, vc)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    text = subprocess.run(["pdfsig", "-nssdir", f"sql:{checks.nss_db}", "-upw", "user", str(out)],
                          capture_output=True, text=True).stdout
    assert "Signature is Valid" in text and "Total document signed" in text, text
    assert "Certificate is Trusted" in text, text
    run = subprocess.run(["qpdf", "--check", "--password=user", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "No syntax or stream encoding errors" in run.stdout, run.stdout


def test_encrypted_pdf_with_a_wrong_password_raises_input_error(key, tmp_path):
    src, out = make_bad_inputs(tmp_path / "in")["encrypted.pdf"], tmp_path / "signed.pdf"
    with pytest.raises(signkit.InputError, match="wrong password"):
        signkit.sign_pdf(src, out, key=key("rsa2048"), options=SignOptions(password="nope"))
    assert not out.exists()


# --- outputs ---------------------------------------------------------------------------------

def test_existing_output_is_refused_untouched_unless_overwrite(key, checks, tmp_path):
    out = tmp_path / "signed.pdf"
    out.write_bytes(b"an older file the clerk still needs")
    os.utime(out, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    with pytest.raises(signkit.OutputExistsError, match="already exists"):
        signkit.sign_pdf(SAMPLE, out, key=key("rsa2048"))
    assert out.read_bytes() == b"an older file the clerk still needs"
    assert out.stat().st_mtime_ns == 1_600_000_000_000_000_000
    result = signkit.sign_pdf(SAMPLE, out, key=key("rsa2048"), overwrite=True)
    assert result.sha256 == sha256(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signed.pdf"]
    checks.pyhanko(out)


@pytest.mark.parametrize("overwrite", [False, True])
def test_output_that_is_the_input_is_refused_and_the_input_kept(key, tmp_path, overwrite):
    src = tmp_path / "in.pdf"
    shutil.copyfile(SAMPLE, src)
    before = (src.read_bytes(), src.stat().st_mtime_ns)
    (tmp_path / "sub").mkdir()
    for same in (src, tmp_path / "sub" / ".." / "in.pdf"):
        with pytest.raises(signkit.SigningError, match="replace the input"):
            signkit.sign_pdf(src, same, key=key("rsa2048"), overwrite=overwrite)
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before


def test_inputs_are_never_modified_by_signing(key, tmp_path):
    (tmp_path / "in").mkdir()
    copies = [Path(shutil.copy(sample, tmp_path / "in")) for sample in SAMPLE_PDFS]
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in copies}
    jobs = signkit.plan_outputs(signkit.collect_pdfs([tmp_path / "in"]), out_dir=tmp_path / "o")
    options = SignOptions(certify=True, reason="Ký ban hành")
    outcome = signkit.sign_many(jobs, key=key("ec256"), options=options)
    assert outcome.ok and outcome.signed == len(SAMPLE_PDFS)
    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in copies} == before


def test_document_signer_signs_several_documents_with_one_setup(key, checks, tmp_path):
    sources = pdf_copies(tmp_path / "in", 3)
    with signkit.DocumentSigner(key("rsa2048"), SignOptions(reason="Đồng ý")) as signer:
        results = [signer.sign(src, tmp_path / f"out-{src.name}") for src in sources]
    assert [r.status for r in results] == [SignStatus.SIGNED] * 3
    assert len({r.sha256 for r in results}) == 3
    for r in results:
        assert str(only_signature(r.output).sig_object["/Reason"]) == "Đồng ý"
        checks.pyhanko(r.output)
    with pytest.raises(ValueError, match="docmdp"):
        signkit.DocumentSigner(key("rsa2048"), SignOptions(certify=True, docmdp=4))


# --- planning a batch ------------------------------------------------------------------------

def test_two_inputs_with_the_same_output_name_are_refused_before_signing(tmp_path):
    files = [(tmp_path / "a" / "x.pdf", Path("x.pdf")), (tmp_path / "b" / "x.pdf", Path("x.pdf"))]
    with pytest.raises(signkit.SigningError) as info:
        signkit.plan_outputs(files, out_dir=tmp_path / "out")
    assert str(tmp_path / "a" / "x.pdf") in str(info.value)
    assert str(tmp_path / "b" / "x.pdf") in str(info.value)


def test_one_output_file_for_several_inputs_is_refused(tmp_path):
    files = [(tmp_path / "a.pdf", Path("a.pdf")), (tmp_path / "b.pdf", Path("b.pdf"))]
    with pytest.raises(signkit.SigningError, match="several files need an output folder"):
        signkit.plan_outputs(files, output=tmp_path / "out.pdf")


def test_recursive_collection_keeps_relative_paths_in_the_out_dir(key, tmp_path):
    root = tmp_path / "in"
    for rel in ("a.pdf", "sub/b.pdf", "sub/deeper/C.PDF"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE, root / rel)
    (root / "sub" / "notes.txt").write_text("not collected from a folder")
    flat = signkit.collect_pdfs([root])
    assert flat == [(root / "a.pdf", Path("a.pdf"))]
    tree = signkit.collect_pdfs([root], recursive=True)
    assert sorted((str(src.relative_to(root)), str(rel)) for src, rel in tree) == [
        ("a.pdf", "a.pdf"), ("sub/b.pdf", "sub/b.pdf"), ("sub/deeper/C.PDF", "sub/deeper/C.PDF")]
    out = tmp_path / "out"
    outcome = signkit.sign_many(signkit.plan_outputs(tree, out_dir=out), key=key("rsa2048"))
    assert outcome.ok
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "a.pdf", "sub/b.pdf", "sub/deeper/C.PDF"]
    named = signkit.collect_pdfs([root / "sub" / "notes.txt"])
    assert named == [(root / "sub" / "notes.txt", Path("notes.txt"))]  # kept, to be reported


# --- a batch killed half-way -----------------------------------------------------------------

def write_large_pdf(path: Path, names: int = 4000) -> None:
    """SAMPLE with a catalog entry of thousands of long escaped names: reading them takes most
    of the time spent on each file."""
    writer = IncrementalPdfFileWriter(io.BytesIO(SAMPLE.read_bytes()))
    writer.root[generic.NameObject("/PieceInfo")] = generic.DictionaryObject(
        {generic.NameObject(f"/PhầnBổSung{i:06}" * 3): generic.NullObject() for i in range(names)})
    writer.update_root()
    with path.open("wb") as f:
        writer.write(f)


def start_cli_batch(softhsm, tmp_path: Path, source: Path = SAMPLE, count: int = 150):
    folder, out = tmp_path / "in", tmp_path / "out"
    pdf_copies(folder, count, source)
    env = {**os.environ, "SIGNKIT_PIN": USER_PIN, "SIGNKIT_PKCS11_MODULE": softhsm.module}
    proc = subprocess.Popen(
        [str(SIGNKIT), "sign", str(folder), "--out-dir", str(out), "--token", "rsa2048",
         "--no-progress"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    return proc, out


def wait_for_outputs(proc, out: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while not (out.is_dir() and len(os.listdir(out)) >= count):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch produced no outputs"
        time.sleep(0.002)


def assert_every_output_complete(checks, out: Path, *, at_least: int, count: int) -> None:
    names = os.listdir(out)
    assert at_least <= len(names) < count, "the batch was not interrupted half-way"
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    for name in names:
        assert (out / name).stat().st_size > 0, name
        checks.pyhanko(out / name)


@pytest.mark.slow
def test_sigkill_mid_batch_leaves_only_complete_signed_files(softhsm, checks, tmp_path):
    proc, out = start_cli_batch(softhsm, tmp_path)
    wait_for_outputs(proc, out, 5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert_every_output_complete(checks, out, at_least=5, count=150)


@pytest.mark.slow
def test_sigterm_mid_batch_exits_130_with_a_message_and_complete_files(softhsm, checks, tmp_path):
    proc, out = start_cli_batch(softhsm, tmp_path)
    wait_for_outputs(proc, out, 5)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stdout + stderr
    assert "Interrupted" in stderr and "no partial file" in stderr, stderr
    assert "Traceback" not in stderr + stdout and USER_PIN not in stderr + stdout
    assert_every_output_complete(checks, out, at_least=5, count=150)


@pytest.mark.slow
def test_sigterm_while_a_document_is_being_read_still_stops_the_batch(softhsm, checks, tmp_path):
    write_large_pdf(tmp_path / "large.pdf")
    for attempt in ("first", "second"):  # the signal lands in pyHanko's parser most times
        proc, out = start_cli_batch(softhsm, tmp_path / attempt, tmp_path / "large.pdf", 6)
        wait_for_outputs(proc, out, 1)
        started = time.monotonic()
        wait_for_outputs(proc, out, 2)
        time.sleep(0.3 * (time.monotonic() - started))  # the third document is being parsed
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
        assert "FAILED" not in stdout, f"SIGTERM was taken for a damaged document: {stdout}"
        assert proc.returncode == 130, stdout + stderr
        assert_every_output_complete(checks, out, at_least=2, count=6)


# --- batches signed on every core (signkit.signing.workers) -----------------------------------

@pytest.fixture
def only_workers(monkeypatch):
    """Every document of a batch goes to a worker (none is signed in the main process while
    the workers start)."""
    from signkit.signing import workers

    monkeypatch.setattr(workers, "_SIGN_WHILE_STARTING", False)


def assert_signed_prefix_then_stop(outcome, jobs, failed_at: int) -> None:
    """As one process signing in order: SIGNED before ``failed_at``, FAILED there, SKIPPED
    after, and outputs exactly for the signed files."""
    statuses = [r.status for r in outcome.results]
    assert statuses == [SignStatus.SIGNED] * failed_at + [SignStatus.FAILED] \
        + [SignStatus.SKIPPED] * (len(jobs) - failed_at - 1), statuses
    assert [r.input for r in outcome.results] == [src for src, _ in jobs]
    assert [dst.exists() for _, dst in jobs] == [s is SignStatus.SIGNED for s in statuses]


def test_a_batch_on_worker_processes_gives_every_result_in_input_order(key, checks, tmp_path,
                                                                       only_workers):
    jobs = [(src, tmp_path / "out" / src.name) for src in pdf_copies(tmp_path / "in", 40)]
    progress = []
    outcome = signkit.sign_many(jobs, key=key("rsa2048"), workers=2,
                                on_progress=lambda r, done, total: progress.append((r, done)))
    assert outcome.ok and outcome.signed == 40 and outcome.stopped is None
    assert [r.input for r in outcome.results] == [src for src, _ in jobs]
    assert progress == [(r, i + 1) for i, r in enumerate(outcome.results)]
    for result, (_, dst) in zip(outcome.results, jobs, strict=True):
        assert result.output == dst and result.signer == AN and result.sha256 == sha256(dst)
    for _, dst in jobs[::13]:
        checks.pyhanko(dst)


def test_a_bad_document_among_workers_fails_alone_or_stops_the_batch(key, tmp_path,
                                                                      only_workers):
    sources = pdf_copies(tmp_path / "in", 30)
    sources[11].write_bytes(b"%PDF-1.7\nnot really a PDF\n%%EOF\n")
    jobs = [(src, tmp_path / "out" / src.name) for src in sources]
    outcome = signkit.sign_many(jobs, key=key("rsa2048"), workers=2)
    assert [r.status for r in outcome.results] == \
        [SignStatus.FAILED if i == 11 else SignStatus.SIGNED for i in range(30)]
    assert "damaged" in outcome.results[11].error and not jobs[11][1].exists()

    jobs = [(src, tmp_path / "stop" / src.name) for src in sources]
    outcome = signkit.sign_many(jobs, key=key("rsa2048"), workers=2, stop_on_error=True)
    assert_signed_prefix_then_stop(outcome, jobs, 11)
    assert outcome.stopped == f"stopped after the error in {jobs[11][0]}"  # no CLI option
    assert not outcome.token_failed


def test_token_removed_while_workers_prepare_documents_stops_the_batch(softhsm, tmp_path,
                                                                        only_workers):
    """Documents are signed in input order, so when C_Sign fails no later document is signed:
    the rest is SKIPPED and leaves no file, as when one process signs them in turn."""
    label = softhsm.make_token("removed-under-workers", {"an": "signer-rsa2048"})
    jobs = [(src, tmp_path / "out" / src.name) for src in pdf_copies(tmp_path / "in", 60)]
    seen = []

    def pull_token_after_five(result, done, total):
        seen.append(result.status)
        if done == 5:
            softhsm.remove_token(label)

    with signkit.open_token(module=softhsm.module, token=label, pin=USER_PIN) as token_key:
        outcome = signkit.sign_many(jobs, key=token_key, workers=2,
                                    on_progress=pull_token_after_five)
    failed_at = next(i for i, r in enumerate(outcome.results) if r.status is SignStatus.FAILED)
    assert failed_at >= 5
    assert_signed_prefix_then_stop(outcome, jobs, failed_at)
    assert outcome.token_failed and label in outcome.results[failed_at].error
    assert seen == [r.status for r in outcome.results]


@pytest.mark.slow
def test_worker_processes_never_see_the_pin(softhsm, checks, tmp_path):
    """The signkit command's workers are a fresh interpreter started without the PIN in its
    environment (never a fork of the logged-in process); they send what is to be signed to
    the main process."""
    proc, out = start_cli_batch(softhsm, tmp_path)
    try:
        wait_for_outputs(proc, out, 20)
        workers = [pid for pid in _descendants(proc.pid)]
        environments = [Path(f"/proc/{pid}/environ").read_bytes() for pid in workers]
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers]
        # a PAdES-B-B batch needs no network client: aiohttp (0.1 s of imports, with TLS
        # contexts) is loaded by neither the main process nor the workers
        loaded = [Path(f"/proc/{pid}/maps").read_text() for pid in [proc.pid, *workers]]
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, stdout + stderr
    assert len(workers) >= 1
    assert all(b"signkit.signing.workers" in command for command in commands), commands
    assert not any(b"SIGNKIT_PIN" in env or USER_PIN.encode() in env for env in environments)
    assert "Warning" not in stderr, stderr
    assert not [maps for maps in loaded if "/aiohttp/" in maps]
    assert_every_output_complete(checks, out, at_least=150, count=151)


def test_the_signing_workers_interpreter_passes_on_no_dependency_warning(tmp_path):
    """pyHanko imports cryptography's deprecated DSA module; the workers' interpreter, which
    imports pyHanko, must not pass that warning on to the clerk's terminal. Given a socket
    with nobody at the other end, it imports everything, finds no batch and ends. Modules
    lying in the folder it starts in are not imported: that folder is the clerk's, not
    signkit's."""
    for name in ("socket", "selectors", "pyhanko", "asn1crypto"):
        (tmp_path / f"{name}.py").write_text(
            f"open({str(tmp_path / 'imported')!r}, 'a').write({name!r})\n")
    ours, theirs = socket.socketpair()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    with ours, theirs:
        proc = subprocess.Popen(
            workers_module.workers_command([theirs.fileno()]),
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr) == (0, "", "")
    assert not (tmp_path / "imported").exists()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def test_a_worker_killed_mid_batch_fails_only_the_documents_it_held(key, tmp_path,
                                                                       only_workers):
    jobs = [(src, tmp_path / "out" / src.name) for src in pdf_copies(tmp_path / "in", 60)]
    killed = []

    def kill_a_worker(result, done, total):
        if done == 5:
            pid = next(p for p in _descendants(os.getpid())
                       if b"signkit.signing.workers" in Path(f"/proc/{p}/cmdline").read_bytes())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    outcome = signkit.sign_many(jobs, key=key("rsa2048"), workers=2, on_progress=kill_a_worker)
    assert killed and outcome.stopped is None
    lost = [r for r in outcome.results if r.status is not SignStatus.SIGNED]
    # what it held: at most the documents it had been sent
    assert len(lost) <= workers_module._SENT_PER_WORKER
    assert all(r.status is SignStatus.FAILED and "worker process" in r.error for r in lost)
    assert [dst.exists() for _, dst in jobs] == [r.ok for r in outcome.results]
    assert outcome.signed == 60 - len(lost)


def test_a_worker_that_dies_while_naming_its_output_is_judged_by_the_file(tmp_path):
    """The window the kill above can hit: the worker said the output was complete and
    died before saying it was named. The file decides: named with the digest it announced
    is SIGNED; absent, or another file, is FAILED (never SIGNED without its output)."""
    import socket
    from multiprocessing.connection import Connection

    from signkit.signing import workers

    jobs = [(tmp_path / f"in{i}.pdf", tmp_path / f"out{i}.pdf") for i in range(3)]
    jobs[0][1].write_bytes(b"signed output")
    jobs[2][1].write_bytes(b"an older file of that name")
    reported = {}
    batch = workers._Batch(jobs, None, 1, False, False,
                           lambda i, r: reported.__setitem__(i, r))
    ours, theirs = socket.socketpair()
    theirs.close()
    worker = workers._Worker(Connection(ours.detach()), pid=1, jobs={0, 1, 2})
    for index, (src, dst) in enumerate(jobs):
        worker.naming[index] = signkit.SignResult(
            src, dst, SignStatus.SIGNED, sha256=hashlib.sha256(b"signed output").hexdigest())
    batch.workers = [worker]
    batch._lost(worker)
    assert [reported[i].status for i in range(3)] == [
        SignStatus.SIGNED, SignStatus.FAILED, SignStatus.FAILED]
    assert reported[0].output == jobs[0][1] and reported[1].output is None


def test_a_dead_workers_unread_naming_message_still_decides(tmp_path):
    """The main process can learn of a death by failing to send to the worker (a signature
    for its next document) before it has read the worker's last "naming" message: that
    message is read first, so a named output with the announced digest is SIGNED."""
    import socket
    from multiprocessing.connection import Connection

    from signkit.signing import workers

    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    dst.write_bytes(b"signed output")
    reported = {}
    batch = workers._Batch([(src, dst)], None, 1, False, False,
                           lambda i, r: reported.__setitem__(i, r))
    ours, theirs = socket.socketpair()
    Connection(theirs.detach()).send(("naming", signkit.SignResult(
        src, dst, SignStatus.SIGNED, sha256=hashlib.sha256(b"signed output").hexdigest()), 0))
    worker = workers._Worker(Connection(ours.detach()), pid=1, jobs={0})
    batch.workers = [worker]
    batch._lost(worker)
    assert reported[0].status is SignStatus.SIGNED and reported[0].output == dst


@pytest.mark.slow
def test_sigterm_while_workers_sign_exits_130_with_complete_files_and_no_worker_left(
        softhsm, checks, tmp_path):
    proc, out = start_cli_batch(softhsm, tmp_path, count=400)
    wait_for_outputs(proc, out, 120)
    workers = [pid for pid in _descendants(proc.pid)
               if b"signkit.signing.workers" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout + stderr
    assert workers
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived the signkit command"
        time.sleep(0.05)
    assert_every_output_complete(checks, out, at_least=120, count=400)
    # stdout (a pipe: lines go out in bursts) still lists what was signed before the stop,
    # in input order: all but those named while documents before them were still under way
    listed = [line.split(" -> ")[1].split(" [")[0] for line in stdout.splitlines()
              if line.startswith("signed: ")]
    under_way = workers_module.worker_count() * workers_module._SENT_PER_WORKER
    assert len(listed) >= len(os.listdir(out)) - under_way, stdout
    assert listed == sorted(listed) and all(Path(p).exists() for p in listed)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_worker_found_dead_while_sending_it_a_job_lets_the_next_document_be_signed(
        tmp_path):
    """The death of a worker can first show when the next job is sent to it. Its documents
    fail, and the next ones in input order, already waiting for their signatures at the
    other worker, must be signed then: before, the main process went on to wait for a
    message that the other worker, itself waiting for those signatures, would never send."""
    import threading
    import types
    from multiprocessing.connection import Connection

    from signkit.signing import workers

    full = workers._SENT_PER_WORKER
    jobs = [(tmp_path / f"in{i}.pdf", tmp_path / f"out{i}.pdf") for i in range(full + 2)]
    signer = types.SimpleNamespace(key=types.SimpleNamespace(sign=lambda data, **kw: b"sig"))
    reported: dict[int, signkit.SignResult] = {}
    batch = workers._Batch(jobs, signer, 2, False, False,
                           lambda i, r: reported.__setitem__(i, r))
    ours, theirs = socket.socketpair()
    theirs.close()  # this worker is dead; nothing has told the main process yet
    dead = workers._Worker(Connection(ours.detach()), pid=1, jobs={0})
    ours, theirs = socket.socketpair()
    alive = workers._Worker(Connection(ours.detach()), pid=2, jobs=set(range(1, full + 1)))
    peer = Connection(theirs.detach())

    def the_live_worker() -> None:  # signs what it is sent, as a worker does
        with contextlib.suppress(EOFError, OSError):
            while True:
                kind, index, *rest = peer.recv()
                if kind == "job":
                    peer.send(("sign", index, b"attributes", "sha256", RsaPadding.PKCS1V15))
                elif kind == "signature":
                    src, dst = jobs[index]
                    peer.send(("naming", signkit.SignResult(src, dst, SignStatus.SIGNED), index))
                    peer.send(("done", None, index))

    batch._start_workers = lambda: None  # these two instead
    batch._stop_workers = lambda: [w.conn.close() for w in batch.workers]
    batch.workers = [dead, alive]
    for worker in batch.workers:
        batch.selector.register(worker.conn.fileno(), selectors.EVENT_READ, worker)
    # the live worker holds as many documents as it may, each waiting for its signature;
    # the next job can only go to the dead one
    for index in alive.jobs:
        heapq.heappush(batch.waiting, (index, id(alive), alive,
                                       (b"attributes", "sha256", RsaPadding.PKCS1V15)))
    batch.next_job = full + 1
    threading.Thread(target=the_live_worker, daemon=True).start()
    running = threading.Thread(target=batch.run, daemon=True)
    running.start()
    running.join(10)
    stuck = running.is_alive()
    peer.close()  # (ends a stuck batch: the live worker is gone too)
    assert not stuck, "the batch waited for a message that could not come"
    assert reported[0].status is SignStatus.FAILED
    assert [reported[i].status for i in range(1, full + 2)] == [SignStatus.SIGNED] * (full + 1)
