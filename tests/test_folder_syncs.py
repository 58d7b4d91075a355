"""Folder fsyncs shared by the documents a batch worker names one after another: every name
is made durable by an fsync that began after it, and names made meanwhile share one."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from signkit import atomic
from signkit.atomic import SharedFolderSyncs
from signkit.errors import SigningError


class RecordedSyncs:
    """The real fsync_folder, recording when each call began (by the names it covered)
    and holding the first one until released."""

    def __init__(self, names: list[str]):
        self.names = names  # names made so far, appended by the test
        self.began_with: list[int] = []  # how many names existed when each fsync began
        self.finished = 0
        self.release_first = threading.Event()
        self._real = atomic.fsync_folder

    def __call__(self, folder: Path) -> None:
        self.began_with.append(len(self.names))
        if len(self.began_with) == 1:
            self.release_first.wait(5)
        self._real(folder)
        self.finished += 1


def test_names_made_during_an_fsync_share_the_next_one_which_begins_after_them(
        tmp_path, monkeypatch):
    names: list[str] = []
    recorded = RecordedSyncs(names)
    monkeypatch.setattr(atomic, "fsync_folder", recorded)

    async def batch():
        syncs = SharedFolderSyncs()

        async def name(n: str) -> int:
            (tmp_path / n).write_bytes(b"%PDF-")
            names.append(n)
            await syncs.sync(tmp_path)
            return recorded.finished  # fsyncs done by the time this one returned

        first = asyncio.create_task(name("a.pdf"))
        while not recorded.began_with:  # the first fsync has begun (and is held)
            await asyncio.sleep(0.001)
        later = [asyncio.create_task(name(f"{i}.pdf")) for i in range(5)]
        await asyncio.sleep(0.01)
        assert not first.done() and not any(t.done() for t in later)
        recorded.release_first.set()
        return await first, await asyncio.gather(*later)

    first, later = asyncio.run(batch())
    assert first >= 1
    # the five names made while the first fsync ran waited for a second, which began
    # after all six names existed; there was no third
    assert later == [2] * 5
    assert recorded.began_with == [1, 6]


def test_a_failed_fsync_reaches_every_document_that_waited_for_it(tmp_path, monkeypatch):
    def refuse(folder: Path) -> None:
        raise SigningError("cannot sync")

    monkeypatch.setattr(atomic, "fsync_folder", refuse)

    async def batch():
        syncs = SharedFolderSyncs()
        return await asyncio.gather(*(syncs.sync(tmp_path) for _ in range(3)),
                                    return_exceptions=True)

    results = asyncio.run(batch())
    assert all(isinstance(r, SigningError) for r in results)


def test_one_document_cancelled_leaves_the_shared_fsync_to_the_others(tmp_path, monkeypatch):
    recorded = RecordedSyncs([])
    monkeypatch.setattr(atomic, "fsync_folder", recorded)

    async def batch():
        syncs = SharedFolderSyncs()
        waiting = [asyncio.create_task(syncs.sync(tmp_path)) for _ in range(2)]
        while not recorded.began_with:
            await asyncio.sleep(0.001)
        waiting[0].cancel()
        recorded.release_first.set()
        await waiting[1]
        with pytest.raises(asyncio.CancelledError):
            await waiting[0]

    asyncio.run(batch())
    assert recorded.began_with == [0]
