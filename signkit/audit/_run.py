"""One ``Store.run``: which files to judge, judging them (local worker processes or Dask),
and storing each result as it arrives.

Which files: the inputs are walked into a temporary table (path, size, mtime) and joined with
the stored results in SQLite, so that an archive of any size is compared in flat memory and
at the speed of ``stat``. A file is judged when the store has no result for it, holds one for
another size or modification time (and, when only the time changed, another SHA-256: a file
merely touched is not judged again), or for other verification options; with ``revalidate``
every file, with ``statuses`` the files whose stored verdict is one of them; with ``rehash``
also files whose SHA-256 changed under the same size and time (every file is read).

Resume: each run is a row of ``runs`` named by a fingerprint of its inputs and options. A
run that did not finish is taken up again by the same command, with its validation time;
the files it already judged are skipped because their stored result says so (same size and
time, or, when re-validating, this run's id).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..report import FileReport, Indication
from ..verification import VerifyOptions
from ._codec import parse_time, utc_text
from ._evidence import archive_expiry
from ._walk import walk

if TYPE_CHECKING:
    from ._dask import Cluster
    from ._store import ProgressCallback, RunOutcome, Store

_CHUNK = 1000  # rows of the plan read at a time


@dataclasses.dataclass(frozen=True)
class _Run:
    id: int
    resumed: bool
    validation_time: dt.datetime
    options_key: str


def run_audit(store: Store, inputs: Iterable[str | Path], *, options: VerifyOptions | None,
              recursive: bool, jobs: int | None, revalidate: bool,
              statuses: Sequence[Indication | str], since: dt.datetime | None,
              rehash: bool, cluster: Cluster | str | None, ship_bytes: bool,
              batch_size: int, on_progress: ProgressCallback | None) -> RunOutcome:
    from .. import __version__
    from ._store import RunOutcome

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    options = options or VerifyOptions()
    paths = [str(item) for item in inputs]
    wanted = sorted({Indication(s).value if isinstance(s, str) else s.value
                     for s in statuses})
    owned = None
    if isinstance(cluster, str):
        from ._dask import connect

        # before anything is written: an unreachable scheduler leaves the store as it was
        cluster = owned = connect(cluster)
    try:
        run = _start(store, paths, options, recursive=recursive, revalidate=revalidate,
                     statuses=wanted, since=since, version=__version__)
        options = dataclasses.replace(options, at=run.validation_time)
        db = store._db
        found = _plan(db, paths, recursive=recursive, since=since, run=run,
                      revalidate=revalidate, statuses=wanted, rehash=rehash)
        _skip_touched(store)
        total = db.execute("SELECT count(*) FROM temp.audit_todo").fetchone()[0]
        judged = 0
        common: dict[str, Any] = {
            "run_id": run.id, "validation_time": utc_text(run.validation_time),
            "profile": options.profile, "signkit_version": __version__,
            "options_key": run.options_key}

        def record(results: list[tuple[tuple[str, int, int], FileReport, str | None]]
                   ) -> None:
            nonlocal judged
            store._record(results, **common)
            for _, report, _ in results:
                judged += 1
                if on_progress is not None:
                    on_progress(report, judged, total)

        if total and cluster is not None:
            from .._pdf_speedups import installed
            from ._dask import make_plan, verify_on_cluster

            plan = make_plan(options, ship_bytes=ship_bytes, fast_parsing=installed())
            verify_on_cluster(cluster, plan, _batches(db, batch_size), record,
                              ship_bytes=ship_bytes)
        elif total:
            _verify_locally(db, options, jobs, record)
        with store._transaction():
            db.execute("UPDATE runs SET finished_at = ? WHERE id = ?",
                       (utc_text(dt.datetime.now(dt.UTC)), run.id))
        summary = {"files": 0} | {i.value: 0 for i in Indication}
        for status, n in db.execute(
                "SELECT status, count(*) FROM files WHERE path IN "
                "(SELECT path FROM temp.audit_walk) GROUP BY status"):
            summary[status] = n
            summary["files"] += n
        return RunOutcome(run_id=run.id, resumed=run.resumed,
                          validation_time=run.validation_time, files=found, judged=judged,
                          summary=summary)
    finally:
        if owned is not None:
            owned.close()
        db = store._db
        if not db.in_transaction:
            db.execute("DROP TABLE IF EXISTS temp.audit_walk")
            db.execute("DROP TABLE IF EXISTS temp.audit_todo")


def options_key(options: VerifyOptions) -> str:
    """The options a verdict depends on, except the validation time: results judged under
    other ones are judged again."""
    fields = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
              if f.name != "at"}
    for name in ("trust", "other_certs", "crls"):
        fields[name] = [os.path.abspath(p) for p in fields[name]]
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _start(store: Store, inputs: list[str], options: VerifyOptions, *, recursive: bool,
           revalidate: bool, statuses: list[str], since: dt.datetime | None,
           version: str) -> _Run:
    """This command's unfinished run, or a new one."""
    key = options_key(options)
    command = {
        "inputs": [os.path.abspath(p) for p in inputs], "recursive": recursive,
        "revalidate": revalidate, "statuses": statuses,
        "since": None if since is None else utc_text(since),
        "at": None if options.at is None else utc_text(options.at), "options_key": key,
    }
    fingerprint = hashlib.sha256(json.dumps(command, sort_keys=True).encode()).hexdigest()
    with store._transaction() as db:
        row = db.execute("SELECT id, validation_time, finished_at FROM runs "
                         "WHERE fingerprint = ? ORDER BY id DESC LIMIT 1",
                         (fingerprint,)).fetchone()
        if row is not None and row[2] is None:
            return _Run(row[0], True, parse_time(row[1]), key)
        moment = options.at or dt.datetime.now(dt.UTC)
        now = utc_text(dt.datetime.now(dt.UTC))
        cursor = db.execute(
            "INSERT INTO runs (fingerprint, options_key, started_at, validation_time, "
            "profile, signkit_version, command) VALUES (?,?,?,?,?,?,?)",
            (fingerprint, key, now, utc_text(moment), options.profile, version,
             json.dumps(command, ensure_ascii=False)))
        assert cursor.lastrowid is not None  # an INSERT's row
        return _Run(cursor.lastrowid, False, parse_time(utc_text(moment)), key)


