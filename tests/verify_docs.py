"""Test documents for signature verification (issue #3): one small builder per case.

Every builder has the signature ``build(kit, out)`` and writes one PDF to ``out``; ``DOCS``
maps a document name to its builder and ``build_all`` makes them all in one folder. The
documents start from the committed samples in fixtures/pdf and are signed with the test PKI
(fixtures/pki/testing-ca.yml), either by signkit, by pyHanko directly, or by poppler's pdfsig.

The attack documents follow the published PDF signature attacks:

- [CCS19] V. Mladenov, C. Mainka, K. Meyer zu Selhausen, M. Grothe, J. Schwenk,
  "1 Trillion Dollar Refund: How To Spoof PDF Signatures", ACM CCS 2019:
  Universal Signature Forgery (USF: /ByteRange or /Contents missing or nonsense),
  Incremental Saving Attack (ISA: new content in an update after signing),
  Signature Wrapping Attack (SWA: the /ByteRange gap is not exactly the /Contents string).
- [NDSS21] C. Mainka, V. Mladenov, S. Rohlmann, "Shadow Attacks: Hiding and Replacing
  Content in Signed PDFs", NDSS 2021 (hide-and-replace: the signed revision already holds an
  unreferenced object; a later update only re-points a reference to it).
- [SP21] S. Rohlmann, V. Mladenov, C. Mainka, J. Schwenk, "Breaking the Specification: PDF
  Certification", IEEE S&P 2021 (EAA: Evil Annotation Attack, SSA: Sign Signature Attack —
  annotations or signature fields added after a certification that forbids them).

More attack documents (shadow hide and replace, FieldMDP, random bytes, decompression bombs)
are in verify_attack_docs.py.

Byte-level edits keep every length unchanged (so the xref offsets stay right); where an edit
touches signed bytes but the attack needs a cryptographically valid signature, the CMS is
recomputed over the new /ByteRange with the signer's key (``resign``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from asn1crypto import cms
from certomancer import registry
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
QD = FIXTURES / "pdf" / "qd-123-quyet-dinh.pdf"  # two pages, no form
TT = FIXTURES / "pdf" / "tt-7-to-trinh-co-truong-ky.pdf"  # one page, empty field ChuKyLanhDao
P12_PASSWORD = "p12-secret"
NSS_PASSWORD = "nss-secret"
DEAD_URL = "http://127.0.0.1:1"  # nothing listens on port 1: connection refused at once
REVOKED_SINCE = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)  # signer-revoked, testing-ca.yml

# the CA certificates each signer's CMS carries (the root stays out, as in real signatures)
CHAINS = {"signer-foreign": ["foreign-root"], "signer-g2": ["interm-g2"]}

AN = "Nguyễn Văn An"  # signer-rsa2048
DUNG = "Phạm Thị Dung"  # signer-second
CUONG = "Lê Văn Cường"  # signer-ec256
QUANG = "Trịnh Văn Quang"  # signer-g2, under interm-g2 (revocation data for the whole chain)


@dataclass
class Kit:
    """What the builders need: the live test PKI (conftest's ``TestPki``) and a scratch
    folder (NSS database, PKCS#12 files)."""

    pki: object
    work: Path
    _signers: dict = field(default_factory=dict)
    _archs: dict = field(default_factory=dict)

    @property
    def arch(self) -> registry.PKIArchitecture:
        return self.pki.arch

    def arch_with_urls(self, prefix: str) -> registry.PKIArchitecture:
        """The same PKI (same keys and names) with every OCSP and CRL URL under ``prefix``.
        Serial numbers of issued certificates are shifted, so that no certificate of it has
        the issuer and serial (the OCSP CertID) of a certificate of the live PKI: revocation
        data cached for one must never answer for the other."""
        if prefix not in self._archs:
            config = yaml.safe_load((FIXTURES / "pki" / "testing-ca.yml").read_text())
            certs = config["pki-architectures"]["testing-ca"]["certs"]
            for i, (label, spec) in enumerate(certs.items()):
                if spec["issuer"] != label:  # self-signed roots stay identical
                    spec["serial"] = 0x7E570000 + len(self._archs) * 0x1000 + i
            cfg = registry.CertomancerConfig(
                config, key_search_dir=str(FIXTURES / "pki"), external_url_prefix=prefix)
            self._archs[prefix] = cfg.get_pki_arch(registry.ArchLabel("testing-ca"))
        return self._archs[prefix]

    def signer(self, label: str, *, urls: str | None = None) -> signers.SimpleSigner:
        """A pyHanko signer for certificate ``label`` with its chain (not the root); with
        ``urls``, certificates whose revocation URLs live there (see arch_with_urls)."""
        if (label, urls) not in self._signers:
            arch = self.arch_with_urls(urls) if urls else self.arch
            cert = arch.get_cert(registry.CertLabel(label))
            key = arch.key_set.get_private_key(registry.KeyLabel(label))
            chain = CHAINS.get(label, ["interm"])
            store = SimpleCertificateStore.from_certs(
                [arch.get_cert(registry.CertLabel(c)) for c in chain]
            )
            self._signers[label, urls] = signers.SimpleSigner(cert, key, store)
        return self._signers[label, urls]

    @cached_property
    def nss_db(self) -> Path:
        """A password-protected NSS database holding signer-rsa2048's key, for pdfsig."""
        db = self.work / "nssdb-signer"
        db.mkdir(parents=True, exist_ok=True)
        pwfile = self.work / "nss-password.txt"
        pwfile.write_text(NSS_PASSWORD + "\n")
        run = ["certutil", "-d", f"sql:{db}", "-f", str(pwfile)]
        _run(run + ["-N"])
        _run(run + ["-A", "-n", "test-root", "-t", "CT,C,C", "-i", str(self.pki.pem("root"))])
        _run(run + ["-A", "-n", "test-interm", "-t", ",,", "-i", str(self.pki.pem("interm"))])
        _run(["pk12util", "-d", f"sql:{db}", "-k", str(pwfile), "-W", P12_PASSWORD,
              "-i", str(self.pki.p12("signer-rsa2048"))])
        return db


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stdout}{done.stderr}")


# --- signing and editing helpers ------------------------------------------------------------

def pyhanko_sign(data: bytes, signer: signers.Signer, *, field_name: str = "Signature1",
                 md: str = "sha256", pades: bool = True, certify: bool = False,
                 docmdp: fields.MDPPerm = fields.MDPPerm.FILL_FORMS,
                 when: dt.datetime | None = None, reserve: int | None = None,
                 box: tuple[int, int, int, int] | None = None) -> bytes:
    """Sign ``data`` with pyHanko itself (no signkit checks: expired or weak certificates
    welcome); ``when`` sets the claimed signing time (/M, and the CMS signingTime when not
    PAdES)."""
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm=md, certify=certify, docmdp_permissions=docmdp,
        subfilter=fields.SigSeedSubFilter.PADES if pades else None,
    )
    spec = fields.SigFieldSpec(field_name, box=box, on_page=0) if box else None
    pdf_signer = signers.PdfSigner(meta, signer, new_field_spec=spec)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)

    async def run() -> bytes:
        # PdfSigner.async_sign_pdf, with the session's clock set to the claimed time
        session = pdf_signer.init_signing_session(writer)
        if when is not None:
            session.system_time = when
        info = await session.perform_presign_validation(writer)
        size = reserve or await session.estimate_signature_container_size(info)
        tbs = session.prepare_tbs_document(validation_info=info, bytes_reserved=size)
        prepared, out = tbs.digest_tbs_document(output=io.BytesIO())
        post = await tbs.perform_signature(
            document_digest=prepared.document_digest,
            pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=session.system_time),
        )
        await post.post_signature_processing(out)
        return out.getvalue()

    return asyncio.run(run())


