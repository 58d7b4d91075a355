"""Verifying one PDF: read it (strictly, then leniently), validate every signature with
pyHanko, and judge each one (see ``verdict``). Bad input is a verdict, never an exception."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import logging
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError, PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints

from ..profiles import load_profile
from ..report import (
    FileReport,
    Indication,
    RevocationCheck,
    RevocationSource,
    RevocationStatus,
    SignatureReport,
    SubIndication,
    worst,
)
from .options import VerifyOptions
from .trust import TrustSetup
from .verdict import (
    coverage_of,
    distinguished_names,
    integrity_verdict,
    modifications_of,
    policy_verdict,
    signature_time,
    signer_identity,
    trust_verdict,
)

_PDF_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


class _TimeLimit(BaseException):
    pass


class Verifier:
    """Verifies documents one after another with one trust setup (and one revocation cache).

    >>> with Verifier(VerifyOptions(profile="vn")) as verifier:
    ...     report = verifier.verify("in/qd-123.pdf")
    """

    def __init__(self, options: VerifyOptions | None = None):
        self.options = options or VerifyOptions()
        self.profile = load_profile(self.options.profile)
        self.trust = TrustSetup.build(self.profile, self.options)
        # any one of the profile's usages will do (Vietnamese CA certificates carry both)
        self._key_usage = KeyUsageConstraints(
            key_usage=set(self.profile.key_usage), match_all_key_usages=False
        )
        self._loop = asyncio.new_event_loop()

    def close(self) -> None:
        loop = self._loop
        loop.run_until_complete(self.trust.aclose())
        # requests abandoned on a timeout still hold tasks and sockets: finish them here,
        # not in the garbage collector after the loop is gone
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(asyncio.sleep(0))  # let transports run their close callbacks
        loop.close()

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def validation_time(self) -> dt.datetime:
        return self.options.at or dt.datetime.now(dt.UTC)

    def verify(self, path: str | Path) -> FileReport:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            return _file_failure(path, None, f"cannot read the file: {e.strerror}")
        digest = hashlib.sha256(data).hexdigest()
        try:
            with _time_limit(self.options.time_limit):
                return self._verify_bytes(path, data, digest)
        except _TimeLimit:
            return FileReport(str(path), digest, Indication.INDETERMINATE, SubIndication.GENERIC,
                              (f"verification took longer than {self.options.time_limit:g} s "
                               "and was stopped",))

    def _verify_bytes(self, path: Path, data: bytes, digest: str) -> FileReport:
        if not data:
            return _file_failure(path, digest, "empty file, not a PDF")
        if b"%PDF-" not in data[:1024]:
            return _file_failure(path, digest, "not a PDF file (no %PDF- header)")
        notes: list[str] = []
        try:
            reader = _open_reader(data, notes)
            signatures = reader.embedded_signatures
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
            return _file_failure(path, digest, f"damaged or unreadable PDF: {_short(e)}")
        if not signatures:
            return FileReport(str(path), digest, Indication.TOTAL_FAILED,
                              SubIndication.SIGNED_DATA_NOT_FOUND,
                              (*notes, "the document is not signed"))
        reports = tuple(self._verify_signature(reader, sig, data, signatures)
                        for sig in signatures)
        status = worst(r.status for r in reports)
        sub = next((r.subindication for r in reports if r.status is status), None)
        return FileReport(str(path), digest, status, sub, tuple(notes), reports)

    def _verify_signature(
        self, reader: PdfFileReader, sig: EmbeddedPdfSignature, data: bytes,
        all_signatures: list[EmbeddedPdfSignature],
    ) -> SignatureReport:
        field = str(sig.field_name)
        structure = _structure_problem(sig, data)
        if structure is not None:
            return _signature_failure(field, SubIndication.FORMAT_FAILURE, structure)
        embedded = _embedded_revinfo(reader, sig)
        notes: list[str] = []
        with _captured_warnings() as warnings:
            try:
                context, status = self._validate(sig, embedded, fetch=True)
            except (TimeoutError, OSError) as e:
                # a revocation server that accepts but never answers: judge with what is
                # at hand, as if offline, and say so
                notes.append(f"warning: revocation server did not answer ({_short(e) or 'timeout'})"
                             "; judged without online revocation data")
                try:
                    context, status = self._validate(sig, embedded, fetch=False)
                except _VALIDATION_ERRORS as e2:
                    return _validation_failure(field, e2)
            except _VALIDATION_ERRORS as e:
                return _validation_failure(field, e)
        certified = sig.docmdp_level is not None and _is_certification(sig)
        when = signature_time(status)
        verdict = (
            integrity_verdict(status, certified=certified,
                              strict_modifications=self.options.strict_modifications,
                              later_signatures={str(s.field_name) for s in all_signatures
                                                if s.signed_revision > sig.signed_revision})
            or policy_verdict(status, self.profile.policy)
            or trust_verdict(status, when, _validation_messages(warnings))
        )
        indication, sub, messages = verdict
        messages = [_name_changed_objects(reader, m) for m in messages] + notes
        if indication is Indication.TOTAL_PASSED:
            # soft-fail profiles pass without revocation data, but the auditor must be told
            soft_failures = [f"warning: revocation not checked: {_short(e)}"
                             for e in context.soft_fail_exceptions]
            messages = [*messages, *dict.fromkeys(soft_failures),
                        *_revocation_warnings(warnings)]
        ts = status.timestamp_validity
        path = status.validation_path
        return SignatureReport(
            field=field,
            status=indication,
            subindication=sub,
            signer=signer_identity(status.signing_cert),
            signing_time=status.signer_reported_dt,
            timestamp_time=ts.timestamp if ts is not None else None,
            level=_level(reader, sig, status),
            digest_algorithm=status.md_algorithm,
            signature_algorithm=status.pkcs7_signature_mechanism,
            coverage=coverage_of(status),
            modifications=modifications_of(status),
            certified=certified,
            docmdp=sig.docmdp_level.value if certified and sig.docmdp_level else None,
            chain=tuple(reversed([distinguished_names(c)[0]
                                  for c in path.iter_certs(include_root=True)]))
            if path is not None else (),
            revocation=self._revocation(status, sub),
            messages=tuple(messages),
        )

    def _validate(self, sig: EmbeddedPdfSignature, embedded: dict, *, fetch: bool):
        context = self.trust.context(self.validation_time, fetch=fetch, **embedded)
        status = self._loop.run_until_complete(async_validate_pdf_signature(
            sig, context, diff_policy=DEFAULT_DIFF_POLICY, key_usage_settings=self._key_usage,
        ))
        return context, status

    def _revocation(self, status, sub: SubIndication | None) -> RevocationCheck:
        revoked = sub in (SubIndication.REVOKED, SubIndication.REVOKED_NO_POE)
        if not revoked and (status.validation_path is None or sub is SubIndication.TRY_LATER):
            return RevocationCheck(False)
        verdict = RevocationStatus.REVOKED if revoked else RevocationStatus.GOOD
        fetchers = self.trust.fetchers
        cert = status.signing_cert
        if fetchers is not None:
            with contextlib.suppress(KeyError):  # fetchers raise KeyError for "never fetched"
                if list(fetchers.ocsp_fetcher.fetched_responses_for_cert(cert)):
                    return RevocationCheck(True, RevocationSource.OCSP, verdict)
            with contextlib.suppress(KeyError):
                if list(fetchers.crl_fetcher.fetched_crls_for_cert(cert)):
                    return RevocationCheck(True, RevocationSource.CRL, verdict)
        if self.trust.crls:
            return RevocationCheck(True, RevocationSource.CRL, verdict)
        if revoked:
            return RevocationCheck(True, RevocationSource.EMBEDDED, verdict)
        return RevocationCheck(False)


def verify_pdf(path: str | Path, *, options: VerifyOptions | None = None) -> FileReport:
    """Verify one PDF; a damaged or unsigned file is a verdict, not an exception.

    >>> report = verify_pdf("qd-123-signed.pdf", options=VerifyOptions(profile="vn"))
    >>> report.status
    <Indication.TOTAL_PASSED: 'TOTAL_PASSED'>
    """
    with Verifier(options) as verifier:
        return verifier.verify(path)


def _open_reader(data: bytes, notes: list[str]) -> PdfFileReader:
    """Strict first; real producers (poppler among them) write slightly off-spec files, so
    a strict-reader refusal is retried leniently, noted in the report. Coverage is judged
    on the raw bytes either way."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.embedded_signatures  # noqa: B018 - forces the parse that may fail strictly
        return reader
    except PdfStrictReadError as e:
        notes.append(f"read leniently: the file is not strictly valid PDF ({_short(e)})")
        return PdfFileReader(io.BytesIO(data), strict=False)


