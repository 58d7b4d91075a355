"""The results store: one SQLite file (WAL mode) holding each file's latest verdict, its
signatures as columns, and its full JSON report entry.

Every file's result is written in its own transaction as it arrives, so a run killed at any
moment (SIGKILL included) leaves a consistent store holding every result it finished; SQLite's
write-ahead log makes that so without an fsync per file (``synchronous=NORMAL``: a committed
result survives the death of the process; only a power cut may lose the last few).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..report import FileReport, Indication, worst
from ._codec import entry_json, file_entry, parse_time, report_from_entry, utc_text
from ._errors import NotAStoreError, StoreError, StoreReadOnlyError, StoreTooNewError
from ._schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from ..verification import VerifyOptions
    from ._dask import Cluster

_BUSY_TIMEOUT = 30.0  # seconds to wait for another process's write to the same store


@dataclass(frozen=True)
class StoredResult:
    """One file's latest verdict as the store holds it. ``report`` is the ``FileReport``
    (its JSON is what ``signkit verify --format json`` writes for the file)."""

    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    status: Indication
    judged_at: dt.datetime  # when this result was written
    validation_time: dt.datetime  # the moment the file was judged at (``--at``)
    profile: str
    signkit_version: str
    run_id: int
    archive_expires: dt.datetime | None  # B-LTA: the newest timestamp's TSA cert expiry
    report_json: str = field(repr=False)

    @property
    def report(self) -> FileReport:
        return report_from_entry(json.loads(self.report_json))


@dataclass(frozen=True)
class RunOutcome:
    """What ``Store.run`` did. ``files``: files found in the inputs; ``judged``: verified by
    this run (``resumed``: the run went on from an unfinished one of the same command);
    ``summary`` and ``status``: the stored verdicts of all the inputs' files afterwards."""

    run_id: int
    resumed: bool
    validation_time: dt.datetime
    files: int
    judged: int
    summary: dict[str, int]

    @property
    def status(self) -> Indication:
        found = [Indication(k) for k in Indication.__members__ if self.summary.get(k)]
        return worst(found, default=Indication.TOTAL_PASSED)


@dataclass(frozen=True)
class AuditSummary:
    """Counts over the store (``Store.summary``): files by status; signatures by signer,
    by issuing CA and by level (most first); the B-LTA archives due for renewal."""

    files: int
    by_status: dict[str, int]
    by_signer: list[tuple[str, int]]
    by_issuer: list[tuple[str, int]]
    by_level: list[tuple[str, int]]
    expiring: list[tuple[str, dt.datetime]]  # (path, TSA certificate expiry), soonest first


ProgressCallback = Callable[[FileReport, int, int], None]
"""Called with (report, files judged so far, files to judge) as each result is stored."""