def signkit_sign(kit: Kit, src: Path, out: Path, label: str) -> None:
    """Sign with signkit's own API and a PKCS#12 of ``label`` (what a clerk does)."""
    import signkit

    with signkit.open_pkcs12(kit.pki.p12(label), password=P12_PASSWORD) as key:
        signkit.sign_pdf(src, out, key=key)


def update(data: bytes, edit: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    """Append one incremental update made by ``edit`` to ``data``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_stream(*lines: str, at: tuple[int, int] = (72, 600), size: int = 14):
    """A content stream writing ``lines`` in Times-Roman (resource name /F1, as the samples)."""
    body = "".join(f"({line}) Tj T* " for line in lines)
    ops = f"BT /F1 {size} Tf {size + 2} TL {at[0]} {at[1]} Td {body}ET"
    return generic.StreamObject(stream_data=ops.encode("latin-1"))


def form_xobject(text: str, width: int, height: int):
    """A Form XObject showing ``text`` (an appearance stream)."""
    font = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Times-Bold"),
    })
    return generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                generic.NumberObject(v) for v in (0, 0, width, height)),
            pdf_name("/Resources"): generic.DictionaryObject({
                pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})}),
        },
        stream_data=f"BT /F1 12 Tf 4 {height // 3} Td ({text}) Tj ET".encode("latin-1"),
    )


def _rect(*values: int) -> generic.ArrayObject:
    return generic.ArrayObject(generic.NumberObject(v) for v in values)


def add_annotation(writer: IncrementalPdfFileWriter, annot: generic.DictionaryObject,
                   page_ix: int = 0, *, obj_stream=None) -> generic.IndirectObject:
    """Add ``annot`` to a page's /Annots (creating the array if needed); ``obj_stream``: an
    object stream of ``writer`` to store it in."""
    page_ref, _ = writer.find_page_for_modification(page_ix)
    page = page_ref.get_object()
    annot[pdf_name("/P")] = page_ref
    ref = writer.add_object(annot, obj_stream=obj_stream)
    if "/Annots" in page:
        annots = page["/Annots"]
        annots.append(ref)
        writer.update_container(annots)
    else:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
    writer.update_container(page)
    return ref


def add_text_field(writer: IncrementalPdfFileWriter, name: str, rect=(72, 560, 320, 580)):
    """Add an empty text form field ``name`` (widget on page 1) to the AcroForm."""
    widget = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): pdf_string(name),
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/F"): generic.NumberObject(4), pdf_name("/Rect"): _rect(*rect),
        pdf_name("/DA"): pdf_string("/Helv 12 Tf 0 g"),
    })
    ref = add_annotation(writer, widget)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(ref)
    writer.update_container(form["/Fields"])


def fill_text_field(writer: IncrementalPdfFileWriter, name: str, value: str) -> None:
    """Form filling: set the field's /V and give its widget a matching appearance."""
    for ref in writer.root["/AcroForm"]["/Fields"]:
        widget = ref.get_object()
        if widget.get("/T") == name:
            widget[pdf_name("/V")] = pdf_string(value)
            widget[pdf_name("/AP")] = generic.DictionaryObject({
                pdf_name("/N"): writer.add_object(form_xobject(value, 248, 20))})
            writer.update_container(widget)
            return
    raise KeyError(name)


def tt_with_text_field() -> bytes:
    """The ChuKyLanhDao form plus a text field SoVanBan (to be filled after signing)."""
    return update(TT.read_bytes(), lambda w: add_text_field(w, "SoVanBan"))


@dataclass(frozen=True)
class SigLayout:
    """Where the (last) signature dictionary's /ByteRange and /Contents sit in the file."""

    byte_range: tuple[int, int, int, int]
    br_start: int  # offset of '[' of the /ByteRange array
    br_end: int  # offset after its ']' and the space-padding reserved after it
    contents_start: int  # offset of '<' of /Contents
    contents_end: int  # offset just after its '>'


def sig_layout(data: bytes) -> SigLayout:
    br = data.rindex(b"/ByteRange")
    start = data.index(b"[", br)
    end = data.index(b"]", start) + 1
    values = tuple(int(v) for v in data[start + 1:end - 1].split())
    while data[end:end + 1] == b" ":  # pyHanko reserves room for the numbers after ']'
        end += 1
    c_start = data.index(b"<", data.rindex(b"/Contents", 0, br))
    c_end = data.index(b">", c_start) + 1
    return SigLayout(values, start, end, c_start, c_end)  # type: ignore[arg-type]


def set_byte_range(data: bytes, values: tuple[int, ...]) -> bytes:
    """Rewrite the /ByteRange array in place, within the room reserved for it."""
    lay = sig_layout(data)
    text = ("[" + " ".join(str(v) for v in values) + "]").encode()
    width = lay.br_end - lay.br_start
    assert len(text) <= width, (text, width)
    return data[:lay.br_start] + text.ljust(width) + data[lay.br_end:]


def signed_bytes(data: bytes, byte_range: tuple[int, ...]) -> bytes:
    a, b, c, d = byte_range
    return data[a:a + b] + data[c:c + d]


def embed_cms(data: bytes, der: bytes) -> bytes:
    """Put a DER CMS into the /Contents placeholder, zero-padded to the same size."""
    lay = sig_layout(data)
    room = lay.contents_end - lay.contents_start - 2
    hexed = der.hex().encode()
    assert len(hexed) <= room, f"CMS {len(hexed)} hex digits, room for {room}"
    return data[:lay.contents_start + 1] + hexed.ljust(room, b"0") + data[lay.contents_end - 1:]


def cms_of(data: bytes) -> cms.ContentInfo:
    """The CMS in /Contents (the zero padding after the DER is ignored)."""
    lay = sig_layout(data)
    hexed = data[lay.contents_start + 1:lay.contents_end - 1].decode()
    return cms.ContentInfo.load(bytes.fromhex(hexed), strict=False)


def resign(data: bytes, signer: signers.Signer, byte_range: tuple[int, int, int, int], *,
           when: dt.datetime | None = None) -> bytes:
    """Set /ByteRange to ``byte_range`` and replace the CMS by a valid PAdES signature over
    exactly those bytes: the signature verifies, whatever the range leaves out."""
    data = set_byte_range(data, byte_range)
    digest = hashlib.sha256(signed_bytes(data, byte_range)).digest()
    signed = asyncio.run(signer.async_sign(
        digest, "sha256", use_pades=True,
        signed_attr_settings=PdfCMSSignedAttributes(
            signing_time=when or dt.datetime.now(dt.UTC)),
    ))
    return embed_cms(data, signed.dump())


def replace_once(data: bytes, old: bytes, new: bytes, *, after: int = 0) -> bytes:
    """Same-length replacement of the first ``old`` at or after offset ``after``."""
    assert len(old) == len(new), (old, new)
    at = data.index(old, after)
    return data[:at] + new + data[at + len(old):]


def good_pyhanko(kit: Kit, *, src: Path = QD, **kw) -> bytes:
    """An ordinary pyHanko PAdES signature by signer-rsa2048 (base of the byte attacks)."""
    return pyhanko_sign(src.read_bytes(), kit.signer("signer-rsa2048"), **kw)


# --- the documents --------------------------------------------------------------------------

DOCS: dict[str, Callable[[Kit, Path], None]] = {}


def doc(name: str):
    def register(fn):
        DOCS[name] = fn
        return fn
    return register


@doc("good-signkit")
def good_signkit(kit: Kit, out: Path) -> None:
    """signkit + PKCS#12 of signer-rsa2048: PAdES-B-B, whole file covered."""
    signkit_sign(kit, QD, out, "signer-rsa2048")


@doc("good-pyhanko")
def good_pyhanko_cms(kit: Kit, out: Path) -> None:
    """pyHanko's SimpleSigner with its default /SubFilter adbe.pkcs7.detached (level CMS)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-second"), pades=False))


@doc("good-ecdsa")
def good_ecdsa(kit: Kit, out: Path) -> None:
    """signkit + PKCS#12 of signer-ec256 (ECDSA P-256)."""
    signkit_sign(kit, QD, out, "signer-ec256")


@doc("good-pdfsig")
def good_pdfsig(kit: Kit, out: Path) -> None:
    """poppler's pdfsig -add-signature (adbe.pkcs7.detached; poppler 22.12 refuses -etsi
    with -add-signature). Its update carries an object with generation 1 and no free
    entry for generation 0, which pyHanko's strict reader refuses ("orphaned generation")."""
    _run(["pdfsig", "-add-signature", "-nssdir", f"sql:{kit.nss_db}", "-nss-pwd", NSS_PASSWORD,
          "-nick", "signer-rsa2048", "-kpw", NSS_PASSWORD,
          "-new-signature-field-name", "PdfSig1", str(QD), str(out)])


@doc("good-two-approvals")
def good_two_approvals(kit: Kit, out: Path) -> None:
    """Two approval signatures: a later signature is an allowed update of the first."""
    data = good_pyhanko(kit)
    out.write_bytes(pyhanko_sign(data, kit.signer("signer-second"), field_name="Signature2"))


@doc("unsigned")
def unsigned(kit: Kit, out: Path) -> None:
    shutil.copyfile(QD, out)


@doc("not-a-pdf")
def not_a_pdf(kit: Kit, out: Path) -> None:
    out.write_text("Kinh gui: day la van ban thuong, khong phai PDF.\n")


@doc("empty")
def empty(kit: Kit, out: Path) -> None:
    out.write_bytes(b"")


@doc("truncated")
def truncated(kit: Kit, out: Path) -> None:
    """A signed file cut at 60 %: no xref, no trailer, no /ByteRange end."""
    data = good_pyhanko(kit)
    out.write_bytes(data[: len(data) * 6 // 10])


@doc("usf-no-byterange")
def usf_no_byterange(kit: Kit, out: Path) -> None:
    """USF [CCS19]: the signature dictionary has no /ByteRange (the key renamed)."""
    out.write_bytes(replace_once(good_pyhanko(kit), b"/ByteRange", b"/ByteRangX"))


@doc("usf-no-contents")
def usf_no_contents(kit: Kit, out: Path) -> None:
    """USF [CCS19]: the signature dictionary has no /Contents (the key renamed)."""
    data = good_pyhanko(kit)
    lay = sig_layout(data)
    out.write_bytes(replace_once(data, b"/Contents", b"/Contentz", after=lay.contents_start - 12))


@doc("usf-byterange-nonsense")
def usf_byterange_nonsense(kit: Kit, out: Path) -> None:
    """USF [CCS19]: /ByteRange with a negative offset and ranges past the end of file."""
    out.write_bytes(set_byte_range(good_pyhanko(kit), (0, -5, 99999999, 7)))


@doc("usf-byterange-partial")
def usf_byterange_partial(kit: Kit, out: Path) -> None:
    """USF [CCS19]: a cryptographically valid signature whose /ByteRange stops before the
    end of its own revision: the revision's xref stream, trailer and startxref are not
    signed (an attacker may rewrite them)."""
    data = good_pyhanko(kit)
    a, b, c, d = sig_layout(data).byte_range
    tail = len(data) - data.rindex(b"endobj", 0, len(data) - 1) - len(b"endobj")
    out.write_bytes(resign(data, kit.signer("signer-rsa2048"), (a, b, c, d - tail)))


@doc("swa-gap-extended")
def swa_gap_extended(kit: Kit, out: Path) -> None:
    """SWA [CCS19]: the /ByteRange gap runs 40 bytes past the end of /Contents (into the
    signature dictionary), so those bytes are unsigned; the signature itself is valid."""
    data = good_pyhanko(kit)
    a, b, c, d = sig_layout(data).byte_range
    out.write_bytes(resign(data, kit.signer("signer-rsa2048"), (a, b, c + 40, d - 40)))


@doc("swa-gap-shifted")
def swa_gap_shifted(kit: Kit, out: Path) -> None:
    """SWA [CCS19]: the gap is shifted 10 bytes to the left: it starts at the "/Contents "
    key (now unsigned) and stops before the last 10 bytes of the /Contents string (zero
    padding and '>', now signed). Its length still equals the /Contents string, so
    "len1 + len2 + len(/Contents) == file size" holds (pyHanko calls it ENTIRE_FILE): only
    comparing the gap with the offsets of /Contents catches it."""
    data = good_pyhanko(kit)
    a, b, c, d = sig_layout(data).byte_range
    out.write_bytes(resign(data, kit.signer("signer-rsa2048"), (a, b - 10, c - 10, d + 10)))


@doc("hash-mismatch")
def hash_mismatch(kit: Kit, out: Path) -> None:
    """One byte of the signed page text changed ("Dieu 1" -> "Dieu 7"): digest mismatch."""
    out.write_bytes(replace_once(good_pyhanko(kit), b"(Dieu 1.", b"(Dieu 7."))


@doc("bad-signature-value")
def bad_signature_value(kit: Kit, out: Path) -> None:
    """One byte of the RSA signature value inside the CMS flipped; the DER stays valid and
    the document digest still matches: only the signature check fails."""
    data = good_pyhanko(kit)
    content = cms_of(data)
    signer_info = content["content"]["signer_infos"][0]
    value = bytearray(signer_info["signature"].native)
    value[len(value) // 2] ^= 0x01
    signer_info["signature"] = bytes(value)
    out.write_bytes(embed_cms(data, content.dump(force=True)))


@doc("cms-two-signerinfos")
def cms_two_signerinfos(kit: Kit, out: Path) -> None:
    """A CMS SignedData with two SignerInfos (signer-rsa2048 and signer-second), each a valid
    signature of the document digest: PAdES and ISO 32000 allow exactly one."""
    data = good_pyhanko(kit, reserve=16384)
    lay = sig_layout(data)
    digest = hashlib.sha256(signed_bytes(data, lay.byte_range)).digest()
    first = cms_of(data)
    second = asyncio.run(kit.signer("signer-second").async_sign(
        digest, "sha256", use_pades=True,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC))))
    sd, sd2 = first["content"], second["content"]
    sd["signer_infos"] = cms.SignerInfos([*sd["signer_infos"], *sd2["signer_infos"]])
    sd["certificates"] = cms.CertificateSet([*sd["certificates"], *sd2["certificates"]])
    out.write_bytes(embed_cms(data, first.dump(force=True)))


@doc("cms-encapsulated")
def cms_encapsulated(kit: Kit, out: Path) -> None:
    """An attached CMS: the signed /ByteRange bytes travel inside the SignedData as
    eContent (PDF signatures must be detached). Its messageDigest is still the document's."""
    data = good_pyhanko(kit, reserve=65536)
    lay = sig_layout(data)
    attached = asyncio.run(kit.signer("signer-rsa2048").async_sign_general_data(
        signed_bytes(data, lay.byte_range), "sha256", detached=False))
    out.write_bytes(embed_cms(data, attached.dump()))


# incremental updates after an approval signature (the signature itself stays intact)

@doc("isa-new-content")
def isa_new_content(kit: Kit, out: Path) -> None:
    """ISA [CCS19]: an update appends a content stream to page 1 after signing."""
    def edit(w):
        ref = w.add_object(text_stream("Dieu 3. Bai bo Dieu 1 (them sau khi ky).", at=(72, 500)))
        w.add_stream_to_page(0, ref)
    out.write_bytes(update(good_pyhanko(kit), edit))


@doc("isa-root-swap")
def isa_root_swap(kit: Kit, out: Path) -> None:
    """ISA [CCS19]: the update's trailer points /Root at a new catalog whose page tree holds
    one forged page (the old /AcroForm is kept, so the signature is still found)."""
    def edit(w):
        old_root = w.root
        pages = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Pages"), pdf_name("/Count"): generic.NumberObject(1),
            pdf_name("/Kids"): generic.ArrayObject()})
        pages_ref = w.add_object(pages)
        first_page = w.root["/Pages"]["/Kids"][0]
        forged = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"), pdf_name("/Parent"): pages_ref,
            pdf_name("/MediaBox"): first_page["/MediaBox"],
            pdf_name("/Resources"): first_page["/Resources"],
            pdf_name("/Contents"): w.add_object(text_stream(
                "QUYET DINH (gia mao)", "Dieu 1. Huy bo ke hoach chuyen doi so.", at=(72, 770))),
        })
        pages["/Kids"].append(w.add_object(forged))
        catalog = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Catalog"), pdf_name("/Pages"): pages_ref})
        if "/AcroForm" in old_root:
            catalog[pdf_name("/AcroForm")] = old_root.raw_get("/AcroForm")
        w._root = w.add_object(catalog)  # pyHanko writes /Root from this reference
    out.write_bytes(update(good_pyhanko(kit), edit))


