"""Exceptions raised by the troupe IPC client.

Every error carries the protocol's ``error_code`` string, a message and, when it
belongs to one request, that request's correlation id.  Each error code of the
protocol has its own subclass of :class:`IpcError`; :func:`error_from_code`
picks the class for a code and falls back to :class:`IpcError` for codes this
version of the client does not know.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple, Type

__all__ = [
    "IpcError",
    "UnknownMessageTypeError",
    "ActorNotFoundError",
    "SerializationError",
    "TargetBusyError",
    "ConnectionClosedError",
    "ProtocolError",
    "IoError",
    "RequestTimeoutError",
    "RateLimitedError",
    "ShuttingDownError",
    "UnsupportedProtocolVersionError",
    "ConnectionLimitReachedError",
    "HandlerFailedError",
    "PermissionDeniedError",
    "ERROR_CLASSES",
    "error_from_code",
]


class IpcError(Exception):
    """Base class of every error reported by the server or the client library.

    Attributes:
        code: the protocol error code, e.g. ``"ACTOR_NOT_FOUND"``.
        message: the human-readable explanation.
        correlation_id: the request this error answers, or ``None``.
    """

    #: The error code a subclass stands for (``None`` on the base class).
    CODE: Optional[str] = None

    def __init__(self, code: str, message: str, correlation_id: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.correlation_id = correlation_id

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        if self.correlation_id is not None:
            text += f" (correlation id {self.correlation_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"correlation_id={self.correlation_id!r})"
        )

    def for_request(self, correlation_id: Optional[str]) -> "IpcError":
        """A fresh error of the same class, code and message for another request."""
        return type(self)(self.code, self.message, correlation_id)

    def __reduce__(self) -> Tuple[type, Tuple[str, str, Optional[str]]]:
        # keep pickling/copying working with the 3-argument constructor
        return (type(self), (self.code, self.message, self.correlation_id))


class UnknownMessageTypeError(IpcError):
    """The target does not handle the message type (or the type is not registered)."""

    CODE = "UNKNOWN_MESSAGE_TYPE"


class ActorNotFoundError(IpcError):
    """The target actor is not exposed, or it is dead."""

    CODE = "ACTOR_NOT_FOUND"


class SerializationError(IpcError):
    """A payload does not fit its message type, or bytes are not valid JSON/MessagePack."""

    CODE = "SERIALIZATION_ERROR"


class TargetBusyError(IpcError):
    """The target actor's mailbox is full."""

    CODE = "TARGET_BUSY"


class ConnectionClosedError(IpcError):
    """The connection closed (or was never usable) while the request was pending."""

    CODE = "CONNECTION_CLOSED"


class ProtocolError(IpcError):
    """A frame or envelope broke the protocol (bad header, too large, bad fields)."""

    CODE = "PROTOCOL_ERROR"


class IoError(IpcError):
    """A socket operation failed."""

    CODE = "IO_ERROR"


class RequestTimeoutError(IpcError):
    """No reply arrived in time (reported by the server, or by the client's own timer)."""

    CODE = "TIMEOUT"


class RateLimitedError(IpcError):
    """The server's rate limiter refused the request.

    ``retry_after_ms`` holds the delay the server suggested, when its message
    says "retry after N ms", else ``None``.
    """

    CODE = "RATE_LIMITED"

    _RETRY = re.compile(r"retry after (\d+)\s*ms", re.IGNORECASE)

    @property
    def retry_after_ms(self) -> Optional[int]:
        match = self._RETRY.search(self.message or "")
        return int(match.group(1)) if match else None


class ShuttingDownError(IpcError):
    """The server is stopping and refuses new requests."""

    CODE = "SHUTTING_DOWN"


class UnsupportedProtocolVersionError(IpcError):
    """The server does not speak the protocol version of the frame."""

    CODE = "UNSUPPORTED_PROTOCOL_VERSION"


class ConnectionLimitReachedError(IpcError):
    """The server already serves as many connections as it allows."""

    CODE = "CONNECTION_LIMIT_REACHED"


class HandlerFailedError(IpcError):
    """The actor's handler threw, or the actor crashed while handling the message."""

    CODE = "HANDLER_FAILED"


class PermissionDeniedError(IpcError):
    """The server's authorisation hook refused this client."""

    CODE = "PERMISSION_DENIED"


#: Error code -> exception class, for every code of the protocol.
ERROR_CLASSES: Dict[str, Type[IpcError]] = {
    cls.CODE: cls  # type: ignore[misc]
    for cls in (
        UnknownMessageTypeError,
        ActorNotFoundError,
        SerializationError,
        TargetBusyError,
        ConnectionClosedError,
        ProtocolError,
        IoError,
        RequestTimeoutError,
        RateLimitedError,
        ShuttingDownError,
        UnsupportedProtocolVersionError,
        ConnectionLimitReachedError,
        HandlerFailedError,
        PermissionDeniedError,
    )
}


def error_from_code(
    code: Optional[str], message: Optional[str], correlation_id: Optional[str] = None
) -> IpcError:
    """Build the exception for an error code; unknown codes give a plain :class:`IpcError`."""
    code = code or "UNKNOWN"
    cls = ERROR_CLASSES.get(code, IpcError)
    return cls(code, message or f"the server reported {code} without a message", correlation_id)
