"""Signing PDF documents with pyHanko: PAdES B-B, B-T, B-LT, B-LTA; approval or
certification signatures.

``DocumentSigner`` holds what is the same for every document of a batch (the pyHanko signer
with its parsed certificates, the reserved signature size, one event loop, and for the
long-term levels one TSA client and one validation context), so a batch pays for them once
and reuses their HTTP connections. B-B takes none of the timestamp machinery.

A visible signature (``SignOptions.appearance``) is placed per document
(:mod:`.visible`); the seal workflow signs each document twice — the person, then the
organisation's seal over the person's signature — and writes one output
(``DocumentSigner.sign(..., seal=...)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pyhanko.pdf_utils import misc
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields as pdf_fields
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.cms_embedder import SigObjSetup
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfCMSSignedAttributes

from .._event_loop import close_loop
from ..atomic import SharedFolderSyncs, scratch_file, start_writeback, sync_file
from ..error_messages import joined, said
from ..errors import (
    AppearanceError,
    InputError,
    PlacementError,
    RevocationFetchError,
    SigningError,
    TimestampError,
    TokenError,
)
from ..tokens.base import DIGEST_SIZES, RsaPadding, SigningKey
from .adapter import KeySigner
from .fields import choose_field
from .selfcheck import PrefixDigests, SignatureVerifier, check_signed_output
from .source import COPY_CHUNK_SIZE, document_files, stream_size
from .source import open_writer as _open_writer
from .source import raised_in_pyhanko as _raised_in_pyhanko
from .source import with_path as _with_path

if TYPE_CHECKING:
    from ..appearance import Appearance, Placement
    from .network import RevocationFetchers
    from .timestamps import TsaClient
    from .tsa_auth import TsaAuth
    from .visible import FieldPlan, VisibleSignature


_EARLY_WRITEBACK_SIZE = 8 << 20  # below this, one fsync at the end costs less than a thread


class PadesLevel(enum.Enum):
    B_B = "PAdES-B-B"
    B_T = "PAdES-B-T"  # + an RFC 3161 signature timestamp
    B_LT = "PAdES-B-LT"  # + a DSS with the chains and revocation data (signer and TSA)
    B_LTA = "PAdES-B-LTA"  # + a document timestamp

    @classmethod
    def from_name(cls, name: str) -> PadesLevel:
        """``"B-T"`` (CLI and profile spelling) or ``"PAdES-B-T"``."""
        key = name.upper().removeprefix("PADES-").replace("-", "_")
        try:
            return cls[key]
        except KeyError:
            raise ValueError(f"unknown PAdES level {name!r}") from None

    @property
    def timestamped(self) -> bool:
        return self is not PadesLevel.B_B

    @property
    def long_term(self) -> bool:
        return self in (PadesLevel.B_LT, PadesLevel.B_LTA)


@dataclass(frozen=True)
class SignOptions:
    """What a signature says and how it is made. Defaults: an approval PAdES-B-B signature
    with SHA-256 in a new invisible field."""

    digest: str = "sha256"
    padding: RsaPadding = RsaPadding.PKCS1V15
    level: PadesLevel = PadesLevel.B_B
    field: str | None = None
    reason: str | None = None
    location: str | None = None
    contact: str | None = None
    certify: bool = False
    docmdp: int = 2
    password: str | None = None  # for encrypted (password-protected) input
    # time stamping (B-T and up)
    tsa_url: str | None = None
    tsa_timeout: float = 10.0  # seconds per request
    tsa_auth: TsaAuth | None = None
    tsa_retries: int = 2  # on connection errors and HTTP 5xx, with backoff; never on 4xx
    tsa_digest: str | None = None  # the timestamps' message imprint; None: same as ``digest``
    # trust for validating the TSA and, for B-LT/B-LTA, building the chains put in the DSS
    trust: tuple[Path, ...] = ()  # trust-anchor certificate files (PEM or DER)
    other_certs: tuple[Path, ...] = ()  # intermediate certificate files
    revocation_timeout: float = 10.0  # seconds per OCSP/CRL request (B-LT, B-LTA)
    # a visible signature: how it looks and where it goes (None, None: invisible; a
    # placement alone draws the plain preset; an appearance alone goes in the document's
    # empty field, or top right for copies and attachments)
    appearance: Appearance | None = None
    placement: Placement | None = None


class SignStatus(enum.Enum):
    SIGNED = "signed"
    FAILED = "failed"
    SKIPPED = "skipped"  # not attempted: the batch stopped before this file


@dataclass(frozen=True)
class SignResult:
    input: Path
    output: Path | None
    status: SignStatus
    field: str | None = None
    signer: str | None = None
    signing_time: dt.datetime | None = None  # as the signature carries it (/M), to the second
    level: str | None = None
    certified: bool = False
    sha256: str | None = None
    error: str | None = None
    placement: str | None = None  # where the visible signature went, in words
    page: int | None = None  # its page (1-based); None: invisible
    seal: SignResult | None = None  # the organisation's seal signed after this one
    # why it failed, for programs: the SignkitError's stable ``code`` ("output_exists",
    # "input", "timestamp", ...; "output_unwritable" for a file-system error, "stopped" for
    # a SKIPPED file, "internal" for a bug) and the exception's class name
    error_code: str | None = None
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is SignStatus.SIGNED

    @classmethod
    def failed(cls, input: Path, error: BaseException, *, message: str | None = None
               ) -> SignResult:
        """The FAILED result of ``error``: its message (or ``message``), code and class."""
        return cls(input, None, SignStatus.FAILED, error=message or str(error),
                   error_code=error_code(error), error_type=type(error).__name__)

    @classmethod
    def skipped(cls, input: Path, why: str | None) -> SignResult:
        """Not attempted: the batch stopped (``why``) before this file."""
        return cls(input, None, SignStatus.SKIPPED, error=why, error_code="stopped")


def error_code(error: BaseException) -> str:
    """The stable code of an exception met while signing (see ``SignResult.error_code``)."""
    code = getattr(error, "code", None)
    if isinstance(code, str):
        return code
    return "output_unwritable" if isinstance(error, OSError) else "internal"


class DocumentSigner:
    """Signs documents one after another with one key and one set of options.

    >>> with open_pkcs12("signer.p12", password="x") as key:
    ...     with DocumentSigner(key, SignOptions(reason="Phê duyệt")) as signer:
    ...         for name in ("a.pdf", "b.pdf"):
    ...             signer.sign(Path(name), Path("out") / name)
    """

    def __init__(self, key: SigningKey, options: SignOptions | None = None):
        self.key = key
        self.options = options or SignOptions()
        if self.options.docmdp not in (1, 2, 3):
            raise ValueError("docmdp must be 1, 2 or 3")
        if self.options.tsa_digest not in (None, *DIGEST_SIZES):
            raise ValueError(f"tsa_digest must be one of {', '.join(DIGEST_SIZES)}")
        level = self.options.level
        if level.timestamped and not self.options.tsa_url:
            raise ValueError(f"{level.value} needs a time-stamping service (tsa_url)")
        if level.long_term and not self.options.trust:
            raise ValueError(f"{level.value} needs trust anchors (trust) to build the chains")
        self._signer = KeySigner(key, digest=self.options.digest, padding=self.options.padding)
        self._verifier = SignatureVerifier(self._signer.signing_cert)
        self._signer_name = key.facts.common_name
        self._visible = self._prepare_visible()  # fonts and images loaded once per batch
        self._loop = asyncio.new_event_loop()
        self._bytes_reserved: int | None = None
        self._folder_syncs = SharedFolderSyncs()  # sign_async's, on self._loop
        self._validation_context = None
        self._revocation: RevocationFetchers | None = None
        self.timestamper: TsaClient | None = None
        if level.timestamped:
            # the time-stamping and revocation clients import aiohttp: only levels that
            # use the network pay for it
            from .timestamps import SignatureTimestamp, TsaClient

            self._validation_context = self._build_validation_context()
            assert self.options.tsa_url is not None  # checked above
            self.timestamper = TsaClient(
                self.options.tsa_url,
                timeout=self.options.tsa_timeout,
                auth=self.options.tsa_auth,
                retries=self.options.tsa_retries,
                validation_context=self._validation_context,
            )
            self._signer.unsigned_attr_prov_spec = SignatureTimestamp(
                self.timestamper, self._timestamp_digest)

    def _prepare_visible(self) -> VisibleSignature | None:
        opts = self.options
        if opts.appearance is None and opts.placement is None:
            return None
        from ..appearance import Appearance
        from .visible import VisibleSignature

        return VisibleSignature(opts.appearance or Appearance(), opts.placement)

    @property
    def _timestamp_digest(self) -> str:
        return self.options.tsa_digest or self.options.digest

    def _build_validation_context(self):
        """Trust for the TSA check (B-T, when anchors are given) and the chains and
        revocation data of B-LT/B-LTA (fetched online; hard-fail: a certificate that names
        an OCSP responder or CRL must get an answer from one of them)."""
        opts = self.options
        if not opts.trust:
            return None
        from pyhanko_certvalidator import ValidationContext

        from ..certs import load_certificates

        roots = [c for p in opts.trust for c in load_certificates(Path(p))]  # ProfileError
        others = [c for p in opts.other_certs for c in load_certificates(Path(p))]
        kwargs = {}
        if opts.level.long_term:
            from .network import RevocationFetchers

            self._revocation = RevocationFetchers(timeout=opts.revocation_timeout)
            kwargs["fetchers"] = self._revocation.fetchers
        return ValidationContext(
            trust_roots=roots,
            other_certs=others,
            allow_fetching=opts.level.long_term,
            revocation_mode="hard-fail" if opts.level.long_term else "soft-fail",
            **kwargs,
        )

    def close(self) -> None:
        close_loop(self._loop, self.timestamper.aclose if self.timestamper else None,
                   self._revocation.aclose if self._revocation else None)

    def __enter__(self) -> DocumentSigner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sign(self, input_path: Path, output_path: Path, *, overwrite: bool = False,
             seal: DocumentSigner | None = None) -> SignResult:
        """Sign one document; bad input raises ``SigningError``, token trouble ``TokenError``.

        The document is read as a stream and signed straight into the output's temporary
        file in the target folder. With ``seal`` (a signer with the organisation's key and,
        usually, the ``vn-seal`` appearance), the first signature goes to an anonymous
        scratch file there, and the seal — over this signature unless the seal's options
        place it elsewhere — reads it and writes the output: only the result gets a name."""
        input_path, output_path = Path(input_path), Path(output_path)
        with document_files(input_path, output_path, overwrite) as (source, out):
            if seal is None:
                signed = self._loop.run_until_complete(
                    self._sign_checked(source, input_path, out))
                sealed = None
            else:
                with scratch_file(output_path.parent) as first:
                    signed = self._loop.run_until_complete(
                        self._sign_checked(source, input_path, first))
                    sealed = seal._loop.run_until_complete(
                        seal._sign_checked(first, input_path, out,
                                           over_signature=signed.field))
        digest = (sealed or signed).sha256
        return self._result(signed, input_path, output_path, digest, seal=(
            seal._result(sealed, input_path, output_path, digest)
            if seal is not None and sealed is not None else None))

    async def sign_async(self, input_path: Path, output_path: Path, *,
                         overwrite: bool = False,
                         before_naming: Callable[[SignResult], None] | None = None
                         ) -> SignResult:
        """``sign`` (without a seal) as a coroutine on this signer's event loop, so that
        several documents can be under way while their signatures are made elsewhere
        (the worker processes of :mod:`.workers`). ``before_naming(result)`` is called once
        the output is complete and checked, just before it gets its name."""
        input_path, output_path = Path(input_path), Path(output_path)
        with document_files(input_path, output_path, overwrite, sync_folder=False
                            ) as (source, out):
            signed = await self._sign_checked(source, input_path, out)
            result = self._result(signed, input_path, output_path, signed.sha256)
            # the waits for the disk happen in threads: meanwhile this loop prepares the
            # next document (the fsync on naming then has nothing left to write)
            await asyncio.to_thread(sync_file, out)
            if before_naming is not None:
                before_naming(result)
        await self._folder_syncs.sync(output_path.parent)
        return result

    def _result(self, signed: _Signed, input_path: Path, output_path: Path,
                digest: str | None,
                *, seal: SignResult | None = None) -> SignResult:
        return SignResult(
            input=input_path,
            output=output_path,
            status=SignStatus.SIGNED,
            field=signed.field,
            signer=self._signer_name,
            signing_time=signed.when,
            level=self.options.level.value,
            certified=self.options.certify,
            sha256=digest,
            placement=signed.placement,
            page=signed.page,
            seal=seal,
        )

    async def _sign_checked(self, source: BinaryIO, path: Path, out: BinaryIO, *,
                            over_signature: str | None = None) -> _Signed:
        """Sign the document ``source`` into ``out`` (empty) and check the new signature
        there; the input's bytes are hashed for that check while pyHanko signs."""
        source.seek(0)
        input_size = stream_size(source)
        prefix: list[PrefixDigests] = []
        writeback: list[threading.Thread] = []

        def follow_copy(copied: int, size: int) -> None:
            if not prefix:
                prefix.append(PrefixDigests(out.fileno(), input_size,
                                            {"sha256", self.options.digest}, available=copied))
            else:
                prefix[0].advance(copied)
            if copied == size and input_size >= _EARLY_WRITEBACK_SIZE:
                writeback.append(start_writeback(out))

        def copied_digest(algorithm: str):
            """The hash of the copied input (the output's first ``input_size`` bytes)."""
            return prefix[0].result().get(algorithm) if prefix else None

        try:
            signed = await self._sign_stream(source, path, out, on_copying=follow_copy,
                                             copied_digest=copied_digest,
                                             over_signature=over_signature)
            digest = check_signed_output(out, self._verifier, path,
                                         appended_from=input_size,
                                         later_updates=self.options.level.long_term,
                                         prefix=prefix[0] if prefix else None)
        finally:
            for started in prefix:
                started.cancel()
            for thread in writeback:
                thread.join()
        return dataclasses.replace(signed, sha256=digest)

    async def _sign_stream(self, source: BinaryIO, path: Path, out: BinaryIO, *,
                           on_copying: Callable[[int, int], None] | None = None,
                           copied_digest: Callable[[str], object] | None = None,
                           over_signature: str | None = None) -> _Signed:
        writer = _open_writer(source, path, self.options.password)
        writer.on_copying = on_copying
        opts = self.options
        if self._revocation is not None:
            self._revocation.start_document()
        plan = self._plan_visible(writer, path, over_signature)
        if plan is not None:
            field_name, new_field = plan.field_name, plan.new_field
        else:
            field_name = opts.field or choose_field(writer)
            new_field = pdf_fields.SigFieldSpec(field_name)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=opts.digest,
            reason=opts.reason,
            location=opts.location,
            contact_info=opts.contact,
            certify=opts.certify,
            docmdp_permissions=pdf_fields.MDPPerm(opts.docmdp),
            subfilter=pdf_fields.SigSeedSubFilter.PADES,
            **self._level_settings(),
        )
        pdf_signer = _PdfSigner(
            meta, signer=self._signer, new_field_spec=new_field,
            timestamper=self.timestamper, timestamp_digest=self._timestamp_digest,
            copied_digest=copied_digest,
            **({"stamp_style": plan.stamp_style} if plan is not None else {}),
        )
        try:
            reserved = await self._async_reserved_size()
            await pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved, output=out,
                                            chunk_size=COPY_CHUNK_SIZE)
        except TokenError:
            raise
        except (PlacementError, AppearanceError) as e:  # raised while drawing the widget
            raise _with_path(e, path) from None
        except TimestampError as e:
            raise type(e)(e.reason, url=e.url, path=path) from None
        except PyHankoSigningError as e:
            if _is_path_error(e.__cause__):
                raise self._revocation_error(e.__cause__, path) from None
            raise SigningError(_pyhanko_reason(e), path=path) from None
        except PdfError as e:
            raise SigningError(_pyhanko_reason(e), path=path) from None
        except (KeyError, ValueError, TypeError, AttributeError, IndexError) as e:
            # pyHanko's object model raises these on structurally broken documents;
            # the same exceptions from our own code are bugs and must surface as such.
            if not _raised_in_pyhanko(e):
                raise
            raise InputError(said("input.damaged_structure", kind=type(e).__name__,
                                  detail=str(e)), path=path) from None
        return _Signed(field_name, pdf_signer.signing_time(),
                       plan.how if plan is not None else None,
                       plan.page if plan is not None else None)

    def _plan_visible(self, writer: IncrementalPdfFileWriter, path: Path,
                      over_signature: str | None) -> FieldPlan | None:
        """Where this document's visible signature goes (None: invisible). In the seal
        workflow the seal goes over ``over_signature`` unless its options place it."""
        visible = self._visible
        if visible is None:
            return None
        try:
            return visible.plan(writer.prev, field=self.options.field,
                                over_signature=over_signature, password=self.options.password)
        except (PlacementError, AppearanceError) as e:
            raise _with_path(e, path) from None
        except (PdfError, KeyError, ValueError, TypeError, AttributeError, IndexError) as e:
            # a malformed page tree or form read while placing: the document's fault
            if not isinstance(e, PdfError) and not _raised_in_pyhanko(e):
                raise
            raise InputError(said("input.damaged_structure", kind=type(e).__name__,
                                  detail=str(e)), path=path) from None

    def _level_settings(self) -> dict:
        level = self.options.level
        if not level.long_term:
            return {}
        return {
            "embed_validation_info": True,
            "validation_context": self._validation_context,
            "use_pades_lta": level is PadesLevel.B_LTA,
        }

    def _revocation_error(self, cause: BaseException | None, path: Path
                          ) -> RevocationFetchError:
        failures = self._revocation.failures if self._revocation is not None else []
        if failures:  # say which service failed and why
            return RevocationFetchError(
                said("revocation_fetch.failures", level=self.options.level.value,
                     failures=joined(map(str, failures))),
                urls=[f.url for f in failures], path=path,
            )
        urls = _revocation_urls(self._signer.signing_cert)
        where = f" (services: {', '.join(urls)})" if urls else ""
        return RevocationFetchError(
            said("revocation_fetch.chain", level=self.options.level.value, services=where,
                 detail=str(cause)),
            urls=urls, path=path,
        )

    def _reserved_size(self) -> int:
        """Size the /Contents placeholder once per batch with a dry-run signature (with a
        timestamper, pyHanko asks the TSA for one real token to measure)."""
        if self._bytes_reserved is None:
            self._loop.run_until_complete(self._async_reserved_size())
        assert self._bytes_reserved is not None  # set by _async_reserved_size
        return self._bytes_reserved

    async def _async_reserved_size(self) -> int:
        if self._bytes_reserved is None:
            digest = self.options.digest
            probe = await self._signer.async_sign(
                hashlib.new(digest).digest(),
                digest,
                use_pades=True,
                dry_run=True,
                timestamper=self.timestamper,
                signed_attr_settings=PdfCMSSignedAttributes(
                    signing_time=dt.datetime.now(dt.UTC)
                ),
            )
            size = len(probe.dump()) * 2
            if self.timestamper is None:
                self._bytes_reserved = size + 2 * (size // 8) + 64  # DER length drift
            else:
                # a TSA's tokens vary more (its clock precision, certificates it includes)
                self._bytes_reserved = size + 2 * (size // 4) + 1024
        return self._bytes_reserved


def sign_pdf(
    input: str | Path,
    output: str | Path,
    *,
    key: SigningKey,
    options: SignOptions | None = None,
    overwrite: bool = False,
    seal_key: SigningKey | None = None,
    seal_options: SignOptions | None = None,
) -> SignResult:
    """Sign one PDF; the output appears whole or not at all. With ``seal_key`` the
    organisation signs it next (``seal_options``: e.g. the ``vn-seal`` appearance, which
    goes over the first signature), and the output holds both.

    >>> with open_pkcs12("signer.p12", password="secret") as key:
    ...     result = sign_pdf("in.pdf", "in-signed.pdf", key=key)
    >>> result.status
    <SignStatus.SIGNED: 'signed'>
    """
    with contextlib.ExitStack() as stack:
        signer = stack.enter_context(DocumentSigner(key, options))
        seal = (stack.enter_context(DocumentSigner(seal_key, seal_options))
                if seal_key is not None else None)
        return signer.sign(Path(input), Path(output), overwrite=overwrite, seal=seal)


@dataclass(frozen=True)
class _Signed:
    """One signature added to an output file."""

    field: str
    when: dt.datetime
    placement: str | None
    page: int | None
    sha256: str | None = None  # of the whole output, once checked


def _is_path_error(error: BaseException | None) -> bool:
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    return isinstance(error, (PathBuildingError, PathValidationError))


def _revocation_urls(cert) -> list[str]:
    from .network import crl_urls, ocsp_urls

    return ocsp_urls(cert) + crl_urls(cert)


class _PdfSigner(signers.PdfSigner):
    """pyHanko's ``PdfSigner``, with the B-LTA document timestamp hashed with
    ``timestamp_digest`` (pyHanko always reuses the signature's algorithm there), and the
    document digest continued from ``copied_digest(algorithm)``, the hash of the copied
    input that the self-check computes anyway (pyHanko would read and hash it once more)."""

    def __init__(self, *args, timestamp_digest: str, copied_digest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._timestamp_digest = timestamp_digest
        self._copied_digest = copied_digest
        self._system_time: dt.datetime | None = None

    def signing_time(self) -> dt.datetime:
        """The signing time the signature carries (its /M, whole seconds), in UTC."""
        assert self._system_time is not None, "asked before signing"
        return self._system_time.astimezone(dt.UTC).replace(microsecond=0)

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        # the time pyHanko writes into the signature dictionary (/M) and, outside PAdES,
        # the CMS signing-time attribute
        self._system_time = session.system_time
        if self._copied_digest is not None:
            session.cms_writer = _DigestFromCopy(session.cms_writer, self._copied_digest)
        prepare = session.prepare_tbs_document

        def prepare_tbs_document(*args, **kwargs):
            tbs = prepare(*args, **kwargs)
            if tbs.post_sign_instructions is not None:  # B-LT and up
                tbs.post_sign_instructions = dataclasses.replace(
                    tbs.post_sign_instructions, timestamp_md_algorithm=self._timestamp_digest)
            return tbs

        session.prepare_tbs_document = prepare_tbs_document
        return session


def _pyhanko_reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    lowered = text.lower()
    if "forbids all changes" in lowered or "docmdp" in lowered:
        return "the document is certified and its certification forbids further signatures"
    return text


class _DigestFromCopy:
    """pyHanko's CMS-embedding coroutine, passed through, except that the signature
    dictionary it is given computes the document digest with ``_fill_from_copy``."""

    def __init__(self, cms_writer, copied_digest):
        self._cms_writer = cms_writer
        self._copied_digest = copied_digest

    def send(self, value):
        if isinstance(value, SigObjSetup):
            sig_obj = value.sig_placeholder
            sig_obj.fill = functools.partial(_fill_from_copy, sig_obj, self._copied_digest)
        return self._cms_writer.send(value)

    def __getattr__(self, name):
        return getattr(self._cms_writer, name)


def _fill_from_copy(sig_obj, copied_digest, writer, md_algorithm, in_place=False,
                    output=None, chunk_size=misc.DEFAULT_CHUNK_SIZE):
    """``PdfByteRangeDigest.fill`` (pyHanko 0.38), but the digest of the bytes copied from
    the input is continued from ``copied_digest(md_algorithm)`` (once ``writer.write`` has
    copied them) instead of read and hashed again; only the appended revision is hashed
    here. Without that digest, the whole range is hashed, as pyHanko does."""
    if in_place:
        return (yield from type(sig_obj).fill(sig_obj, writer, md_algorithm, in_place=True,
                                               output=output, chunk_size=chunk_size))
    writer.digest_aware_write = True
    output = misc.prepare_rw_output_stream(output)
    writer.write(output)
    eof = output.tell()
    sig_start, sig_end = sig_obj.contents.offsets
    sig_obj.byte_range.fill_offsets(output, sig_start, sig_end, eof)
    copied = stream_size(writer.prev.stream)
    started = copied_digest(md_algorithm) if copied <= sig_start else None
    md = started.copy() if started is not None else hashlib.new(md_algorithm)
    first = copied if started is not None else 0
    buffer = bytearray(max(1, min(chunk_size, max(sig_start - first, eof - sig_end))))
    for start, end in ((first, sig_start), (sig_end, eof)):
        output.seek(start)
        misc.chunked_digest(buffer, output, md, max_read=end - start)
    prepared = PreparedByteRangeDigest(document_digest=md.digest(),
                                       reserved_region_start=sig_start,
                                       reserved_region_end=sig_end)
    cms_data = yield prepared, output
    yield prepared.fill_with_cms(output, cms_data)