@doc("shadow-hide-and-replace")
def shadow_hide_and_replace(kit: Kit, out: Path) -> None:
    """Shadow attack, hide-and-replace [NDSS21]: before signing, the document gets an
    unreferenced content stream (invisible, but signed); after signing, an update only
    re-points page 1's /Contents to it — no new content object is introduced."""
    shadow_ref: list = []

    def hide(w):
        shadow_ref.append(w.add_object(text_stream(
            "QUYET DINH (noi dung an)", "Dieu 1. Khong phe duyet ke hoach.", at=(72, 770))))

    def replace(w):
        page_ref, _ = w.find_page_for_modification(0)
        page = page_ref.get_object()
        page[pdf_name("/Contents")] = generic.IndirectObject(shadow_ref[0].idnum, 0, w)
        w.update_container(page)

    prepared = update(QD.read_bytes(), hide)
    signed = pyhanko_sign(prepared, kit.signer("signer-rsa2048"))
    out.write_bytes(update(signed, replace))


@doc("approval-then-form-fill")
def approval_then_form_fill(kit: Kit, out: Path) -> None:
    """An approval signature, then a text field filled in: allowed by default (reported as
    FORM_FILLING); strict_modifications refuses it."""
    signed = pyhanko_sign(tt_with_text_field(), kit.signer("signer-rsa2048"),
                          field_name="ChuKyLanhDao")
    out.write_bytes(update(signed, lambda w: fill_text_field(w, "SoVanBan", "So: 7/TTr-VP")))


