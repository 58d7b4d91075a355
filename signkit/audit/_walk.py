"""The files of an audit's inputs with their size and modification time, in the order
``signkit verify`` lists them (``signkit.collect_pdfs``'s), one at a time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

Found = tuple[str, int, int]  # path, size, mtime_ns (-1, -1: cannot be read)


def walk(inputs: Iterable[str | Path], *, recursive: bool) -> Iterator[Found]:
    """Named files as given (kept even when they are not PDFs, so that their verdict says
    so), and the ``*.pdf`` files of named folders (``recursive``: of their trees)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from _folder(str(path), recursive)
        else:
            yield _stat(str(path))


def _folder(folder: str, recursive: bool) -> Iterator[Found]:
    # depth first, each folder's entries sorted by name, as signkit.batch walks
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except PermissionError:
        return
    for entry in entries:
        if recursive and entry.is_dir() and not entry.is_symlink():
            yield from _folder(entry.path, recursive)
        elif _is_pdf_name(entry.name) and entry.is_file():
            try:
                info = entry.stat()
            except OSError:
                yield entry.path, -1, -1
                continue
            yield entry.path, info.st_size, info.st_mtime_ns


def _stat(path: str) -> Found:
    try:
        info = os.stat(path)
    except OSError:
        return path, -1, -1
    return path, info.st_size, info.st_mtime_ns


def _is_pdf_name(name: str) -> bool:
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() == ".pdf"
