"""What every archive-maintenance command shares for a whole batch, and the steps it is made of.

``ArchiveSession`` holds one event loop, one ``TsaClient`` (its HTTP connections kept alive
from one document to the next), one set of revocation fetchers whose answers are cached for
the batch, and the trust anchors, loaded once. The TSA client and the fetchers are created on
first use, so a run that finds nothing to do (``ltv refresh`` on an archive that needs no
renewal) never opens a connection.

Per document it gives the steps: reading (strictly, then leniently: real producers such as
poppler write slightly off-spec files), a validation context of its own (so a document's DSS
receives its own revocation data, not every answer fetched earlier in the batch), chain
validation with errors that name the signature and the service, DSS updates, document
timestamps, and the output: documents are read as streams and written straight into the
output's temporary file, which is refused unless it keeps the input's bytes intact as its
prefix (earlier signatures untouched).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError, PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import ValidationInfoReadingError
from pyhanko.sign.validation.generic_cms import extract_certificate_info
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.fetchers.api import CRLFetcher, Fetchers, OCSPFetcher

from .._event_loop import close_loop
from ..atomic import atomic_output
from ..certs import load_certificates
from ..error_messages import joined, said
from ..errors import (
    ChainUntrustedError,
    InputError,
    NoTsaError,
    RevocationFetchError,
    SigningError,
    TimestampError,
)
from ..signing.network import RevocationFetchers, crl_urls, ocsp_urls
from ..signing.selfcheck import PrefixDigests
from ..signing.source import COPY_CHUNK_SIZE, StreamingWriter, open_input, stream_size
from ..signing.source import raised_in_pyhanko as _raised_in_pyhanko
from ..signing.source import same_file as _same_file
from ..signing.timestamps import TsaClient
from ..signing.tsa_auth import TsaAuth
from ..tokens.base import DIGEST_SIZES
from ..verification.evidence import dss_evidence
from .result import Additions

# what pyHanko's object model raises on structurally broken documents
_PDF_ERRORS = (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError)



@dataclass(frozen=True)
class LtvOptions:
    """The services and trust an archive-maintenance run uses. Defaults: SHA-256 document
    timestamps, 10 s per request, two retries on connection errors and HTTP 5xx."""

    tsa_url: str | None = None
    tsa_timeout: float = 10.0  # seconds per request
    tsa_auth: TsaAuth | None = None
    tsa_retries: int = 2  # with backoff; never after HTTP 4xx
    tsa_digest: str = "sha256"  # the document timestamps' hash algorithm
    trust: tuple[Path, ...] = ()  # trust-anchor certificate files (PEM or DER)
    other_certs: tuple[Path, ...] = ()  # intermediate certificate files
    revocation_timeout: float = 10.0  # seconds per OCSP/CRL request


class ArchiveSession:
    """The shared state of one batch; see the module docstring.

    >>> with ArchiveSession(LtvOptions(tsa_url="http://tsa.example/", trust=(root,))) as s:
    ...     add_validation_data(s, Path("a.pdf"), Path("out/a.pdf"))
    """

    def __init__(self, options: LtvOptions):
        if options.tsa_digest not in DIGEST_SIZES:
            raise ValueError(f"tsa_digest must be one of {', '.join(DIGEST_SIZES)}")
        self.options = options
        self.anchors = [c for p in options.trust for c in load_certificates(Path(p))]
        self.intermediates = [c for p in options.other_certs for c in load_certificates(Path(p))]
        self._loop = asyncio.new_event_loop()
        self._tsa: TsaClient | None = None
        self._revocation: RevocationFetchers | None = None
        self._read_stats: dict[Path, os.stat_result] = {}

    def __enter__(self) -> ArchiveSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        close_loop(self._loop, self._tsa.aclose if self._tsa else None,
                   self._revocation.aclose if self._revocation else None)

    def run(self, coroutine):
        """Run one document's asynchronous work on the batch's one event loop."""
        return self._loop.run_until_complete(coroutine)

    # --- the batch's services, created on first use ---------------------------------------

    @property
    def tsa(self) -> TsaClient:
        if self._tsa is None:
            if not self.options.tsa_url:
                raise NoTsaError(said("no_tsa.needed"))
            # the TSA must chain to an anchor when anchors are given (no fetching: that
            # check is about trust, the DSS gets the TSA's revocation data separately)
            check = (ValidationContext(trust_roots=self.anchors, other_certs=self.intermediates,
                                       allow_fetching=False, revocation_mode="soft-fail")
                     if self.anchors else None)
            self._tsa = TsaClient(self.options.tsa_url, timeout=self.options.tsa_timeout,
                                  auth=self.options.tsa_auth, retries=self.options.tsa_retries,
                                  validation_context=check)
        return self._tsa

    @property
    def revocation(self) -> RevocationFetchers:
        if self._revocation is None:
            self._revocation = RevocationFetchers(timeout=self.options.revocation_timeout)
        return self._revocation

    # --- reading ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[BinaryIO]:
        """The document as a stream; its size and time are kept, so that ``output`` can
        tell whether it changed while it was being worked on."""
        with open_input(path) as stream:
            self._read_stats = {path: os.fstat(stream.fileno())}  # one document at a time
            yield stream

    def open_reader(self, stream: BinaryIO, path: Path, *, strict: bool = True,
                    parse_signatures: bool = True) -> PdfFileReader:
        """The document, read strictly, else leniently; with ``parse_signatures``, its
        signatures are parsed here (that is where a strict reader may refuse)."""
        with pdf_errors(path):
            try:
                reader = PdfFileReader(stream, strict=strict)
                if parse_signatures:
                    reader.embedded_signatures  # noqa: B018
            except PdfStrictReadError:
                reader = PdfFileReader(stream, strict=False)
                if parse_signatures:
                    reader.embedded_signatures  # noqa: B018
            if reader.encrypted:
                raise InputError(said("input.encrypted_unsupported"), path=path)
            return reader

    def open_writer(self, stream: BinaryIO, path: Path) -> IncrementalPdfFileWriter:
        with pdf_errors(path):
            writer = StreamingWriter(stream, strict=False)
            if writer.prev.encrypted:
                raise InputError(said("input.encrypted_unsupported"), path=path)
            return writer

    # --- validation data ------------------------------------------------------------------

    def offline_context(self, reader: PdfFileReader) -> ValidationContext:
        """Only what the document carries (its DSS) and the given trust: does it already
        hold everything a validator needs?"""
        dss = dss_evidence(reader)
        return ValidationContext(trust_roots=self.anchors,
                                 other_certs=[*self.intermediates, *dss.certs],
                                 ocsps=dss.ocsps, crls=dss.crls, allow_fetching=False,
                                 revocation_mode="hard-fail")

    def document_context(self, reader: PdfFileReader) -> ValidationContext:
        """A fresh context for one document that fetches through the batch's cache
        (hard-fail: a certificate that names an OCSP responder or CRL must get an answer)."""
        self.revocation.start_document()
        return ValidationContext(trust_roots=self.anchors,
                                 other_certs=[*self.intermediates, *dss_evidence(reader).certs],
                                 allow_fetching=True, revocation_mode="hard-fail",
                                 fetchers=_document_fetchers(self.revocation.fetchers))

    async def validate_chain(self, signed_data: cms.SignedData, context: ValidationContext,
                             what: str, path: Path):
        """The validation path of the certificate that signed ``signed_data`` (a signature
        or a timestamp token), its revocation data gathered into ``context``."""
        try:
            info = extract_certificate_info(signed_data)
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(said("input.signer_unreadable", what=what, detail=str(e)),
                             path=path) from None
        validator = CertificateValidator(info.signer_cert, intermediate_certs=info.other_certs,
                                         validation_context=context)
        try:
            return await validator.async_validate_usage(set())
        except (PathError, ValidationError) as e:
            raise self._chain_error(e, info.signer_cert, what, path) from None

    def _chain_error(self, error: Exception, cert, what: str, path: Path) -> SigningError:
        reason = " ".join(str(error).split()) or type(error).__name__
        failures = self._revocation.failures if self._revocation is not None else []
        if failures:  # say which service failed and why
            return RevocationFetchError(
                said("revocation_fetch.for", what=what, failures=joined(map(str, failures))),
                urls=[f.url for f in failures], path=path)
        if isinstance(error, PathBuildingError):
            return ChainUntrustedError(said("chain_untrusted.what", what=what, detail=reason),
                                       path=path)
        if isinstance(error, RevokedError):
            return SigningError(said("signing.revoked", what=what, detail=reason), path=path)
        if isinstance(error, InsufficientRevinfoError):
            urls = ocsp_urls(cert) + crl_urls(cert)
            where = f" (services: {', '.join(urls)})" if urls else ""
            return RevocationFetchError(
                said("revocation_fetch.insufficient", what=what, services=where,
                     detail=reason), urls=urls, path=path)
        return SigningError(said("signing.chain_invalid", what=what, detail=reason),
                            path=path)

    async def tsa_paths(self, context: ValidationContext) -> list:
        """The TSA's validation paths, its revocation data gathered into ``context``."""
        try:
            return [p async for p in self.tsa.validation_paths(context)]
        except TimestampError as e:
            failures = self.revocation.failures
            if failures:
                raise RevocationFetchError(
                    said("revocation_fetch.tsa", url=self.tsa.url,
                         failures=joined(map(str, failures))),
                    urls=[f.url for f in failures]) from None
            raise type(e)(e.reason, url=e.url) from None

    def add_dss(self, stream: BinaryIO, path: Path, *, paths: list,
                context: ValidationContext, output: Output) -> Additions:
        """A DSS update holding the chains of ``paths`` and the revocation data in
        ``context``, over the document ``stream``, written to ``output`` (appended to it when
        ``stream`` is the output itself); nothing is written when the DSS already holds all
        of it."""
        writer = self.open_writer(stream, path)
        with pdf_errors(path):
            added = _supply_dss(writer, paths, context)
            if not added.anything:
                return added
            if output.holds(stream):
                writer.write_in_place()
            else:
                writer.write(output.file)
        return added

    async def add_document_timestamp(
        self, stream: BinaryIO, path: Path, *, output: Output, paths: list | None = None,
        context: ValidationContext | None = None,
    ) -> Additions:
        """A document timestamp over the document ``stream``, written to ``output``; with
        ``paths``, a DSS update in the same revision, so that the timestamp covers it."""
        writer = self.open_writer(stream, path)
        with pdf_errors(path):
            added = _supply_dss(writer, paths, context) if paths is not None else Additions()
            try:
                await PdfTimeStamper(self.tsa).async_timestamp_pdf(
                    writer, self.options.tsa_digest, output=output.file,
                    chunk_size=COPY_CHUNK_SIZE)
            except TimestampError as e:
                raise type(e)(e.reason, url=e.url, path=path) from None
        return added + Additions(document_timestamp=True)

    # --- writing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def output(self, source: BinaryIO, source_path: Path, target: Path, *,
               overwrite: bool) -> Iterator[Output]:
        """Where the updated document goes: ``target`` (= ``source_path``: replace the input,
        keeping its permissions), created atomically when something is first written to it.
        Before it gets its name it must extend the input's bytes unchanged, and the input
        must not have changed meanwhile; its SHA-256 is then ``Output.sha256``."""
        in_place = _same_file(source_path, target)
        before = self._read_stats.pop(source_path, None) or source_path.stat()
        with contextlib.ExitStack() as stack:
            def open_file() -> BinaryIO:
                out = stack.enter_context(atomic_output(
                    target, overwrite=overwrite or in_place, source=source_path,
                    mode=before.st_mode & 0o7777 if in_place else None))
                stack.push(check)  # runs before atomic_output names the file
                return out

            def check(error_type, *_) -> None:
                if error_type is None:
                    result.sha256 = _check_output(source, source_path, result.file, before)

            result = Output(open_file)
            yield result


