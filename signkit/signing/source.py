"""Reading the document to sign: the input file, checked to be a PDF, opened as a stream for
an incremental update (decrypted when its password is given). The document is never read
into memory whole: pyHanko's reader seeks to the objects it needs, and the writer copies the
input into the output file inside the kernel."""

from __future__ import annotations

import contextlib
import errno
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError

from ..atomic import atomic_output, refuse_existing
from ..error_messages import said
from ..errors import EncryptedInputError, InputError, SigningError

COPY_CHUNK_SIZE = 1 << 20  # for copies and digests through Python, when the kernel cannot


def same_file(a: Path, b: Path) -> bool:
    """Whether ``b`` exists and is the file ``a`` (a link to it, or the same path)."""
    try:
        return os.path.samestat(os.stat(a), os.stat(b))
    except OSError:
        return False


@contextlib.contextmanager
def open_input(path: Path) -> Iterator[BinaryIO]:
    """The document, opened for reading and checked to start like a PDF (only its first
    KiB is read here: pyHanko reads the rest where it needs it)."""
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise InputError(said("input.not_found"), path=path) from None
    except IsADirectoryError:
        raise InputError(said("input.folder"), path=path) from None
    except OSError as e:
        raise InputError(said("input.unreadable", detail=e.strerror), path=path) from None
    with stream:
        try:
            head = stream.read(1024)
            stream.seek(0)
        except OSError as e:
            raise InputError(said("input.unreadable", detail=e.strerror), path=path) from None
        if not head:
            raise InputError(said("input.empty"), path=path)
        if b"%PDF-" not in head:
            raise InputError(said("input.not_pdf"), path=path)
        yield _in_memory_if_small(stream, path)


_IN_MEMORY_UP_TO = 256 << 10  # bytes


class _SmallInput(io.BytesIO):
    """A small document's bytes, read at once, standing in for its open file (``fileno``
    is the file's, for copying it inside the kernel and for its size)."""

    def __init__(self, data: bytes, file: BinaryIO):
        super().__init__(data)
        self._file = file

    def fileno(self) -> int:
        return self._file.fileno()


def _in_memory_if_small(stream: BinaryIO, path: Path) -> BinaryIO:
    """A document of at most ``_IN_MEMORY_UP_TO`` bytes as ``_SmallInput``: pyHanko's
    parser reads a byte at a time and jumps about (reading the end of the file backwards),
    which through a file costs a small document some 200 system calls and a fifth of the
    time its parse takes. Larger ones stay a file, read where pyHanko needs them, so memory
    stays bounded whatever the document's size."""
    try:
        if os.fstat(stream.fileno()).st_size > _IN_MEMORY_UP_TO:
            return stream
        data = stream.read(_IN_MEMORY_UP_TO + 1)
        stream.seek(0)
    except OSError as e:
        raise InputError(said("input.unreadable", detail=e.strerror), path=path) from None
    if len(data) > _IN_MEMORY_UP_TO:  # it grew meanwhile
        return stream
    return _SmallInput(data, stream)


@contextlib.contextmanager
def document_files(input_path: Path, output_path: Path, overwrite: bool, *,
                   sync_folder: bool = True) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """The input, open for reading, and the output's temporary file (named when the block
    ends without an error); an output that is the input, or exists, is refused first.
    ``sync_folder``: as for ``atomic_output``."""
    if same_file(input_path, output_path):
        raise SigningError(said("signing.replaces_input"), path=input_path)
    if not overwrite:
        refuse_existing(output_path, source=input_path)
    with open_input(input_path) as source, \
            atomic_output(output_path, overwrite=overwrite, source=input_path,
                          sync_folder=sync_folder) as out:
        yield source, out


def stream_size(stream: BinaryIO) -> int:
    """The size of an open file, including what is still in its write buffer."""
    stream.flush()
    return os.fstat(stream.fileno()).st_size


class StreamingWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, copying the input into the output inside the kernel
    (``copy_file_range``) rather than 4 KiB at a time through Python. ``on_copying(copied,
    size)`` hears how far the copy is, after each slice and once at the end
    (``copied == size``): the self-check hashes those bytes while the rest is copied."""

    IO_CHUNK_SIZE = COPY_CHUNK_SIZE
    on_copying: Callable[[int, int], None] | None = None

    def _write_header(self, stream):
        if not _copy_in_kernel(self.input_stream, stream, self.on_copying):
            super()._write_header(stream)
            if self.on_copying is not None:
                size = stream_size(stream)
                self.on_copying(size, size)


_COPY_SLICE = 16 << 20  # bytes per copy_file_range call: how often the hashing can follow


def _copy_in_kernel(source: BinaryIO, output: BinaryIO,
                    on_copying: Callable[[int, int], None] | None = None) -> bool:
    """Append all of ``source`` to ``output`` with ``copy_file_range``; False (and nothing
    copied) when the two are not files that support it."""
    try:
        source_fd, output_fd = source.fileno(), output.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return False
    source.flush()  # a scratch file just written (the seal workflow's first signature)
    output.flush()
    start = output.tell()
    size = os.fstat(source_fd).st_size
    copied = 0
    while copied < size:
        try:
            n = os.copy_file_range(source_fd, output_fd, min(size - copied, _COPY_SLICE),
                                   copied, start + copied)
        except OSError as e:
            if copied == 0 and e.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL,
                                           errno.EOPNOTSUPP, errno.EBADF):
                return False
            raise
        if n == 0:
            raise PdfError("the input file became shorter while it was being copied")
        copied += n
        if on_copying is not None:
            on_copying(start + copied, start + size)
    if on_copying is not None and size == 0:
        on_copying(start, start)
    output.seek(start + copied)
    return True


def open_writer(stream: BinaryIO, path: Path, password: str | None) -> StreamingWriter:
    try:
        writer = StreamingWriter(stream, strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as e:
        raise InputError(said("input.damaged", detail=str(e)), path=path) from None
    if writer.prev.encrypted:
        if password is None:
            raise EncryptedInputError(said("encrypted_input.needs_password"), path=path)
        try:
            result = writer.encrypt(password)
        except (PdfError, ValueError) as e:
            raise InputError(said("input.cannot_decrypt", detail=str(e)), path=path) from None
        if result.status is AuthStatus.FAILED:
            raise InputError(said("input.wrong_pdf_password"), path=path)
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