# certification signatures (DocMDP) and what follows them

@doc("cert1-annotation")
def cert1_annotation(kit: Kit, out: Path) -> None:
    """EAA [SP21]: certification with DocMDP P=1 (no changes), then a FreeText annotation
    (visible text over the page) added in an update."""
    certified = pyhanko_sign(QD.read_bytes(), kit.signer("signer-rsa2048"), certify=True,
                             docmdp=fields.MDPPerm.NO_CHANGES)
    out.write_bytes(update(certified, lambda w: add_annotation(w, _free_text(w))))


@doc("cert2-annotation")
def cert2_annotation(kit: Kit, out: Path) -> None:
    """EAA [SP21] proper: certification P=2 (form filling and signing only) and a FreeText
    annotation added afterwards (annotations need P=3)."""
    certified = pyhanko_sign(QD.read_bytes(), kit.signer("signer-rsa2048"), certify=True,
                             docmdp=fields.MDPPerm.FILL_FORMS)
    out.write_bytes(update(certified, lambda w: add_annotation(w, _free_text(w))))


def _free_text(w) -> generic.DictionaryObject:
    return generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/FreeText"),
        pdf_name("/Rect"): _rect(72, 480, 420, 510), pdf_name("/F"): generic.NumberObject(4),
        pdf_name("/Contents"): pdf_string("DA HUY - khong con hieu luc"),
        pdf_name("/DA"): pdf_string("/Helv 14 Tf 1 0 0 rg"),
        pdf_name("/AP"): generic.DictionaryObject({
            pdf_name("/N"): w.add_object(form_xobject("DA HUY - khong con hieu luc", 348, 30))}),
    })


