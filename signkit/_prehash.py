"""Hashing a large document while Python is still importing the verifier.

Verifying a 300 MB scan is mostly two things: importing pyHanko and its friends (a few
hundred milliseconds) and one SHA-256 pass over the file (about as long). They do not
depend on each other, and hashlib lets other threads run while it hashes, so the ``signkit
verify`` command starts hashing its large inputs before it imports anything heavy.

A signature's /ByteRange always starts at byte 0, so the state of the file's SHA-256 at
regular offsets (``CHECKPOINT`` bytes apart) is enough to finish any SHA-256 range digest
by reading at most ``CHECKPOINT`` bytes more plus the range after the gap. ``PdfFile`` asks
``take`` for the pass of the file it opens; a pass is used only when the file is still the
one that was hashed (same device, inode, size, modification and change times) and the pass read it
whole.

This module imports only the standard library: it must be cheap to load first.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import sys
import threading
from collections.abc import Iterable

CHECKPOINT = 4 * 1024 * 1024
"""Bytes between two saved hash states (a state is about 200 bytes)."""

WORTH_FROM = 16 * 1024 * 1024
"""Smaller files are hashed in the verifier's own pass: too little to overlap."""

MOST_FILES = 2
"""At most this many files are hashed ahead (a batch of thousands is not: its workers
overlap their files with each other)."""

_READ = CHECKPOINT  # one read and one update per saved state: few waits for the GIL

_SWITCH_INTERVAL = 0.0001
"""While a pass runs, the importing thread hands the GIL over after this long instead of
Python's 5 ms: each chunk the pass hashes (without the GIL) ends in a wait for it, and at
5 ms those waits, not SHA-256, would set the pace."""

_running = 0
_running_lock = threading.Lock()
_default_interval = sys.getswitchinterval()


class Prehash:
    """One file's SHA-256, with the hash state at every multiple of ``CHECKPOINT``."""

    def __init__(self, path: str, identity: tuple[int, int, int, int, int]):
        self.path = path
        self.identity = identity
        self.offsets: list[int] = []
        self.states: list[object] = []  # hashlib objects, a copy at each offset
        self.sha256: str | None = None  # set once the whole file was read
        self._thread = threading.Thread(target=self._run, name="signkit-prehash", daemon=True)

    def _run(self) -> None:
        try:
            self._hash()
        finally:
            _pass_ended()

    def _hash(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            whole = hashlib.sha256()
            buffer = bytearray(_READ)
            size, pos = self.identity[2], 0
            while pos < size:
                if pos % CHECKPOINT == 0:
                    self.offsets.append(pos)
                    self.states.append(whole.copy())
                n = os.preadv(fd, [memoryview(buffer)[:min(_READ, CHECKPOINT - pos % CHECKPOINT)]],
                              pos)
                if n == 0:
                    return  # shorter than it was: no pass
                whole.update(memoryview(buffer)[:n])
                pos += n
            if os.fstat(fd).st_size == size:
                self.sha256 = whole.hexdigest()
        except OSError:
            return
        finally:
            os.close(fd)

    def wait(self) -> bool:
        """Wait for the pass; whether it read the whole file."""
        if self._thread.ident is not None:
            self._thread.join()
        return self.sha256 is not None

    def state_at(self, offset: int) -> tuple[int, object]:
        """The latest saved state at or before ``offset``: (its offset, a copy of it)."""
        i = bisect.bisect_right(self.offsets, offset) - 1
        return self.offsets[i], self.states[i].copy()  # type: ignore[attr-defined]


_started: dict[str, Prehash] = {}


def _pass_started() -> None:
    global _running
    with _running_lock:
        _running += 1
        sys.setswitchinterval(_SWITCH_INTERVAL)


def _pass_ended() -> None:
    global _running
    with _running_lock:
        _running -= 1
        if _running == 0:
            sys.setswitchinterval(_default_interval)


def _identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    # the change time too: a write or a reset modification time moves it
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def start(paths: Iterable[str]) -> None:
    """Start hashing the first ``MOST_FILES`` regular files of at least ``WORTH_FROM``
    bytes among ``paths`` (anything else is skipped silently: the verifier reports it)."""
    for path in paths:
        if len(_started) >= MOST_FILES:
            return
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            continue
        if not os.path.isfile(path) or st.st_size < WORTH_FROM:
            continue
        key = os.path.realpath(path)
        if key not in _started:
            _started[key] = pass_ = Prehash(path, _identity(st))
            _pass_started()
            pass_._thread.start()


def wait_all() -> None:
    """Wait for every pass started (before forking workers: a thread does not survive a
    fork, its finished result does)."""
    for pass_ in _started.values():
        pass_.wait()


def take(path: str | os.PathLike, fd: int) -> Prehash | None:
    """The finished pass over the file open as ``fd`` (from ``path``), if there is one and
    the file has not changed since; it is used once."""
    if not _started:
        return None
    pass_ = _started.pop(os.path.realpath(path), None)
    if pass_ is None or not pass_.wait():
        return None
    return pass_ if _identity(os.fstat(fd)) == pass_.identity else None
