"""Turning what a user names (files, folders, trees) into the list of PDFs to work on."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def collect_pdfs(
    inputs: Iterable[str | Path], *, recursive: bool = False
) -> list[tuple[Path, Path]]:
    """(file, path relative to the input it came from) for every file named or found in a
    folder (``*.pdf``, any case; ``recursive`` walks the tree). Named files are kept even
    when they are not PDFs, so that the batch reports them."""
    found: list[tuple[Path, Path]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            for child in sorted(path.glob(pattern)):
                if child.is_file() and child.suffix.lower() == ".pdf":
                    found.append((child, child.relative_to(path)))
        else:
            found.append((path, Path(path.name)))
    return found
