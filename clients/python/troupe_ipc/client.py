"""The blocking client: one Unix socket, one reader thread, any number of caller threads.

Every call sends a frame tagged with a fresh correlation id and waits for the
reader thread to hand over the matching answer, so many requests can be in
flight at once on one connection, from as many threads as you like.
"""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import queue
import socket
import threading
import time
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Union

from .errors import (
    ConnectionClosedError,
    IoError,
    IpcError,
    ProtocolError,
    RequestTimeoutError,
)
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
from .pushes import PushQueue

__all__ = ["Client", "ResponseStream", "PushCallback", "REPLY_GRACE"]

log = logging.getLogger("troupe_ipc")

PushCallback = Callable[[Push], Any]

#: Extra seconds the client waits past a request's timeout for the server's own
#: TIMEOUT answer before giving up by itself.
REPLY_GRACE = 0.5

_RECV_SIZE = 256 * 1024


class _ReplyWaiter:
    """Pending single answer: a future completed by the reader thread."""

    def __init__(self) -> None:
        self.future: "concurrent.futures.Future[Reply]" = concurrent.futures.Future()

    def deliver(self, item: Union[Reply, StreamFrame]) -> bool:
        if isinstance(item, StreamFrame):
            exc: BaseException = ProtocolError(
                "PROTOCOL_ERROR",
                "the server answered a plain request with a stream frame "
                f"(sequence {item.sequence}, is_final {item.is_final})",
                item.correlation_id,
            )
            _settle(self.future, exception=exc)
        else:
            _settle(self.future, result=item)
        return True

    def fail(self, exc: IpcError) -> None:
        _settle(self.future, exception=exc)


class _StreamWaiter:
    """Pending stream: frames queue up until the consumer takes them."""

    def __init__(self) -> None:
        self.queue: "queue.Queue[Union[Reply, StreamFrame, IpcError]]" = queue.Queue()

    def deliver(self, item: Union[Reply, StreamFrame]) -> bool:
        self.queue.put(item)
        return isinstance(item, Reply) or item.is_final

    def fail(self, exc: IpcError) -> None:
        self.queue.put(exc)


def _settle(
    future: "concurrent.futures.Future[Any]", *, result: Any = None, exception: Optional[BaseException] = None
) -> None:
    """Complete a future unless it is already done (e.g. given up on)."""
    try:
        if exception is not None:
            future.set_exception(exception)
        else:
            future.set_result(result)
    except concurrent.futures.InvalidStateError:
        pass


