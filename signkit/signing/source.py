"""Reading the document to sign: the input file, checked to be a PDF, opened for an
incremental update (decrypted when its password is given)."""

from __future__ import annotations

import io
from pathlib import Path

from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError

from ..errors import InputError, SigningError


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def read_input(path: Path) -> bytes:
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


def open_writer(data: bytes, path: Path, password: str | None) -> IncrementalPdfFileWriter:
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


def raised_in_pyhanko(error: BaseException) -> bool:
    """Whether ``error`` comes from pyHanko parsing a document (directly, or through
    asn1crypto decoding what pyHanko handed it), not from signkit's own code."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    for filename in reversed(frames):  # innermost first
        if "asn1crypto" in filename:
            continue
        return "pyhanko" in filename
    return False


def with_path(error: SigningError, path: Path) -> SigningError:
    """``error`` naming the document (errors of placement and drawing know no path)."""
    if error.path is None:
        error.path = str(path)
        error.message = f"{path}: {error.reason}"
        error.args = (error.message,)
    return error
