"""Listening to what pyHanko only logs: soft failures (an unreachable OCSP responder, say)
and the exceptions certificate validation folds into one status."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TypeVar

PDF_LOGGERS = ("pyhanko", "pyhanko_certvalidator")

H = TypeVar("H", bound=logging.Handler)


@contextlib.contextmanager
def listening(handler: H) -> Iterator[H]:
    """``handler`` hears pyHanko's loggers inside the block."""
    loggers = [logging.getLogger(name) for name in PDF_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
