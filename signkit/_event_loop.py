"""Closing the private event loop a signer, verifier or archive session runs its HTTP work
on: the services' sessions first, then what requests abandoned on a timeout left behind
(tasks and sockets), so that nothing is finished by the garbage collector after the loop is
gone, and the loop is closed even when a service's close fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


def close_loop(loop: asyncio.AbstractEventLoop,
               *closers: Callable[[], Awaitable[None]] | None) -> None:
    try:
        for close in closers:
            if close is not None:
                loop.run_until_complete(close())
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(asyncio.sleep(0))  # let transports run their close callbacks
        loop.close()
