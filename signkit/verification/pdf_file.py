"""The file being verified, without holding a large one in memory.

signkit's own checks (revisions, /ByteRange gaps, limits) search and slice the document's
bytes; pyHanko reads it through a stream. A small file is read once into memory, which is
the fastest way for both. A larger one is mapped (``mmap``): both see the same bytes, and
only the pages they touch (cross-reference sections, dictionaries, the signature) are
loaded, so a 1 GB scan costs what a 10 MB one does.

Every signature's /ByteRange digest and the file's SHA-256 come from one read of the file
(``digest_signatures``): each signed range starts at byte 0, so a range hashed with SHA-256
is the file's hash up to its gap, copied there and finished with the bytes after the gap.
pyHanko then finds the digests computed (it caches them per signature) instead of reading
the document once more per signature. When the ``signkit`` command already hashed the file
while it was starting (``signkit._prehash``), only the bytes from the last saved hash state
to each gap, and after it, are read.

A mapped file that another process truncates while it is read is a fatal signal (SIGBUS)
for the reading process: in ``verify_many`` that ends one worker, whose file is then
reported as such; an application verifying files that may change under it should use
``verify_many``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
import resource
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from .. import _prehash

MAPPED_FROM = 4 * 1024 * 1024
"""Files of this size and more are mapped, smaller ones read into memory."""

_CHUNK = 1024 * 1024  # bytes hashed per read

DocumentBytes = bytes | mmap.mmap
"""A document's bytes: read into memory, or mapped (searched and sliced the same way)."""


class _Mapping(mmap.mmap):
    """A read-only mapping that is also the stream pyHanko reads (``readinto`` is what
    ``mmap`` lacks of a binary file's methods)."""

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True


class PdfFile:
    """One document: ``data`` (bytes, or a mapping that acts like them) for searching and
    slicing, ``stream()`` for pyHanko, ``sha256`` of the whole file. Use as a context
    manager; the mapping is released on exit."""

    def __init__(self, data: DocumentBytes, *, fd: int | None = None,
                 on_close: Callable[[], None] | None = None,
                 prehash: _prehash.Prehash | None = None):
        self.data = data
        self._prehash = prehash
        self.size = len(data)
        self._fd = fd
        self._on_close = on_close
        self._mappings: list[mmap.mmap] = [data] if isinstance(data, mmap.mmap) else []
        self._sha256: str | None = None

    @classmethod
    def open(cls, path: Path) -> PdfFile:
        """Raises OSError when the file cannot be read."""
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < MAPPED_FROM or size == 0:  # (an empty file cannot be mapped)
                return cls(f.read())
            fd = os.dup(f.fileno())
            prehash = _prehash.take(path, fd)
        try:
            on_close = _address_space_for(size)
            try:
                mapping = _Mapping(fd, 0, access=mmap.ACCESS_READ)
            except BaseException:
                on_close()
                raise
        except BaseException:
            os.close(fd)
            raise
        with contextlib.suppress(AttributeError, OSError):  # read ahead; Linux only
            mapping.madvise(mmap.MADV_RANDOM)
        return cls(mapping, fd=fd, on_close=on_close, prehash=prehash)

    def stream(self) -> BinaryIO:
        """A new stream over the document, independent of any other."""
        if self._fd is None:
            return io.BytesIO(self.data)  # shares the bytes, copies nothing
        mapping = _Mapping(self._fd, 0, access=mmap.ACCESS_READ)
        self._mappings.append(mapping)
        return mapping  # type: ignore[return-value]

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self.digest_signatures(())
        assert self._sha256 is not None
        return self._sha256

    def digest_signatures(self, signatures: Sequence[EmbeddedPdfSignature]) -> None:
        """Hash the file and each well-formed /ByteRange in one pass (see the module
        docstring) and hand pyHanko the signatures' digests. A range that is not four
        ordered offsets inside the file is left to pyHanko and to the structure check."""
        plans = []
        for sig in signatures:
            ranges = _ranges(sig, self.size)
            if ranges is not None and _hash(sig.external_md_algorithm) is not None:
                plans.append(_Plan(sig, sig.external_md_algorithm, *ranges))
        if not plans and self._sha256 is not None:
            return
        left = plans
        if self._prehash is not None:
            self._sha256 = self._prehash.sha256
            left = [plan for plan in plans
                    if not _finish_from(self._prehash, plan, self._read_at)]
        if left or self._sha256 is None:
            self._sha256 = _one_pass(self._read_at, self.size, left, whole=self._sha256)
        for plan in plans:
            plan.sig.external_digests[plan.algorithm] = plan.digest()

    def _read_at(self, buffer: bytearray, offset: int) -> memoryview:
        if self._fd is None:
            return memoryview(self.data)[offset:offset + len(buffer)]  # type: ignore[index]
        # read(2) into our buffer: the mapping's pages stay untouched (and out of our RSS)
        n = os.preadv(self._fd, [buffer], offset)
        if n == 0:
            raise OSError("the file became shorter while it was read")
        return memoryview(buffer)[:n]

    def close(self) -> None:
        for mapping in self._mappings:
            with contextlib.suppress(BufferError):  # a view still exported: freed with it
                mapping.close()
        self._mappings.clear()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> PdfFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Plan:
    """One signature's digest: its range's hash, forked from the trunk at ``len1``."""

    sig: EmbeddedPdfSignature
    algorithm: str
    len1: int
    start2: int
    len2: int
    fork: object = None  # the hash object once the trunk reached len1

    def digest(self) -> bytes:
        return self.fork.digest()  # type: ignore[attr-defined]


