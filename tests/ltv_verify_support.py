"""Long-term verification tests' own PKI: fixtures/pki/testing-ca.yml served by certomancer's
animator on a loopback port whose clock a test can set (OCSP, CRLs and the TSA then answer as at
that time), documents signed against it, altered timestamp tokens, and pyHanko's own AdES
validation to check signkit's verdicts against."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import threading
from pathlib import Path

from asn1crypto import ocsp as asn1_ocsp
from certomancer import registry
from certomancer.integrations.animator import Animator, AnimatorArchStore
from conftest import FIXTURES, SAMPLE
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation, ades_with_time_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer
from werkzeug.serving import make_server

import signkit
from signkit import PadesLevel, SignOptions

P12_PASSWORD = "ltv-secret"
# which issuing CA each signer of these tests hangs under (and which key it uses)
ISSUER = {"signer-g2": "interm-g2", "signer-g2-revoked-later": "interm-g2",
          "signer-revoked": "interm", "signer-rsa2048": "interm"}
KEY = {"signer-g2-revoked-later": "signer-second"}


class ClockedPki:
    """The test PKI behind its own animator; ``clock`` (None: real time) is the time its OCSP
    responders, CRLs and TSA answer for."""

    def __init__(self, folder: Path):
        self.clock: dt.datetime | None = None
        self.folder = folder
        holder: list = []
        self._server = make_server("127.0.0.1", 0, lambda env, start: holder[0](env, start),
                                   threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        config = registry.CertomancerConfig.from_file(
            FIXTURES / "pki" / "testing-ca.yml", key_search_dir=FIXTURES / "pki",
            external_url_prefix=self.url)
        self.arch = config.get_pki_arch(registry.ArchLabel("testing-ca"))
        pki = self

        class ClockedAnimator(Animator):
            def at_time(self, request):
                # whole seconds: NSS and strict readers refuse fractional OCSP times
                return (pki.clock or super().at_time(request)).replace(microsecond=0)

        holder.append(ClockedAnimator(AnimatorArchStore({self.arch.arch_label: self.arch}),
                                      with_web_ui=False))
        self.tsa_url = f"{self.url}/testing-ca/tsa/tsa"

    def close(self) -> None:
        self._server.shutdown()

    def asn1(self, label: str):
        return self.arch.get_cert(registry.CertLabel(label))

    def pem(self, label: str) -> Path:
        path = self.folder / f"{label}.pem"
        if not path.exists():
            path.write_bytes(pem_of(self.asn1(label).dump()))
        return path

    def p12(self, label: str, *, with_chain: bool = True) -> Path:
        path = self.folder / f"{label}{'' if with_chain else '-alone'}.p12"
        if not path.exists():
            from cryptography import x509

            key_info = self.arch.key_set.get_private_key(registry.KeyLabel(KEY.get(label, label)))
            key = serialization.load_der_private_key(key_info.dump(), password=None)
            certs = [x509.load_der_x509_certificate(self.asn1(c).dump())
                     for c in (label, ISSUER[label], "root")]
            path.write_bytes(pkcs12.serialize_key_and_certificates(
                label.encode(), key, certs[0], certs[1:] if with_chain else None,
                serialization.BestAvailableEncryption(P12_PASSWORD.encode())))
        return path

    def sign(self, label: str, level: str, out: Path, *, with_chain: bool = True) -> Path:
        """Sign the sample at ``level``; the TSA stamps the animator's clock time."""
        options = SignOptions(
            level=PadesLevel.from_name(level), tsa_url=self.tsa_url, trust=(self.pem("root"),),
            other_certs=(self.pem(ISSUER[label]),) if with_chain else ())
        with signkit.open_pkcs12(self.p12(label, with_chain=with_chain),
                                 password=P12_PASSWORD) as key:
            assert signkit.sign_pdf(SAMPLE, out, key=key, options=options).ok
        return out

    def crl_files(self, at: dt.datetime, repos=("interm-g2", "root-ca", "root")) -> tuple:
        """The CRLs the CAs would publish at ``at``, as local files."""
        paths = []
        for repo in repos:
            crl = self.arch.service_registry.get_crl(registry.ServiceLabel(repo), at_time=at)
            path = self.folder / f"{repo}-{at:%Y%m%d}.crl"
            path.write_bytes(crl.dump())
            paths.append(path)
        return tuple(paths)


def pem_of(der: bytes) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", der)


# --- documents derived from signed ones ---------------------------------------------------------