class Store:
    """A results store. Open it with ``Store.open`` (a context manager); one per thread.

    >>> with Store.open("audit.db") as store:
    ...     outcome = store.run(["archive"], recursive=True, options=VerifyOptions(profile="vn"))
    ...     for result in store.results(status="TOTAL_FAILED"):
    ...         print(result.path, result.report.subindication)
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self._db = connection
        self.path = path
        self.readonly = readonly

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> Store:
        """Open the store at ``path``, creating it (and bringing an older schema up to date)
        unless ``readonly``. Raises ``NotAStoreError``, ``StoreTooNewError``,
        ``StoreReadOnlyError`` or ``StoreError`` (missing, unreadable), saying which."""
        path = Path(path)
        check(path, readonly=readonly)
        mode = "ro" if readonly else "rwc"
        connection = _connect(path, mode)
        try:
            version = _identify(connection, path, readonly=readonly)
            if readonly and version < SCHEMA_VERSION:
                raise StoreError(f"{path} has store schema {version}; open it once for "
                                 f"writing (signkit audit run) to bring it to "
                                 f"{SCHEMA_VERSION}", path)
            if not readonly:
                _guard_write(path, lambda: _prepare(connection, version))
        except BaseException:
            connection.close()
            raise
        return cls(connection, path, readonly=readonly)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    # --- auditing -----------------------------------------------------------------------------

    def run(self, inputs: Iterable[str | Path], *, options: VerifyOptions | None = None,
            recursive: bool = False, jobs: int | None = None, revalidate: bool = False,
            statuses: Sequence[Indication | str] = (), since: dt.datetime | None = None,
            rehash: bool = False, cluster: Cluster | str | None = None,
            ship_bytes: bool = False, batch_size: int = 200,
            on_progress: ProgressCallback | None = None) -> RunOutcome:
        """Judge the files of ``inputs`` that the store lacks or holds for other bytes
        (size, mtime, then SHA-256 differ) or other verification options, and store each
        result as it arrives. ``revalidate`` re-judges every file (a new validation time);
        ``statuses`` re-judges the stored files with those verdicts; ``since`` keeps only
        files modified at or after that moment; ``rehash`` compares every file's SHA-256
        with the stored one (for copies that keep size and time; reads the whole archive).
        Started again after being killed, the same call goes on where it stopped, with the
        same validation time.

        ``cluster``: a ``Cluster`` (``signkit.audit.connect``) or a scheduler address
        (``tcp://host:8786``, ``local:N``) to verify on Dask, ``batch_size`` files per
        task, workers reading the files by path (shared file system) or, ``ship_bytes``,
        receiving their bytes. Without it, ``jobs`` local worker processes
        (``signkit.iter_verify``)."""
        from ._run import run_audit

        self._writable()
        return run_audit(self, inputs, options=options, recursive=recursive, jobs=jobs,
                         revalidate=revalidate, statuses=statuses, since=since,
                         rehash=rehash, cluster=cluster, ship_bytes=ship_bytes,
                         batch_size=batch_size, on_progress=on_progress)

    # --- reading ------------------------------------------------------------------------------

    def get(self, path: str) -> StoredResult | None:
        """The stored result of ``path`` (as the run was given it), or None."""
        return next(self.results(paths=[path]), None)

    def results(self, *, status: Indication | str | Iterable[Indication | str] | None = None,
                signer: str | None = None, path_prefix: str | None = None,
                since: dt.datetime | None = None,
                paths: Sequence[str] | None = None) -> Iterator[StoredResult]:
        """Stored results by path, read as iterated (flat memory on any store): with the
        verdict ``status`` (one or several), a signature by ``signer`` (common name or
        certificate SHA-256), paths starting with ``path_prefix``, files modified at or
        after ``since``."""
        where, args = _filters(status=status, signer=signer, path_prefix=path_prefix,
                               since=since, paths=paths)
        cursor = self._db.execute(
            f"SELECT {_RESULT_COLUMNS} FROM files {where} ORDER BY path", args)
        for row in cursor:
            yield _result(row)

    def reports(self, **filters: Any) -> Iterator[FileReport]:
        """``results(**filters)`` as the report dataclasses."""
        for result in self.results(**filters):
            yield result.report

    def count(self, **filters: Any) -> int:
        """How many results ``results(**filters)`` would give."""
        where, args = _filters(**filters)
        return self._db.execute(f"SELECT count(*) FROM files {where}", args).fetchone()[0]

    def latest_run(self) -> dict[str, Any] | None:
        """The newest run: its id, validation time, profile and signkit version."""
        row = self._db.execute(
            "SELECT id, validation_time, profile, signkit_version, started_at, finished_at "
            "FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        return {"id": row[0], "validation_time": parse_time(row[1]), "profile": row[2],
                "signkit_version": row[3], "started_at": parse_time(row[4]),
                "finished_at": parse_time(row[5])}

    def expiring(self, within: dt.timedelta | dt.datetime, *,
                 at: dt.datetime | None = None) -> Iterator[tuple[str, dt.datetime]]:
        """(path, expiry) of the B-LTA files whose newest timestamp's TSA certificate expires
        before ``at`` (default now) + ``within`` (or before the moment ``within``), soonest
        first: the files ``signkit ltv refresh`` must renew."""
        if isinstance(within, dt.datetime):
            deadline = within
        else:
            deadline = (at or dt.datetime.now(dt.UTC)) + within
        cursor = self._db.execute(
            "SELECT path, archive_expires FROM files WHERE archive_expires IS NOT NULL "
            "AND archive_expires < ? ORDER BY archive_expires, path", (utc_text(deadline),))
        for path, expires in cursor:
            yield path, parse_time(expires)

    def summary(self, *, expiring_within: dt.timedelta | dt.datetime | None = None,
                at: dt.datetime | None = None, top: int | None = None) -> AuditSummary:
        """Counts over the whole store (``top``: at most that many signers and CAs)."""
        by_status = dict.fromkeys((i.value for i in Indication), 0)
        for status, n in self._db.execute("SELECT status, count(*) FROM files GROUP BY 1"):
            by_status[status] = n
        limit = "" if top is None else f" LIMIT {int(top)}"

        def grouped(column: str) -> list[tuple[str, int]]:
            return [(name if name is not None else "(none)", n) for name, n in self._db.execute(
                f"SELECT {column}, count(*) AS n FROM signatures GROUP BY 1 "
                f"ORDER BY n DESC, 1{limit}")]

        return AuditSummary(
            files=sum(by_status.values()), by_status=by_status,
            by_signer=grouped("signer_common_name"), by_issuer=grouped("issuer"),
            by_level=[(name if name is not None else "(none)", n) for name, n in self._db.execute(
                "SELECT level, count(*) AS n FROM signatures GROUP BY 1 ORDER BY n DESC, 1")],
            expiring=[] if expiring_within is None
            else list(self.expiring(expiring_within, at=at)))

    # --- writing (for the run) ----------------------------------------------------------------

    def _writable(self) -> None:
        if self.readonly:
            raise StoreReadOnlyError(f"{self.path} was opened read-only", self.path)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: whole, or (on any exception, KeyboardInterrupt included)
        nothing."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise _write_error(self.path, e) from None
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as e:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError):
                raise _write_error(self.path, e) from None
            raise

    def _record(self, results: Sequence[tuple[tuple[str, int, int], FileReport, str | None]],
                *, run_id: int, validation_time: str, profile: str, signkit_version: str,
                options_key: str) -> None:
        """Store results ((path, size, mtime_ns), report, B-LTA expiry), each replacing the
        one before, in one transaction: one file as it arrives, or one Dask task's files."""
        judged_at = utc_text(dt.datetime.now(dt.UTC))
        with self._transaction() as db:
            for (path, size, mtime_ns), report, archive_expires in results:
                entry = file_entry(report)
                db.execute(
                    "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256, status, "
                    "subindication, judged_at, validation_time, profile, signkit_version, "
                    "run_id, options_key, archive_expires, report_json) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (path, size, mtime_ns, report.sha256, report.status.value,
                     entry["subindication"], judged_at, validation_time, profile,
                     signkit_version, run_id, options_key, archive_expires, entry_json(entry)))
                db.execute("DELETE FROM signatures WHERE path = ?", (path,))
                db.executemany(
                    "INSERT INTO signatures VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [_signature_row(path, i, sig) for i, sig in enumerate(entry["signatures"])])


_RESULT_COLUMNS = ("path, size, mtime_ns, sha256, status, judged_at, validation_time, profile, "
                   "signkit_version, run_id, archive_expires, report_json")


def _result(row: tuple) -> StoredResult:
    return StoredResult(path=row[0], size=row[1], mtime_ns=row[2], sha256=row[3],
                        status=Indication(row[4]), judged_at=parse_time(row[5]),
                        validation_time=parse_time(row[6]), profile=row[7],
                        signkit_version=row[8], run_id=row[9],
                        archive_expires=parse_time(row[10]), report_json=row[11])


def _signature_row(path: str, position: int, sig: dict[str, Any]) -> tuple:
    signer = sig["signer"] or {}
    revocation = sig["revocation"]
    return (path, position, sig["field"], sig["status"], sig["subindication"],
            signer.get("common_name"), signer.get("subject"), signer.get("organization"),
            signer.get("serial"), signer.get("certificate_sha256"), signer.get("issuer"),
            sig["signing_time"], sig["timestamp_time"], sig["level"], sig["digest_algorithm"],
            sig["signature_algorithm"], sig["coverage"], sig["modifications"],
            int(sig["certified"]), sig["docmdp"], int(revocation["checked"]),
            revocation["source"], revocation["status"])


def _filters(*, status=None, signer=None, path_prefix=None, since=None,
             paths=None) -> tuple[str, list]:
    clauses: list[str] = []
    args: list = []
    if status is not None:
        wanted = [status] if isinstance(status, str | Indication) else list(status)
        values = [Indication(s).value if isinstance(s, str) else s.value for s in wanted]
        clauses.append(f"status IN ({','.join('?' * len(values))})")
        args += values
    if signer is not None:
        clauses.append("path IN (SELECT path FROM signatures WHERE signer_common_name = ? "
                       "OR signer_certificate_sha256 = ?)")
        args += [signer, signer.lower()]
    if path_prefix is not None:
        clauses.append("path >= ? AND path < ?")  # a range: the primary key's index serves it
        args += [path_prefix, path_prefix + "\U0010ffff"]
    if since is not None:
        clauses.append("mtime_ns >= ?")
        args.append(_ns(since))
    if paths is not None:
        clauses.append(f"path IN ({','.join('?' * len(paths))})")
        args += list(paths)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args


def _ns(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


# --- opening, checking, migrating -------------------------------------------------------------

def check(path: str | Path, *, readonly: bool = False) -> None:
    """Raise the error ``Store.open(path, readonly=...)`` would, without writing anything
    (not even creating the file): so a command can refuse a bad store before other work."""
    path = Path(path)
    if path.is_dir():
        raise NotAStoreError(f"{path} is a folder, not a signkit results store", path)
    if not path.exists():
        if readonly:
            raise StoreError(f"there is no store at {path}", path)
        folder = path.parent
        if not folder.is_dir():
            raise StoreError(f"cannot create the store {path}: the folder {folder} does "
                             f"not exist", path)
        if not os.access(folder, os.W_OK):
            raise StoreReadOnlyError(f"cannot create the store {path}: the folder {folder} "
                                     f"is not writable", path)
        return
    if not os.access(path, os.R_OK):
        raise StoreError(f"cannot read the store {path}: permission denied", path)
    if path.stat().st_size:
        connection = _connect(path, "ro")
        try:
            _identify(connection, path, readonly=True)
        finally:
            connection.close()
    if not readonly:
        mode = path.stat().st_mode
        # root may write anything: a store marked read-only (chmod a-w) stays so for it too
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
                path, os.W_OK):
            raise StoreReadOnlyError(
                f"the store {path} is read-only (no write permission); `signkit audit "
                f"report` and `summary` can read it, `run` needs to write it", path)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode={mode}"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None,
                                     timeout=_BUSY_TIMEOUT)
    except sqlite3.OperationalError as e:
        raise StoreError(f"cannot open the store {path}: {e}", path) from None
    return connection


