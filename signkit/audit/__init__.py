"""Audits that remember: a results store (SQLite), resumed and incremental runs, and
verification on a Dask cluster.

    from signkit.audit import Store
    from signkit.verification import VerifyOptions

    with Store.open("audit.db") as store:
        outcome = store.run(["archive"], recursive=True, options=VerifyOptions(profile="vn"))
        print(outcome.judged, outcome.summary)
        for result in store.results(status="TOTAL_FAILED", path_prefix="archive/2026/"):
            print(result.path, result.report.subindication)

``Store.run(..., cluster="tcp://scheduler:8786")`` (or ``connect(...)`` once, for several
runs) verifies on Dask workers instead of local processes; ``pip install 'signkit[dask]'``.
The store's format, the resume and re-audit rules and the Dask set-up: docs/audit.md.
"""

from ._errors import (
    AuditError,
    NotAStoreError,
    SchedulerError,
    StoreError,
    StoreReadOnlyError,
    StoreTooNewError,
)
from ._schema import SCHEMA_VERSION
from ._store import AuditSummary, ProgressCallback, RunOutcome, Store, StoredResult, check

__all__ = [
    "SCHEMA_VERSION",
    "AuditError",
    "AuditSummary",
    "Cluster",
    "NotAStoreError",
    "ProgressCallback",
    "RunOutcome",
    "SchedulerError",
    "Store",
    "StoreError",
    "StoreReadOnlyError",
    "StoreTooNewError",
    "StoredResult",
    "check",
    "connect",
]


def __getattr__(name: str):
    # the Dask side (and the verification layer it imports) loads only when asked for
    if name in ("Cluster", "connect"):
        from . import _dask

        return getattr(_dask, name)
    raise AttributeError(f"module 'signkit.audit' has no attribute {name!r}")
