"""Python client for troupe's IPC server (compatible with acton-reactive IPC protocol v2).

Talk to the actors a troupe application exposes on a Unix domain socket::

    from troupe_ipc import Client

    with Client.connect(app="my-app") as client:
        client.request("my-service", "SetValue", {"key": "answer", "value": 42})
        print(client.request("my-service", "GetValue", {"key": "answer"}))

:class:`Client` blocks and is thread-safe; :class:`AsyncClient` offers the same
API for asyncio.  Errors are subclasses of :class:`IpcError`, one per error code.
"""

from .aio import AsyncClient, AsyncResponseStream
from .client import Client, ResponseStream
from .errors import (
    ERROR_CLASSES,
    ActorNotFoundError,
    ConnectionClosedError,
    ConnectionLimitReachedError,
    HandlerFailedError,
    IoError,
    IpcError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    SerializationError,
    ShuttingDownError,
    TargetBusyError,
    UnknownMessageTypeError,
    UnsupportedProtocolVersionError,
    error_from_code,
)
from .models import ActorInfo, DiscoverResult, ProtocolVersion, Push
from .paths import SOCKET_ENV_VAR, default_socket_path, resolve_socket_path
from .protocol import msgpack_available
from .pushes import AsyncPushQueue, PushQueue

__version__ = "0.1.0"

__all__ = [
    "Client",
    "AsyncClient",
    "ResponseStream",
    "AsyncResponseStream",
    "PushQueue",
    "AsyncPushQueue",
    "Push",
    "DiscoverResult",
    "ActorInfo",
    "ProtocolVersion",
    "default_socket_path",
    "resolve_socket_path",
    "SOCKET_ENV_VAR",
    "msgpack_available",
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
    "__version__",
]
