"""The errors of the results store and of distributed runs. Each says what is wrong with
which store (or scheduler) in words an auditor can act on, and carries the facts."""

from __future__ import annotations

from pathlib import Path

from ..errors import SignkitError


class AuditError(SignkitError):
    """Something about an audit's store or cluster; nothing was judged or written."""


class StoreError(AuditError):
    """The store at ``path`` cannot be used."""

    def __init__(self, message: str, path: str | Path) -> None:
        super().__init__(message)
        self.path = Path(path)


class NotAStoreError(StoreError):
    """The file exists but is not a signkit results store (another database, or no SQLite
    database at all)."""


class StoreTooNewError(StoreError):
    """The store was written by a newer signkit whose schema this one does not know."""

    def __init__(self, path: str | Path, version: int, supported: int) -> None:
        super().__init__(
            f"{path} was written by a newer signkit (store schema {version}); this signkit "
            f"reads stores up to schema {supported}: upgrade signkit", path)
        self.version = version
        self.supported = supported


class StoreReadOnlyError(StoreError):
    """The store may be read but not written (no write permission, read-only file system)."""


class SchedulerError(AuditError):
    """The Dask scheduler at ``address`` cannot be used (unreachable, no workers, workers
    without a matching signkit, or the ``distributed`` package missing)."""

    def __init__(self, message: str, address: str) -> None:
        super().__init__(message)
        self.address = address
