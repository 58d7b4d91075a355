"""From pyHanko's validation status to an ETSI EN 319 102-1 verdict with reasons.

Order matters: integrity and structure first (a tampered file is invalid whatever its
certificate), then changes after signing, then the profile's algorithm policy, then trust.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.sign.ades.report import AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator.errors import InsufficientRevinfoError

from ..profiles import AlgorithmPolicy
from ..report import Coverage, Indication, Modifications, SignerIdentity, SubIndication
from ..report.messages import Message
from .memo import Lru

_COVERAGE: dict[SignatureCoverageLevel | None, Coverage] = {
    SignatureCoverageLevel.ENTIRE_FILE: Coverage.ENTIRE_FILE,
    SignatureCoverageLevel.ENTIRE_REVISION: Coverage.ENTIRE_REVISION,
}
_MODIFICATIONS = {level.name: Modifications[level.name] for level in ModificationLevel}

Verdict = tuple[Indication, SubIndication | None, list[Message]]


def coverage_of(status: PdfSignatureStatus) -> Coverage:
    return _COVERAGE.get(status.coverage, Coverage.PARTIAL)


def modifications_of(status: PdfSignatureStatus) -> Modifications | None:
    if isinstance(status.diff_result, SuspiciousModification):
        return Modifications.OTHER
    level = status.modification_level
    return _MODIFICATIONS.get(level.name) if level is not None else None


# a batch names the same few certificates (signers, CAs) in every report; they are known by
# their SHA-256, which asn1crypto computes once per parsed certificate
_NAMES: Lru[bytes, tuple[str, str]] = Lru(1024)


def distinguished_names(cert: asn1_x509.Certificate) -> tuple[str, str]:
    """(subject, issuer) as RFC 4514 strings, the form openssl and pdfsig users read."""
    names = _NAMES.get(cert.sha256)
    if names is None:
        parsed = x509.load_der_x509_certificate(cert.dump())
        names = parsed.subject.rfc4514_string(), parsed.issuer.rfc4514_string()
        _NAMES.put(cert.sha256, names)
    return names


def signer_identity(cert: asn1_x509.Certificate) -> SignerIdentity:
    subject = cert.subject.native
    subject_dn, issuer_dn = distinguished_names(cert)
    return SignerIdentity(
        common_name=str(subject.get("common_name", subject_dn)),
        subject=subject_dn,
        organization=subject.get("organization_name"),
        serial=format(cert.serial_number, "x"),
        certificate_sha256=cert.sha256.hex(),
        issuer=issuer_dn,
    )


def integrity_verdict(
    status: PdfSignatureStatus, *, certified: bool, strict_modifications: bool,
    later_signatures: AbstractSet[str] = frozenset(),
) -> Verdict | None:
    """HASH/SIG_CRYPTO/FORMAT failures and forbidden changes; None when all is well."""
    failed = Indication.TOTAL_FAILED
    if not status.intact:
        return failed, SubIndication.HASH_FAILURE, [Message("integrity.hash")]
    if not status.valid:
        return failed, SubIndication.SIG_CRYPTO_FAILURE, [Message("integrity.signature_value")]
    if coverage_of(status) is Coverage.PARTIAL:
        return failed, SubIndication.FORMAT_FAILURE, [Message("integrity.partial_coverage")]
    diff = status.diff_result
    if isinstance(diff, SuspiciousModification):
        # pyHanko's account is for specialists; verify.py puts what changed in plain words
        # before it (changes.py)
        return failed, SubIndication.FORMAT_FAILURE, [Message("detail.modified",
                                                              detail=str(diff))]
    level = status.modification_level
    if level is ModificationLevel.OTHER:
        return failed, SubIndication.FORMAT_FAILURE, [Message("modified.beyond_allowed")]
    if status.docmdp_ok is False:
        # pyHanko sets docmdp_ok to False only after a difference analysis (a partial
        # coverage, its other case, returned above), which sets the modification level
        assert level is not None
        return failed, SubIndication.FORMAT_FAILURE, [
            Message("modified.docmdp", change=level.name.lower().replace("_", " "))]
    # pyHanko files later signatures under FORM_FILLING too; strict mode refuses only the
    # filling of fields that are not signatures added after this one
    filled = set(getattr(diff, "changed_form_fields", ())) - later_signatures
    if (strict_modifications and not certified and level is not None
            and level >= ModificationLevel.FORM_FILLING
            and (filled or level > ModificationLevel.FORM_FILLING)):
        return failed, SubIndication.FORMAT_FAILURE, [
            Message("modified.strict", change=level.name.lower().replace("_", " "))]
    return None


def policy_verdict(status: PdfSignatureStatus, policy: AlgorithmPolicy) -> Verdict | None:
    """The profile's crypto floor: digest, RSA size, EC curve."""
    problems = []
    if status.md_algorithm not in policy.digests:
        problems.append(Message("policy.digest", digest=status.md_algorithm,
                                allowed=", ".join(policy.digests)))
    key = status.signing_cert.public_key
    if key.algorithm == "rsa" and key.bit_size < policy.min_rsa_bits:
        problems.append(Message("policy.rsa", bits=key.bit_size, minimum=policy.min_rsa_bits))
    if key.algorithm == "ec" and key.curve[1] not in policy.ec_curves:
        problems.append(Message("policy.curve", curve=key.curve[1]))
    if problems:
        return Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, problems
    return None


