"""Signing a batch on every core with one login.

The main process holds the token session and does only what needs the key: C_Sign over
each document's signed attributes. Worker processes do the rest of each document — open
it, add the field, write the output with its placeholder into the output's anonymous file,
compute the digest and the signed attributes, then (once the main process sends the
signature back) embed the CMS, self-check and name the output — with the same
``DocumentSigner`` code as a single process, its key replaced by ``_RemoteKey``, which asks
the main process over the worker's socket. A worker keeps several documents under way on its
event loop (``DocumentSigner.sign_async``): while some wait for their signatures the next
are prepared, so neither the worker nor the main process waits for the other's turn.

The PIN and the session never leave the main process: the workers are a fresh interpreter
(``python -c "...signkit.signing.workers..."``, its environment stripped of the PIN and
other secrets) that imports the signing layer once and forks the others; never a fork of
the logged-in process, and, unlike multiprocessing's spawn, nothing re-runs the caller's
main module.

Order and stops are those of signing one document after another. Documents are signed
(C_Sign) in input order: a document that is ready waits until every earlier one is signed
or has failed. So when the token fails, or a document fails with ``stop_on_error``, no
later document has been signed, and every later one is abandoned (its anonymous file
discarded) and SKIPPED. Results reach ``on_progress`` in input order.

While the workers start (a fraction of a second) the main process signs documents itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import heapq
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from .. import _pdf_speedups
from ..error_messages import said
from ..errors import SigningError, TokenError
from ..tokens.base import RsaPadding, SigningKey
from .document import DocumentSigner, SignOptions, SignResult, SignStatus

# Documents are signed in input order, so one that is slow to prepare holds up the ones after
# it: a worker keeps several under way, so that it still has work while they wait their turn.
_UNDER_WAY_PER_WORKER = 8
_SENT_PER_WORKER = 9  # and the next is already there when one is done
_SIGN_WHILE_STARTING = True  # tests turn it off to have every document go to a worker
# workers sign plain PAdES-B-B (batch.py): they never timestamp or fetch, so pyHanko's
# modules that import aiohttp are stood in for (signkit._deferred_aiohttp)
_WORKERS_MAIN = ("import sys; from signkit import _dependency_warnings, _deferred_aiohttp; "
                 "_dependency_warnings.hide(); _deferred_aiohttp.defer(); "
                 "from signkit.signing.workers import _serve; "
                 "_serve([int(fd) for fd in sys.argv[1:]])")
_SECRET_NAME = re.compile(r"PIN|PASS|SECRET|TOKEN|KEY|CREDENTIAL", re.IGNORECASE)


class _Abandoned(Exception):
    """The main process will not sign this document (the batch stopped before it)."""


_JOB: contextvars.ContextVar[int] = contextvars.ContextVar("signkit_job")


class _RemoteKey(SigningKey):
    """The batch's key as a worker sees it: its certificates, and ``sign_async``, answered
    by the main process (the document it is for is the task's ``_JOB``)."""

    def __init__(self, conn: Connection, label: str, certificate: bytes, chain: list[bytes]):
        self._conn = conn
        self._awaited: dict[int, asyncio.Future] = {}
        self.label = label
        self.certificate = x509.load_der_x509_certificate(certificate)
        self.chain = tuple(x509.load_der_x509_certificate(c) for c in chain)

    def sign(self, data: bytes, *, digest: str, padding: RsaPadding = RsaPadding.PKCS1V15
             ) -> bytes:
        raise TypeError("a worker's key signs through sign_async")

    async def sign_async(self, data: bytes, *, digest: str,
                         padding: RsaPadding = RsaPadding.PKCS1V15) -> bytes:
        index = _JOB.get()
        answer = asyncio.get_running_loop().create_future()
        self._awaited[index] = answer
        self._conn.send(("sign", index, data, digest, padding))
        return await answer

    def answer(self, index: int, signature: bytes | None, abandoned: str | None) -> None:
        awaited = self._awaited.pop(index, None)
        if awaited is None or awaited.done():
            return
        if signature is not None:
            awaited.set_result(signature)
        else:
            awaited.set_exception(_Abandoned(abandoned))


@dataclass(frozen=True)
class _WorkerSetup:
    options: SignOptions
    label: str
    certificate: bytes
    chain: list[bytes]
    bytes_reserved: int
    overwrite: bool
    fast_pdf_parsing: bool


def _serve(fds: list[int]) -> None:
    """The workers' process: fork one worker per socket after the imports (this process
    is the first), each serving the main process on its own socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked workers leave no zombie
    mine = fds[0]
    for fd in fds[1:]:
        if os.fork() == 0:
            mine = fd
            break
    for fd in fds:
        if fd != mine:
            os.close(fd)
    try:
        _worker(Connection(mine))
    finally:
        os._exit(0)


def _worker(conn: Connection) -> None:
    """A worker's life: sign the documents it is sent until the main process goes."""
    try:
        setup: _WorkerSetup = conn.recv()
    except EOFError:
        return
    if setup.fast_pdf_parsing:  # as the main process has it (the signkit command does)
        from .. import _pdf_speedups

        _pdf_speedups.install()
    key = _RemoteKey(conn, setup.label, setup.certificate, setup.chain)
    with DocumentSigner(key, setup.options) as signer:
        signer._bytes_reserved = setup.bytes_reserved  # sized once, by the main process
        signer._loop.run_until_complete(_work(conn, key, signer, setup))


async def _work(conn: Connection, key: _RemoteKey, signer: DocumentSigner,
                setup: _WorkerSetup) -> None:
    """Keep up to ``_UNDER_WAY_PER_WORKER`` documents under way: while some wait for their
    signatures, others are prepared."""
    loop = asyncio.get_running_loop()
    jobs: deque[tuple[int, Path, Path]] = deque()
    running: set[asyncio.Task] = set()
    changed = asyncio.Event()
    gone = False

    def on_readable() -> None:
        nonlocal gone
        try:
            while conn.poll():
                message = conn.recv()
                if message[0] == "job":
                    jobs.append(message[1:])
                else:  # ("signature" | "abandon", index, value)
                    signed = message[0] == "signature"
                    key.answer(message[1], message[2] if signed else None,
                               None if signed else message[2])
        except (EOFError, OSError):  # the main process is gone
            gone = True
        changed.set()

    def on_done(task: asyncio.Task) -> None:
        running.discard(task)
        changed.set()

    loop.add_reader(conn.fileno(), on_readable)
    conn.send(("ready", os.getpid()))
    try:
        while not gone:
            while jobs and len(running) < _UNDER_WAY_PER_WORKER:
                task = loop.create_task(_sign_one(conn, signer, setup, *jobs.popleft()))
                running.add(task)
                task.add_done_callback(on_done)
            changed.clear()
            await changed.wait()
    finally:
        loop.remove_reader(conn.fileno())
        for task in running:
            task.cancel()  # their anonymous output files are discarded
        await asyncio.gather(*running, return_exceptions=True)


async def _sign_one(conn: Connection, signer: DocumentSigner, setup: _WorkerSetup,
                    index: int, src: Path, dst: Path) -> None:
    _JOB.set(index)  # this task's own context

    def naming(result: SignResult) -> None:
        # told before the output gets its name: if this process dies in between, the main
        # process can tell a named output from a missing one by its digest
        conn.send(("naming", result, index))

    answer: tuple[str, SignResult | None]
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        await signer.sign_async(src, dst, overwrite=setup.overwrite, before_naming=naming)
        answer = ("done", None)  # named as "naming" said (sign_async calls it on success)
    except _Abandoned:
        answer = ("abandoned", None)
    except SigningError as e:
        answer = ("failed", SignResult.failed(src, e, message=e.reason))
    except OSError as e:
        answer = ("failed", SignResult.failed(src, e, message=said(
            "output_unwritable.cannot_write", output=str(dst), detail=e.strerror)))
    except Exception as e:  # a bug: one line for this document, the batch goes on
        answer = ("failed", SignResult.failed(
            src, e, message=f"internal error: {type(e).__name__}: {e}"))
    with contextlib.suppress(OSError):
        conn.send((*answer, index))


def workers_command(fds: Sequence[int]) -> list[str]:
    """The command line of the workers' process, serving the sockets ``fds``. ``-P``: the
    current folder (the clerk's, full of documents, and anything else that lies there) is
    not put first on the module path, as ``python -c`` would: a ``socket.py`` there would
    otherwise run in a process whose requests the token signs."""
    return [sys.executable, "-P", "-c", _WORKERS_MAIN, *map(str, fds)]


@dataclass
class _Worker:
    conn: Connection
    pid: int | None = None  # known once it is ready
    jobs: set[int] = field(default_factory=set)  # indices sent and not finished
    naming: dict[int, SignResult] = field(default_factory=dict)  # complete, being named

    @property
    def ready(self) -> bool:
        return self.pid is not None


def worker_count() -> int:
    """Workers for a large batch: one per core the process may use, none on one core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def sign_in_workers(
    jobs: Sequence[tuple[Path, Path]], *, signer: DocumentSigner, workers: int,
    overwrite: bool, stop_on_error: bool,
    on_result: Callable[[int, SignResult], None],
) -> tuple[str | None, bool]:
    """Sign ``jobs`` with ``workers`` processes and ``signer`` (the main process's, which
    holds the key); ``on_result(index, result)`` in input order. Returns (why the batch
    stopped, whether the token failed)."""
    return _Batch(jobs, signer, workers, overwrite, stop_on_error, on_result).run()


class _Batch:
    def __init__(self, jobs, signer: DocumentSigner, workers: int, overwrite: bool,
                 stop_on_error: bool, on_result) -> None:
        self.jobs = jobs
        self.signer = signer
        self.overwrite = overwrite
        self.stop_on_error = stop_on_error
        self.on_result = on_result
        self.size = workers
        self.results: dict[int, SignResult] = {}  # finished, waiting for earlier ones
        self.decided: dict[int, SignResult] = {}  # failed at C_Sign, its worker not told yet
        self.reported = 0  # results given to on_result so far (in input order)
        self.next_job = 0
        self.signed_or_done: set[int] = set()  # past the point of signing
        self.frontier = 0  # every document before it is signed or finished
        # documents asking to be signed: a heap of (index, id(worker), worker, request)
        self.waiting: list[tuple[int, int, _Worker, tuple]] = []
        self.stopped: str | None = None
        self.stopped_at: int | None = None
        self.token_failed = False
        self.workers: list[_Worker] = []
        self.selector = selectors.DefaultSelector()  # the workers' sockets, kept: one
        # system call per wait instead of a selector built and filled for each
        self.process: subprocess.Popen | None = None

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> tuple[str | None, bool]:
        try:
            self._start_workers()
            while self.reported < len(self.jobs):
                self._dispatch()
                if self._sign_here_now():
                    self._sign_here(self.next_job)
                    self.next_job += 1
                    self._serve(timeout=0.0)
                else:
                    self._serve(timeout=None)
        finally:
            self._stop_workers()
        return self.stopped, self.token_failed

    def _start_workers(self) -> None:
        """Start the workers' process; if it cannot start, this process signs every
        document."""
        pairs = [socket.socketpair() for _ in range(self.size)]
        theirs = [b.fileno() for _, b in pairs]
        env = {name: value for name, value in os.environ.items()
               if not _SECRET_NAME.search(name)}
        try:
            self.process = subprocess.Popen(
                workers_command(theirs), pass_fds=theirs,
                stdin=subprocess.DEVNULL, env=env)
        except OSError:
            self.process = None
        finally:
            for _, b in pairs:
                b.close()
        conns = [Connection(ours.detach()) for ours, _ in pairs]
        if self.process is None:
            for conn in conns:
                conn.close()
            return
        self.workers = [_Worker(conn) for conn in conns]
        for worker in self.workers:
            self.selector.register(worker.conn.fileno(), selectors.EVENT_READ, worker)
        key = self.signer.key  # what they need, made while they import
        setup = _WorkerSetup(
            options=self.signer.options, label=key.label,
            certificate=key.certificate.public_bytes(Encoding.DER),
            chain=[c.public_bytes(Encoding.DER) for c in key.chain],
            bytes_reserved=self.signer._reserved_size(), overwrite=self.overwrite,
            fast_pdf_parsing=_pdf_speedups.installed())
        for worker in list(self.workers):
            self._send(worker, setup)

    def _stop_workers(self) -> None:
        for worker in self.workers:
            worker.conn.close()  # a worker waiting for a job or a signature ends
            if worker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGTERM)  # its anonymous output goes with it
        self.selector.close()
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            self.process.wait()

    def _sign_here_now(self) -> bool:
        """Whether this process signs the next document itself: no worker can take it, as
        they are still starting (or all of them died)."""
        if self.next_job >= len(self.jobs) or self.stopped is not None:
            return False
        if not self.workers:
            return True
        return _SIGN_WHILE_STARTING and not any(w.ready for w in self.workers)

    def _dispatch(self) -> None:
        """Send the next documents to ready workers (after a stop: mark them SKIPPED)."""
        while self.next_job < len(self.jobs):
            if self.stopped is not None:
                self._finish(self.next_job, self._skipped(self.next_job))
                self.next_job += 1
                continue
            ready = [w for w in self.workers if w.ready and len(w.jobs) < _SENT_PER_WORKER]
            if not ready:
                return
            worker = min(ready, key=lambda w: len(w.jobs))
            src, dst = self.jobs[self.next_job]
            if self._send(worker, ("job", self.next_job, src, dst)):
                worker.jobs.add(self.next_job)
                self.next_job += 1

    def _serve(self, timeout: float | None) -> None:
        """Answer what the workers say; sign what may be signed now."""
        if not self.workers:
            return
        # first what may be signed already: a worker found dead while sending it a job has
        # its documents failed, which can make a waiting document's turn, and the worker
        # holding that document says nothing until it gets the signature
        self._sign_waiting()
        for ready, _ in self.selector.select(timeout):
            worker: _Worker = ready.data
            if worker not in self.workers:  # lost while answering an earlier one
                continue
            try:
                message: tuple[Any, ...] = worker.conn.recv()
            except (EOFError, OSError):
                self._lost(worker)
                continue
            kind = message[0]
            if kind == "ready":
                worker.pid = message[1]
            elif kind == "sign":
                heapq.heappush(self.waiting, (message[1], id(worker), worker, message[2:]))
            elif kind == "naming":
                worker.naming[message[2]] = message[1]
            else:
                self._worker_result(worker, kind, message[1], message[2])
        self._sign_waiting()

    def _sign_waiting(self) -> None:
        """Sign, in input order, the documents whose turn it is; abandon those after a stop."""
        while self.waiting:
            index = self.waiting[0][0]
            stopped_before = self.stopped_at is not None and index > self.stopped_at
            if index != self.frontier and not stopped_before:
                return
            _, _, worker, (data, digest, padding) = heapq.heappop(self.waiting)
            if stopped_before:
                self._send(worker, ("abandon", index, self.stopped))
                continue
            try:
                signature = self.signer.key.sign(data, digest=digest, padding=padding)
            except TokenError as e:
                self._stop(index, str(e), token=True)
                self.decided[index] = SignResult.failed(self.jobs[index][0], e)
                self._send(worker, ("abandon", index, self.stopped))
                continue
            if self._send(worker, ("signature", index, signature)):
                self._past_signing(index)

    def _worker_result(self, worker: _Worker, kind: str, value, index: int) -> None:
        worker.jobs.discard(index)
        named = worker.naming.pop(index, None)
        src, dst = self.jobs[index]
        result: SignResult
        if kind == "done" and named is not None:
            result = named
        elif index in self.decided:  # failed at C_Sign
            result = self.decided.pop(index)
        elif kind == "abandoned" or (self.stopped_at is not None and index > self.stopped_at):
            result = self._skipped(index)
        else:
            result = value if isinstance(value, SignResult) else \
                SignResult(src, None, SignStatus.FAILED, error=str(value), error_code="internal")
            if self.stop_on_error:
                self._stop(index, said("stopped.after_error", path=str(src)))
        self._past_signing(index)
        self._finish(index, result)

    def _send(self, worker: _Worker, message: tuple | _WorkerSetup) -> bool:
        try:
            worker.conn.send(message)
        except OSError:  # it died
            self._lost(worker)
            return False
        return True

    def _lost(self, worker: _Worker) -> None:
        """A worker died (killed from outside): its documents fail, the others go on."""
        if worker not in self.workers:
            return
        self.workers.remove(worker)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(worker.conn.fileno())
        self._read_last_words(worker)
        worker.conn.close()
        self.waiting = [w for w in self.waiting if w[2] is not worker]
        heapq.heapify(self.waiting)
        for index in sorted(worker.jobs):
            self._past_signing(index)
            named = worker.naming.get(index)
            if named is None or not _has_digest(self.jobs[index][1], named.sha256):
                named = SignResult(self.jobs[index][0], None, SignStatus.FAILED,
                                   error="the worker process signing it died",
                                   error_code="worker_died")
            self._finish(index, named)
        worker.jobs.clear()
        worker.naming.clear()

    def _read_last_words(self, worker: _Worker) -> None:
        """What a dead worker sent and this process has not read yet: a failed send to it
        can come before its last messages are read, and "naming" decides whether the
        output it was naming counts."""
        with contextlib.suppress(EOFError, OSError):
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "naming":
                    worker.naming[message[2]] = message[1]
                elif message[0] in ("done", "failed", "abandoned"):
                    self._worker_result(worker, message[0], message[1], message[2])

    def _sign_here(self, index: int) -> None:
        """Sign one document in this process, as ``sign_many`` does without workers."""
        src, dst = self.jobs[index]
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            result = self.signer.sign(src, dst, overwrite=self.overwrite)
        except TokenError as e:
            self._stop(index, str(e), token=True)
            result = SignResult.failed(src, e)
        except SigningError as e:
            result = SignResult.failed(src, e, message=e.reason)
            if self.stop_on_error:
                self._stop(index, said("stopped.after_error", path=str(src)))
        except OSError as e:
            result = SignResult.failed(src, e, message=said(
                "output_unwritable.cannot_write", output=str(dst), detail=e.strerror))
            if self.stop_on_error:
                self._stop(index, said("stopped.after_error", path=str(src)))
        self._past_signing(index)
        self._finish(index, result)

    # --- bookkeeping ------------------------------------------------------------------------

    def _stop(self, index: int, why: str, *, token: bool = False) -> None:
        """The batch stops at document ``index`` (unless it stopped at an earlier one):
        the documents after it that are not signed yet are SKIPPED."""
        if self.stopped_at is not None and index > self.stopped_at:
            return
        self.stopped, self.stopped_at, self.token_failed = why, index, token
        for later, result in self.results.items():  # finished, waiting to be reported
            if later > index and result.status is not SignStatus.SIGNED:
                self.results[later] = self._skipped(later)

    def _skipped(self, index: int) -> SignResult:
        return SignResult.skipped(self.jobs[index][0], self.stopped)

    def _past_signing(self, index: int) -> None:
        self.signed_or_done.add(index)
        while self.frontier in self.signed_or_done:
            self.signed_or_done.discard(self.frontier)
            self.frontier += 1

    def _finish(self, index: int, result: SignResult) -> None:
        self.results[index] = result
        while self.reported in self.results:
            self.on_result(self.reported, self.results.pop(self.reported))
            self.reported += 1


def _has_digest(path: Path, sha256: str | None) -> bool:
    """Whether ``path`` is the output a worker that died had checked and was naming."""
    try:
        with open(path, "rb") as f:
            return sha256 is not None and hashlib.file_digest(f, "sha256").hexdigest() == sha256
    except OSError:
        return False