def _byte_range_problem(sig: EmbeddedPdfSignature, data: bytes) -> str | None:
    """The /ByteRange must be four ordered offsets inside the file whose single gap is
    exactly this signature's /Contents string: anything else lets unsigned bytes count as
    signed (universal signature forgery, signature wrapping; CCS 2019)."""
    byte_range = sig.byte_range
    try:
        start1, len1, start2, len2 = (int(v) for v in byte_range)
    except (TypeError, ValueError):
        return f"the /ByteRange {list(byte_range)!r} is not four integers"
    if start1 != 0 or min(len1, start2, len2) < 0 or len1 >= start2 or start2 + len2 > len(data):
        return f"the /ByteRange {[start1, len1, start2, len2]} is malformed for this file"
    gap = data[len1:start2]
    expected = sig.pkcs7_content.hex().encode()
    if gap[:1] != b"<" or gap[-1:] != b">" or gap[1:-1].lower() != expected:
        return ("the bytes left out of the /ByteRange are not exactly the signature's "
                "/Contents (signature wrapping)")
    return None


def _structure_problem(sig: EmbeddedPdfSignature, data: bytes) -> str | None:
    """Signature-container checks pyHanko leaves to the caller."""
    problem = _byte_range_problem(sig, data)
    if problem is not None:
        return problem
    signed_data = sig.signed_data
    if len(signed_data["signer_infos"]) != 1:
        return (f"the signature holds {len(signed_data['signer_infos'])} SignerInfos; "
                "a PDF signature must hold exactly one")
    if signed_data["encap_content_info"]["content"].native is not None:
        return "the signature encapsulates content; a PDF signature must be detached"
    return None


