"""The work a Dask worker does: verify a batch of files with the worker process's own
``Verifier`` (kept between tasks, so its revocation caches serve many files). Importing this
module does not import ``distributed``: workers only need signkit."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from ..report import FileReport, Indication, SubIndication
from ..verification import Verifier, VerifyOptions
from ._evidence import archive_expiry


@dataclass(frozen=True)
class TaskPlan:
    """What every task of one run shares: the options (paths made absolute on the client),
    the client's working folder (relative input paths are read under it), the bytes of the
    trust, certificate and CRL files when the workers do not share the file system, and
    whether to install signkit's fast PDF parsing."""

    options: VerifyOptions
    cwd: str
    option_files: tuple[tuple[str, bytes], ...] | None = None
    fast_parsing: bool = True

    @property
    def key(self) -> str:
        digest = hashlib.sha256(repr(self.options).encode())
        for name, data in self.option_files or ():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()


Item = tuple[str, bytes | None]  # a path as the run was given it; its bytes with --ship-bytes
Result = tuple[FileReport, str | None]  # the report, the B-LTA archive's expiry

_verifiers: dict[str, Verifier] = {}
_lock = threading.Lock()  # a worker with several threads shares one Verifier per plan


def verify_batch(plan: TaskPlan, items: list[Item]) -> list[Result]:
    """The reports of ``items``, in order, each with the path as the run gave it."""
    with _lock:
        verifier = _verifier(plan)
        return [_verify_one(verifier, plan, path, data) for path, data in items]


def worker_version() -> str:
    """The signkit version a worker runs (checked against the client's at start)."""
    from .. import __version__

    return __version__


def _verifier(plan: TaskPlan) -> Verifier:
    key = plan.key
    if key not in _verifiers:
        if plan.fast_parsing:
            from .._pdf_speedups import install

            install()
        options = plan.options
        if plan.option_files is not None:
            options = _materialize(options, plan.option_files, key)
        _verifiers[key] = Verifier(options)
    return _verifiers[key]


def _materialize(options: VerifyOptions, files: tuple[tuple[str, bytes], ...],
                 key: str) -> VerifyOptions:
    """Write the shipped option files into a folder of this worker, and point the options at
    them."""
    folder = Path(tempfile.gettempdir()) / f"signkit-audit-{key[:16]}"
    folder.mkdir(exist_ok=True)
    local: dict[str, Path] = {}
    for i, (name, data) in enumerate(files):
        target = folder / f"{i}-{Path(name).name}"
        # workers of one machine share the folder: each file appears whole, by a rename
        partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}"
        partial.write_bytes(data)
        os.replace(partial, target)
        local[name] = target

    def moved(paths: tuple[Path, ...]) -> tuple[Path, ...]:
        return tuple(local.get(str(p), p) for p in paths)

    return replace(options, trust=moved(options.trust), other_certs=moved(options.other_certs),
                   crls=moved(options.crls))


def _verify_one(verifier: Verifier, plan: TaskPlan, path: str, data: bytes | None) -> Result:
    if data is None:
        source = os.path.join(plan.cwd, path)
        report = _verify(verifier, source)
        expires = archive_expiry(report, source)
    else:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
            copy.write(data)
            copy.flush()
            report = _verify(verifier, copy.name)
        expires = archive_expiry(report, data)
    return replace(report, path=path), expires


def _verify(verifier: Verifier, path: str) -> FileReport:
    try:
        return verifier.verify(path)
    except MemoryError:
        raise  # the worker is in no state to go on; Dask runs the task again elsewhere
    except Exception as e:  # noqa: BLE001 - one file's bug must not end the batch
        return FileReport(path, None, Indication.INDETERMINATE, SubIndication.GENERIC,
                          (f"verification could not finish: {type(e).__name__}: {e}",))
