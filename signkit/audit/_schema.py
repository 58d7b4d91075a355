"""The store's SQLite schema and its migrations.

A store is an SQLite database whose ``PRAGMA application_id`` is signkit's (``SKAU``) and
whose ``PRAGMA user_version`` is the schema version. ``MIGRATIONS[n]`` takes a store from
version ``n - 1`` to ``n``; opening a store for writing applies those it lacks, in one
transaction. A store of a newer version than ``SCHEMA_VERSION`` is refused, never guessed at.
Migrations only add (tables, columns, indexes), so a store stays readable by the signkit
that wrote it until it is migrated.
"""

from __future__ import annotations

APPLICATION_ID = 0x534B4155  # "SKAU": signkit audit
SCHEMA_VERSION = 2

_V1 = (
    # one row per `signkit audit run` command; a run left unfinished is resumed by the same
    # command (same fingerprint), with its validation time
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        options_key TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        validation_time TEXT NOT NULL,
        profile TEXT NOT NULL,
        signkit_version TEXT NOT NULL,
        command TEXT NOT NULL
    )""",
    # one row per file: its latest verdict, and what it was judged on (size, mtime, hash)
    """CREATE TABLE files (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT,
        status TEXT NOT NULL,
        subindication TEXT,
        judged_at TEXT NOT NULL,
        validation_time TEXT NOT NULL,
        profile TEXT NOT NULL,
        signkit_version TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        options_key TEXT NOT NULL,
        archive_expires TEXT,
        report_json TEXT NOT NULL
    )""",
    # one row per signature of a file, the report fields of docs/report-schema.md as columns
    """CREATE TABLE signatures (
        path TEXT NOT NULL REFERENCES files(path),
        position INTEGER NOT NULL,
        field TEXT NOT NULL,
        status TEXT NOT NULL,
        subindication TEXT,
        signer_common_name TEXT,
        signer_subject TEXT,
        signer_organization TEXT,
        signer_serial TEXT,
        signer_certificate_sha256 TEXT,
        issuer TEXT,
        signing_time TEXT,
        timestamp_time TEXT,
        level TEXT NOT NULL,
        digest_algorithm TEXT,
        signature_algorithm TEXT,
        coverage TEXT,
        modifications TEXT,
        certified INTEGER NOT NULL,
        docmdp INTEGER,
        revocation_checked INTEGER NOT NULL,
        revocation_source TEXT NOT NULL,
        revocation_status TEXT NOT NULL,
        PRIMARY KEY (path, position)
    ) WITHOUT ROWID""",
)

# queries by status, signer, issuing CA and expiry stay indexed on stores of 100,000s of files
_V2 = (
    "CREATE INDEX files_status ON files(status)",
    "CREATE INDEX files_archive_expires ON files(archive_expires) "
    "WHERE archive_expires IS NOT NULL",
    "CREATE INDEX signatures_signer ON signatures(signer_common_name)",
    "CREATE INDEX signatures_certificate ON signatures(signer_certificate_sha256)",
    "CREATE INDEX runs_fingerprint ON runs(fingerprint)",
)

MIGRATIONS: dict[int, tuple[str, ...]] = {1: _V1, 2: _V2}
assert max(MIGRATIONS) == SCHEMA_VERSION