@doc("cert1-signature-field")
def cert1_signature_field(kit: Kit, out: Path) -> None:
    """SSA [SP21]: certification P=1, then a new visible signature field whose (unsigned)
    widget appearance shows text over the page."""
    certified = pyhanko_sign(QD.read_bytes(), kit.signer("signer-rsa2048"), certify=True,
                             docmdp=fields.MDPPerm.NO_CHANGES)

    def edit(w):
        fields.append_signature_field(
            w, fields.SigFieldSpec("Overlay", box=(72, 400, 372, 440), on_page=0))
        for ref in w.root["/AcroForm"]["/Fields"]:
            widget = ref.get_object()
            if widget.get("/T") == "Overlay":
                widget[pdf_name("/AP")] = generic.DictionaryObject({
                    pdf_name("/N"): w.add_object(form_xobject("Da ky: Pham Thi Dung", 300, 40))})
                w.update_container(widget)
    out.write_bytes(update(certified, edit))


@doc("cert2-fill-and-approve")
def cert2_fill_and_approve(kit: Kit, out: Path) -> None:
    """Certification P=2, then form filling, then an approval signature in the prepared
    field: both allowed by P=2, every signature passes."""
    certified = pyhanko_sign(tt_with_text_field(), kit.signer("signer-rsa2048"),
                             field_name="ChungThuc", certify=True,
                             docmdp=fields.MDPPerm.FILL_FORMS)
    filled = update(certified, lambda w: fill_text_field(w, "SoVanBan", "So: 7/TTr-VP"))
    out.write_bytes(pyhanko_sign(filled, kit.signer("signer-second"), field_name="ChuKyLanhDao"))