def trust_verdict(
    status: PdfSignatureStatus, signing_time: dt.datetime | None, warnings: list[str],
    errors: Sequence[BaseException] = (),
) -> Verdict:
    """``warnings``: what pyHanko's certificate validation logged, its only detailed account
    in words (kept as technical detail); ``errors``: the exceptions it logged, the same
    account as types."""
    indic = status.trust_problem_indic
    if indic is None and status.trusted:
        return Indication.TOTAL_PASSED, None, []
    name = _subindication_name(indic)
    if name == "CERTIFICATE_CHAIN_GENERAL_FAILURE" and any(
        isinstance(e, InsufficientRevinfoError) for e in errors
    ):
        name = "TRY_LATER"  # the chain is fine but its revocation status could not be had
    details = status.revocation_details
    if name == "REVOKED_NO_POE" and details is not None:
        revoked_at = details.revocation_date
        revoked = {"when": revoked_at, "reason": details.revocation_reason.native}
        if signing_time is not None and signing_time >= revoked_at:
            return Indication.TOTAL_FAILED, SubIndication.REVOKED, [
                Message("trust.revoked_before_signing", **revoked)]
        return Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE, [
            Message("trust.revoked_no_poe", **revoked)]
    sub = SubIndication[name] if name in SubIndication.__members__ else SubIndication.GENERIC
    code = _TRUST_PROBLEMS.get(name)
    explanation = Message(code) if code else Message("trust.failed", name=name)
    return Indication.INDETERMINATE, sub, [
        explanation, *(Message("detail.validation", detail=w) for w in warnings[:2])]


def _subindication_name(indic: AdESSubIndic | None) -> str:
    if indic is None:
        return "NO_CERTIFICATE_CHAIN_FOUND"
    # pyHanko annotates the plain base class AdESSubIndic; its values are members of the
    # enums AdESPassed, AdESFailure and AdESIndeterminate
    assert isinstance(indic, enum.Enum)
    return indic.name


_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "trust.no_chain",
    "OUT_OF_BOUNDS_NO_POE": "trust.expired",
    "TRY_LATER": "trust.try_later",
    "CRYPTO_CONSTRAINTS_FAILURE": "trust.weak_chain",
    "CHAIN_CONSTRAINTS_FAILURE": "trust.key_usage",
    "REVOKED_CA_NO_POE": "trust.ca_revoked",
    "NOT_YET_VALID": "trust.not_yet_valid",
}


def signature_time(status: PdfSignatureStatus) -> dt.datetime | None:
    """Best time of signing: a signature timestamp that validates to a trust anchor, else
    the signer's claim. An untrusted token (a self-signed TSA, say) proves no time at all:
    it must not move a signature to before its certificate's revocation."""
    ts = getattr(status, "timestamp_validity", None)
    if ts is not None and ts.intact and ts.valid and ts.trusted:
        return ts.timestamp
    return getattr(status, "signer_reported_dt", None)


def timestamp_integrity_verdict(status: PdfSignatureStatus) -> Verdict | None:
    """A signature timestamp that was altered or forged: never a pass."""
    ts = status.timestamp_validity
    if ts is None:
        return None
    if not ts.intact:
        return Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE, [Message("ts.imprint")]
    if not ts.valid:
        return Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE, [
            Message("ts.tsa_signature")]
    return None


def timestamp_trust_verdict(status: PdfSignatureStatus) -> Verdict | None:
    """A signature timestamp from an authority that cannot be trusted: never a pass."""
    ts = status.timestamp_validity
    if ts is None or ts.trusted:
        return None
    indic = getattr(ts, "trust_problem_indic", None)
    name = indic.name if indic is not None else "NO_CERTIFICATE_CHAIN_FOUND"
    sub = SubIndication.__members__.get(name, SubIndication.GENERIC)
    return Indication.INDETERMINATE, sub, [Message("ts.untrusted", name=name)]


def document_timestamp_verdict(status, field: str, *, excused: bool) -> Verdict | None:
    """A document timestamp (/DocTimeStamp) of a B-LTA document; None when it passes.
    ``excused``: a later document timestamp that passes proves this one existed, so only a
    time-related trust problem of this one (an expired TSA certificate) is forgiven."""
    failed = Indication.TOTAL_FAILED
    timestamp = (Message("doc_ts.name_at", field=field, time=status.timestamp)
                 if status.timestamp else Message("doc_ts.name", field=field))
    if not status.intact:
        return failed, SubIndication.HASH_FAILURE, [
            Message("doc_ts.changed", timestamp=timestamp)]
    if not status.valid:
        return failed, SubIndication.SIG_CRYPTO_FAILURE, [
            Message("doc_ts.tsa_signature", timestamp=timestamp)]
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE \
            and status.coverage is not SignatureCoverageLevel.ENTIRE_REVISION:
        return failed, SubIndication.FORMAT_FAILURE, [
            Message("doc_ts.partial_coverage", timestamp=timestamp)]
    diff = status.diff_result
    level = getattr(status, "modification_level", None)
    if isinstance(diff, SuspiciousModification) or level is ModificationLevel.OTHER:
        return failed, SubIndication.FORMAT_FAILURE, [
            Message("doc_ts.modified", timestamp=timestamp)]
    if status.trusted:
        return None
    indic = status.trust_problem_indic
    name = indic.name if indic is not None else "NO_CERTIFICATE_CHAIN_FOUND"
    if excused and name in _TIME_RELATED_TRUST:
        return None
    sub = SubIndication.__members__.get(name, SubIndication.GENERIC)
    return Indication.INDETERMINATE, sub, [
        Message("doc_ts.untrusted", timestamp=timestamp, name=name)]


_TIME_RELATED_TRUST = frozenset({"OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED",
                                 "REVOKED_NO_POE", "TRY_LATER", "EXPIRED"})
