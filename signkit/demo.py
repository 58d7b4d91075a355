"""The throwaway demo: a two-level PKI, a SoftHSM2 token holding the signer's key, signed
sample PDFs and their verification report, all inside one work folder.

It also shows the Decree 30/2020 look: the Vietnamese sample decision signed by the person
(token, ``vn-personal`` between "CHỦ TỊCH" and the name) and then by the organisation (a
PKCS#12 key, ``vn-seal`` over the left third of the signature), in one output.

Nothing outside ``workdir`` is touched, except that ``SOFTHSM2_CONF`` is set for this
process so the SoftHSM2 module finds the demo token.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .batch import verify_many
from .errors import Pkcs11ModuleNotFoundError
from .report import BatchReport
from .signing import (
    BatchOutcome,
    SignOptions,
    SignResult,
    collect_pdfs,
    plan_outputs,
    sign_many,
    sign_pdf,
)
from .tokens import open_token
from .tokens.modules import WELL_KNOWN_MODULES
from .tokens.provision import import_key_and_certificate, init_token, write_softhsm_config
from .verification import VerifyOptions

DEMO_TOKEN = "signkit-demo"
DEMO_KEY = "demo-signer"


@dataclass(frozen=True)
class DemoResult:
    workdir: Path
    module: str
    token_label: str
    root_certificate: Path
    signer_certificate: Path
    pin_file: Path
    outcome: BatchOutcome
    decree30: SignResult  # the Vietnamese decision with the signature and the seal over it
    report: BatchReport  # the signed files, verified against the demo root


def softhsm_module() -> str:
    candidates = [p for p in WELL_KNOWN_MODULES if "softhsm" in p]
    for path in candidates:
        if Path(path).is_file():
            return path
    raise Pkcs11ModuleNotFoundError(candidates)


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def make_demo_pki(folder: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    """A root CA and a signer certificate (RSA-2048, document-signing key usage); the
    organisation's key and certificate in ``organisation.p12`` (password in
    ``organisation-password.txt``)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("signkit Demo Root CA", "signkit demo (không dùng cho văn bản thật)")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    signer_key, signer = _leaf("Nguyễn Văn Demo", root_key, root_name, now)
    for name, cert in (("root.pem", root), ("signer.pem", signer)):
        (folder / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_organisation_key(folder, root_key, root_name, now)
    return signer_key, signer, root


def _leaf(common_name: str, root_key: rsa.RSAPrivateKey, root_name: x509.Name,
          now: dt.datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A 90-day signing key and certificate of "UBND tỉnh Demo" under the demo root."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, "UBND tỉnh Demo"))
        .issuer_name(root_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                       critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    return key, cert


def _write_organisation_key(folder: Path, root_key: rsa.RSAPrivateKey, root_name: x509.Name,
                            now: dt.datetime) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, cert = _leaf("UBND tỉnh Demo", root_key, root_name, now)
    password = secrets.token_hex(8)
    secret = folder / "organisation-password.txt"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    (folder / "organisation.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"organisation", key, cert, None,
        serialization.BestAvailableEncryption(password.encode())))


def sample_pdf_writer(pages: list[list[str]]):
    """A plain PDF writer with one page of ASCII text (standard Times font) per entry."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    def name(n: str) -> generic.NameObject:
        return generic.NameObject(n)

    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        name("/Type"): name("/Font"),
        name("/Subtype"): name("/Type1"),
        name("/BaseFont"): name("/Times-Roman"),
    }))
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 770 Td", *(f"({t}) Tj T*" for t in lines), "ET"]
        content = generic.StreamObject(stream_data="\n".join(ops).encode("latin-1"))
        writer.insert_page(generic.DictionaryObject({
            name("/Type"): name("/Page"),
            name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
            name("/Contents"): writer.add_object(content),
            name("/Resources"): generic.DictionaryObject(
                {name("/Font"): generic.DictionaryObject({name("/F1"): font})}),
        }))
    return writer


def write_sample_pdf(path: Path, pages: list[list[str]]) -> None:
    with open(path, "wb") as f:
        sample_pdf_writer(pages).write(f)


def run_demo(workdir: Path, samples: list[Path] | None = None) -> DemoResult:
    """Build the demo PKI and token in ``workdir`` (wiped of earlier demo state) and sign
    ``samples`` (default: one generated document) into ``workdir/signed``."""
    workdir = workdir.resolve()
    module = softhsm_module()
    hsm = workdir / "softhsm"
    if hsm.exists():  # a fresh token each run: the demo's state is throwaway by design
        for token_dir in (hsm / "tokens").glob("*"):
            for f in token_dir.glob("*"):
                f.unlink()
            token_dir.rmdir()
    os.environ["SOFTHSM2_CONF"] = str(write_softhsm_config(hsm))

    key, signer_cert, root = make_demo_pki(workdir / "pki")
    pin = secrets.token_hex(4)
    pin_file = workdir / "demo-pin.txt"
    pin_file.write_text(pin + "\n")
    pin_file.chmod(0o600)
    init_token(module, label=DEMO_TOKEN, so_pin=secrets.token_hex(8), user_pin=pin)
    import_key_and_certificate(
        module, token_label=DEMO_TOKEN, user_pin=pin, key=key, certificate=signer_cert,
        label=DEMO_KEY, key_id=b"\x01", extra_certificates=(root,),
    )

    if not samples:
        sample = workdir / "sample-quyet-dinh.pdf"
        write_sample_pdf(sample, [["QUYET DINH (demo)", "So: 1/QD-DEMO", "CHU TICH"]])
        samples = [sample]
    jobs = plan_outputs(collect_pdfs(samples), out_dir=workdir / "signed")
    options = SignOptions(reason="signkit demo", location="Việt Nam")
    with open_token(module=module, token=DEMO_TOKEN, pin=pin) as signing_key:
        outcome = sign_many(jobs, key=signing_key, options=options, overwrite=True)
        decree30 = _sign_decree30(workdir, signing_key)
    root_pem = workdir / "pki" / "root.pem"
    signed = [r.output for r in outcome.results if r.output is not None]
    signed.append(decree30.output)
    # the demo's own fresh files: verified in this process, without the batch's limits
    report = verify_many(signed, options=VerifyOptions(profile="demo", trust=(root_pem,),
                                                       time_limit=0), jobs=1, memory_limit=0)
    return DemoResult(
        workdir=workdir,
        module=module,
        token_label=DEMO_TOKEN,
        root_certificate=root_pem,
        signer_certificate=workdir / "pki" / "signer.pem",
        pin_file=pin_file,
        outcome=outcome,
        decree30=decree30,
        report=report,
    )


def _sign_decree30(workdir: Path, person_key) -> SignResult:
    """The Vietnamese decision: the person's signature between the title and the name,
    then the organisation's seal over its left third; one output, two signatures."""
    from .appearance import Appearance, Placement, Preset
    from .demo_samples import ORGANISATION, SIGNER_NAME, write_decision_pdf, write_demo_images
    from .tokens import open_pkcs12

    folder = workdir / "decree30"
    folder.mkdir(parents=True, exist_ok=True)
    source = write_decision_pdf(workdir / "qd-124-quyet-dinh-vi.pdf")
    signature_image, seal_image = write_demo_images(workdir / "images")
    personal = SignOptions(
        appearance=Appearance(Preset.VN_PERSONAL, signature_image=signature_image),
        placement=Placement(anchor="CHỦ TỊCH", until=SIGNER_NAME))
    seal = SignOptions(appearance=Appearance(Preset.VN_SEAL, seal_image=seal_image,
                                             organisation=ORGANISATION))
    password = (workdir / "pki" / "organisation-password.txt").read_text().strip()
    with open_pkcs12(workdir / "pki" / "organisation.p12", password=password) as office:
        return sign_pdf(source, folder / source.name, key=person_key, options=personal,
                        overwrite=True, seal_key=office, seal_options=seal)
