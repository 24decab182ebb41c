"""Envelopes: what the client puts in frames and what it makes of the server's frames.

Shared by the sync and the asyncio client, so that both speak exactly the same
protocol; nothing here does I/O.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from .errors import IpcError, ProtocolError, error_from_code
from .models import Push
from .protocol import Frame, MessageType

__all__ = [
    "UNKNOWN_CORRELATION_ID",
    "REJECTED_CORRELATION_ID",
    "CorrelationIds",
    "Reply",
    "StreamFrame",
    "HeartbeatEcho",
    "Unroutable",
    "Incoming",
    "request_envelope",
    "subscription_envelope",
    "discover_envelope",
    "normalize_types",
    "interpret",
]

#: Correlation id of an error answering a frame whose envelope could not be parsed.
UNKNOWN_CORRELATION_ID = "unknown"
#: Correlation id of the error frame sent to a connection the server refused.
REJECTED_CORRELATION_ID = "__connection_rejected__"


class CorrelationIds:
    """Thread-safe source of correlation ids unique to one client.

    Ids look like ``py-1a2b3c4d-17``: a random per-client prefix and a counter.
    """

    def __init__(self) -> None:
        self._prefix = f"py-{secrets.token_hex(4)}-"
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> str:
        """Return a correlation id never returned before by this object."""
        with self._lock:
            number = next(self._counter)
        return f"{self._prefix}{number}"


@dataclass(frozen=True)
class Reply:
    """A response (0x02) or error (0x03) frame for one correlation id."""

    correlation_id: str
    body: Dict[str, Any]
    error: Optional[IpcError] = None

    @property
    def payload(self) -> Any:
        return self.body.get("payload")


@dataclass(frozen=True)
class StreamFrame:
    """One stream (0x09) frame."""

    correlation_id: str
    sequence: int
    is_final: bool
    payload: Any = None
    error: Optional[IpcError] = None


@dataclass(frozen=True)
class HeartbeatEcho:
    """The server's echo of a heartbeat frame."""


@dataclass(frozen=True)
class Unroutable:
    """A frame that belongs to no request: an error without a usable correlation id,
    the connection-rejected error, or something this client does not understand."""

    error: IpcError
    rejected: bool = False


Incoming = Union[Reply, StreamFrame, Push, HeartbeatEcho, Unroutable]


def request_envelope(
    correlation_id: str,
    target: str,
    message_type: str,
    payload: Any,
    *,
    expects_reply: bool,
    expects_stream: bool = False,
    timeout: Optional[float] = None,
) -> Dict[str, Any]:
    """Build the payload of a request (0x01) frame."""
    _check_name("target", target)
    _check_name("message_type", message_type)
    envelope: Dict[str, Any] = {
        "correlation_id": correlation_id,
        "target": target,
        "message_type": message_type,
        "payload": payload,
        "expects_reply": expects_reply,
        "expects_stream": expects_stream,
    }
    if timeout is not None:
        envelope["response_timeout_ms"] = max(1, int(round(timeout * 1000)))
    return envelope


def subscription_envelope(correlation_id: str, types: List[str]) -> Dict[str, Any]:
    """Build the payload of a subscribe (0x06) or unsubscribe (0x07) frame."""
    return {"correlation_id": correlation_id, "message_types": types}


def discover_envelope(
    correlation_id: str, include_actors: bool, include_message_types: bool
) -> Dict[str, Any]:
    """Build the payload of a discover (0x08) frame."""
    return {
        "correlation_id": correlation_id,
        "include_actors": bool(include_actors),
        "include_message_types": bool(include_message_types),
    }


def normalize_types(types: Union[str, Iterable[str]]) -> List[str]:
    """Accept one message type name or an iterable of them; return a list."""
    if isinstance(types, str):
        result = [types]
    else:
        result = list(types)
    for name in result:
        _check_name("message type", name)
    if not result:
        raise ValueError("give at least one message type")
    return result


def interpret(frame: Frame) -> Incoming:
    """Classify a frame received from the server.

    Raises :class:`ProtocolError` when the payload cannot be decoded; the frame
    boundary is still known then, so the caller may keep the connection.
    """
    kind = frame.message_type
    if kind == MessageType.HEARTBEAT:
        return HeartbeatEcho()
    body = frame.decode()
    if kind == MessageType.PUSH:
        if not isinstance(body, Mapping):
            return _unexpected(f"a push frame whose payload is not a map: {body!r}")
        return Push.from_wire(body)
    if kind in (MessageType.RESPONSE, MessageType.ERROR, MessageType.STREAM):
        if not isinstance(body, Mapping):
            return _unexpected(f"a frame of type {kind:#04x} whose payload is not a map: {body!r}")
        cid = body.get("correlation_id")
        if kind == MessageType.STREAM:
            return _stream_frame(cid, body)
        return _reply(cid, body, is_error_frame=(kind == MessageType.ERROR))
    return _unexpected(f"a frame with message type byte {kind:#04x}, which a server never sends")


def _reply(cid: Any, body: Mapping[str, Any], is_error_frame: bool) -> Incoming:
    failed = is_error_frame or body.get("success") is False
    error = (
        error_from_code(body.get("error_code"), body.get("error"), cid if isinstance(cid, str) else None)
        if failed
        else None
    )
    if cid == REJECTED_CORRELATION_ID and error is not None:
        return Unroutable(error=error, rejected=True)
    if not isinstance(cid, str) or cid == UNKNOWN_CORRELATION_ID:
        if error is None:
            error = ProtocolError(
                "PROTOCOL_ERROR", f"the server sent a response without a correlation id: {dict(body)!r}"
            )
        return Unroutable(error=error)
    return Reply(correlation_id=cid, body=dict(body), error=error)


def _stream_frame(cid: Any, body: Mapping[str, Any]) -> Incoming:
    if not isinstance(cid, str):
        return _unexpected(f"a stream frame without a correlation id: {dict(body)!r}")
    error = None
    if body.get("error") is not None or body.get("error_code") is not None:
        error = error_from_code(body.get("error_code"), body.get("error"), cid)
    return StreamFrame(
        correlation_id=cid,
        sequence=int(body.get("sequence", -1)),
        is_final=bool(body.get("is_final", False)),
        payload=body.get("payload"),
        error=error,
    )


def _unexpected(what: str) -> Unroutable:
    return Unroutable(error=ProtocolError("PROTOCOL_ERROR", f"the server sent {what}"))


def _check_name(what: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