def _embedded_revinfo(reader: PdfFileReader, sig: EmbeddedPdfSignature) -> dict:
    """Certificates and revocation data the document carries (CMS, DSS)."""
    certs, crls, ocsps = list(sig.other_embedded_certs), [], []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (PdfError, ValueError, KeyError, TypeError, NoDSSFoundError):
        return {"embedded_certs": certs, "embedded_crls": crls, "embedded_ocsps": ocsps}
    with contextlib.suppress(PdfError, ValueError, KeyError, TypeError):
        certs += list(dss.load_certs())
        ocsps += [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
        crls += [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
    return {"embedded_certs": certs, "embedded_crls": crls, "embedded_ocsps": ocsps}


def _is_certification(sig: EmbeddedPdfSignature) -> bool:
    refs = sig.sig_object.get("/Reference", ())
    return any(r.get_object().get("/TransformMethod") == "/DocMDP" for r in refs)


def _level(reader: PdfFileReader, sig: EmbeddedPdfSignature, status) -> str:
    if sig.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return "CMS"
    if status.timestamp_validity is None:
        return "PAdES-B-B"
    if "/DSS" not in reader.root:
        return "PAdES-B-T"
    later_timestamps = [s for s in reader.embedded_timestamp_signatures
                        if s.signed_revision > sig.signed_revision]
    return "PAdES-B-LTA" if later_timestamps else "PAdES-B-LT"


_OBJECT_REF = re.compile(r"Reference\(idnum=(\d+), generation=(\d+)\)")


def _name_changed_objects(reader: PdfFileReader, message: str) -> str:
    """pyHanko names changed objects by number; say what they are (a signature widget, an
    annotation, a page) so a reader of the report sees what was changed."""
    def describe(match: re.Match) -> str:
        try:
            obj = reader.get_object(generic.Reference(int(match[1]), int(match[2]), reader))
        except Exception:  # noqa: BLE001 - a description is a nicety, never a failure
            return match[0]
        if not isinstance(obj, generic.DictionaryObject):
            return match[0]
        parts = [str(obj.get(k)) for k in ("/Type", "/Subtype", "/FT") if k in obj]
        if "/T" in obj:
            parts.append(f"field {obj['/T']!s}")
        return f"{match[0]} [{' '.join(parts)}]" if parts else match[0]

    return _OBJECT_REF.sub(describe, message)


_VALIDATION_ERRORS = (SignatureValidationError, PdfError, ValueError, KeyError, TypeError)


def _validation_failure(field: str, error: Exception) -> SignatureReport:
    if isinstance(error, SignatureValidationError):
        sub = getattr(error, "ades_subindication", None)
        name = sub.name if sub is not None else "FORMAT_FAILURE"
        return _signature_failure(
            field, SubIndication.__members__.get(name, SubIndication.FORMAT_FAILURE),
            f"the signature cannot be validated: {_short(error)}")
    return _signature_failure(field, SubIndication.FORMAT_FAILURE,
                              f"malformed signature: {_short(error)}")


def _file_failure(path: Path, digest: str | None, reason: str) -> FileReport:
    return FileReport(str(path), digest, Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                      (reason,))


def _signature_failure(field: str, sub: SubIndication, reason: str) -> SignatureReport:
    status = Indication.TOTAL_FAILED if sub.name in {
        "FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE", "REVOKED"
    } else Indication.INDETERMINATE
    return SignatureReport(field=field, status=status, subindication=sub, signer=None,
                           signing_time=None, timestamp_time=None, level="CMS",
                           digest_algorithm=None, signature_algorithm=None, coverage=None,
                           modifications=None, messages=(reason,))


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:300]


def _validation_messages(warnings: list[str]) -> list[str]:
    """pyHanko's log lines, without its prefix, once each."""
    cleaned = [w.split("]: ", 1)[-1] for w in warnings]
    return list(dict.fromkeys(cleaned))


def _revocation_warnings(warnings: list[str]) -> list[str]:
    keys = ("revocation", "ocsp", "crl", "fetch")
    found = [w for w in warnings if any(k in w.lower() for k in keys)]
    return [f"warning: {w}" for w in dict.fromkeys(found)][:3]


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(_short(Exception(record.getMessage())))


@contextlib.contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """pyHanko reports soft failures (unreachable OCSP, say) only as log warnings."""
    handler = _ListHandler()
    loggers = [logging.getLogger(name) for name in _PDF_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM-based limit; only in the main thread (worker processes run there)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _TimeLimit()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