def _plan(db, inputs: list[str], *, recursive: bool, since: dt.datetime | None, run: _Run,
          revalidate: bool, statuses: list[str], rehash: bool) -> int:
    """Fill temp.audit_walk (every file of the inputs) and temp.audit_todo (those to judge,
    in input order); return how many files the inputs hold."""
    db.execute("DROP TABLE IF EXISTS temp.audit_walk")
    db.execute("DROP TABLE IF EXISTS temp.audit_todo")
    db.execute("CREATE TEMP TABLE audit_walk (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, "
               "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL)")
    db.execute("CREATE TEMP TABLE audit_todo (seq INTEGER PRIMARY KEY, path TEXT UNIQUE, "
               "size INTEGER, mtime_ns INTEGER, stored_sha TEXT, stored_size INTEGER, "
               "only_touched INTEGER)")
    found = walk(inputs, recursive=recursive)
    if since is not None:
        from ._store import _ns

        floor = _ns(since)
        found = (f for f in found if f[2] >= floor)
    selected = f"f.status IN ({','.join('?' * len(statuses))})" if statuses else "0"
    recheck = (f"(f.options_key != ? OR ((? OR {selected}) AND f.run_id != ?))")
    recheck_args = [run.options_key, int(revalidate), *statuses, run.id]
    db.execute("BEGIN")
    try:
        db.executemany("INSERT INTO temp.audit_walk (path, size, mtime_ns) VALUES (?,?,?)",
                       found)
        db.execute(
            "INSERT OR IGNORE INTO temp.audit_todo (seq, path, size, mtime_ns, stored_sha, "
            "stored_size, only_touched) "
            "SELECT w.seq, w.path, w.size, w.mtime_ns, f.sha256, f.size, "
            f"  f.path IS NOT NULL AND f.size = w.size AND NOT {recheck} "
            "FROM temp.audit_walk w LEFT JOIN files f ON f.path = w.path "
            f"WHERE f.path IS NULL OR f.size != w.size OR f.mtime_ns != w.mtime_ns "
            f"  OR {recheck} OR ? ORDER BY w.seq", [*recheck_args, *recheck_args, int(rehash)])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return db.execute("SELECT count(*) FROM temp.audit_walk").fetchone()[0]


def _skip_touched(store: Store) -> None:
    """Files whose size is the stored one but whose modification time changed (or, with
    ``rehash``, any stored file), and whose SHA-256 is still the stored one: keep their
    verdict, note the time. Hashed a chunk at a time (``rehash`` reads the whole archive)."""
    db = store._db
    last = -1
    while True:
        rows = db.execute("SELECT seq, path, mtime_ns, stored_sha FROM temp.audit_todo "
                          "WHERE only_touched AND seq > ? ORDER BY seq LIMIT ?",
                          (last, _CHUNK)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        same = [(path, mtime_ns) for _, path, mtime_ns, sha in rows
                if sha and _sha256(path) == sha]
        if same:
            with store._transaction():
                db.executemany("UPDATE files SET mtime_ns = ? WHERE path = ?",
                               [(mtime_ns, path) for path, mtime_ns in same])
                db.executemany("DELETE FROM temp.audit_todo WHERE path = ?",
                               [(path,) for path, _ in same])


def _todo(db) -> Iterator[tuple[str, int, int]]:
    """The files to judge, in input order, read a chunk at a time."""
    last = -1
    while True:
        rows = db.execute("SELECT seq, path, size, mtime_ns FROM temp.audit_todo "
                          "WHERE seq > ? ORDER BY seq LIMIT ?", (last, _CHUNK)).fetchall()
        if not rows:
            return
        for row in rows:
            yield row[1], row[2], row[3]
        last = rows[-1][0]


def _batches(db, size: int) -> Iterator[list[tuple[str, int, int]]]:
    batch: list[tuple[str, int, int]] = []
    for planned in _todo(db):
        batch.append(planned)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _verify_locally(db, options: VerifyOptions, jobs: int | None, record) -> None:
    from ..batch import iter_verify

    with iter_verify((path for path, _, _ in _todo(db)), options=options,
                     jobs=jobs) as stream:
        for planned, report in zip(_todo(db), stream, strict=True):
            record([(planned, report, archive_expiry(report, planned[0]))])


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None
