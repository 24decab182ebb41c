"""The asyncio client: the same API as :class:`troupe_ipc.Client`, with coroutines.

One reader task routes the server's frames to the waiting coroutines by
correlation id, so any number of requests can be awaited concurrently on one
connection.  An :class:`AsyncClient` belongs to the event loop that made it.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import logging
import time
from typing import (
    Any,
    Awaitable,
    Callable,
    Deque,
    Dict,
    Generator,
    Iterable,
    List,
    Optional,
    Set,
    Type,
    Union,
)

from .client import REPLY_GRACE
from .errors import ConnectionClosedError, IoError, IpcError, ProtocolError, RequestTimeoutError
from .messages import (
    CorrelationIds,
    HeartbeatEcho,
    Incoming,
    Reply,
    StreamFrame,
    Unroutable,
    discover_envelope,
    interpret,
    normalize_types,
    request_envelope,
    subscription_envelope,
)
from .models import DiscoverResult, Push
from .paths import PathLike, resolve_socket_path
from .protocol import Format, FrameDecoder, MessageType, build_frame, parse_format
from .pushes import AsyncPushQueue

__all__ = ["AsyncClient", "AsyncResponseStream", "AsyncPushCallback"]

log = logging.getLogger("troupe_ipc")

#: A push callback: a plain function, or one returning an awaitable (run as a task).
AsyncPushCallback = Callable[[Push], Union[None, Awaitable[Any]]]

_RECV_SIZE = 256 * 1024


class _StreamWaiter:
    """Pending stream: frames queue up until the consumer takes them."""

    def __init__(self) -> None:
        self.queue: "asyncio.Queue[Union[Reply, StreamFrame, IpcError]]" = asyncio.Queue()


_Waiter = Union["asyncio.Future[Reply]", _StreamWaiter]


class AsyncClient:
    """An asyncio troupe IPC client.

    ``client = await AsyncClient.connect(path)`` or
    ``async with AsyncClient.connect(path) as client: ...``.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        path: str,
        format: Format,
        timeout: float,
    ) -> None:
        """Wrap connected streams (prefer :meth:`connect`); must run inside the event loop."""
        self._reader = reader
        self._writer = writer
        self._path = path
        self._format = format
        self._timeout = float(timeout)
        self._ids = CorrelationIds()
        self._send_lock = asyncio.Lock()
        self._pending: Dict[str, _Waiter] = {}
        self._heartbeats: Deque["asyncio.Future[float]"] = collections.deque()
        self._callbacks: List[AsyncPushCallback] = []
        self._callback_tasks: Set["asyncio.Task[Any]"] = set()
        self._push_queues: List[AsyncPushQueue] = []
        self._close_reason: Optional[IpcError] = None
        self._rejection: Optional[IpcError] = None
        self._closed = asyncio.Event()
        self._read_task = asyncio.ensure_future(self._read_loop())

    # ------------------------------------------------------------------ setup

    @classmethod
    def connect(
        cls,
        path: Optional[PathLike] = None,
        *,
        app: Optional[str] = None,
        format: str = "json",
        timeout: float = 30.0,
    ) -> "_Connector":
        """Connect to a troupe server; await the result, or use it with ``async with``.

        Arguments as for :meth:`troupe_ipc.Client.connect`.
        """
        fmt = parse_format(format)
        if timeout is None or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        sock_path = resolve_socket_path(path, app)
        return _Connector(cls, sock_path, fmt, float(timeout))

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<{type(self).__name__} {self._path!r} {self.format} {state}>"

    # ------------------------------------------------------------- properties

    @property
    def path(self) -> str:
        """The socket path this client connected to."""
        return self._path

    @property
    def format(self) -> str:
        """``"json"`` or ``"msgpack"``."""
        return "json" if self._format is Format.JSON else "msgpack"

    @property
    def timeout(self) -> float:
        """Default timeout of calls, in seconds."""
        return self._timeout

    @property
    def closed(self) -> bool:
        """True once the connection is closed (by either side)."""
        return self._closed.is_set()

    @property
    def close_reason(self) -> Optional[IpcError]:
        """Why the connection closed (``None`` while it is open)."""
        return self._close_reason if self.closed else None

    async def wait_closed(self, timeout: Optional[float] = None) -> bool:
        """Wait until the connection is closed; return whether it is."""
        try:
            await asyncio.wait_for(self._closed.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self.closed

    # ------------------------------------------------------------------- API

    async def request(
        self, target: str, message_type: str, payload: Any = None, *, timeout: Optional[float] = None
    ) -> Any:
        """Send a message to actor ``target`` and return its reply's payload.

        ``timeout`` (seconds, default: the client's) is passed to the server as
        ``response_timeout_ms``; the server's TIMEOUT answer, or the client's own
        timer shortly after, raises :class:`~troupe_ipc.RequestTimeoutError`.
        """
        wait = self._wait_time(timeout)
        cid = self._ids.next()
        envelope = request_envelope(cid, target, message_type, payload, expects_reply=True, timeout=wait)
        reply = await self._call(
            MessageType.REQUEST, envelope, cid, wait + REPLY_GRACE, f"{message_type} to {target!r}"
        )
        return reply.payload

    async def fire_and_forget(self, target: str, message_type: str, payload: Any = None) -> None:
        """Send a message without waiting for the handler; return once it is delivered."""
        cid = self._ids.next()
        envelope = request_envelope(cid, target, message_type, payload, expects_reply=False)
        await self._call(MessageType.REQUEST, envelope, cid, self._timeout, f"{message_type} to {target!r}")

    def stream(self, target: str, message_type: str, payload: Any = None) -> "AsyncResponseStream":
        """Return an async iterator over the payloads of a streaming request.

        The request is sent when iteration starts (or on ``await stream.start()``).
        """
        cid = self._ids.next()
        envelope = request_envelope(
            cid, target, message_type, payload, expects_reply=False, expects_stream=True
        )
        data = build_frame(MessageType.REQUEST, self._format, envelope)
        return AsyncResponseStream(self, cid, data, f"{message_type} to {target!r}")

    async def subscribe(self, types: Union[str, Iterable[str]]) -> List[str]:
        """Subscribe to pushes of message types; return every type now subscribed."""
        return await self._subscription(MessageType.SUBSCRIBE, types)

    async def unsubscribe(self, types: Union[str, Iterable[str]]) -> List[str]:
        """Stop pushes of message types; return every type still subscribed."""
        return await self._subscription(MessageType.UNSUBSCRIBE, types)

    def on_push(self, callback: AsyncPushCallback) -> AsyncPushCallback:
        """Call ``callback(push)`` for every push; returns ``callback``.

        A plain function runs in the reader task, before any reply that follows
        the push is delivered; a coroutine function is started as a task.
        """
        self._callbacks.append(callback)
        return callback

    def remove_push_callback(self, callback: AsyncPushCallback) -> None:
        """Stop calling a callback registered with :meth:`on_push`."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def pushes(self) -> AsyncPushQueue:
        """Return a queue that receives every push from now on (see :class:`AsyncPushQueue`)."""
        push_queue = AsyncPushQueue(self._detach_queue)
        if self.closed:
            push_queue._end()
        else:
            self._push_queues.append(push_queue)
        return push_queue

    async def discover(
        self, include_actors: bool = True, include_message_types: bool = True
    ) -> DiscoverResult:
        """Ask the server which actors and message types it exposes."""
        cid = self._ids.next()
        envelope = discover_envelope(cid, include_actors, include_message_types)
        reply = await self._call(MessageType.DISCOVER, envelope, cid, self._timeout, "discover")
        return DiscoverResult.from_wire(reply.body)

    async def heartbeat(self, timeout: Optional[float] = None) -> float:
        """Send a heartbeat and return the round-trip time in seconds."""
        wait = self._wait_time(timeout)
        future: "asyncio.Future[float]" = asyncio.get_running_loop().create_future()
        data = build_frame(MessageType.HEARTBEAT, self._format, None)
        async with self._send_lock:
            self._raise_if_closed(None)
            self._heartbeats.append(future)
            started = time.monotonic()
            await self._write(data)
        try:
            # shield: on timeout the future stays queued, so its echo is consumed by it
            finished = await asyncio.wait_for(asyncio.shield(future), wait)
        except asyncio.TimeoutError:
            raise RequestTimeoutError("TIMEOUT", f"no heartbeat echo within {wait:g} s") from None
        return finished - started

    async def close(self) -> None:
        """Close the connection; pending calls fail with ConnectionClosedError."""
        self._shutdown(ConnectionClosedError("CONNECTION_CLOSED", "the client was closed"))
        if self._read_task is not asyncio.current_task():
            try:
                await self._read_task
            except asyncio.CancelledError:
                pass
        try:
            await self._writer.wait_closed()
        except (OSError, RuntimeError):
            pass

    # -------------------------------------------------------------- internals

    def _wait_time(self, timeout: Optional[float]) -> float:
        if timeout is None:
            return self._timeout
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        return float(timeout)

    async def _subscription(self, kind: MessageType, types: Union[str, Iterable[str]]) -> List[str]:
        names = normalize_types(types)
        cid = self._ids.next()
        what = "subscribe" if kind == MessageType.SUBSCRIBE else "unsubscribe"
        reply = await self._call(
            kind, subscription_envelope(cid, names), cid, self._timeout, f"{what} {names}"
        )
        return list(reply.body.get("subscribed_types") or [])

    async def _call(
        self, kind: MessageType, envelope: Dict[str, Any], cid: str, wait: float, what: str
    ) -> Reply:
        """Send one frame and wait for the single answer with correlation id ``cid``."""
        data = build_frame(kind, self._format, envelope)
        future: "asyncio.Future[Reply]" = asyncio.get_running_loop().create_future()
        self._register(cid, future)
        try:
            await self._send(data)
            reply = await asyncio.wait_for(future, wait)
        except asyncio.TimeoutError:
            raise RequestTimeoutError("TIMEOUT", f"no answer to {what} within {wait:g} s", cid) from None
        finally:
            self._forget(cid, future)
        if reply.error is not None:
            raise reply.error
        return reply

    def _register(self, cid: str, waiter: _Waiter) -> None:
        self._raise_if_closed(cid)
        self._pending[cid] = waiter

    def _forget(self, cid: str, waiter: _Waiter) -> None:
        if self._pending.get(cid) is waiter:
            del self._pending[cid]

    def _raise_if_closed(self, cid: Optional[str]) -> None:
        if self._closed.is_set():
            assert self._close_reason is not None
            raise self._close_reason.for_request(cid)

    async def _send(self, data: bytes) -> None:
        async with self._send_lock:
            await self._write(data)

    async def _write(self, data: bytes) -> None:
        if self._closed.is_set():
            return  # the pending call has been failed already
        try:
            self._writer.write(data)
            await self._writer.drain()
        except OSError as exc:
            # Let the reader take in what the server said before it closed (a
            # refusal arrives that way), so the call fails with the real reason.
            try:
                await asyncio.wait_for(asyncio.shield(self._read_task), 1.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
            self._shutdown(IoError("IO_ERROR", f"sending to {self._path!r} failed: {exc}"))

    def _detach_queue(self, push_queue: AsyncPushQueue) -> None:
        if push_queue in self._push_queues:
            self._push_queues.remove(push_queue)
        push_queue._end()

    def _shutdown(self, reason: IpcError) -> None:
        """Mark the client closed and fail everything pending with ``reason``."""
        if self._closed.is_set():
            return
        self._close_reason = reason
        self._closed.set()
        pending, self._pending = self._pending, {}
        heartbeats, self._heartbeats = self._heartbeats, collections.deque()
        queues, self._push_queues = self._push_queues, []
        self._writer.close()
        for cid, waiter in pending.items():
            exc = reason.for_request(cid)
            if isinstance(waiter, _StreamWaiter):
                waiter.queue.put_nowait(exc)
            elif not waiter.done():
                waiter.set_exception(exc)
        for future in heartbeats:
            if not future.done():
                future.set_exception(reason.for_request(None))
        for push_queue in queues:
            push_queue._end()

    async def _read_loop(self) -> None:
        decoder = FrameDecoder()
        reason: IpcError
        while True:
            try:
                data = await self._reader.read(_RECV_SIZE)
            except OSError as exc:
                reason = self._rejection or ConnectionClosedError(
                    "CONNECTION_CLOSED", f"the connection to {self._path!r} failed: {exc}"
                )
                break
            if not data:
                reason = self._rejection or ConnectionClosedError(
                    "CONNECTION_CLOSED", f"the server closed the connection to {self._path!r}"
                )
                break
            try:
                frames = decoder.feed(data)
            except ProtocolError as exc:
                reason = exc
                break
            for frame in frames:
                try:
                    item = interpret(frame)
                except ProtocolError as exc:
                    log.warning("dropping a frame from %s: %s", self._path, exc)
                    continue
                self._dispatch(item)
        self._shutdown(reason)

    def _dispatch(self, item: Incoming) -> None:
        if isinstance(item, (Reply, StreamFrame)):
            waiter = self._pending.get(item.correlation_id)
            if waiter is None:
                log.debug("dropping an answer for %s, which nobody waits for", item.correlation_id)
            elif isinstance(waiter, _StreamWaiter):
                waiter.queue.put_nowait(item)
                if isinstance(item, Reply) or item.is_final:
                    del self._pending[item.correlation_id]
            else:
                del self._pending[item.correlation_id]
                if waiter.done():
                    return
                if isinstance(item, StreamFrame):
                    waiter.set_exception(
                        ProtocolError(
                            "PROTOCOL_ERROR",
                            "the server answered a plain request with a stream frame "
                            f"(sequence {item.sequence}, is_final {item.is_final})",
                            item.correlation_id,
                        )
                    )
                else:
                    waiter.set_result(item)
        elif isinstance(item, Push):
            for push_queue in list(self._push_queues):
                push_queue._put(item)
            for callback in list(self._callbacks):
                self._run_callback(callback, item)
        elif isinstance(item, HeartbeatEcho):
            now = time.monotonic()
            future = self._heartbeats.popleft() if self._heartbeats else None
            if future is not None and not future.done():
                future.set_result(now)
        elif isinstance(item, Unroutable):
            if item.rejected:
                self._rejection = item.error
            else:
                log.warning(
                    "the server at %s reported an error for no known request: %s", self._path, item.error
                )

    def _run_callback(self, callback: AsyncPushCallback, push: Push) -> None:
        try:
            result = callback(push)
        except Exception:
            log.exception("push callback %r failed", callback)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._callback_tasks.add(task)
            task.add_done_callback(self._callback_done)

    def _callback_done(self, task: "asyncio.Task[Any]") -> None:
        self._callback_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("push callback failed", exc_info=task.exception())


class _Connector:
    """What :meth:`AsyncClient.connect` returns: awaitable, or an async context manager."""

    def __init__(self, cls: Type[AsyncClient], path: str, fmt: Format, timeout: float) -> None:
        self._cls = cls
        self._path = path
        self._format = fmt
        self._timeout = timeout
        self._client: Optional[AsyncClient] = None

    async def _open(self) -> AsyncClient:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(self._path, limit=_RECV_SIZE), self._timeout
            )
        except (OSError, asyncio.TimeoutError) as exc:
            detail = str(exc) or f"no answer within {self._timeout:g} s"
            raise IoError(
                "IO_ERROR", f"cannot connect to the troupe IPC socket {self._path!r}: {detail}"
            ) from exc
        return self._cls(reader, writer, path=self._path, format=self._format, timeout=self._timeout)

    def __await__(self) -> Generator[Any, None, AsyncClient]:
        return self._open().__await__()

    async def __aenter__(self) -> AsyncClient:
        self._client = await self._open()
        return self._client

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.close()


class AsyncResponseStream:
    """The items of a streaming request, as an async iterator of payloads.

    Each wait for the next frame is bounded by the client's timeout.  Call
    :meth:`aclose` (or leave an ``async with`` block) to stop early.
    """

    def __init__(self, client: AsyncClient, correlation_id: str, frame: bytes, what: str) -> None:
        self._client = client
        self.correlation_id = correlation_id
        self._frame = frame
        self._what = what
        self._waiter: Optional[_StreamWaiter] = None
        self._expected = 0
        self._done = False

    async def start(self) -> None:
        """Send the request now (iteration does it by itself otherwise)."""
        if self._waiter is None:
            self._waiter = _StreamWaiter()
            self._client._register(self.correlation_id, self._waiter)
            await self._client._send(self._frame)

    def __aiter__(self) -> "AsyncResponseStream":
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        await self.start()
        assert self._waiter is not None
        timeout = self._client.timeout
        try:
            item = await asyncio.wait_for(self._waiter.queue.get(), timeout)
        except asyncio.TimeoutError:
            await self.aclose()
            raise RequestTimeoutError(
                "TIMEOUT", f"no stream frame for {self._what} within {timeout:g} s", self.correlation_id
            ) from None
        if isinstance(item, IpcError):
            self._done = True
            raise item
        if isinstance(item, Reply):
            self._done = True
            if item.error is not None:
                raise item.error
            raise ProtocolError(
                "PROTOCOL_ERROR",
                f"the server answered the stream request {self._what} with a single response "
                f"(payload {item.payload!r}) instead of stream frames",
                self.correlation_id,
            )
        if item.sequence != self._expected:
            await self.aclose()
            raise ProtocolError(
                "PROTOCOL_ERROR",
                f"stream frame out of order for {self._what}: got sequence {item.sequence}, "
                f"expected {self._expected}",
                self.correlation_id,
            )
        self._expected += 1
        if item.is_final:
            self._done = True
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item.payload

    async def aclose(self) -> None:
        """Stop waiting for this stream's frames."""
        self._done = True
        if self._waiter is not None:
            self._client._forget(self.correlation_id, self._waiter)

    async def __aenter__(self) -> "AsyncResponseStream":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
