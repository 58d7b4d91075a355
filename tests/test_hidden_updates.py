"""Hidden updates and the differential check (issue #9, part 1).

First the attack documents of ``verify_hidden_docs`` are shown to be what they claim: the
forged update is real (poppler shows it, or it sits in the file unexplained) and, for the
missing-%%EOF family, pyHanko's parser never reads it. Then signkit must fail every one of them.

The differential check runs over every verification document the suite builds (verify_docs,
verify_attack_docs and the hidden updates): whenever signkit says TOTAL_PASSED, poppler must
display exactly what pyHanko judged (text and pixels of the file cut at the end of the last
revision pyHanko read), an unmodified signature must display as signed, and pdfsig's "Not total
document signed" must be explained by a revision that pyHanko read and poppler reaches too.
"""

from __future__ import annotations

import collections
import io
import re
import subprocess
from pathlib import Path

import pytest
import verify_docs as vd
import verify_hidden_docs as vh
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

import signkit
from signkit import PadesLevel, SignOptions, VerifyOptions
from signkit.report import Indication, Modifications
from signkit.report import SubIndication as Sub


@pytest.fixture(scope="module")
def trusted(pki) -> VerifyOptions:
    return VerifyOptions(trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))


@pytest.fixture(scope="module")
def bases(kit, pki, pki_services, tmp_path_factory) -> dict[str, bytes]:
    """The signed documents the hidden updates extend."""
    lta = tmp_path_factory.mktemp("hidden-bases") / "lta.pdf"
    options = SignOptions(level=PadesLevel.from_name("B-LTA"),
                          tsa_url=pki_services[0] + "/testing-ca/tsa/tsa",
                          trust=(pki.pem("root"),), other_certs=(pki.pem("interm"),))
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=vd.P12_PASSWORD) as key:
        assert signkit.sign_pdf(vd.QD, lta, key=key, options=options).ok
    return {
        "approval": vd.good_pyhanko(kit),
        "certified": vd.pyhanko_sign(vd.QD.read_bytes(), kit.signer("signer-rsa2048"),
                                     certify=True, docmdp=fields.MDPPerm.NO_CHANGES),
        "lta": lta.read_bytes(),
        "linearized-trap": vh.linearized_trap(
            vd.QD.read_bytes(), lambda data: vd.pyhanko_sign(data, kit.signer("signer-rsa2048"))),
    }


@pytest.fixture(scope="module")
def hidden_docs(bases, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hidden-docs")
    built = {}
    for name in vh.HIDDEN:
        built[name] = folder / f"{name}.pdf"
        built[name].write_bytes(vh.build(name, bases))
    return built


def verify(path: Path, options: VerifyOptions):
    try:
        return signkit.verify_pdf(path, options=options)
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"verify_pdf raised {type(e).__name__}: {e}", pytrace=False)


def poppler_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode(
        "utf-8", "replace")


def poppler_pixels(data: bytes) -> bytes:
    """Every page in gray at 20 dpi (poppler's pdftoppm, PGM frames one after another)."""
    return subprocess.run(["pdftoppm", "-gray", "-r", "20"], input=data,
                          capture_output=True).stdout


def display(data: bytes) -> tuple[str, bytes]:
    return poppler_text(data), poppler_pixels(data)


# --- the attacks are real ----------------------------------------------------------------------

MISSING_EOF = [n for n in vh.HIDDEN if n.startswith("hidden-eof")]


@pytest.mark.parametrize("name", MISSING_EOF)
def test_missing_eof_update_is_shown_by_poppler_and_unread_by_pyhanko(bases, hidden_docs, name):
    data = hidden_docs[name].read_bytes()
    assert vh.FORGED_TEXT[0] in poppler_text(data)
    assert vh.FORGED_TEXT[0] not in poppler_text(bases[vh.HIDDEN[name][0]])
    if name == "hidden-eof-deleted-long":  # too long: pyHanko cannot find any %%EOF
        with pytest.raises(Exception, match="EOF marker not found"):
            PdfFileReader(io.BytesIO(data), strict=False)
        return
    base_revisions = PdfFileReader(io.BytesIO(bases[vh.HIDDEN[name][0]])).xrefs.total_revisions
    assert PdfFileReader(io.BytesIO(data)).xrefs.total_revisions == base_revisions


def test_duplicate_entry_shows_the_forgery_that_pyhanko_does_not_see(hidden_docs):
    """poppler takes the first entry of page 1, pyHanko the last (an exact copy)."""
    data = hidden_docs["hidden-duplicate-entry"].read_bytes()
    assert vh.FORGED_TEXT[0] in poppler_text(data)
    reader = PdfFileReader(io.BytesIO(data))
    page = reader.root["/Pages"]["/Kids"][0]
    contents = page.raw_get("/Contents")
    assert vh.FORGED_CONTENT not in b"".join(
        c.get_object().data for c in (contents if isinstance(contents, list) else [contents]))


def test_linearized_trap_shows_poppler_the_first_revision_only(hidden_docs):
    """poppler, like pdf.js, honours a linearization dictionary whose /L is the file's
    length: it shows the original, while the signed revision showed the forged text."""
    data = hidden_docs["hidden-linearized-trap"].read_bytes()
    (sig,) = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    _, _, start, length = sig.byte_range
    assert re.search(rb"/Linearized 1 /L %d\b" % len(data), data[:1024])
    assert data[start + length:].strip() == b""  # only blanks after the signature
    assert vh.FORGED_TEXT[0] in poppler_text(data[:start + length])
    assert vh.FORGED_TEXT[0] not in poppler_text(data)


