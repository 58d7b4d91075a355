"""Verifying many files: worker processes, results in input order, a progress callback,
and a watchdog so that one hostile file cannot stall or exhaust a batch.

Each file is verified in a long-lived worker process that keeps one ``Verifier`` (and its
caches) for many files; the parent hands out one path at a time over a pipe. A worker runs
with ``memory_limit`` bytes of address space (RLIMIT_AS): an allocation beyond it fails with
MemoryError, which the worker reports before it exits. The parent kills a worker that spends
longer than ``VerifyOptions.time_limit`` on a file. Either way, and when a worker dies of
anything else (a crash, a kill from outside), its file is reported TOTAL_FAILED /
FORMAT_FAILURE saying why, and a fresh worker takes the next file. The time limit cannot be
kept inside the worker: a parser busy in one long C call never comes back to Python to
notice a signal (and a library must not take over its caller's SIGALRM).
"""

from __future__ import annotations

import array
import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import overload

from . import _pdf_speedups, _prehash
from .error_messages import kind_of, said
from .errors import SignkitError
from .report import BatchInfo, BatchReport, FileReport, Indication, SubIndication
from .report.messages import Message
from .verification import Verifier, VerifyOptions

ProgressCallback = Callable[[FileReport, int, int], None]
"""Called with (report, files done, files in all) for each file, in input order."""

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker: stops decompression bombs
_STOP_SECONDS = 5.0  # how long an idle worker may take to close its Verifier at the end
# Files are handed out at most this far ahead of the first unfinished one, so that the
# reports waiting for it (finished out of order) stay few even when it takes minutes.
_REORDER_WINDOW = 256
_HELD_PER_WORKER = 2  # files a worker holds: the one under way and the next


def verify_many(
    paths: Iterable[str | Path],
    *,
    options: VerifyOptions | None = None,
    jobs: int | None = None,
    recursive: bool = False,
    on_progress: ProgressCallback | None = None,
    memory_limit: int = MEMORY_LIMIT,
) -> BatchReport:
    """Verify files and folders (``*.pdf``; ``recursive`` for trees) with ``jobs`` worker
    processes (default: CPU count). The report lists files in input order, and
    ``on_progress`` hears of them in that order.

    Limits per file: a worker that spends longer than ``options.time_limit`` seconds on a
    file, or needs more than ``memory_limit`` bytes of address space, is stopped; that file
    is reported TOTAL_FAILED / FORMAT_FAILURE ("resource limit"), a fresh worker takes the
    next one. A worker that dies on a file (a crash, a kill) gives that file the same
    verdict. With ``jobs=1``, ``memory_limit=0`` and ``time_limit=0`` nothing is limited
    and the files are verified in this process.

    The whole report stays in memory (about 12 KB a file): for archives of many thousand
    files, ``iter_verify`` hands each report over as it is ready and keeps none.

    >>> report = verify_many(["archive/2026"], recursive=True, options=VerifyOptions(profile="vn"))
    >>> report.summary
    {'files': 1200, 'TOTAL_PASSED': 1187, 'TOTAL_FAILED': 9, 'INDETERMINATE': 4}
    """
    files: list[FileReport] = []
    with iter_verify(paths, options=options, jobs=jobs, recursive=recursive,
                     memory_limit=memory_limit) as stream:
        for report in stream:
            files.append(report)
            if on_progress is not None:
                on_progress(report, len(files), stream.info.files)
    info = stream.info
    return BatchReport(signkit_version=info.signkit_version,
                       validation_time=info.validation_time, profile=info.profile,
                       files=tuple(files))


def iter_verify(
    paths: Iterable[str | Path],
    *,
    options: VerifyOptions | None = None,
    jobs: int | None = None,
    recursive: bool = False,
    memory_limit: int = MEMORY_LIMIT,
) -> ReportStream:
    """``verify_many`` as a stream: the files are listed now (``stream.info.files`` says how
    many), and iterating verifies them, yielding each ``FileReport`` in input order as soon
    as it and the files before it are done. Nothing is kept once yielded, so memory does not
    grow with the number of files; hand the reports to a writer of
    ``signkit.report.open_writer`` to get a report file. Closing the stream (``with``, or
    ``close()``) stops the workers, also halfway through.

    >>> with iter_verify(["archive"], recursive=True) as stream:
    ...     for report in stream:
    ...         print(report.status.value, report.path)
    """
    options = options or VerifyOptions()
    # one validation time for the whole batch, so every file is judged at the same moment
    options = replace(options, at=options.at or dt.datetime.now(dt.UTC))
    return ReportStream(_FileList(_walk_pdfs(paths, recursive=recursive)), options,
                        jobs=jobs, memory_limit=memory_limit)


