"""Output files that appear whole or not at all.

``atomic_output`` hands out a file in the target folder to write the document into. On Linux
it is an anonymous file (O_TMPFILE): when the block ends without an error it is fsynced and
only then given its name with ``link``; if the process is killed, even with SIGKILL, the
kernel discards the anonymous file and nothing is left behind. Elsewhere a hidden
``.<name>.signkit-*.tmp`` file is used and removed on any error. Without ``overwrite`` the
final link refuses to replace a file that appeared meanwhile.

Documents are written straight into that file (never assembled in memory first), so the
check an output must pass before it gets its name runs inside the block, on the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from .error_messages import said
from .errors import OutputExistsError, SigningError

_BUFFER_SIZE = 1 << 18  # pyHanko writes a document in many small pieces; reads of a
# MiB (its digest, the self-check) bypass a buffer smaller than they are


@contextlib.contextmanager
def atomic_output(
    target: Path, *, overwrite: bool, source: Path | None = None, mode: int | None = None,
    sync_folder: bool = True,
) -> Iterator[BinaryIO]:
    """A readable, writable, seekable binary file that becomes ``target`` when the block
    ends without an exception; raise in the block to abandon it. ``mode`` (permission
    bits) is set before the file gets its name, so a file replaced in place keeps its
    permissions without a moment of being readable by others. ``sync_folder=False``: the
    caller makes the new name durable itself (``fsync_folder``), e.g. in a thread.

    >>> with atomic_output(Path("out/a.pdf"), overwrite=False) as out:
    ...     out.write(b"%PDF-1.7 ...")
    """
    if not overwrite:
        refuse_existing(target, source=source)
    try:
        fd = os.open(target.parent, os.O_TMPFILE | os.O_RDWR, 0o644)
        temporary = None
    except (AttributeError, OSError):
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.signkit-",
                                    suffix=".tmp")
        temporary = Path(name)
    try:
        with open(fd, "w+b", buffering=_BUFFER_SIZE) as file:  # closes fd
            if mode is not None:
                os.fchmod(fd, mode)
            yield file
            sync_file(file)
            if temporary is None:
                _name_anonymous(fd, target, overwrite=overwrite, source=source)
            else:
                _name_temporary(temporary, target, overwrite=overwrite, source=source)
    finally:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    if sync_folder:
        fsync_folder(target.parent)


def sync_file(file: BinaryIO) -> None:
    """Write ``file``'s buffer and make its data durable (an fsync)."""
    file.flush()
    os.fsync(file.fileno())


def scratch_file(folder: Path) -> BinaryIO:
    """An anonymous read-write file in ``folder`` for an intermediate document (gone when
    closed, or when the process dies)."""
    return cast(BinaryIO, tempfile.TemporaryFile(dir=folder, buffering=_BUFFER_SIZE))


def start_writeback(file: BinaryIO) -> threading.Thread:
    """fsync ``file`` in a thread: the bulk of a large output goes to disk while the CPU
    hashes it, and the final fsync before it gets its name has little left to wait for."""
    file.flush()
    fd = os.dup(file.fileno())

    def sync() -> None:
        try:
            os.fsync(fd)
        except OSError:
            pass  # the final fsync reports it
        finally:
            os.close(fd)

    thread = threading.Thread(target=sync, daemon=True)
    thread.start()
    return thread


def _name_anonymous(fd: int, target: Path, *, overwrite: bool, source: Path | None) -> None:
    if not overwrite:
        try:
            _link_anonymous(fd, target)
        except FileExistsError:
            raise _exists(target, source) from None
        return
    # link under a temporary name, then rename over the old file in one step
    tmp = target.with_name(f".{target.name}.signkit-{os.getpid()}-{fd}.tmp")
    _link_anonymous(fd, tmp)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _link_anonymous(fd: int, target: Path) -> None:
    # os.link only calls linkat(AT_SYMLINK_FOLLOW), needed to name an O_TMPFILE through
    # /proc, when a directory fd is given; plain link() would try to link the magic symlink.
    dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"/proc/self/fd/{fd}", target.name, dst_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


def _name_temporary(tmp: Path, target: Path, *, overwrite: bool, source: Path | None) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise _exists(target, source) from None


def refuse_existing(target: Path, *, source: Path | None = None) -> None:
    if target.exists():
        raise _exists(target, source)


def _exists(target: Path, source: Path | None) -> OutputExistsError:
    return OutputExistsError(said("output_exists.named", output=str(target)), path=source,
                             output=target)


def fsync_folder(folder: Path) -> None:
    """Make the names in ``folder`` durable (after an output got its name)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as e:  # some filesystems refuse directory fsync; the file itself is synced
        if e.errno != errno.EINVAL:
            raise SigningError(said("output_unwritable.cannot_sync", folder=str(folder),
                                    detail=e.strerror)) from None
    finally:
        os.close(fd)


class SharedFolderSyncs:
    """``fsync_folder`` for documents named one after another on an event loop, in a
    thread, one fsync shared by every document named before it starts: a document waits
    for an fsync of its folder that began after its name did, not for one of its own (a
    batch's worker names a file every few milliseconds; each fsync costs about as much)."""

    def __init__(self) -> None:
        self._pending: dict[Path, asyncio.Task] = {}  # not started: later names join it
        self._running: dict[Path, asyncio.Task] = {}

    async def sync(self, folder: Path) -> None:
        """Return once the names made in ``folder`` so far are durable."""
        task = self._pending.get(folder)
        if task is None:
            task = self._pending[folder] = asyncio.get_running_loop().create_task(
                self._sync(folder))
        await asyncio.shield(task)  # a caller cancelled leaves the others their fsync

    async def _sync(self, folder: Path) -> None:
        running = self._running.get(folder)
        if running is not None:  # it may have begun before the names waiting here
            with contextlib.suppress(Exception):
                await running
        me = self._pending.pop(folder)
        self._running[folder] = me
        try:
            await asyncio.to_thread(fsync_folder, folder)
        finally:  # (the next one starts only after this one ends)
            del self._running[folder]
