"""Where a streamed report goes: standard output, or a file that appears whole or not at all,
and Ctrl-C that ends a batch without cutting a report entry in half."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO

from .errors import EXIT_USAGE, fail, plain_reason


@contextlib.contextmanager
def report_output(path: Path | None) -> Iterator[TextIO]:
    """A text stream for the report. ``None``: standard output, written as the report goes.
    A device or pipe (``/dev/stdout``, a FIFO; replacing those would be wrong): written
    directly. Any other path: a temporary file in the target folder (anonymous where Linux
    allows, so a killed process leaves nothing), fsynced and renamed over ``path`` when the
    block ends without an exception, discarded otherwise (``signkit.atomic``). A report that
    cannot be written ends the command with a plain message and exit 2."""
    if path is None:
        yield sys.stdout
        return
    try:
        if _is_special(path):
            with open(path, "w", encoding="utf-8", newline="") as out:
                yield out
        else:
            with _atomic_text_file(path) as out:
                yield out
    except OSError as e:
        fail(f"cannot write the report to {path}: {plain_reason(e)}", EXIT_USAGE)


def spool_folder(path: Path | None) -> Path | None:
    """Where a report's spooled entries should wait: beside an ordinary report file, where its
    space is needed anyway (the system's temporary folder may be in RAM); else ``None``."""
    return None if path is None or _is_special(path) else path.parent


def _is_special(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # not there yet: an ordinary new file
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _atomic_text_file(target: Path) -> Iterator[TextIO]:
    """``signkit.atomic.atomic_output`` (the same guarantees as signed documents) as text."""
    from signkit.atomic import atomic_output

    with atomic_output(target, overwrite=True) as binary:
        out = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        try:
            yield out
            out.flush()
        finally:
            out.detach()  # atomic_output closes the file once it is named (or abandoned)


class Interrupts:
    """SIGINT and SIGTERM as ``KeyboardInterrupt``, only while ``armed``: a signal that
    comes while a report entry is being written (or the report is being finished) waits,
    and ``deferred`` raises it once the entry is whole. Handlers are restored on exit."""

    def __init__(self) -> None:
        self.armed = False
        self.pending = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Interrupts:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._on_signal)
        self.armed = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False  # one interruption: the second Ctrl-C must not cut the end
            raise KeyboardInterrupt
        self.pending = True

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold signals in the block; raise one that came meanwhile after it."""
        self.armed = False
        try:
            yield
        finally:
            self.armed = True
        if self.pending:
            self.pending = False
            self.armed = False
            raise KeyboardInterrupt

    def disarm(self) -> None:
        """From now on signals only wait (the report is being finished)."""
        self.armed = False