class Output:
    """The output file of one document, opened on first use (``file``)."""

    def __init__(self, open_file: Callable[[], BinaryIO]):
        self._open_file = open_file
        self._file: BinaryIO | None = None
        self.sha256: str | None = None  # set once the output is complete and checked

    @property
    def file(self) -> BinaryIO:
        if self._file is None:
            self._file = self._open_file()
        return self._file

    @property
    def written(self) -> bool:
        return self._file is not None

    def holds(self, stream: BinaryIO) -> bool:
        return stream is self._file


def _check_output(source: BinaryIO, source_path: Path, out: BinaryIO,
                  before: os.stat_result) -> str:
    """The output's SHA-256, once it is shown to hold the input's bytes unchanged followed by
    complete updates: the output is read once for both (hashed in a thread while it is
    compared with the input here)."""
    original, size = stream_size(source), stream_size(out)
    whole = PrefixDigests(out.fileno(), size, {"sha256"})
    try:
        end = os.pread(out.fileno(), min(size, 1024), max(0, size - 1024))
        if size <= original or not end.rstrip().endswith(b"%%EOF") \
                or not _same_bytes(source.fileno(), out.fileno(), original):
            raise SigningError(said("signing.output_not_intact"), path=source_path)
        now = source_path.stat()
        if (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise SigningError(said("signing.changed_meanwhile"), path=source_path)
        return whole.result()["sha256"].hexdigest()
    finally:
        whole.cancel()


def _same_bytes(a: int, b: int, length: int) -> bool:
    """Whether the files ``a`` and ``b`` start with the same ``length`` bytes."""
    buffer_a, buffer_b = bytearray(COPY_CHUNK_SIZE), bytearray(COPY_CHUNK_SIZE)
    view_a, view_b = memoryview(buffer_a), memoryview(buffer_b)
    offset = 0
    while offset < length:
        want = min(COPY_CHUNK_SIZE, length - offset)
        n = os.preadv(a, [view_a[:want]], offset)
        if n == 0 or os.preadv(b, [view_b[:n]], offset) != n or view_a[:n] != view_b[:n]:
            return False
        offset += n
    return True


@contextlib.contextmanager
def pdf_errors(path: Path) -> Iterator[None]:
    """pyHanko's object model raises these on broken documents; say so, with the file."""
    try:
        yield
    except SigningError:
        raise
    except (PdfError, ValidationInfoReadingError) as e:
        raise InputError(said("input.damaged", detail=str(e)), path=path) from None
    except _PDF_ERRORS as e:
        if not _raised_in_pyhanko(e):
            raise
        raise InputError(said("input.damaged_structure", kind=type(e).__name__,
                              detail=str(e)), path=path) from None


def _read_dss(handler) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(handler)
    except ValidationInfoReadingError:
        return None


def _dss_counts(dss: DocumentSecurityStore | None) -> tuple[int, int, int]:
    return (0, 0, 0) if dss is None else (len(dss.certs), len(dss.ocsps), len(dss.crls))


def _supply_dss(writer: IncrementalPdfFileWriter, paths: list | None,
                context: ValidationContext | None) -> Additions:
    before = _dss_counts(_read_dss(writer))
    # no VRI entries: they are optional in PAdES and keyed by SHA-1
    dss = DocumentSecurityStore.supply_dss_in_writer(
        writer, None, paths=paths, validation_context=context)
    after = _dss_counts(dss)
    certificates, ocsp_responses, crls = (a - b for a, b in zip(after, before, strict=True))
    return Additions(certificates, ocsp_responses, crls)


def _document_fetchers(batch: Fetchers) -> Fetchers:
    return Fetchers(ocsp_fetcher=_DocumentOcspFetcher(batch.ocsp_fetcher),
                    crl_fetcher=_DocumentCrlFetcher(batch.crl_fetcher),
                    cert_fetcher=batch.cert_fetcher)


class _DocumentOcspFetcher(OCSPFetcher):
    """The batch's OCSP fetcher (and its cache), listing only what this document asked for:
    pyHanko puts every response a context lists into the DSS."""

    def __init__(self, batch: OCSPFetcher):
        self._batch = batch
        self._asked: dict = {}

    async def fetch(self, cert, authority):
        response = await self._batch.fetch(cert, authority)
        self._asked.setdefault(cert.issuer_serial, {})[response.dump()] = response
        return response

    def fetched_responses(self):
        return [r for answers in self._asked.values() for r in answers.values()]

    def fetched_responses_for_cert(self, cert):
        return list(self._asked.get(cert.issuer_serial, {}).values())


class _DocumentCrlFetcher(CRLFetcher):
    """As ``_DocumentOcspFetcher``, for CRLs."""

    def __init__(self, batch: CRLFetcher):
        self._batch = batch
        self._asked: dict = {}

    async def fetch(self, cert, *, use_deltas=None):
        kwargs = {} if use_deltas is None else {"use_deltas": use_deltas}
        crls = list(await self._batch.fetch(cert, **kwargs))
        self._asked[cert.issuer_serial] = crls
        return crls

    def fetched_crls(self):
        unique = {c.dump(): c for crls in self._asked.values() for c in crls}
        return list(unique.values())

    def fetched_crls_for_cert(self, cert):
        return self._asked[cert.issuer_serial]  # KeyError: not asked yet, so fetch
