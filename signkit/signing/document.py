"""Signing PDF documents with pyHanko: PAdES B-B, approval or certification signatures.

``DocumentSigner`` holds what is the same for every document of a batch (the pyHanko signer
with its parsed certificates, the reserved signature size, one event loop), so a batch pays
for them once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields as pdf_fields
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import PdfCMSSignedAttributes

from ..atomic import refuse_existing, write_atomically
from ..errors import InputError, SigningError, TokenError
from ..tokens.base import RsaPadding, SigningKey
from .adapter import KeySigner
from .selfcheck import check_signed_output


class PadesLevel(enum.Enum):
    B_B = "PAdES-B-B"


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
    signing_time: dt.datetime | None = None
    level: str | None = None
    certified: bool = False
    sha256: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is SignStatus.SIGNED


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
        self._signer = KeySigner(key, digest=self.options.digest, padding=self.options.padding)
        self._loop = asyncio.new_event_loop()
        self._bytes_reserved: int | None = None

    def close(self) -> None:
        self._loop.close()

    def __enter__(self) -> DocumentSigner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sign(self, input_path: Path, output_path: Path, *, overwrite: bool = False) -> SignResult:
        """Sign one document; bad input raises ``SigningError``, token trouble ``TokenError``."""
        input_path, output_path = Path(input_path), Path(output_path)
        if _same_file(input_path, output_path):
            raise SigningError("the output would replace the input; choose another output",
                               path=input_path)
        if not overwrite:
            refuse_existing(output_path, source=input_path)
        data = _read_input(input_path)
        signed, field_name, when = self._sign_bytes(data, input_path)
        write_atomically(
            output_path,
            signed,
            overwrite=overwrite,
            check=lambda out: check_signed_output(
                out, self._signer.signing_cert, input_path, appended_from=len(data)
            ),
            source=input_path,
        )
        return SignResult(
            input=input_path,
            output=output_path,
            status=SignStatus.SIGNED,
            field=field_name,
            signer=self.key.facts.common_name,
            signing_time=when,
            level=self.options.level.value,
            certified=self.options.certify,
            sha256=hashlib.sha256(signed).hexdigest(),
        )

    def _sign_bytes(self, data: bytes, path: Path) -> tuple[bytes, str, dt.datetime]:
        writer = _open_writer(data, path, self.options.password)
        opts = self.options
        field_name = opts.field or _choose_field(writer)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=opts.digest,
            reason=opts.reason,
            location=opts.location,
            contact_info=opts.contact,
            certify=opts.certify,
            docmdp_permissions=pdf_fields.MDPPerm(opts.docmdp),
            subfilter=pdf_fields.SigSeedSubFilter.PADES,
        )
        pdf_signer = signers.PdfSigner(
            meta, signer=self._signer, new_field_spec=pdf_fields.SigFieldSpec(field_name)
        )
        out = io.BytesIO()
        try:
            reserved = self._reserved_size()
            self._loop.run_until_complete(
                pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved, output=out)
            )
        except TokenError:
            raise
        except (PyHankoSigningError, PdfError) as e:
            raise SigningError(_pyhanko_reason(e), path=path) from None
        except (KeyError, ValueError, TypeError, AttributeError, IndexError) as e:
            # pyHanko's object model raises these on structurally broken documents;
            # the same exceptions from our own code are bugs and must surface as such.
            if not _raised_in_pyhanko(e):
                raise
            raise InputError(f"damaged PDF structure ({type(e).__name__}: {e})", path=path) \
                from None
        return out.getvalue(), field_name, dt.datetime.now(dt.UTC)

    def _reserved_size(self) -> int:
        """Size the /Contents placeholder once per batch with a dry-run signature."""
        if self._bytes_reserved is None:
            digest = self.options.digest
            probe = self._loop.run_until_complete(
                self._signer.async_sign(
                    hashlib.new(digest).digest(),
                    digest,
                    use_pades=True,
                    dry_run=True,
                    signed_attr_settings=PdfCMSSignedAttributes(
                        signing_time=dt.datetime.now(dt.UTC)
                    ),
                )
            )
            size = len(probe.dump()) * 2
            self._bytes_reserved = size + 2 * (size // 8) + 64  # margin for DER length drift
        return self._bytes_reserved


def sign_pdf(
    input: str | Path,
    output: str | Path,
    *,
    key: SigningKey,
    options: SignOptions | None = None,
    overwrite: bool = False,
) -> SignResult:
    """Sign one PDF; the output appears whole or not at all.

    >>> with open_pkcs12("signer.p12", password="secret") as key:
    ...     result = sign_pdf("in.pdf", "in-signed.pdf", key=key)
    >>> result.status
    <SignStatus.SIGNED: 'signed'>
    """
    with DocumentSigner(key, options) as signer:
        return signer.sign(Path(input), Path(output), overwrite=overwrite)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def _read_input(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a PDF file", path=path) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    if not data:
        raise InputError("empty file, not a PDF", path=path)
    if b"%PDF-" not in data[:1024]:
        raise InputError("not a PDF file (no %PDF- header)", path=path)
    return data


def _open_writer(data: bytes, path: Path, password: str | None) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as e:
        raise InputError(f"damaged or unreadable PDF ({e})", path=path) from None
    if writer.prev.encrypted:
        if password is None:
            raise InputError(
                "the PDF is encrypted (password-protected); its password is needed "
                "(signkit sign --pdf-password-file FILE, or SignOptions(password=...))",
                path=path,
            )
        try:
            result = writer.encrypt(password)
        except (PdfError, ValueError) as e:
            raise InputError(f"cannot decrypt the PDF: {e}", path=path) from None
        if result.status is AuthStatus.FAILED:
            raise InputError("wrong password for the encrypted PDF", path=path)
    return writer


def _raised_in_pyhanko(error: BaseException) -> bool:
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and "pyhanko" in tb.tb_frame.f_code.co_filename


def _choose_field(writer: IncrementalPdfFileWriter) -> str:
    """The document's only empty signature field, else a new ``Signature<n>``."""
    fields = list(pdf_fields.enumerate_sig_fields(writer.prev))
    empty = [name for name, value, _ in fields if value is None]
    if len(empty) == 1:
        return empty[0]
    existing = {name for name, _, _ in fields}
    n = 1
    while f"Signature{n}" in existing:
        n += 1
    return f"Signature{n}"


def _pyhanko_reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    lowered = text.lower()
    if "forbids all changes" in lowered or "docmdp" in lowered:
        return "the document is certified and its certification forbids further signatures"
    return text