# certificates

@doc("expired-signer")
def expired_signer(kit: Kit, out: Path) -> None:
    """signer-expired (valid until 2025-01-01) signs now; no timestamp proves anything."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-expired")))


@doc("revoked-signer")
def revoked_signer(kit: Kit, out: Path) -> None:
    """signer-revoked (revoked 2025-06-01, key compromise) signs now: the claimed signing
    time is after the revocation (OCSP/CRL from the live animator say so)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-revoked")))


@doc("revoked-signer-backdated")
def revoked_signer_backdated(kit: Kit, out: Path) -> None:
    """signer-revoked signs claiming 2025-05-01, a month before its revocation; nothing
    proves the signature existed then (REVOKED_NO_POE)."""
    when = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-revoked"), when=when))


@doc("foreign-signer")
def foreign_signer(kit: Kit, out: Path) -> None:
    """signer-foreign, whose chain ends at foreign-root (embedded, not trusted)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-foreign")))


@doc("weak-rsa1024")
def weak_rsa1024(kit: Kit, out: Path) -> None:
    """signer-weak: an RSA-1024 key (every profile wants 2048+)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-weak")))


@doc("weak-sha1")
def weak_sha1(kit: Kit, out: Path) -> None:
    """signer-rsa2048 with a SHA-1 digest (not in any profile's digests)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-rsa2048"), md="sha1"))


@doc("no-signing-usage")
def no_signing_usage(kit: Kit, out: Path) -> None:
    """signer-nousage: its key usage is key_encipherment only (no digitalSignature or
    nonRepudiation)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-nousage")))