def _identify(connection: sqlite3.Connection, path: Path, *, readonly: bool) -> int:
    """The schema version of a signkit store (0: a new, empty database)."""
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        objects = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as e:
        if "file is not a database" in str(e) or "malformed" in str(e):
            raise NotAStoreError(f"{path} is not a signkit results store (not an SQLite "
                                 f"database)", path) from None
        raise StoreError(f"cannot read the store {path}: {e}", path) from None
    if application_id != APPLICATION_ID:
        if application_id == 0 and objects == 0 and version == 0:
            return 0  # an empty database: it becomes a store
        raise NotAStoreError(f"{path} is an SQLite database of another application, not a "
                             f"signkit results store", path)
    if version > SCHEMA_VERSION:
        raise StoreTooNewError(path, version, SCHEMA_VERSION)
    return version


def _prepare(connection: sqlite3.Connection, version: int) -> None:
    """WAL mode, and the migrations the store lacks, in one transaction."""
    if connection.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
        raise sqlite3.OperationalError("attempt to write a readonly database")
    connection.execute("PRAGMA synchronous=NORMAL")
    if version == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        # read again under the write lock: another process may have migrated meanwhile
        current = connection.execute("PRAGMA user_version").fetchone()[0]
        for step in range(current + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _guard_write(path: Path, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except sqlite3.OperationalError as e:
        raise _write_error(path, e) from None


def _write_error(path: Path, error: sqlite3.OperationalError) -> StoreError:
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return StoreReadOnlyError(f"the store {path} is read-only; `signkit audit report` "
                                  f"and `summary` can read it, `run` needs to write it", path)
    if "locked" in text or "busy" in text:
        return StoreError(f"the store {path} is busy: another signkit run is writing it",
                          path)
    return StoreError(f"cannot write the store {path}: {text}", path)
