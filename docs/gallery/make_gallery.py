"""Regenerate docs/gallery/*.png: the Vietnamese sample decision
(fixtures/pdf/qd-124-quyet-dinh-vi.pdf) signed with each appearance preset through the real
`signkit sign` command, the signed region rendered by poppler at 100 dpi.

    .venv/bin/python docs/gallery/make_gallery.py

Signs with throwaway self-signed PKCS#12 keys made on the fly (the person's and the
organisation's): the pictures show the appearance, not a trusted signature.

html-report.png (the HTML verification report in chromium) comes from its browser test:

    SIGNKIT_UPDATE_GALLERY=1 .venv/bin/python -m pytest -q tests/test_html_report_browser.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SAMPLE = ROOT / "fixtures" / "pdf" / "qd-124-quyet-dinh-vi.pdf"
IMAGES = ROOT / "fixtures" / "appearance"
SIGNKIT = Path(sys.executable).parent / "signkit"
ORGANISATION = "Ủy ban nhân dân tỉnh Quảng Ngãi"
NAME = "Nguyễn Văn Đặng"
PASSWORD = "gallery"
DPI = 100
PAGE_HEIGHT = 842
SIGNATURE_BLOCK = (250, 170, 560, 420)  # points: title, signature, seal and name
CORNER = (300, 700, 595, 842)


def throwaway_p12(path: Path, common_name: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"gallery", key, cert, None, serialization.BestAvailableEncryption(PASSWORD.encode())))
    return path


def sign(out: Path, key: Path, *options: str) -> Path:
    env = {**os.environ, "SIGNKIT_PIN": PASSWORD, "SIGNKIT_SEAL_PIN": PASSWORD,
           "HOME": str(out.parent)}  # no user config file
    env.pop("SIGNKIT_CONFIG", None)
    subprocess.run([str(SIGNKIT), "sign", str(SAMPLE), "-o", str(out), "--pkcs12", str(key),
                    *options], check=True, env=env)
    return out


def render_region(pdf: Path, name: str, region: tuple[float, float, float, float]) -> None:
    """Render ``region`` (x1, y1, x2, y2 in points) of page 1 to ``name``.png, as a small
    palette PNG."""
    x1, y1, x2, y2 = region
    scale = DPI / 72
    run = subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile",
         "-x", str(round(x1 * scale)), "-y", str(round((PAGE_HEIGHT - y2) * scale)),
         "-W", str(round((x2 - x1) * scale)), "-H", str(round((y2 - y1) * scale)), str(pdf)],
        check=True, capture_output=True)
    image = Image.open(io.BytesIO(run.stdout)).convert("RGB")
    image.quantize(colors=64).save(HERE / f"{name}.png", optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        person = throwaway_p12(work / "person.p12", NAME)
        office = throwaway_p12(work / "office.p12", ORGANISATION)
        between = ("--anchor", "CHỦ TỊCH", "--until", NAME)
        personal = ("--signature-image", str(IMAGES / "signature.png"))
        render_region(sign(work / "personal.pdf", person, *between, *personal),
                      "vn-personal", SIGNATURE_BLOCK)
        sealed = sign(work / "sealed.pdf", person, *between, *personal, "--then-seal",
                      "--seal-pkcs12", str(office), "--seal-image", str(IMAGES / "seal.png"),
                      "--organisation", ORGANISATION)
        render_region(sealed, "vn-personal-and-seal", SIGNATURE_BLOCK)
        render_region(sign(work / "copy.pdf", office, "--appearance", "vn-copy",
                           "--organisation", ORGANISATION), "vn-copy", CORNER)
        render_region(sign(work / "attachment.pdf", office, "--appearance", "vn-attachment",
                           "--reference", "Kèm theo Quyết định số 124/QĐ-UBND",
                           "--organisation", ORGANISATION), "vn-attachment", CORNER)
        render_region(sign(work / "plain.pdf", person, "--appearance", "plain", *between,
                           "--reason", "Phê duyệt", "--location", "Quảng Ngãi"),
                      "plain", SIGNATURE_BLOCK)


if __name__ == "__main__":
    main()