def reader_of(path: Path) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(path.read_bytes()))


def flip_token_signature(source: Path, out: Path, *, document_timestamp: bool) -> Path:
    """Change one byte of a timestamp token's own signature value (the signature timestamp's,
    or the document timestamp's) inside /Contents: the signed byte ranges stay as they were."""
    reader = reader_of(source)
    if document_timestamp:
        (doc_ts,) = reader.embedded_timestamp_signatures
        token = doc_ts.signed_data
    else:
        (sig,) = reader.embedded_regular_signatures
        (attr,) = [a for a in sig.signer_info["unsigned_attrs"]
                   if a["type"].native == "signature_time_stamp_token"]
        token = attr["values"][0]["content"]
    value = token["signer_infos"][0]["signature"].native
    data = source.read_bytes()
    hex_value = value.hex().encode()
    at = data.lower().find(hex_value)
    assert at > 0 and data.lower().count(hex_value) == 1
    end = at + len(hex_value)
    last = int(data[end - 2:end], 16)
    out.write_bytes(data[:end - 2] + f"{last ^ 0x01:02x}".encode() + data[end:])
    return out


def add_partial_dss(source: Path, out: Path, *, donor: Path) -> Path:
    """``source`` (B-T) plus a DSS that holds the chain's certificates and the signer's OCSP
    response (taken from ``donor``'s DSS), but no CRL for the issuing CA."""
    donor_dss = DocumentSecurityStore.read_dss(reader_of(donor))
    ocsps = [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in donor_dss.ocsps]
    certs = list(donor_dss.load_certs())
    (sig,) = reader_of(source).embedded_regular_signatures
    buffer = io.BytesIO(source.read_bytes())
    DocumentSecurityStore.add_dss(buffer, sig.pkcs7_content, certs=certs, ocsps=ocsps)
    out.write_bytes(buffer.getvalue())
    return out


# --- pyHanko's own judgement ---------------------------------------------------------------------

def pyhanko_spec(pki: ClockedPki, crls=()) -> PdfSignatureValidationSpec:
    """ETSI EN 319 102-1 settings for pyHanko alone: the test root, the given CRLs, nothing
    fetched."""
    from asn1crypto import crl as asn1_crl

    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[pki.asn1("root")]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail")))
    known = [CRLContainer(asn1_crl.CertificateList.load(Path(c).read_bytes())) for c in crls]
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        policy, revinfo_gathering_policy=RevocationInfoGatheringSpec(
            RevinfoOnlineFetchingRule.LOCAL_ONLY),
        local_knowledge=LocalKnowledge(known_crls=known)))


def _timing(at: dt.datetime) -> ValidationTimingInfo:
    return ValidationTimingInfo(validation_time=at, best_signature_time=at,
                                point_in_time_validation=True)


def pyhanko_long_term(pki: ClockedPki, path: Path, at: dt.datetime, crls=()):
    """pyHanko's PAdES long-term validation (§5.6.3), offline, at ``at``."""
    (sig,) = reader_of(path).embedded_regular_signatures
    return asyncio.run(ades_lta_validation(sig, pyhanko_spec(pki, crls), timing_info=_timing(at)))


def pyhanko_with_time(pki: ClockedPki, path: Path, at: dt.datetime, crls=()):
    """pyHanko's validation of a signature with time (§5.5), offline, at ``at``."""
    (sig,) = reader_of(path).embedded_regular_signatures
    sig.compute_integrity_info()
    spec = pyhanko_spec(pki, crls).signature_validation_spec
    return asyncio.run(ades_with_time_validation(
        sig.signed_data, spec, timing_info=_timing(at), raw_digest=sig.compute_digest(),
        extra_status_kwargs=sig.summarise_integrity_info(), status_cls=PdfSignatureStatus))


def pyhanko_plain(pki: ClockedPki, path: Path, at: dt.datetime | None = None, crls=()):
    """pyHanko's plain validation at one moment, no timestamps' proofs of existence."""
    from asn1crypto import crl as asn1_crl

    (sig,) = reader_of(path).embedded_regular_signatures
    context = ValidationContext(
        trust_roots=[pki.asn1("root")], other_certs=[pki.asn1(c) for c in ("interm", "interm-g2")],
        crls=[asn1_crl.CertificateList.load(Path(c).read_bytes()) for c in crls],
        moment=at, allow_fetching=False, revocation_mode="soft-fail")
    return validate_pdf_signature(sig, context)