TRAPS = {"hidden-linearized-trap"}  # the attack is set before signing: nothing is appended


@pytest.mark.parametrize("name", sorted(set(vh.HIDDEN) - set(MISSING_EOF) - TRAPS))
def test_hidden_update_leaves_bytes_beyond_the_signed_revision(bases, hidden_docs, name):
    base = bases[vh.HIDDEN[name][0]]
    data = hidden_docs[name].read_bytes()
    assert data.startswith(base) and data[len(base):].strip()


def test_bases_pass(bases, tmp_path, trusted):
    """The controls: before the attack, every base document passes."""
    for name, data in bases.items():
        if name in {vh.HIDDEN[trap][0] for trap in TRAPS}:
            continue
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        report = verify(path, trusted)
        assert report.status is Indication.TOTAL_PASSED, (name, report)


# --- signkit fails them all ----------------------------------------------------------------

KEYWORDS = {
    "hidden-eof-deleted-long": "eof marker",
    "hidden-startxref-off": "startxref",
    "hidden-duplicate-entry": "twice",
    "hidden-hybrid-conflict": "twice",
    "hidden-object-stream-shadow": "object stream",
    "hidden-revision-skipped": "without listing",
    "hidden-unlisted-redefinition": "does not point|without listing",
    "hidden-linearized-trap": "linearization",
}


@pytest.mark.parametrize("name", sorted(vh.HIDDEN))
def test_hidden_update_is_never_passed(hidden_docs, trusted, name):
    report = verify(hidden_docs[name], trusted)
    text = "\n".join([*report.messages, *(m for s in report.signatures for m in s.messages)])
    assert report.status is Indication.TOTAL_FAILED, text
    assert report.subindication is Sub.FORMAT_FAILURE, text
    assert re.search(KEYWORDS.get(name, r"unparsed update of \d+ bytes"), text, re.I), text
    for signature in report.signatures:
        assert signature.modifications is Modifications.OTHER


def test_unparsed_update_is_also_read_as_viewers_read_it(hidden_docs, trusted):
    report = verify(hidden_docs["hidden-eof-deleted"], trusted)
    text = "\n".join(report.signatures[0].messages)
    assert "read as viewers read it" in text and "Pages.Kids" in text


# --- the differential check over every document the suite builds ---------------------------

def _revision_end(data: bytes, startxref: int) -> int:
    """End of the revision whose ``startxref`` is given (its last ``%%EOF``)."""
    ends = [m.end() for m in re.finditer(rb"startxref\s*%d\s*%%%%EOF" % startxref, data)]
    return ends[-1] if ends else len(data)


def _poppler_startxref(data: bytes) -> int | None:
    """poppler's rule: the last ``startxref`` in the file's last 1024 bytes."""
    found = re.findall(rb"startxref\s*(\d+)", data[-1024:])
    return int(found[-1]) if found else None


def differential_problems(path: Path, report) -> list[str]:
    """Why a TOTAL_PASSED verdict on ``path`` contradicts what poppler displays."""
    data = path.read_bytes()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    shown = display(data)
    problems = []
    judged_end = _revision_end(data, reader.last_startxref)
    if display(data[:judged_end]) != shown:
        problems.append("poppler shows other text/pixels than the revisions pyHanko judged")
    signatures = reader.embedded_signatures
    for sig, result in zip(signatures, report.signatures, strict=False):
        _, _, start, length = sig.byte_range
        if result.modifications is Modifications.NONE and display(data[:start + length]) != shown:
            problems.append(f"{result.field}: unmodified, yet displayed unlike its revision")
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    if "Not total document signed" in pdfsig:
        last = reader.xrefs.total_revisions - 1
        explained = any(s.signed_revision < last for s in signatures)
        if not explained or _poppler_startxref(data) != reader.last_startxref:
            problems.append("pdfsig: not total document signed, and no revision that both "
                            "pyHanko and poppler read explains it")
    return problems


def test_differential_oracle_catches_a_hidden_update(hidden_docs):
    """The check below can fail: on a hidden update, poppler's display differs from the
    revisions pyHanko judged."""
    path = hidden_docs["hidden-eof-deleted"]
    data = path.read_bytes()
    reader = PdfFileReader(io.BytesIO(data))
    assert display(data[:_revision_end(data, reader.last_startxref)]) != display(data)


def test_never_passed_when_poppler_displays_something_else(docs, hidden_docs, trusted,
                                                           record_property):
    counts: collections.Counter = collections.Counter()
    failures = []
    for name, path in sorted({**docs, **hidden_docs}.items()):
        report = verify(path, trusted)
        counts[report.status.name] += 1
        if report.status is Indication.TOTAL_PASSED:
            failures += [f"{name}: {p}" for p in differential_problems(path, report)]
    record_property("differential_verdicts", dict(counts))
    assert not failures, "\n".join(failures)
    assert counts["TOTAL_PASSED"] >= 5 and counts["TOTAL_FAILED"] >= len(hidden_docs)
