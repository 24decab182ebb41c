"""Queues that collect pushes for code that prefers pulling over callbacks."""

from __future__ import annotations

import asyncio
import queue
import time
from typing import AsyncIterator, Callable, Iterator, List, Optional, Union

from .errors import ConnectionClosedError
from .models import Push

__all__ = ["PushQueue", "AsyncPushQueue"]


class _Closed:
    """Marker put in a queue when the client closes."""


_CLOSED = _Closed()


class PushQueue:
    """Pushes received by a sync :class:`~troupe_ipc.Client` since this queue was made.

    Iterate over it (blocks until the next push, ends when the client closes) or
    call :meth:`get` with a timeout.  Call :meth:`close` (or leave a ``with``
    block) to stop collecting.
    """

    def __init__(self, detach: Callable[["PushQueue"], None]) -> None:
        self._queue: "queue.Queue[Union[Push, _Closed]]" = queue.Queue()
        self._detach = detach
        self._ended = False

    # Called by the client's reader thread.
    def _put(self, item: Union[Push, _Closed]) -> None:
        self._queue.put(item)

    def _end(self) -> None:
        self._queue.put(_CLOSED)

    def get(self, timeout: Optional[float] = None) -> Push:
        """Return the next push, waiting at most ``timeout`` seconds (``None``: forever).

        Raises ``TimeoutError`` when none arrived in time and
        :class:`~troupe_ipc.ConnectionClosedError` once the client has closed and
        every push received before that was returned.
        """
        if self._ended:
            raise ConnectionClosedError(
                "CONNECTION_CLOSED", "the client is closed: no more pushes will arrive"
            )
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no push arrived within {timeout} s") from None
        if isinstance(item, _Closed):
            self._ended = True
            raise ConnectionClosedError(
                "CONNECTION_CLOSED", "the client is closed: no more pushes will arrive"
            )
        return item

    def drain(self) -> List[Push]:
        """Return every push already received, without waiting."""
        items: List[Push] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return items
            if isinstance(item, _Closed):
                self._ended = True
                return items
            items.append(item)

    def collect(self, count: int, timeout: float) -> List[Push]:
        """Wait for ``count`` pushes, at most ``timeout`` seconds in all.

        Raises ``TimeoutError`` (saying how many arrived) when they did not all come.
        """
        deadline = time.monotonic() + timeout
        items: List[Push] = []
        while len(items) < count:
            remaining = deadline - time.monotonic()
            try:
                items.append(self.get(timeout=max(0.0, remaining)))
            except TimeoutError:
                raise TimeoutError(f"{len(items)} of {count} pushes arrived within {timeout} s") from None
        return items

    def close(self) -> None:
        """Stop collecting pushes."""
        self._detach(self)

    def __iter__(self) -> Iterator[Push]:
        while True:
            try:
                yield self.get()
            except ConnectionClosedError:
                return

    def __enter__(self) -> "PushQueue":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncPushQueue:
    """Pushes received by an :class:`~troupe_ipc.AsyncClient` since this queue was made.

    ``async for push in queue`` waits for pushes until the client closes;
    :meth:`get` takes a timeout.  Call :meth:`close` to stop collecting.
    """

    def __init__(self, detach: Callable[["AsyncPushQueue"], None]) -> None:
        self._queue: "asyncio.Queue[Union[Push, _Closed]]" = asyncio.Queue()
        self._detach = detach
        self._ended = False

    def _put(self, item: Union[Push, _Closed]) -> None:
        self._queue.put_nowait(item)

    def _end(self) -> None:
        self._queue.put_nowait(_CLOSED)

    async def get(self, timeout: Optional[float] = None) -> Push:
        """Return the next push, waiting at most ``timeout`` seconds (``None``: forever).

        Raises ``TimeoutError`` when none arrived in time and
        :class:`~troupe_ipc.ConnectionClosedError` once the client has closed.
        """
        if self._ended:
            raise ConnectionClosedError(
                "CONNECTION_CLOSED", "the client is closed: no more pushes will arrive"
            )
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no push arrived within {timeout} s") from None
        if isinstance(item, _Closed):
            self._ended = True
            raise ConnectionClosedError(
                "CONNECTION_CLOSED", "the client is closed: no more pushes will arrive"
            )
        return item

    def drain(self) -> List[Push]:
        """Return every push already received, without waiting."""
        items: List[Push] = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if isinstance(item, _Closed):
                self._ended = True
                break
            items.append(item)
        return items

    async def collect(self, count: int, timeout: float) -> List[Push]:
        """Wait for ``count`` pushes, at most ``timeout`` seconds in all."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        items: List[Push] = []
        while len(items) < count:
            try:
                items.append(await self.get(timeout=max(0.0, deadline - loop.time())))
            except TimeoutError:
                raise TimeoutError(f"{len(items)} of {count} pushes arrived within {timeout} s") from None
        return items

    def close(self) -> None:
        """Stop collecting pushes."""
        self._detach(self)

    def __aiter__(self) -> AsyncIterator[Push]:
        return self

    async def __anext__(self) -> Push:
        try:
            return await self.get()
        except ConnectionClosedError:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> "AsyncPushQueue":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
