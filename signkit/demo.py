"""The throwaway demo: a small PKI, a SoftHSM2 token holding the signer's key, the
organisation's seal key, signature and seal images, signed sample PDFs and their
verification report, all inside one work folder.

It also shows the Decree 30/2020 look: the Vietnamese sample decision signed by the person
(token, ``vn-personal`` between "CHỦ TỊCH" and the name) and then by the organisation (a
PKCS#12 key, ``vn-seal`` over the left third of the signature), in one output.

The PKI is a certomancer architecture written into the work folder (``pki/demo-pki.yml``
and its keys): a root CA, the signer, the organisation, an OCSP responder and a TSA, whose
certificates name OCSP and CRL URLs on ``127.0.0.1:<port>``. :func:`serve` answers them
(with certomancer's animator) until it is stopped, for B-T/B-LT/B-LTA signing, ``ltv`` and
revocation checks. A second run reuses the PKI and the token, so that what an earlier run
signed still verifies; ``fresh=True`` starts over.

Nothing outside ``workdir`` is touched, except that ``SOFTHSM2_CONF`` is set for this
process so the SoftHSM2 module finds the demo token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import secrets
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .batch import verify_many
from .errors import Pkcs11ModuleNotFoundError, SignkitError
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
DEMO_PORT = 8719  # the services' port, named in the demo certificates
ARCH = "signkit-demo"
PKI_CONFIG = "demo-pki.yml"
_KEYS = ("root", "signer", "organisation", "ocsp", "tsa")


class DemoError(SignkitError):
    """The demo cannot run or serve: its services' port is taken, its files are damaged."""


@dataclass(frozen=True)
class DemoServices:
    """The demo PKI's services on loopback, as their URLs."""

    base: str

    @property
    def tsa(self) -> str:
        return f"{self.base}/{ARCH}/tsa/tsa"

    @property
    def ocsp(self) -> str:
        return f"{self.base}/{ARCH}/ocsp/root-ocsp"

    @property
    def crl(self) -> str:
        return f"{self.base}/{ARCH}/crls/root/latest.crl"


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
    reused: bool = False  # the PKI and token of an earlier run were kept
    services: DemoServices | None = None  # where serve() answers


def softhsm_module() -> str:
    candidates = [p for p in WELL_KNOWN_MODULES if "softhsm" in p]
    for path in candidates:
        if Path(path).is_file():
            return path
    raise Pkcs11ModuleNotFoundError(candidates)


