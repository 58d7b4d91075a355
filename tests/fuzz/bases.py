"""The signed documents the fuzzer mutates: built once per session with the test PKI (their
signatures never go stale), each with the facts the mutators need."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import verify_docs as vd
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

Ref = tuple[int, int]


def _pades_rsa(kit: vd.Kit, out: Path) -> None:
    out.write_bytes(vd.good_pyhanko(kit))


def _certified(kit: vd.Kit, out: Path) -> None:
    out.write_bytes(vd.good_pyhanko(kit, certify=True, docmdp=fields.MDPPerm.FILL_FORMS))


def _form_field(kit: vd.Kit, out: Path) -> None:
    # the sample's own (empty) signature field, in a file whose xref is a classic table
    out.write_bytes(vd.good_pyhanko(kit, src=vd.TT, field_name="ChuKyLanhDao"))


# name -> builder(kit, out); every one gives TOTAL_PASSED with the test root trusted offline
# and its CRL at hand (checked by the ``fuzz_bases`` fixture)
BUILDERS: dict[str, Callable[[vd.Kit, Path], None]] = {
    "pades-rsa": _pades_rsa,  # pyHanko PAdES, RSA, xref stream
    "cms-rsa": vd.DOCS["good-pyhanko"],  # adbe.pkcs7.detached, signingTime signed
    "signkit-ecdsa": vd.DOCS["good-ecdsa"],  # signkit's own output, ECDSA P-256
    "pdfsig": vd.DOCS["good-pdfsig"],  # poppler's writer (read leniently)
    "two-approvals": vd.DOCS["good-two-approvals"],
    "certified": _certified,  # DocMDP P=2
    "form-field": _form_field,  # existing field of the sample, classic xref table
}


@dataclass(frozen=True)
class Base:
    """One signed document and what the mutators need to know about it."""

    name: str
    data: bytes
    layout: vd.SigLayout  # the last signature's /ByteRange and /Contents
    startxref: int  # offset of the newest xref section
    size: int  # the trailer's /Size
    root: Ref
    info: Ref | None
    trailer_id: bytes  # the trailer's "/ID [...]" as written, or b""
    objects: tuple[Ref, ...]  # every object of every revision
    roles: dict[str, Ref]  # root, pages, page0, contents0, acroform, sigfield, sigdict
    page0: bytes  # page 1's dictionary as it would be written, for visible edits
    page0_contents: tuple[Ref, ...]
    text: bytes  # pdftotext of the signed document: what a viewer shows


def pdftotext(path: Path, timeout: float = 30) -> bytes:
    """poppler's text of ``path`` (stdout only; poppler's complaints are not the text)."""
    try:
        run = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", str(path), "-"],
                             capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return b"<pdftotext timed out>"
    return run.stdout if run.returncode == 0 else b"<pdftotext exit %d>" % run.returncode


def _ref(obj) -> Ref | None:
    if isinstance(obj, generic.IndirectObject):
        return obj.idnum, obj.generation
    return None


def describe(name: str, path: Path) -> Base:
    data = path.read_bytes()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    trailer = reader.trailer
    objects: set[Ref] = set()
    for revision in range(reader.xrefs.total_revisions):
        objects.update((r.idnum, r.generation)
                       for r in reader.xrefs.explicit_refs_in_revision(revision))
    root = reader.root
    pages = root.raw_get("/Pages")
    page_ref = root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    contents = page.raw_get("/Contents")
    if isinstance(contents, generic.ArrayObject):
        page0_contents = tuple(r for r in (_ref(c) for c in contents) if r)
    else:
        page0_contents = tuple(r for r in (_ref(contents),) if r)
    sig = reader.embedded_signatures[-1]
    roles = {"root": _ref(trailer.raw_get("/Root")), "pages": _ref(pages),
             "page0": _ref(page_ref), "acroform": _ref(root.raw_get("/AcroForm")),
             "sigfield": _ref(getattr(sig.sig_field, "container_ref", None)),
             "sigdict": _ref(sig.sig_field.raw_get("/V"))}
    if page0_contents:
        roles["contents0"] = page0_contents[0]
    buf = io.BytesIO()
    page.write_to_stream(buf, None)
    ids = re.findall(rb"/ID\s*\[[^\]]*\]", data)
    info = trailer.raw_get("/Info") if "/Info" in trailer else None
    return Base(
        name=name, data=data, layout=vd.sig_layout(data),
        startxref=int(re.findall(rb"startxref\s+(\d+)", data)[-1]),
        size=int(trailer["/Size"]), root=_ref(trailer.raw_get("/Root")), info=_ref(info),
        trailer_id=ids[-1] if ids else b"", objects=tuple(sorted(objects)),
        roles={k: v for k, v in roles.items() if v is not None},
        page0=buf.getvalue(), page0_contents=page0_contents, text=pdftotext(path),
    )


def build_bases(kit: vd.Kit, folder: Path) -> dict[str, Base]:
    folder.mkdir(parents=True, exist_ok=True)
    bases = {}
    for name, build in BUILDERS.items():
        path = folder / f"{name}.pdf"
        build(kit, path)
        bases[name] = describe(name, path)
    return bases