# revocation

@doc("dead-revocation")
def dead_revocation(kit: Kit, out: Path) -> None:
    """signer-rsa2048 re-issued (same key, name and issuer, another serial) with OCSP and
    CRL URLs on a closed port: revocation data is unreachable."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-rsa2048", urls=DEAD_URL)))


@doc("good-g2")
def good_g2(kit: Kit, out: Path) -> None:
    """signer-g2, under interm-g2: every certificate of the chain names live revocation data
    (the root's CRL for interm-g2, OCSP and CRL for the signer), so it can pass under a
    profile that requires revocation checking (vn)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-g2")))


@doc("dead-revocation-g2")
def dead_revocation_g2(kit: Kit, out: Path) -> None:
    """signer-g2 and interm-g2 as in good-g2, but every revocation URL on a closed port."""
    sign_with_revocation_at(kit, DEAD_URL, out)


def sign_with_revocation_at(kit: Kit, url: str, out: Path) -> None:
    """A signer-g2 signature whose chain (signer-g2, interm-g2) names revocation URLs under
    ``url`` (tests point it at a server that never answers)."""
    out.write_bytes(pyhanko_sign(QD.read_bytes(), kit.signer("signer-g2", urls=url)))


def build_all(kit: Kit, folder: Path, names=None) -> dict[str, Path]:
    """Build the documents ``names`` (default: all) as ``folder/<name>.pdf``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names or DOCS:
        path = folder / f"{name}.pdf"
        DOCS[name](kit, path)
        paths[name] = path
    return paths
