"""Verifying one PDF: read it (strictly, then leniently), validate every signature with
pyHanko, and judge each one (see ``verdict``). Bad input is a verdict, never an exception."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import re
import typing
import zlib
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import parse_xref_stream
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints

from .._event_loop import close_loop
from ..profiles import load_profile
from ..report import (
    FileReport,
    Indication,
    Modifications,
    RevocationCheck,
    RevocationSource,
    RevocationStatus,
    SignatureReport,
    SubIndication,
    worst,
)
from ..report.messages import Message
from .cert_memo import CertificateMemo
from .changes import describe_changes
from .evidence import (
    Chain,
    Evidence,
    build_chain,
    dss_evidence,
    embedded_evidence,
    later_document_timestamps,
    pades_level,
    revocation_covered,
    revocation_gaps,
    signature_timestamp_time,
    signature_timestamp_tokens,
)
from .limits import resource_problem
from .longterm import TIME_RELATED, PastValidation, validate_at_proof_of_existence
from .memo import Lru
from .options import VerifyOptions
from .path_cache import PathCache
from .pdf_file import DocumentBytes, PdfFile
from .pyhanko_logs import listening
from .revisions import HiddenChanges, hidden_changes
from .structure import structure_problem
from .trust import TrustSetup
from .verdict import (
    Verdict,
    coverage_of,
    distinguished_names,
    document_timestamp_verdict,
    integrity_verdict,
    modifications_of,
    policy_verdict,
    signature_time,
    signer_identity,
    timestamp_integrity_verdict,
    timestamp_trust_verdict,
    trust_verdict,
)

_MOST_CHAINS = 256  # signer chains remembered per verifier, the least recently used dropped
# verdicts after which an offline report names what the document lacks
_MISSING_DATA = frozenset({
    SubIndication.TRY_LATER, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    SubIndication.NO_CERTIFICATE_CHAIN_FOUND, SubIndication.NO_POE,
    SubIndication.REVOCATION_OUT_OF_BOUNDS_NO_POE,
})


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
        self._paths = PathCache()  # a batch validates its signer's chain once
        self._certificates = CertificateMemo()  # and parses its certificates once
        self._chains: Lru[tuple[bytes, ...], Chain] = Lru(_MOST_CHAINS)

    def close(self) -> None:
        close_loop(self._loop, self.trust.aclose)

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
            document = PdfFile.open(path)
        except OSError as e:
            return _file_failure(path, None, Message("file.unreadable",
                                                      detail=str(e.strerror or e)))
        # no time limit here: verify_many's watchdog keeps one from outside the process
        with document:
            return self._verify_file(path, document)

    def _verify_file(self, path: Path, document: PdfFile) -> FileReport:
        """Every document gets a definite verdict: what pyHanko or this module did not
        foresee in a hostile file is a malformed structure, never an exception."""
        try:
            with self._certificates.active():
                return self._verify_document(path, document)
        except MemoryError:
            raise  # the batch worker reports it with its limit, and is replaced
        except SignatureValidationError as e:  # e.g. no signer certificate in the CMS
            report = _validation_failure("", e)
            return FileReport(str(path), _sha256(document), report.status,
                              report.subindication, report.messages)
        except Exception as e:  # noqa: BLE001 - bad input is a verdict
            return _file_failure(path, _sha256(document), _malformed(e))

    def _verify_document(self, path: Path, document: PdfFile) -> FileReport:
        data = document.data
        if not data:
            return _file_failure(path, document.sha256, Message("file.empty"))
        if b"%PDF-" not in data[:1024]:
            return _file_failure(path, document.sha256, Message("file.not_pdf"))
        notes: list[str] = []
        try:
            reader = _open_reader(document, notes)
            # a document timestamp (/DocTimeStamp) is evidence for the signatures, not one
            signatures = reader.embedded_regular_signatures
            doc_timestamps = reader.embedded_timestamp_signatures
        except (SignatureValidationError, MemoryError):
            raise  # judged in _verify_file
        except _DamagedXrefStream as e:
            return _file_failure(path, document.sha256,
                                 Message("file.damaged_xref_stream", detail=str(e)))
        except _ResourceLimit as e:
            return _file_failure(path, document.sha256, e.args[0])
        except Exception as e:  # noqa: BLE001 - any reading failure is a damaged file
            return _file_failure(path, document.sha256,
                                 Message("file.damaged", why=_malformed(e)))
        # the file's hash and every signature's digest in one read of the file
        document.digest_signatures([*signatures, *doc_timestamps])
        digest = document.sha256
        if not signatures:
            reason = Message("file.only_doc_timestamps" if doc_timestamps
                             else "file.not_signed")
            return FileReport(str(path), digest, Indication.TOTAL_FAILED,
                              SubIndication.SIGNED_DATA_NOT_FOUND, (*notes, reason))
        later_fields = [(s.signed_revision, str(s.field_name))
                        for s in (*signatures, *doc_timestamps)]
        hidden = _hidden_changes(reader, document, [*signatures, *doc_timestamps])
        dss = dss_evidence(reader)
        reports = tuple(_condemned(self._verify_signature(reader, sig, data, later_fields, dss),
                                   hidden)
                        for sig in signatures)
        findings = self._check_document_timestamps(reader, data, doc_timestamps, dss)
        verdicts = [(r.status, r.subindication) for r in reports]
        verdicts += [(indication, sub) for indication, sub, _ in findings]
        status = worst(indication for indication, _ in verdicts)
        sub = next((s for indication, s in verdicts if indication is status), None)
        notes += [m for _, _, messages in findings for m in messages]
        return FileReport(str(path), digest, status, sub, tuple(notes), reports)

    def _verify_signature(
        self, reader: PdfFileReader, sig: EmbeddedPdfSignature, data: DocumentBytes,
        all_fields: list[tuple[int, str]], dss: Evidence,
    ) -> SignatureReport:
        field = str(sig.field_name)
        structure = structure_problem(sig, data)
        if structure is not None:
            return _signature_failure(field, SubIndication.FORMAT_FAILURE, structure)
        evidence = embedded_evidence(reader, sig, dss)
        notes: list[Message] = []
        with _captured_warnings() as warnings:
            try:
                context, status = self._validate(sig, evidence, fetch=True)
            except (TimeoutError, OSError) as e:
                # a revocation server that accepts but never answers: judge with what is
                # at hand, as if offline, and say so
                notes.append(Message("warning.revocation_server",
                                     detail=_short(e) or "timeout"))
                try:
                    context, status = self._validate(sig, evidence, fetch=False)
                except _VALIDATION_ERRORS as e2:
                    return _validation_failure(field, e2)
            except _VALIDATION_ERRORS as e:
                return _validation_failure(field, e)
        certified = sig.docmdp_level is not None and _is_certification(sig)
        when = signature_time(status)
        indication, sub, messages = (
            integrity_verdict(status, certified=certified,
                              strict_modifications=self.options.strict_modifications,
                              later_signatures={name for revision, name in all_fields
                                                if revision > sig.signed_revision})
            or policy_verdict(status, self.profile.policy)
            or timestamp_integrity_verdict(status)
            or trust_verdict(status, when, _validation_messages(warnings.records),
                             warnings.errors)
        )
        past = None
        if indication is Indication.INDETERMINATE and sub in TIME_RELATED and (
                signature_timestamp_tokens(sig) or later_document_timestamps(reader, sig)):
            past = self._validate_in_past(sig, evidence, notes,
                                          revoked=sub is SubIndication.REVOKED_NO_POE)
        (indication, sub, messages), status = _with_past(
            (indication, sub, messages), status, past)
        chain = self._chain(status.signing_cert, [*evidence.certs, *self.trust.intermediates])
        messages = [_name_changed_objects(reader, m) for m in messages] + notes
        if any(getattr(m, "code", None) in _CHANGE_CODES for m in messages):
            # what changed, in plain words, before pyHanko's technical account
            later = frozenset(name for revision, name in all_fields
                              if revision > sig.signed_revision)
            messages = [*describe_changes(reader, sig.signed_revision, later_signatures=later),
                        *messages]
        if indication is Indication.TOTAL_PASSED and past is None:
            # soft-fail profiles pass without revocation data, but the auditor must be told
            soft_failures = [Message("warning.revocation_not_checked", detail=_short(e))
                             for e in context.soft_fail_exceptions]
            messages = [*messages, *dict.fromkeys(soft_failures),
                        *_revocation_warnings(warnings.records)]
        elif self.options.offline and sub in _MISSING_DATA:
            messages = [*self._offline_gaps(chain, evidence), *messages]
        path = status.validation_path
        return SignatureReport(
            field=field,
            status=indication,
            subindication=sub,
            signer=signer_identity(status.signing_cert),
            signing_time=status.signer_reported_dt,
            timestamp_time=signature_timestamp_time(sig),
            level=pades_level(reader, sig, chain, evidence),
            digest_algorithm=status.md_algorithm,
            signature_algorithm=status.pkcs7_signature_mechanism,
            coverage=coverage_of(status),
            modifications=modifications_of(status),
            certified=certified,
            docmdp=sig.docmdp_level.value if certified and sig.docmdp_level else None,
            chain=tuple(reversed([distinguished_names(c)[0]
                                  for c in path.iter_certs(include_root=True)]))
            if path is not None else (),
            revocation=self._revocation(status, sub, evidence),
            messages=tuple(dict.fromkeys(messages)),
        )

    def _chain(self, signer: asn1_x509.Certificate, pool: list[asn1_x509.Certificate]
               ) -> Chain:
        """``build_chain``, once per batch for a given signer and certificate pool (comparing
        names costs a few per cent of a small document's verification)."""
        key = (signer.sha256, *(c.sha256 for c in pool))  # digests asn1crypto keeps
        chain = self._chains.get(key)
        if chain is None:
            chain = build_chain(signer, pool, self.trust.anchors)
            self._chains.put(key, chain)
        return chain

    def _validate(self, sig: EmbeddedPdfSignature, evidence: Evidence, *, fetch: bool):
        context = self.trust.context(self.validation_time, fetch=fetch,
                                     **evidence.as_context_kwargs())
        with self._paths.active():
            status = self._loop.run_until_complete(async_validate_pdf_signature(
                sig, context, diff_policy=DEFAULT_DIFF_POLICY,
                key_usage_settings=self._key_usage,
            ))
        return context, status

    def _validate_in_past(self, sig: EmbeddedPdfSignature, evidence: Evidence,
                          notes: list[Message], *, revoked: bool) -> PastValidation | None:
        """The slow route (pyHanko's ETSI EN 319 102-1 validation at proofs of existence);
        None when it cannot run, the plain verdict then stands."""
        try:
            with _captured_warnings():
                return self._loop.run_until_complete(validate_at_proof_of_existence(
                    sig, self.trust.ades_spec(self._key_usage), evidence,
                    validation_time=self.validation_time,
                    point_in_time=self.options.at is not None, revoked=revoked))
        except Exception as e:  # noqa: BLE001 - a second opinion; its failure keeps the first
            notes.append(Message("warning.long_term_failed", detail=_short(e)))
            return None

    def _offline_gaps(self, chain: Chain, evidence: Evidence) -> list[Message]:
        """What an offline validation lacked: an issuer certificate, revocation data."""
        found: list[Message] = []
        if chain.missing_issuer is not None:
            issuer = chain.missing_issuer.human_friendly
            found.append(Message("offline.no_issuer", issuer=issuer,
                                 subject=distinguished_names(chain.certs[-1])[0]))
        require_all = self.trust.revocation_mode == "require"
        for cert in revocation_gaps(chain, [*evidence.crls, *self.trust.crls], evidence.ocsps,
                                    require_all=require_all):
            found.append(Message("offline.no_revocation", subject=distinguished_names(cert)[0]))
        return found

    def _check_document_timestamps(
        self, reader: PdfFileReader, data: DocumentBytes, timestamps: list[EmbeddedPdfSignature],
        dss: Evidence,
    ) -> list[Verdict]:
        """Each document timestamp, newest first: a later one that passes proves an older one
        existed, so the older one's expired TSA certificate is no fault."""
        findings: list[Verdict] = []
        proven_later = False
        # the signer's offline completeness rule is not applied to TSAs: the newest document
        # timestamp's revocation data is only added by the next LTA refresh
        mode = "require" if self.trust.revocation_mode == "require" else "soft-fail"
        for ts in sorted(timestamps, key=lambda s: s.signed_revision, reverse=True):
            field = str(ts.field_name)
            problem = structure_problem(ts, data)
            if problem is not None:
                findings.append((Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                                 [Message("doc_ts.problem", field=field, problem=problem)]))
                continue
            evidence = embedded_evidence(reader, ts, dss)

            try:
                try:
                    status = self._validate_timestamp(ts, evidence, mode, fetch=True)
                except (TimeoutError, OSError):
                    # a revocation server that never answers is no fault of the document:
                    # judge with what is at hand, as for signatures
                    status = self._validate_timestamp(ts, evidence, mode, fetch=False)
            except (TimeoutError, OSError) as e:
                findings.append((Indication.INDETERMINATE, SubIndication.TRY_LATER,
                                 [Message("doc_ts.try_later", field=field,
                                          detail=_short(e) or "timeout")]))
                continue
            except MemoryError:
                raise
            except _VALIDATION_ERRORS as e:
                findings.append((Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE,
                                 [Message("doc_ts.cannot_validate", field=field,
                                          detail=_short(e))]))
                continue
            verdict = document_timestamp_verdict(status, field, excused=proven_later)
            if verdict is None:
                proven_later = True
            else:
                findings.append(verdict)
        return findings

    def _validate_timestamp(self, ts: EmbeddedPdfSignature, evidence: Evidence, mode: str, *,
                            fetch: bool):
        with _captured_warnings():
            context = self.trust.context(self.validation_time, fetch=fetch,
                                         revocation_mode=mode, **evidence.as_context_kwargs())
            return self._loop.run_until_complete(async_validate_pdf_timestamp(
                ts, context, diff_policy=DEFAULT_DIFF_POLICY))

    def _revocation(self, status, sub: SubIndication | None,
                    evidence: Evidence) -> RevocationCheck:
        revoked = sub in (SubIndication.REVOKED, SubIndication.REVOKED_NO_POE) or (
            getattr(status, "revocation_details", None) is not None)
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
        if revoked or revocation_covered(cert, evidence.crls, evidence.ocsps):
            return RevocationCheck(True, RevocationSource.EMBEDDED, verdict)
        return RevocationCheck(False)


def _with_past(plain: Verdict, status, past: PastValidation | None):
    """The verdict once the timestamps' proofs of existence are weighed (and the status that
    goes with it)."""
    indication, sub, messages = plain
    if past is None:
        untrusted = timestamp_trust_verdict(status)
        if indication is Indication.TOTAL_PASSED:
            return untrusted or plain, status
        if untrusted is not None:  # said, though it changes nothing: it proved no time
            return (indication, sub, [*messages, *untrusted[2]]), status
        return plain, status
    if past.indication is Indication.INDETERMINATE:
        # no better: the plain verdict says why, the long-term route why it did not help
        return (indication, sub, [*messages, *past.messages]), status
    # pyHanko's long-term validation re-validated the timestamps themselves
    return (past.indication, past.subindication, list(past.messages)), past.status or status


def verify_pdf(path: str | Path, *, options: VerifyOptions | None = None) -> FileReport:
    """Verify one PDF; a damaged or unsigned file is a verdict, not an exception (only
    running out of memory is raised, as ``MemoryError``: it is the process's state, not the
    document's).

    This runs in the calling process with no time or memory limit (``VerifyOptions.
    time_limit`` is not applied): for files from untrusted sources use ``verify_many``,
    whose worker processes are stopped at those limits.

    >>> report = verify_pdf("qd-123-signed.pdf", options=VerifyOptions(profile="vn"))
    >>> report.status
    <Indication.TOTAL_PASSED: 'TOTAL_PASSED'>
    """
    with Verifier(options) as verifier:
        return verifier.verify(path)


def _open_reader(document: PdfFile, notes: list[str]) -> PdfFileReader:
    """Strict first; real producers (poppler among them) write slightly off-spec files, so
    a strict-reader refusal is retried leniently, noted in the report. Coverage is judged
    on the raw bytes either way."""
    try:
        reader = _within_limits(PdfFileReader(document.stream(), strict=True), document)
        reader.embedded_signatures  # noqa: B018 - forces the parse that may fail strictly
        if not reader.xrefs.hybrid_xrefs_present:
            return reader
        # pyHanko's strict mode refuses to validate hybrid-reference files (Word writes
        # them); the revision check below makes sure the table and the stream agree
        notes.append(Message("file.lenient_hybrid"))
        return _within_limits(PdfFileReader(document.stream(), strict=False), document)
    except PdfStrictReadError as e:
        if _raised_in(e, parse_xref_stream):
            # leniently, pyHanko makes every entry a cross-reference stream claims but does
            # not hold ("in use at offset 0"): billions for a few bytes of /Index
            raise _DamagedXrefStream(_short(e)) from None
        notes.append(Message("file.lenient", detail=_short(e)))
        return _within_limits(PdfFileReader(document.stream(), strict=False), document)


def _within_limits(reader: PdfFileReader, document: PdfFile) -> PdfFileReader:
    """Before any object is parsed (listing the signatures reads the catalog and the form)."""
    problem = resource_problem(reader, document.data)
    if problem is not None:
        raise _ResourceLimit(problem)
    return reader


class _DamagedXrefStream(Exception):
    """A cross-reference stream that ends before the entries it claims."""


class _ResourceLimit(Exception):
    """The document asks for more work than ``limits`` allows."""


def _raised_in(error: BaseException, function) -> bool:
    """Whether ``error`` was raised inside ``function`` (its code object, not its words)."""
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code is function.__code__:
            return True
        trace = trace.tb_next
    return False


def _hidden_changes(reader: PdfFileReader, document: PdfFile,
                    signatures: list[EmbeddedPdfSignature]) -> HiddenChanges:
    """The revision check fails closed: a file it cannot walk is not judged intact."""
    try:
        return hidden_changes(reader, document, signatures)
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001 - hostile structure; the verdict must not pass
        return HiddenChanges((Message("hidden.unchecked", detail=_short(e)),))


def _condemned(report: SignatureReport, hidden: HiddenChanges) -> SignatureReport:
    """A signature followed by what a viewer may show and no revision explains is never a
    pass, whatever else was found (a failure keeps its own sub-indication)."""
    if not hidden:
        return report
    failed = report.status is Indication.TOTAL_FAILED
    return dataclasses.replace(
        report, status=Indication.TOTAL_FAILED,
        subindication=report.subindication if failed else SubIndication.FORMAT_FAILURE,
        modifications=Modifications.OTHER,
        messages=(Message("changed.hidden_update"),
                  *(Message("modified.hidden", problem=p) for p in hidden.problems),
                  *report.messages))


_CHANGE_CODES = frozenset({"detail.modified", "modified.beyond_allowed", "modified.docmdp"})
"""Verdict messages after which what changed is said in plain words (changes.py)."""


def _is_certification(sig: EmbeddedPdfSignature) -> bool:
    refs = sig.sig_object.get("/Reference", ())
    return any(r.get_object().get("/TransformMethod") == "/DocMDP" for r in refs)


_OBJECT_REF = re.compile(r"Reference\(idnum=(\d+), generation=(\d+)\)")


@typing.overload
def _name_changed_objects(reader: PdfFileReader, message: Message) -> Message: ...
@typing.overload
def _name_changed_objects(reader: PdfFileReader, message: str) -> str: ...
def _name_changed_objects(reader: PdfFileReader, message: str) -> str:
    """pyHanko names changed objects by number; say what they are (a signature widget, an
    annotation, a page) so a reader of the report sees what was changed."""
    if isinstance(message, Message):
        return message.map_text(lambda text: _name_changed_objects(reader, text))
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


# a hostile signature may break pyHanko in any way (AssertionError, UnicodeDecodeError,
# AttributeError on an unknown OID, NotImplementedError, zlib.error, RecursionError…): each is
# a malformed signature, judged FORMAT_FAILURE
_VALIDATION_ERRORS = (Exception,)


def _malformed(error: BaseException) -> Message:
    if isinstance(error, RecursionError):
        return Message("pdf.too_deep")
    if isinstance(error, zlib.error):
        return Message("pdf.corrupt_stream", detail=_short(error))
    return Message("pdf.malformed", detail=f"{type(error).__name__}: {_short(error)}")


def _validation_failure(field: str, error: Exception) -> SignatureReport:
    if isinstance(error, MemoryError):
        raise error  # not a property of the signature: the batch worker reports its limit
    if isinstance(error, SignatureValidationError):
        sub = getattr(error, "ades_subindication", None)
        name = sub.name if sub is not None else "FORMAT_FAILURE"
        return _signature_failure(
            field, SubIndication.__members__.get(name, SubIndication.FORMAT_FAILURE),
            Message("sig.cannot_validate", detail=_short(error)))
    if isinstance(error, PdfDecodeLimitError):
        return _signature_failure(
            field, SubIndication.FORMAT_FAILURE,
            Message("sig.decompression_bomb", detail=_short(error)))
    return _signature_failure(field, SubIndication.FORMAT_FAILURE,
                              Message("sig.malformed", why=_malformed(error)))




def _sha256(document: PdfFile) -> str | None:
    """The file's hash for a report on a failure (None when the file cannot be read)."""
    try:
        return document.sha256
    except OSError:
        return None


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


def _revocation_warnings(warnings: list[str]) -> list[Message]:
    keys = ("revocation", "ocsp", "crl", "fetch")
    found = [w for w in warnings if any(k in w.lower() for k in keys)]
    return [Message("warning.detail", detail=w) for w in dict.fromkeys(found)][:3]


class _ListHandler(logging.Handler):
    """pyHanko's log lines, and the exceptions it logs with them: certificate validation
    folds InsufficientRevinfoError and friends into one status and keeps the exception only
    in its log record (``exc_info``), so verdicts read the exception types from there."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []
        self.errors: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(_short(Exception(record.getMessage())))
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


def _captured_warnings() -> contextlib.AbstractContextManager[_ListHandler]:
    """pyHanko reports soft failures (unreachable OCSP, say) only as log warnings."""
    return listening(_ListHandler())

