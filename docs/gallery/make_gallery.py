"""Regenerate docs/gallery/*.png: the sample decision (fixtures/pdf/qd-123-quyet-dinh.pdf)
signed with each appearance preset, the signed region rendered by poppler at 100 dpi.

    .venv/bin/python docs/gallery/make_gallery.py

Signs with a throwaway self-signed key made on the fly: the pictures show the appearance,
not a trusted signature.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from pathlib import Path

from asn1crypto import keys, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signkit.appearance import Appearance, Preset, appearance_style, preferred_size

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SAMPLE = ROOT / "fixtures" / "pdf" / "qd-123-quyet-dinh.pdf"
IMAGES = ROOT / "fixtures" / "appearance"
ORGANISATION = "Ủy ban nhân dân tỉnh Quảng Ngãi"
DPI = 100
MM = 72 / 25.4


def throwaway_signer() -> signers.SimpleSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn Đặng"),
                       cx509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION)])
    now = dt.datetime.now(dt.UTC)
    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(cx509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    asn1_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_key = keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return signers.SimpleSigner(signing_cert=asn1_cert, signing_key=asn1_key,
                                cert_registry=SimpleCertificateStore.from_certs([asn1_cert]))


def sign(pdf: bytes, appearance: Appearance, box, field: str,
         signer: signers.SimpleSigner) -> bytes:
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=field), signer,
        stamp_style=appearance_style(appearance),
        new_field_spec=fields.SigFieldSpec(field, on_page=0, box=box))
    out = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
    return out.getvalue()


def at(x: float, top: float, appearance: Appearance) -> tuple[float, float, float, float]:
    """The preferred box with its top-left corner at (x, top)."""
    w, h = preferred_size(appearance)
    return (x, top - h, x + w, top)


def render_region(pdf: bytes, name: str, region: tuple[float, float, float, float]) -> None:
    """Render ``region`` (x1, y1, x2, y2 in points, PDF space) of page 1 to ``name``.png."""
    x1, y1, x2, y2 = region
    scale = DPI / 72
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile",
             "-x", str(round(x1 * scale)), "-y", str(round((842 - y2) * scale)),
             "-W", str(round((x2 - x1) * scale)), "-H", str(round((y2 - y1) * scale)),
             str(src), str(HERE / name)], check=True)


def main() -> None:
    signer = throwaway_signer()
    original = SAMPLE.read_bytes()
    signature_block = (40, 480, 330, 700)  # around "CHU TICH" on page 1
    corner = (300, 700, 595, 842)

    personal = Appearance(Preset.VN_PERSONAL, signature_image=IMAGES / "signature.png",
                          signer_name="Nguyễn Văn Đặng")
    personal_box = at(90, 625, personal)
    signed = sign(original, personal, personal_box, "ChuKyCaNhan", signer)
    render_region(signed, "vn-personal", signature_block)

    seal = Appearance(Preset.VN_SEAL, seal_image=IMAGES / "seal.png",
                      organisation=ORGANISATION)
    seal_w, seal_h = preferred_size(seal)
    # the seal over the left third of the signature (what --over-signature computes)
    right = personal_box[0] + (personal_box[2] - personal_box[0]) / 3
    middle = (personal_box[1] + personal_box[3]) / 2
    seal_box = (right - seal_w, middle - seal_h / 2, right, middle + seal_h / 2)
    with_seal = sign(signed, seal, seal_box, "ConDau", signer)
    render_region(with_seal, "vn-personal-and-seal", (20, 440, 330, 700))

    for preset, appearance in (
        (Preset.VN_COPY, Appearance(Preset.VN_COPY, organisation=ORGANISATION)),
        (Preset.VN_ATTACHMENT, Appearance(Preset.VN_ATTACHMENT, organisation=ORGANISATION,
                                          reference="Kèm theo Quyết định số 123/QĐ-UBND")),
    ):
        w, h = preferred_size(appearance)
        box = (595 - 15 * MM - w, 842 - 5 * MM - h, 595 - 15 * MM, 842 - 5 * MM)
        render_region(sign(original, appearance, box, "Sig1", signer), preset.value, corner)

    plain = Appearance(Preset.PLAIN, signer_name="Nguyễn Văn Đặng", reason="Phê duyệt",
                       location="Quảng Ngãi")
    render_region(sign(original, plain, at(40, 650, plain), "Sig1", signer), "plain",
                  signature_block)


if __name__ == "__main__":
    main()