class Client:
    """A blocking troupe IPC client; thread-safe.

    Make one with :meth:`connect`; use it as a context manager or call
    :meth:`close` when done.
    """

    def __init__(self, sock: socket.socket, *, path: str, format: Format, timeout: float) -> None:
        """Wrap an already connected socket (prefer :meth:`connect`)."""
        self._sock = sock
        self._path = path
        self._format = format
        self._timeout = float(timeout)
        self._ids = CorrelationIds()
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending: Dict[str, Union[_ReplyWaiter, _StreamWaiter]] = {}
        self._heartbeats: Deque["concurrent.futures.Future[float]"] = collections.deque()
        self._callbacks: List[PushCallback] = []
        self._push_queues: List[PushQueue] = []
        self._close_reason: Optional[IpcError] = None
        self._rejection: Optional[IpcError] = None
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name=f"troupe-ipc-reader {path}", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ setup

    @classmethod
    def connect(
        cls,
        path: Optional[PathLike] = None,
        *,
        app: Optional[str] = None,
        format: str = "json",
        timeout: float = 30.0,
    ) -> "Client":
        """Connect to a troupe server.

        Args:
            path: the socket path; default ``TROUPE_IPC_SOCKET``, else the default
                path of ``app`` (see :func:`troupe_ipc.default_socket_path`).
            app: application name used to find the default socket path.
            format: ``"json"`` or ``"msgpack"`` (needs the ``msgpack`` module).
            timeout: seconds allowed for connecting, and the default timeout of
                every call on this client.

        Raises :class:`~troupe_ipc.IoError` when the socket cannot be reached.
        """
        fmt = parse_format(format)
        if timeout is None or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        sock_path = resolve_socket_path(path, app)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sock_path)
            sock.settimeout(None)
        except OSError as exc:
            sock.close()
            raise IoError(
                "IO_ERROR", f"cannot connect to the troupe IPC socket {sock_path!r}: {exc}"
            ) from exc
        return cls(sock, path=sock_path, format=fmt, timeout=timeout)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<{type(self).__name__} {self._path!r} {self._format.name.lower()} {state}>"

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

    def wait_closed(self, timeout: Optional[float] = None) -> bool:
        """Wait until the connection is closed; return whether it is."""
        return self._closed.wait(timeout)

    # ------------------------------------------------------------------- API

    def request(
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
        reply = self._call(
            MessageType.REQUEST, envelope, cid, wait + REPLY_GRACE, f"{message_type} to {target!r}"
        )
        return reply.payload

    def fire_and_forget(self, target: str, message_type: str, payload: Any = None) -> None:
        """Send a message without waiting for the handler; return once it is delivered.

        The server acknowledges as soon as the message is in the actor's mailbox.
        """
        cid = self._ids.next()
        envelope = request_envelope(cid, target, message_type, payload, expects_reply=False)
        self._call(MessageType.REQUEST, envelope, cid, self._timeout, f"{message_type} to {target!r}")

    def stream(self, target: str, message_type: str, payload: Any = None) -> "ResponseStream":
        """Send a streaming request; iterate over the result to get each item's payload.

        The request is sent right away.  The iterator ends after the server's
        final frame, or raises the error the server reported.
        """
        cid = self._ids.next()
        envelope = request_envelope(
            cid, target, message_type, payload, expects_reply=False, expects_stream=True
        )
        waiter = _StreamWaiter()
        data = build_frame(MessageType.REQUEST, self._format, envelope)
        self._register(cid, waiter)
        self._send(data, cid)
        return ResponseStream(self, cid, waiter, f"{message_type} to {target!r}")

    def subscribe(self, types: Union[str, Iterable[str]]) -> List[str]:
        """Subscribe to pushes of message types; return every type now subscribed."""
        return self._subscription(MessageType.SUBSCRIBE, types)

    def unsubscribe(self, types: Union[str, Iterable[str]]) -> List[str]:
        """Stop pushes of message types; return every type still subscribed."""
        return self._subscription(MessageType.UNSUBSCRIBE, types)

    def on_push(self, callback: PushCallback) -> PushCallback:
        """Call ``callback(push)`` for every push; returns ``callback`` (usable as a decorator).

        Callbacks run on the reader thread, before any reply that follows the
        push is handed over: keep them short and do not wait for replies of this
        client inside them.
        """
        with self._lock:
            self._callbacks.append(callback)
        return callback

    def remove_push_callback(self, callback: PushCallback) -> None:
        """Stop calling a callback registered with :meth:`on_push`."""
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def pushes(self) -> PushQueue:
        """Return a queue that receives every push from now on (see :class:`PushQueue`)."""
        push_queue = PushQueue(self._detach_queue)
        with self._lock:
            if self.closed:
                push_queue._end()
            else:
                self._push_queues.append(push_queue)
        return push_queue

    def discover(self, include_actors: bool = True, include_message_types: bool = True) -> DiscoverResult:
        """Ask the server which actors and message types it exposes."""
        cid = self._ids.next()
        envelope = discover_envelope(cid, include_actors, include_message_types)
        reply = self._call(MessageType.DISCOVER, envelope, cid, self._timeout, "discover")
        return DiscoverResult.from_wire(reply.body)

    def heartbeat(self, timeout: Optional[float] = None) -> float:
        """Send a heartbeat and return the round-trip time in seconds."""
        self._check_not_reader()
        wait = self._wait_time(timeout)
        future: "concurrent.futures.Future[float]" = concurrent.futures.Future()
        data = build_frame(MessageType.HEARTBEAT, self._format, None)
        with self._send_lock:
            with self._lock:
                self._raise_if_closed(None)
                self._heartbeats.append(future)
            started = time.monotonic()
            self._send_locked(data)
        try:
            finished = future.result(timeout=wait)
        except concurrent.futures.TimeoutError:
            future.cancel()  # its echo, if it comes, is consumed without effect
            raise RequestTimeoutError("TIMEOUT", f"no heartbeat echo within {wait} s") from None
        return finished - started

    def close(self) -> None:
        """Close the connection; pending calls fail with ConnectionClosedError."""
        self._shutdown(ConnectionClosedError("CONNECTION_CLOSED", "the client was closed"))
        if threading.current_thread() is not self._reader:
            self._reader.join()
        self._sock.close()

    # -------------------------------------------------------------- internals

    def _wait_time(self, timeout: Optional[float]) -> float:
        if timeout is None:
            return self._timeout
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        return float(timeout)

    def _check_not_reader(self) -> None:
        if threading.current_thread() is self._reader:
            raise RuntimeError(
                "a push callback cannot wait for an answer of the same client: the reader "
                "thread running the callback is the one that would deliver it; hand the work "
                "to another thread or use pushes()"
            )

    def _subscription(self, kind: MessageType, types: Union[str, Iterable[str]]) -> List[str]:
        names = normalize_types(types)
        cid = self._ids.next()
        what = "subscribe" if kind == MessageType.SUBSCRIBE else "unsubscribe"
        reply = self._call(kind, subscription_envelope(cid, names), cid, self._timeout, f"{what} {names}")
        return list(reply.body.get("subscribed_types") or [])

    def _call(self, kind: MessageType, envelope: Dict[str, Any], cid: str, wait: float, what: str) -> Reply:
        """Send one frame and wait for the single answer with correlation id ``cid``."""
        self._check_not_reader()
        data = build_frame(kind, self._format, envelope)
        waiter = _ReplyWaiter()
        self._register(cid, waiter)
        self._send(data, cid)
        try:
            reply = waiter.future.result(timeout=wait)
        except concurrent.futures.TimeoutError:
            self._forget(cid)
            raise RequestTimeoutError("TIMEOUT", f"no answer to {what} within {wait:g} s", cid) from None
        if reply.error is not None:
            raise reply.error
        return reply

    def _register(self, cid: str, waiter: Union[_ReplyWaiter, _StreamWaiter]) -> None:
        with self._lock:
            self._raise_if_closed(cid)
            self._pending[cid] = waiter

    def _forget(self, cid: str) -> None:
        with self._lock:
            self._pending.pop(cid, None)

    def _raise_if_closed(self, cid: Optional[str]) -> None:
        if self._closed.is_set():
            assert self._close_reason is not None
            raise self._close_reason.for_request(cid)

    def _send(self, data: bytes, cid: str) -> None:
        with self._send_lock:
            self._send_locked(data)

    def _send_locked(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except OSError as exc:
            # The peer is gone.  Give the reader a moment to read what the server
            # said before closing (a connection refusal arrives that way), so the
            # pending call fails with the real reason rather than a broken pipe.
            self._reader.join(1.0)
            self._shutdown(IoError("IO_ERROR", f"sending to {self._path!r} failed: {exc}"))

    def _detach_queue(self, push_queue: PushQueue) -> None:
        with self._lock:
            if push_queue in self._push_queues:
                self._push_queues.remove(push_queue)
        push_queue._end()

    def _shutdown(self, reason: IpcError) -> None:
        """Mark the client closed and fail everything pending with ``reason``."""
        with self._lock:
            if self._closed.is_set():
                return
            self._close_reason = reason
            self._closed.set()
            pending = list(self._pending.items())
            self._pending.clear()
            heartbeats = list(self._heartbeats)
            self._heartbeats.clear()
            queues = list(self._push_queues)
            self._push_queues.clear()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        for cid, waiter in pending:
            waiter.fail(reason.for_request(cid))
        for future in heartbeats:
            _settle(future, exception=reason.for_request(None))
        for push_queue in queues:
            push_queue._end()

    def _read_loop(self) -> None:
        decoder = FrameDecoder()
        reason: IpcError
        while True:
            try:
                data = self._sock.recv(_RECV_SIZE)
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
            with self._lock:
                waiter = self._pending.get(item.correlation_id)
            if waiter is None:
                log.debug("dropping an answer for %s, which nobody waits for", item.correlation_id)
                return
            if waiter.deliver(item):
                with self._lock:
                    if self._pending.get(item.correlation_id) is waiter:
                        del self._pending[item.correlation_id]
        elif isinstance(item, Push):
            with self._lock:
                queues = list(self._push_queues)
                callbacks = list(self._callbacks)
            for push_queue in queues:
                push_queue._put(item)
            for callback in callbacks:
                try:
                    callback(item)
                except Exception:
                    log.exception("push callback %r failed", callback)
        elif isinstance(item, HeartbeatEcho):
            now = time.monotonic()
            with self._lock:
                future = self._heartbeats.popleft() if self._heartbeats else None
            if future is not None:
                _settle(future, result=now)
        elif isinstance(item, Unroutable):
            if item.rejected:
                self._rejection = item.error
            else:
                log.warning(
                    "the server at %s reported an error for no known request: %s", self._path, item.error
                )


class ResponseStream:
    """The items of a streaming request, as an iterator of payloads.

    Each wait for the next frame is bounded by the client's timeout.  Call
    :meth:`close` (or leave a ``with`` block) to stop early; later frames of
    the stream are then dropped.
    """

    def __init__(self, client: Client, correlation_id: str, waiter: _StreamWaiter, what: str) -> None:
        self._client = client
        self.correlation_id = correlation_id
        self._waiter = waiter
        self._what = what
        self._expected = 0
        self._done = False

    def __iter__(self) -> "ResponseStream":
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        self._client._check_not_reader()
        timeout = self._client.timeout
        try:
            item = self._waiter.queue.get(timeout=timeout)
        except queue.Empty:
            self.close()
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
            self.close()
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
            raise StopIteration
        return item.payload

    def close(self) -> None:
        """Stop waiting for this stream's frames."""
        self._done = True
        self._client._forget(self.correlation_id)

    def __enter__(self) -> "ResponseStream":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