def _pki_yaml(port: int | None, now: dt.datetime) -> str:
    """The certomancer architecture: root → signer, organisation, OCSP responder, TSA; with
    a ``port``, the root's profile puts its OCSP and CRL URLs into every certificate it
    issues."""
    start = (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    end = (now + dt.timedelta(days=2 * 365)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    signer = f"""
        issuer: root
        validity: {{valid-from: "{start}", valid-to: "{end}"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}"""
    keys = "\n".join(f"      {k}: {{path: keys/{k}.key.pem}}" for k in _KEYS)
    services = ", crl-repo: root, ocsp-service: root-ocsp" if port is not None else ""
    return f"""# signkit demo PKI (certomancer): throwaway, never for real documents
external-url-prefix: "http://127.0.0.1:{port or DEMO_PORT}"
keysets:
  {ARCH}:
    path-prefix: "."
    keys:
{keys}
pki-architectures:
  {ARCH}:
    keyset: {ARCH}
    entity-defaults:
      country-name: VN
      organization-name: "signkit demo (không dùng cho văn bản thật)"
    entities:
      root: {{common-name: signkit Demo Root CA}}
      signer: {{common-name: Nguyễn Văn Demo, organization-name: UBND tỉnh Demo}}
      organisation: {{common-name: UBND tỉnh Demo, organization-name: UBND tỉnh Demo}}
      ocsp: {{common-name: signkit Demo OCSP Responder}}
      tsa: {{common-name: signkit Demo TSA}}
    certs:
      root:
        subject: root
        issuer: root
        validity: {{valid-from: "{start}", valid-to: "{end}"}}
        profiles:
          - id: simple-ca
            params: {{max-path-len: 0{services}}}
      signer:{signer}
      organisation:{signer}
      ocsp:
        issuer: root
        validity: {{valid-from: "{start}", valid-to: "{end}"}}
        profiles: [ocsp-responder]
      tsa:
        issuer: root
        validity: {{valid-from: "{start}", valid-to: "{end}"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - id: extended_key_usage
            critical: true
            value: [time_stamping]
    services:
      ocsp:
        root-ocsp: {{for-issuer: root, responder-cert: ocsp, signing-key: ocsp}}
      crl-repo:
        root: {{for-issuer: root, signing-key: root, simulated-update-schedule: "P7D"}}
      time-stamping:
        tsa: {{signing-key: tsa, signing-cert: tsa}}
"""


def make_demo_pki(folder: Path, *, port: int | None = None
                  ) -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    """Write a demo PKI into ``folder``: keys (``keys/``), the certomancer configuration,
    ``root.pem``, ``signer.pem``, ``tsa.pem``, and the organisation's key and certificate in
    ``organisation.p12`` (password in ``organisation-password.txt``). With ``port``, the
    certificates name the OCSP and CRL URLs :func:`serve` answers on that port. Returns
    the signer's key and certificate and the root certificate."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    (folder / "keys").mkdir(parents=True, exist_ok=True)
    for name in _KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path = folder / "keys" / f"{name}.key.pem"
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
    (folder / PKI_CONFIG).write_text(_pki_yaml(port, dt.datetime.now(dt.UTC)),
                                     encoding="utf-8")
    arch = load_demo_pki(folder)
    for name in ("root", "signer", "tsa"):
        (folder / f"{name}.pem").write_bytes(
            _cert(arch, name).public_bytes(serialization.Encoding.PEM))
    password = secrets.token_hex(8)
    secret = folder / "organisation-password.txt"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    (folder / "organisation.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"organisation", _key(arch, "organisation"), _cert(arch, "organisation"),
        [_cert(arch, "root")], serialization.BestAvailableEncryption(password.encode())))
    return _key(arch, "signer"), _cert(arch, "signer"), _cert(arch, "root")


def load_demo_pki(folder: Path):
    """The certomancer architecture of ``folder/demo-pki.yml`` (the same certificates each
    time: certomancer's serial numbers and RSA PKCS#1 v1.5 signatures are deterministic)."""
    registry = _certomancer_registry()

    try:
        config = registry.CertomancerConfig.from_file(
            folder / PKI_CONFIG, key_search_dir=folder)
        return config.get_pki_arch(registry.ArchLabel(ARCH))
    except Exception as e:  # certomancer raises many kinds for a damaged configuration
        raise DemoError(f"the demo PKI in {folder} cannot be read ({e}); start over with "
                        "a fresh demo") from None


def _certomancer_registry():
    try:
        from certomancer import registry
    except ImportError:
        raise DemoError("the demo needs certomancer: pip install 'signkit[demo]'") from None
    return registry


def _write_crl(folder: Path) -> Path:
    """The demo root's current CRL, as its CRL service would answer, in ``root.crl``."""
    registry = _certomancer_registry()
    arch = load_demo_pki(folder)
    crl = arch.service_registry.get_crl(registry.ServiceLabel("root"),
                                        at_time=dt.datetime.now(dt.UTC))
    path = folder / "root.crl"
    path.write_bytes(crl.dump())
    return path


def demo_port(folder: Path) -> int:
    """The port the demo certificates name (``external-url-prefix`` of the PKI)."""
    for line in (folder / PKI_CONFIG).read_text(encoding="utf-8").splitlines():
        if line.startswith("external-url-prefix:"):
            return int(line.rsplit(":", 1)[1].strip().strip('"'))
    raise DemoError(f"{folder / PKI_CONFIG} names no service address")


def _cert(arch, label: str) -> x509.Certificate:
    from certomancer import registry

    return x509.load_der_x509_certificate(arch.get_cert(registry.CertLabel(label)).dump())


def _key(arch, label: str):
    from certomancer import registry

    info = arch.key_set.get_private_key(registry.KeyLabel(label))
    return serialization.load_der_private_key(info.dump(), password=None)


def _state_is_complete(workdir: Path) -> bool:
    pki = workdir / "pki"
    needed = [pki / PKI_CONFIG, pki / "root.pem", pki / "organisation.p12",
              pki / "organisation-password.txt", workdir / "demo-pin.txt",
              workdir / "softhsm" / "softhsm2.conf"]
    tokens = workdir / "softhsm" / "tokens"
    return all(p.is_file() for p in needed) and tokens.is_dir() and any(tokens.iterdir())


def _wipe(workdir: Path) -> None:
    """The demo's own state (PKI, token, PIN); signed outputs stay where they are."""
    shutil.rmtree(workdir / "pki", ignore_errors=True)
    shutil.rmtree(workdir / "softhsm" / "tokens", ignore_errors=True)
    (workdir / "demo-pin.txt").unlink(missing_ok=True)


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


def run_demo(workdir: Path, samples: list[Path] | None = None, *, fresh: bool = False,
             port: int = DEMO_PORT) -> DemoResult:
    """Make the demo PKI, token, keys and images in ``workdir`` (or reuse those of an
    earlier run, unless ``fresh``), sign ``samples`` (default: one generated document) into
    ``workdir/signed`` and the Vietnamese decision into ``workdir/decree30``, and verify
    them with the demo's OCSP and CRL served for the while."""
    workdir = workdir.resolve()
    module = softhsm_module()
    if fresh or not _state_is_complete(workdir):
        _wipe(workdir)  # a partial or older demo: start over
        reused = False
    else:
        reused = True
    os.environ["SOFTHSM2_CONF"] = str(write_softhsm_config(workdir / "softhsm"))
    pin_file = workdir / "demo-pin.txt"
    if not reused:
        key, signer_cert, root = make_demo_pki(workdir / "pki", port=port)
        pin = secrets.token_hex(4)
        pin_file.write_text(pin + "\n")
        pin_file.chmod(0o600)
        init_token(module, label=DEMO_TOKEN, so_pin=secrets.token_hex(8), user_pin=pin)
        import_key_and_certificate(
            module, token_label=DEMO_TOKEN, user_pin=pin, key=key, certificate=signer_cert,
            label=DEMO_KEY, key_id=b"\x01", extra_certificates=(root,),
        )
    pin = pin_file.read_text().strip()

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
    if decree30.output is not None:
        signed.append(decree30.output)
    # the demo's own fresh files: verified in this process, without the batch's limits
    verify = VerifyOptions(profile="demo", trust=(root_pem,), time_limit=0)
    with ExitStack() as services:
        try:
            services.enter_context(serving(workdir))
        except DemoError:  # the port is taken (another demo?): judge with the CRL, offline
            verify = dataclasses.replace(verify, offline=True,
                                         crls=(_write_crl(workdir / "pki"),))
        report = verify_many(signed, options=verify, jobs=1, memory_limit=0)
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
        reused=reused,
        services=DemoServices(f"http://127.0.0.1:{demo_port(workdir / 'pki')}"),
    )


@contextmanager
def serving(workdir: Path) -> Iterator[DemoServices]:
    """The demo PKI of ``workdir`` (made by :func:`run_demo`) answering OCSP, CRL and
    time-stamp requests on 127.0.0.1, at the port its certificates name, while the
    ``with`` block runs (a thread of this process)."""
    import threading

    server = _server(workdir / "pki")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield DemoServices(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()


def serve(workdir: Path, *, ready: Callable[[DemoServices], None] | None = None) -> None:
    """Serve the demo PKI of ``workdir`` in this thread until interrupted (a
    KeyboardInterrupt ends it; the port is closed either way); ``ready`` hears the URLs
    once they answer."""
    server = _server(workdir / "pki")
    try:
        if ready is not None:
            ready(DemoServices(f"http://127.0.0.1:{server.server_port}"))
        server.serve_forever()
    finally:
        server.server_close()


def _server(pki: Path):
    if not (pki / PKI_CONFIG).is_file():
        raise DemoError(f"there is no demo PKI in {pki.parent} yet: run the demo first")
    arch = load_demo_pki(pki)
    try:
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from werkzeug.serving import make_server
    except ImportError:
        raise DemoError("the demo's services need certomancer's web extra: pip install "
                        "'signkit[demo]'") from None

    class WholeSecondAnimator(Animator):
        # NSS (pdfsig) rejects OCSP responses whose times carry fractional seconds
        def at_time(self, request):
            return super().at_time(request).replace(microsecond=0)

    app = WholeSecondAnimator(AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False)
    port = demo_port(pki)
    with socket.socket() as probe:  # werkzeug prints and exits on a taken port: ask first
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as e:
            raise DemoError(f"port {port} on 127.0.0.1 is in use (by the services of another "
                            f"demo?): the demo services cannot start ({e.strerror})") from None
    return make_server("127.0.0.1", port, app, threaded=True)


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
                                             organisation=ORGANISATION,
                                             seal_size_mm=demo_seal_size_mm()))
    password = (workdir / "pki" / "organisation-password.txt").read_text().strip()
    with open_pkcs12(workdir / "pki" / "organisation.p12", password=password) as office:
        return sign_pdf(source, folder / source.name, key=person_key, options=personal,
                        overwrite=True, seal_key=office, seal_options=seal)


def demo_seal_size_mm() -> float:
    """The seal's diameter the demo profile sets (``[appearance] seal_size_mm``), else
    signkit's default."""
    from .appearance.presets import DEFAULT_SEAL_SIZE_MM
    from .profiles import load_profile

    size = load_profile("demo").appearance.seal_size_mm
    return float(size) if size is not None else DEFAULT_SEAL_SIZE_MM