class ReportStream:
    """The reports of one batch, in input order, as they become ready (``iter_verify``).
    ``info`` is the report's header, known before any file is verified. One pass only."""

    def __init__(self, files: Sequence[str], options: VerifyOptions, *, jobs: int | None,
                 memory_limit: int) -> None:
        from . import __version__

        assert options.at is not None
        self.info = BatchInfo(signkit_version=__version__, validation_time=options.at,
                              profile=options.profile, files=len(files))
        self._files = files
        self._options = options
        self._jobs = max(1, min(jobs or os.cpu_count() or 1, len(files)))
        self._memory_limit = memory_limit
        self._reports: Iterator[FileReport] | None = None

    def __iter__(self) -> Iterator[FileReport]:
        if self._reports is None:
            self._reports = self._verify()
        return self._reports

    def close(self) -> None:
        """Stop the workers now; files not yet yielded are not verified."""
        if self._reports is None:
            self._reports = iter(())
        elif isinstance(self._reports, Generator):
            self._reports.close()

    def __enter__(self) -> ReportStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _verify(self) -> Iterator[FileReport]:
        if not self._files:
            return
        if self._jobs == 1 and not self._memory_limit and self._options.time_limit <= 0:
            with Verifier(self._options) as verifier:
                for path in self._files:
                    yield verifier.verify(path)
        else:
            yield from _Watchdog(self._files, self._options, self._jobs,
                                 self._memory_limit).reports()


# --- which files ------------------------------------------------------------------------------

