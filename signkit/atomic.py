"""Output files that appear whole or not at all.

On Linux the document is written to an anonymous file (O_TMPFILE) in the target folder,
fsynced, checked, and only then given its name with ``link``: if the process is killed, even
with SIGKILL, the kernel discards the anonymous file and nothing is left behind. Elsewhere a
hidden ``.<name>.signkit-*.tmp`` file is used and removed on any error. Without
``overwrite`` the final link refuses to replace a file that appeared meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputExistsError, SigningError


def write_atomically(
    target: Path,
    data: bytes,
    *,
    overwrite: bool,
    check: Callable[[bytes], None] | None = None,
    source: Path | None = None,
    mode: int | None = None,
) -> None:
    """Write ``data`` to ``target`` atomically; ``check`` may raise to abandon the write.
    ``mode`` (permission bits) is set before the file gets its name, so a file replaced in
    place keeps its permissions without a moment of being readable by others."""
    if not overwrite:
        refuse_existing(target, source=source)
    try:
        fd = os.open(target.parent, os.O_TMPFILE | os.O_WRONLY, 0o644)
    except (AttributeError, OSError):
        _write_via_named_temp(target, data, overwrite=overwrite, check=check, source=source,
                              mode=mode)
    else:
        if mode is not None:
            os.fchmod(fd, mode)
        _write_via_anonymous_file(fd, target, data, overwrite=overwrite, check=check, source=source)
    _fsync_dir(target.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _write_via_anonymous_file(fd, target, data, *, overwrite, check, source) -> None:
    try:
        _write_all(fd, data)
        if check is not None:
            check(data)
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
    finally:
        os.close(fd)


def _link_anonymous(fd: int, target: Path) -> None:
    # os.link only calls linkat(AT_SYMLINK_FOLLOW), needed to name an O_TMPFILE through
    # /proc, when a directory fd is given; plain link() would try to link the magic symlink.
    dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"/proc/self/fd/{fd}", target.name, dst_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


def _write_via_named_temp(target, data, *, overwrite, check, source, mode) -> None:
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.signkit-", suffix=".tmp"
    )
    tmp = Path(tmp_name)
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            _write_all(fd, data)
        finally:
            os.close(fd)
        if check is not None:
            check(data)
        if overwrite:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise _exists(target, source) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def refuse_existing(target: Path, *, source: Path | None = None) -> None:
    if target.exists():
        raise _exists(target, source)


def _exists(target: Path, source: Path | None) -> OutputExistsError:
    return OutputExistsError(f"output {target} already exists (use --overwrite)", path=source)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as e:  # some filesystems refuse directory fsync; the file itself is synced
        if e.errno != errno.EINVAL:
            raise SigningError(f"cannot sync folder {folder}: {e.strerror}") from None
    finally:
        os.close(fd)
