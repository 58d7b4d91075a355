"""INPUT arguments as users give them: files, folders, and ``-`` for paths on stdin."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import EXIT_USAGE, fail


def input_paths(inputs: tuple[str, ...]) -> list[str]:
    """The paths named, with ``-`` replaced by one path per line of standard input; a path
    that does not exist is a usage error before any work starts."""
    paths: list[str] = []
    for item in inputs:
        if item == "-":
            paths.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            paths.append(item)
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        fail("no such file or folder: " + ", ".join(missing), EXIT_USAGE)
    return paths
