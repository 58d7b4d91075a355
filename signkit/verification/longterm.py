"""Validation at the proofs of existence timestamps give (ETSI EN 319 102-1 §5.5 and §5.6),
through pyHanko's AdES machinery: the slower route, taken only when the plain validation at the
validation time failed for a time-related reason and a timestamp may still save the signature.

Two of the standard's processes, both pyHanko's:
- a certificate revoked *after* the signature timestamp: the validation process for signatures
  with time (§5.5) passes it on the timestamp alone;
- anything else (an expired certificate, stale revocation data): the long-term process (§5.6.3),
  which needs revocation data proven to exist in time, i.e. document timestamps (B-LTA).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from pyhanko.sign.ades.report import AdESFailure, AdESPassed
from pyhanko.sign.validation.ades import (
    AdESWithTimeValidationResult,
    ades_lta_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import LocalKnowledge, PdfSignatureValidationSpec
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from ..report import Indication, SubIndication
from ..report.messages import Message
from .evidence import Evidence

# what a proof of existence can cure: the certificate expired, was revoked or its revocation
# data grew stale after the signature was made (and was proven to exist)
TIME_RELATED = frozenset({
    SubIndication.OUT_OF_BOUNDS_NO_POE,
    SubIndication.OUT_OF_BOUNDS_NOT_REVOKED,
    SubIndication.REVOKED_NO_POE,
    SubIndication.REVOKED_CA_NO_POE,
    SubIndication.REVOCATION_OUT_OF_BOUNDS_NO_POE,
    SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    SubIndication.NOT_YET_VALID,
    SubIndication.TRY_LATER,
})


@dataclass(frozen=True)
class PastValidation:
    """The outcome of the long-term route, in signkit's terms."""

    indication: Indication
    subindication: SubIndication | None
    messages: tuple[str, ...]
    proof_of_existence: dt.datetime | None  # the earliest proven time of the signature
    status: PdfSignatureStatus | None  # pyHanko's status after the route, if any


async def validate_at_proof_of_existence(
    sig: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec, evidence: Evidence, *,
    validation_time: dt.datetime, point_in_time: bool, revoked: bool,
) -> PastValidation:
    """``revoked``: the plain validation found the signer's certificate revoked (with no
    proof the signature predates that)."""
    timing = ValidationTimingInfo(validation_time=validation_time,
                                  best_signature_time=validation_time,
                                  point_in_time_validation=point_in_time)
    if revoked:
        with_time = await _with_time(sig, spec, evidence, timing)
        if with_time.ades_subindic is AdESPassed.OK:
            return _revoked_after_proof(with_time)
    result = await ades_lta_validation(sig, spec, timing_info=timing)
    return _judge(result)


async def _with_time(
    sig: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec, evidence: Evidence,
    timing: ValidationTimingInfo,
) -> AdESWithTimeValidationResult:
    """§5.5 with what the document holds (pyHanko's long-term process reads the DSS itself,
    this one does not)."""
    base = spec.signature_validation_spec
    known = base.local_knowledge
    local = LocalKnowledge(
        known_ocsps=[*known.known_ocsps,
                     *(c for o in evidence.ocsps for c in OCSPContainer.load_multi(o))],
        known_crls=[*known.known_crls, *(CRLContainer(c) for c in evidence.crls)],
        known_certs=[*known.known_certs, *evidence.certs],
    )
    return await ades_with_time_validation(
        sig.signed_data, dataclasses.replace(base, local_knowledge=local),
        timing_info=timing, raw_digest=sig.compute_digest(),
        extra_status_kwargs=sig.summarise_integrity_info(), status_cls=PdfSignatureStatus,
    )


def _revoked_after_proof(result: AdESWithTimeValidationResult) -> PastValidation:
    status = result.api_status
    details = getattr(status, "revocation_details", None)
    poe = result.best_signature_time
    message = (Message("ltv.valid_revoked_after", when=details.revocation_date,
                       reason=details.revocation_reason.native, poe=poe)
               if details is not None else Message("ltv.valid_revoked_later", poe=poe))
    return PastValidation(Indication.TOTAL_PASSED, None, (message,), poe, status)


def _judge(result) -> PastValidation:
    poe = result.best_signature_time
    status = result.api_status
    if result.ades_subindic is AdESPassed.OK:
        return PastValidation(Indication.TOTAL_PASSED, None, (Message("ltv.valid_at", poe=poe),),
                              poe, status)
    name = result.ades_subindic.name
    sub = SubIndication.__members__.get(name, SubIndication.GENERIC)
    details = getattr(status, "revocation_details", None)
    if sub is SubIndication.REVOKED_NO_POE and details is not None and poe is not None \
            and poe >= details.revocation_date:
        return PastValidation(Indication.TOTAL_FAILED, SubIndication.REVOKED, (
            Message("trust.revoked_before_poe", when=details.revocation_date,
                    reason=details.revocation_reason.native, poe=poe),), poe, status)
    failed = isinstance(result.ades_subindic, AdESFailure)
    indication = Indication.TOTAL_FAILED if failed else Indication.INDETERMINATE
    reason = _failure_text(result)
    message = (Message("ltv.no_proof", name=name) if "not applicable" in reason
               else Message("ltv.no_proof_detail", name=name, detail=reason))
    return PastValidation(indication, sub, (message,), poe, status)


def _failure_text(result) -> str:
    message = result.failure_msg
    if isinstance(message, tuple):  # pyHanko sometimes wraps its message in a tuple
        message = " ".join(str(m) for m in message)
    return str(message or "no further detail").strip().splitlines()[0][:300]