def _finish_from(prehash: _prehash.Prehash, plan: _Plan, read_at) -> bool:
    """Compute a SHA-256 plan's digest from the saved hash state nearest below its gap;
    False (nothing done) for another algorithm."""
    if plan.algorithm != "sha256":
        return False
    pos, plan.fork = prehash.state_at(plan.len1)
    buffer = bytearray(_CHUNK)
    for start, end in ((pos, plan.len1), (plan.start2, plan.start2 + plan.len2)):
        while start < end:
            view = read_at(buffer, start)[:end - start]
            plan.fork.update(view)  # type: ignore[attr-defined]
            start += len(view)
    return True


def _one_pass(read_at, size: int, plans: list[_Plan], *, whole: str | None = None) -> str:
    """The file's SHA-256 (``whole`` when it is known already); each plan's digest is left
    in ``plan.fork``."""
    # one trunk per algorithm from byte 0: SHA-256's is the file hash itself, others run to
    # their last fork point
    trunks: dict[str, object] = {}
    trunk_end: dict[str, int] = {}
    if whole is None:
        trunks["sha256"] = hashlib.sha256()
        trunk_end["sha256"] = size
    for plan in plans:
        if plan.algorithm not in trunks:
            trunks[plan.algorithm] = hashlib.new(plan.algorithm)
            trunk_end[plan.algorithm] = 0
        trunk_end[plan.algorithm] = max(trunk_end[plan.algorithm], plan.len1)
    forks = sorted(plans, key=lambda p: p.len1)
    buffer = bytearray(min(_CHUNK, size))  # (zeroing 1 MiB costs a small file more than
    # hashing it; a file in memory is hashed from its bytes, not through the buffer)
    pos = 0
    while pos < size:
        view = read_at(buffer, pos)
        end = pos + len(view)
        for algorithm, trunk in trunks.items():
            cursor = pos
            stop = min(end, trunk_end[algorithm])
            for plan in forks:
                if plan.algorithm == algorithm and pos < plan.len1 <= stop:
                    trunk.update(view[cursor - pos:plan.len1 - pos])  # type: ignore[attr-defined]
                    cursor = plan.len1
                    plan.fork = trunk.copy()  # type: ignore[attr-defined]
            if cursor < stop:
                trunk.update(view[cursor - pos:stop - pos])  # type: ignore[attr-defined]
        for plan in forks:
            lo, hi = max(pos, plan.start2), min(end, plan.start2 + plan.len2)
            if lo < hi:
                plan.fork.update(view[lo - pos:hi - pos])  # type: ignore[attr-defined]
        pos = end
    return whole or trunks["sha256"].hexdigest()  # type: ignore[attr-defined]


def _ranges(sig: EmbeddedPdfSignature, size: int) -> tuple[int, int, int] | None:
    try:
        start1, len1, start2, len2 = (int(v) for v in sig.byte_range)
    except (TypeError, ValueError):
        return None
    if start1 != 0 or not (0 < len1 <= start2) or len2 < 0 or start2 + len2 > size:
        return None
    return len1, start2, len2


def _hash(name: str | None):
    try:
        return hashlib.new(name) if name else None
    except (ValueError, TypeError):
        return None


def _address_space_for(size: int) -> Callable[[], None]:
    """A worker of ``verify_many`` runs with a cap on its address space, against decompression
    bombs; a mapping counts against it, so the cap is raised by the file's size while it is
    mapped (and lowered again by the function returned)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return lambda: None
    raised = soft + size if hard == resource.RLIM_INFINITY else min(soft + size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (raised, hard))

    def restore() -> None:
        current, limit = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (max(current - size, soft), limit))

    return restore
