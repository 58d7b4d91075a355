"""What a signed PDF itself holds for long-term validation: certificates and revocation data
(CMS and /DSS), the signature timestamp, document timestamps; and from that, the PAdES level it
really reaches and, for offline validation, what is missing."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

_PARSE_ERRORS = (PdfError, ValueError, KeyError, TypeError, AttributeError)
_MAX_CHAIN = 10


@dataclass
class Evidence:
    """Validation data found in the document, DSS items with the revision that added them."""

    certs: list[asn1_x509.Certificate] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    dss_present: bool = False
    # (item, revision that introduced it) for the DSS's revocation data only
    dss_revinfo: list[tuple[asn1_crl.CertificateList | asn1_ocsp.OCSPResponse, int]] = field(
        default_factory=list)

    def as_context_kwargs(self) -> dict:
        return {"embedded_certs": self.certs, "embedded_crls": self.crls,
                "embedded_ocsps": self.ocsps}


def dss_evidence(reader: PdfFileReader) -> Evidence:
    """Certificates and revocation data of the document's DSS, read once per document;
    unreadable items are skipped (the verdict, not this inventory, judges a damaged file)."""
    evidence = Evidence()
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (*_PARSE_ERRORS, NoDSSFoundError):
        return evidence
    evidence.dss_present = True
    with contextlib.suppress(*_PARSE_ERRORS):
        evidence.certs += list(dss.load_certs())
    for refs, load, bucket in ((dss.ocsps, asn1_ocsp.OCSPResponse.load, evidence.ocsps),
                               (dss.crls, asn1_crl.CertificateList.load, evidence.crls)):
        for ref in refs:
            with contextlib.suppress(*_PARSE_ERRORS):
                item = load(ref.get_object().data)
                bucket.append(item)
                evidence.dss_revinfo.append((item, _introducing_revision(reader, ref)))
    return evidence


def embedded_evidence(reader: PdfFileReader, sig: EmbeddedPdfSignature,
                      dss: Evidence | None = None) -> Evidence:
    """What the document carries for ``sig``: the certificates in its CMS and the DSS
    (``dss``: the document's :func:`dss_evidence`, when already read)."""
    dss = dss if dss is not None else dss_evidence(reader)
    return dataclasses.replace(dss, certs=[*sig.other_embedded_certs, *dss.certs])


def _introducing_revision(reader: PdfFileReader, ref) -> int:
    try:
        return reader.xrefs.get_introducing_revision(getattr(ref, "reference", ref))
    except (KeyError, AttributeError):
        return reader.xrefs.total_revisions - 1


# --- chains and their revocation data ----------------------------------------------------------

@dataclass(frozen=True)
class Chain:
    """The signer's certificate up to a trust anchor, as far as the known certificates go."""

    certs: tuple[asn1_x509.Certificate, ...]  # signer first
    anchored: bool  # ends at a trust anchor
    missing_issuer: asn1_x509.Name | None  # the issuer no known certificate matches


def build_chain(
    signer: asn1_x509.Certificate, pool: Iterable[asn1_x509.Certificate],
    anchors: Iterable[asn1_x509.Certificate],
) -> Chain:
    """Walk issuer by issuer (name and key identifier); a diagnosis aid, not a trust decision
    (pyHanko's path validation makes that)."""
    anchor_list = list(anchors)
    candidates = [*anchor_list, *pool]
    anchor_keys = {c.dump() for c in anchor_list}
    chain = [signer]
    current = signer
    while len(chain) < _MAX_CHAIN:
        if current.dump() in anchor_keys:
            return Chain(tuple(chain), True, None)
        if current.self_issued:
            return Chain(tuple(chain), False, None)
        issuer = next((c for c in candidates if _issued_by(current, c)), None)
        if issuer is None:
            return Chain(tuple(chain), False, current.issuer)
        chain.append(issuer)
        current = issuer
    return Chain(tuple(chain), False, None)


def _issued_by(cert: asn1_x509.Certificate, candidate: asn1_x509.Certificate) -> bool:
    if candidate.subject != cert.issuer or candidate.dump() == cert.dump():
        return False
    wanted, has = cert.authority_key_identifier, candidate.key_identifier
    return wanted is None or has is None or wanted == has


def declares_revocation(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points or cert.ocsp_urls)


def revocation_covered(
    cert: asn1_x509.Certificate, crls: Iterable[asn1_crl.CertificateList],
    ocsps: Iterable[asn1_ocsp.OCSPResponse],
) -> bool:
    """Whether some OCSP response names this certificate or some CRL is its issuer's."""
    if any(crl.issuer == cert.issuer for crl in crls):
        return True
    return any(_ocsp_names(response, cert) for response in ocsps)


def _ocsp_names(response: asn1_ocsp.OCSPResponse, cert: asn1_x509.Certificate) -> bool:
    try:
        if response["response_status"].native != "successful":
            return False
        singles = response.basic_ocsp_response["tbs_response_data"]["responses"]
        for single in singles:
            cert_id = single["cert_id"]
            algorithm = cert_id["hash_algorithm"]["algorithm"].native
            name_hash = hashlib.new(algorithm, cert.issuer.dump()).digest()
            if (cert_id["serial_number"].native == cert.serial_number
                    and cert_id["issuer_name_hash"].native == name_hash):
                return True
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return False


def revocation_gaps(
    chain: Chain, crls: Iterable[asn1_crl.CertificateList],
    ocsps: Iterable[asn1_ocsp.OCSPResponse], *, require_all: bool,
) -> list[asn1_x509.Certificate]:
    """Certificates of the chain (anchor excluded) with no revocation data at hand: those that
    name an OCSP responder or CRL, or every one when the profile requires revocation data."""
    crls, ocsps = list(crls), list(ocsps)
    checked = chain.certs[:-1] if chain.anchored or chain.certs[-1].self_issued else chain.certs
    return [cert for cert in checked
            if (require_all or declares_revocation(cert))
            and not revocation_covered(cert, crls, ocsps)]


# --- timestamps and level -----------------------------------------------------------------------

def signature_timestamp_tokens(sig: EmbeddedPdfSignature) -> list[cms.SignedData]:
    try:
        attrs = sig.signer_info["unsigned_attrs"]
        if attrs.native is None:
            return []
        return [value["content"] for attr in attrs
                if attr["type"].native == "signature_time_stamp_token"
                for value in attr["values"]]
    except (ValueError, KeyError, TypeError):
        return []


def token_time(token: cms.SignedData) -> dt.datetime | None:
    try:
        return token["encap_content_info"]["content"].parsed["gen_time"].native
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def signature_timestamp_time(sig: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time the document's own signature timestamp states (valid or not)."""
    times = [t for t in map(token_time, signature_timestamp_tokens(sig)) if t is not None]
    return min(times, default=None)


def later_document_timestamps(
    reader: PdfFileReader, sig: EmbeddedPdfSignature,
) -> list[EmbeddedPdfSignature]:
    return [ts for ts in reader.embedded_timestamp_signatures
            if ts.signed_revision > sig.signed_revision]


def pades_level(
    reader: PdfFileReader, sig: EmbeddedPdfSignature, chain: Chain, evidence: Evidence,
) -> str:
    """The level the document reaches, whatever was asked at signing: B-T needs a signature
    timestamp, B-LT a DSS holding revocation data for the signer's chain, B-LTA a document
    timestamp over that DSS."""
    if sig.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return "CMS"
    if not signature_timestamp_tokens(sig):
        return "PAdES-B-B"
    if not evidence.dss_present:
        return "PAdES-B-T"
    dss_crls = [item for item, _ in evidence.dss_revinfo
                if isinstance(item, asn1_crl.CertificateList)]
    dss_ocsps = [item for item, _ in evidence.dss_revinfo
                 if isinstance(item, asn1_ocsp.OCSPResponse)]
    if chain.missing_issuer is not None or revocation_gaps(
            chain, dss_crls, dss_ocsps, require_all=False):
        return "PAdES-B-T"
    return "PAdES-B-LTA" if archive_timestamped(reader, sig, chain, evidence) else "PAdES-B-LT"


def archive_timestamped(
    reader: PdfFileReader, sig: EmbeddedPdfSignature, chain: Chain, evidence: Evidence,
) -> bool:
    """A document timestamp covers the signature and the DSS revocation data of its chain
    (what B-LTA adds to B-LT); data added later for other chains (a TSA's) does not count."""
    needed = [revision for item, revision in evidence.dss_revinfo
              if any(revocation_covered(cert, *_split(item)) for cert in chain.certs)]
    dss_revision = max(needed, default=sig.signed_revision)
    return any(ts.signed_revision >= dss_revision
               for ts in later_document_timestamps(reader, sig))


def _split(item) -> tuple[list, list]:
    if isinstance(item, asn1_crl.CertificateList):
        return [item], []
    return [], [item]
