"""The network edge of remote keys: one private event loop in a thread, one aiohttp
session on it, JSON over HTTPS, and every failure turned into a signkit exception whose
message carries no secret.

A remote key's HTTP work runs on its own loop (not the caller's), so the same key serves a
``DocumentSigner``'s loop, a synchronous ``sign`` and the CLI's ``remote list`` alike."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

import aiohttp

from .._event_loop import close_loop
from ..error_messages import said
from ..errors import RemoteServiceError

T = TypeVar("T")
_MESSAGE_LIMIT = 200  # characters of a service's own error text quoted in a message


class LoopThread:
    """An event loop running in a daemon thread; ``run`` waits for a coroutine there,
    ``submit`` gives a concurrent future."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="signkit-remote")
        self._thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.submit(coro).result()

    def close(self, *closers: Callable[[], Awaitable[None]] | None) -> None:
        if self.loop.is_closed():
            return
        try:
            for close in closers:
                if close is not None:
                    self.run(close())  # type: ignore[arg-type]
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            close_loop(self.loop)


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret replaced (a service may echo what it was sent), shortened
    and on one line."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    text = " ".join(str(text).split())
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "…"


class JsonHttp:
    """POST JSON (or a form), read JSON back. ``requests`` counts the requests sent, per
    path, for the benchmark and for the integrator's curiosity."""

    def __init__(self, service: str, *, timeout: float,
                 secrets: Callable[[], Iterable[str | None]]) -> None:
        self.service = service
        self.timeout = timeout
        self._secrets = secrets
        self._session: aiohttp.ClientSession | None = None
        self.requests: Counter[str] = Counter()

    def safe(self, text: str) -> str:
        return scrub(text, self._secrets())

    async def post(self, url: str, body: dict | None = None, *, name: str,
                   form: dict | None = None,
                   headers: dict | None = None, timeout: float | None = None,
                   ) -> tuple[int, dict]:
        """(HTTP status, the JSON object answered). A connection failure, no answer within
        ``timeout`` seconds, or an answer that is not a JSON object raises
        ``RemoteServiceError``."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self.requests[name] += 1
        kwargs: dict[str, Any] = {"data": form} if form is not None else {"json": body or {}}
        try:
            async with self._session.post(
                url, headers=headers or {}, allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=timeout or self.timeout), **kwargs,
            ) as response:
                status = response.status
                raw = await response.read()
        except TimeoutError:
            raise RemoteServiceError(
                said("remote_service.no_answer", service_name=self.service, url=url, call=name,
                     seconds=f"{timeout or self.timeout:g}"), service=url) from None
        except aiohttp.ClientError as e:
            raise RemoteServiceError(
                said("remote_service.unreachable", service_name=self.service, url=url,
                     detail=self.safe(str(e) or type(e).__name__)), service=url) from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise RemoteServiceError(
                said("remote_service.not_json", service_name=self.service, url=url,
                     status=status), service=url)
        return status, data

    @property
    def round_trips(self) -> int:
        return sum(self.requests.values())

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