def _walk_pdfs(inputs: Iterable[str | Path], *, recursive: bool) -> Iterator[str]:
    """The paths ``signkit.inputs.collect_pdfs`` gives, as strings, in the same order, one at
    a time: a folder of 100,000 files must not cost 100,000 ``Path`` objects at once."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from _walk_folder(str(path), recursive)
        else:
            yield str(path)


def _walk_folder(folder: str, recursive: bool) -> Iterator[str]:
    # Depth first, each folder's entries sorted by name: the order of sorting the paths by
    # their parts (what sorted(Path.glob("**/*")) does), one folder's names at a time.
    try:
        with os.scandir(folder) as entries:
            names = sorted((entry.name for entry in entries), reverse=True)
    except PermissionError:
        return  # as Path.glob: a folder it may not read has no files
    while names:
        name = names.pop()  # each name freed once used: a big folder's list shrinks as it goes
        path = os.path.join(folder, name)
        if recursive and os.path.isdir(path) and not os.path.islink(path):
            yield from _walk_folder(path, recursive)
        elif _is_pdf_name(name) and os.path.isfile(path):
            yield path


def _is_pdf_name(name: str) -> bool:
    dot = name.rfind(".")  # pathlib's suffix: a dot, not first nor last
    return 0 < dot < len(name) - 1 and name[dot:].lower() == ".pdf"


class _FileList(Sequence[str]):
    """Paths packed into one buffer (file-system encoding) with an offset table: the path's
    length plus 8 bytes per file, where a list of ``str`` costs some 60 bytes more."""

    def __init__(self, paths: Iterable[str]) -> None:
        data = bytearray()
        ends = array.array("Q")
        for path in paths:
            data += os.fsencode(path)
            ends.append(len(data))
        self._data = data
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        start = self._ends[index - 1] if index > 0 else 0
        return os.fsdecode(bytes(self._data[start:self._ends[index]]))


# --- the worker process ----------------------------------------------------------------------

def _worker_main(conn: Connection, others: list[Connection], options: VerifyOptions,
                 memory_limit: int, fast_parsing: bool) -> None:
    """Verify the paths the parent sends, one at a time, and send each report back."""
    # Ctrl-C (sent to the whole process group) is the parent's: it stops us. SIGINT stays
    # blocked from the fork until it is ignored here, so none arrives in between.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not whatever handler the parent had
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    for other in others:  # other workers' pipes, inherited by fork: keep their EOF working
        other.close()
    if fast_parsing:
        _pdf_speedups.install()  # already so after a fork; needed after a spawn
    if memory_limit:
        _limit_address_space(memory_limit)
    try:
        verifier = Verifier(options)
    except MemoryError:
        _send(conn, ("error", ValueError(f"memory_limit={memory_limit} is too small for a "
                                         "verification worker to start")))
        return
    except Exception as e:  # noqa: BLE001 - the parent raises it, as Verifier() would there
        _send(conn, ("error", e if _picklable(e) else SignkitError(
            said("kind_with_detail", kind=kind_of("internal"), detail=f"{type(e).__name__}: {e}"))))
        return
    _send(conn, ("ready", None))
    with verifier:
        while True:
            try:
                path = conn.recv()
            except (EOFError, OSError):
                return  # the parent is gone
            if path is None:
                return
            reply: tuple[str, object]
            try:
                reply = ("report", verifier.verify(path))
            except MemoryError:
                # a fresh worker for the next file: who knows what state this one is in
                _send(conn, ("memory", None))
                return
            except Exception as e:  # noqa: BLE001 - one file's bug must not end the batch
                reply = ("failed", f"{type(e).__name__}: {e}")
            if not _send(conn, reply):
                return


def _limit_address_space(limit: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _send(conn: Connection, message: tuple) -> bool:
    try:
        conn.send(message)
        return True
    except OSError:
        return False  # the parent is gone
    except Exception as e:  # noqa: BLE001 - an unpicklable report is a failure, not a crash
        return _send(conn, ("failed", f"{type(e).__name__}: {e}"))


def _picklable(error: Exception) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
        return True
    except Exception:  # noqa: BLE001
        return False


# --- the parent: the watchdog ----------------------------------------------------------------

@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    # the files it holds, in the order it verifies them: the first is under way
    held: deque[int] = field(default_factory=deque)
    started: float = 0.0  # when it began the first one (time.monotonic)

    @property
    def index(self) -> int | None:
        """The file it is verifying."""
        return self.held[0] if self.held else None


class _Watchdog:
    """Hands out files to ``jobs`` workers, ``_HELD_PER_WORKER`` at a time each (the next
    one is there when a worker finishes, so it never waits for this process), stops a
    worker that exceeds a limit, and gives the reports back in input order. A worker
    verifies its files one after another, so its time for a file starts when the report
    on the one before it arrives."""

    def __init__(self, files: Sequence[str], options: VerifyOptions, jobs: int,
                 memory_limit: int):
        self.files = files
        self.options = options
        self.jobs = jobs
        self.memory_limit = memory_limit
        self.time_limit = options.time_limit if options.time_limit > 0 else None
        self.next_file = 0  # the first file never handed out
        self.retry: deque[int] = deque()  # handed to a worker that died before taking it
        self.finished: dict[int, FileReport] = {}  # done, waiting for the files before them
        self.delivered = 0  # files yielded: all those before this index
        self.pool: list[_Worker] = []
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if fork else None)
        self.fork = fork

    def reports(self) -> Iterator[FileReport]:
        try:
            while self.delivered < len(self.files):
                self._start_workers()
                self._hand_out()
                wait([o for w in self.pool for o in (w.conn, w.process.sentinel)],
                     self._wait_seconds())
                for worker in list(self.pool):
                    self._collect(worker)
                self._enforce_time_limit()
                self._hand_out()  # the idle workers go on while the caller takes the reports
                while self.delivered in self.finished:
                    report = self.finished.pop(self.delivered)
                    self.delivered += 1
                    yield report
            self._stop_idle_workers()
        finally:
            for worker in list(self.pool):
                self._kill(worker)

    def _todo(self) -> int:
        """How many files could be handed out now."""
        ahead = min(len(self.files), self.delivered + _REORDER_WINDOW) - self.next_file
        return len(self.retry) + max(0, ahead)

    def _next_index(self) -> int:
        if self.retry:
            return self.retry.popleft()
        self.next_file += 1
        return self.next_file - 1

    def _start_workers(self) -> None:
        busy = sum(w.index is not None for w in self.pool)
        while len(self.pool) < min(self.jobs, busy + self._todo()):
            parent_end, child_end = self.context.Pipe()
            others = [w.conn for w in self.pool] if self.fork else []
            process = self.context.Process(
                target=_worker_main, name="signkit-verify", daemon=True,
                args=(child_end, others, self.options, self.memory_limit,
                      _pdf_speedups.installed()))
            if self.fork:
                _prehash.wait_all()  # a pass's thread stays behind; its result is inherited
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                process.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            child_end.close()
            self.pool.append(_Worker(process, parent_end))

    def _hand_out(self) -> None:
        for worker in self.pool:
            while worker.ready and len(worker.held) < _HELD_PER_WORKER and self._todo():
                index = self._next_index()
                try:
                    worker.conn.send(self.files[index])
                except OSError:
                    self.retry.appendleft(index)  # it died: _collect replaces it
                    break
                if not worker.held:
                    worker.started = time.monotonic()
                worker.held.append(index)

    def _wait_seconds(self) -> float | None:
        """Until the first deadline; None: until a worker says something or dies."""
        busy = [w.started for w in self.pool if w.index is not None]
        if self.time_limit is None or not busy:
            return None
        return max(0.0, min(busy) + self.time_limit - time.monotonic())

    def _collect(self, worker: _Worker) -> None:
        """Take the worker's messages; replace it if it has died."""
        try:
            while worker.conn.poll():
                kind, value = worker.conn.recv()
                if kind == "ready":
                    worker.ready = True
                elif kind == "error":
                    raise value
                elif kind == "memory":
                    self._stop(worker, self._memory_exceeded)
                    return
                else:
                    assert worker.index is not None  # a reply is about the file it holds
                    self._finish(worker, value if kind == "report"
                                 else _failed(self.files[worker.index], value))
        except (EOFError, OSError):
            pass  # it has died: its sentinel says so too
        if worker.process.is_alive():
            return
        worker.process.join()
        if not worker.ready:
            self._kill(worker)
            raise SignkitError(said("worker_died.starting",
                                    why=_death(worker.process.exitcode)))
        if worker.held:
            how = _death(worker.process.exitcode)
            self._stop(worker, lambda path: _over_limit(
                path, Message("file.worker_died", detail=how)))
        else:
            self._kill(worker)

    def _enforce_time_limit(self) -> None:
        if self.time_limit is None:
            return
        now = time.monotonic()
        for worker in [w for w in self.pool if w.index is not None]:
            if now - worker.started > self.time_limit:
                self._stop(worker, self._time_exceeded)

    def _time_exceeded(self, path: str) -> FileReport:
        return _over_limit(path, Message("file.time_limit", seconds=f"{self.time_limit:g}"))

    def _memory_exceeded(self, path: str) -> FileReport:
        return _over_limit(path, Message("file.memory_limit", size=_size(self.memory_limit)))

    def _finish(self, worker: _Worker, report: FileReport) -> None:
        """The report on the worker's current file; it goes on with the next it holds."""
        if worker.held:
            self.finished[worker.held.popleft()] = report
            worker.started = time.monotonic()

    def _stop(self, worker: _Worker, verdict: Callable[[str], FileReport]) -> None:
        """Kill the worker (the next round starts a fresh one) and judge its current file;
        the files it held after that one go to another worker."""
        self._kill(worker)
        if worker.held:
            self._finish(worker, verdict(self.files[worker.held[0]]))
            self.retry.extendleft(reversed(worker.held))
            worker.held.clear()

    def _kill(self, worker: _Worker) -> None:
        if worker.process.exitcode is None:
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self.pool.remove(worker)

    def _stop_idle_workers(self) -> None:
        """Let each worker close its Verifier (network sessions) before it goes."""
        for worker in self.pool:
            with contextlib.suppress(OSError):  # already gone: fine
                worker.conn.send(None)
        deadline = time.monotonic() + _STOP_SECONDS
        for worker in list(self.pool):
            worker.process.join(max(0.0, deadline - time.monotonic()))
            self._kill(worker)


def _over_limit(path: str, why: Message) -> FileReport:
    return FileReport(path, _sha256(path), Indication.TOTAL_FAILED,
                      SubIndication.FORMAT_FAILURE, (why,))


def _failed(path: str, why: str) -> FileReport:
    """A bug met while verifying: signkit could not judge the file, so no verdict on it."""
    return FileReport(path, None, Indication.INDETERMINATE, SubIndication.GENERIC,
                      (Message("file.could_not_finish", why=why),))


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _size(n: int) -> str:
    if n >= 1024**3 and n % 1024**3 == 0:
        return f"{n // 1024**3} GiB"
    return f"{n / 1024**2:.0f} MiB" if n >= 1024**2 else f"{n} bytes"
