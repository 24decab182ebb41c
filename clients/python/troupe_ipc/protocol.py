"""Frame encoding and decoding for the troupe IPC wire protocol.

The protocol is compatible with acton-reactive IPC protocol v2.  A v2 frame is::

    [u32 big-endian payload length][version = 0x02][message type][format] payload

The 7-byte header is not counted in the length.  Version 1 frames (6-byte header,
no format byte, always JSON) are decoded too, because a server answers a v1 frame
with v1 frames; this client only ever sends v2 frames.

This module knows nothing about sockets: :func:`encode_frame` turns a frame into
bytes and :class:`FrameDecoder` turns a byte stream, fed in arbitrary pieces,
back into frames.
"""

from __future__ import annotations

import enum
import json
import struct
from dataclasses import dataclass
from typing import Any, List, Optional

from .errors import ProtocolError, SerializationError

try:  # MessagePack is optional: JSON always works.
    import msgpack as _msgpack  # type: ignore
except ImportError:  # pragma: no cover - depends on the environment
    _msgpack = None

__all__ = [
    "PROTOCOL_VERSION",
    "MAX_FRAME_SIZE",
    "HEADER_SIZE",
    "HEADER_SIZE_V1",
    "MessageType",
    "Format",
    "Frame",
    "FrameDecoder",
    "msgpack_available",
    "parse_format",
    "encode_payload",
    "decode_payload",
    "encode_frame",
    "build_frame",
]

#: The protocol version this client speaks.
PROTOCOL_VERSION = 2
#: Hard upper bound for a frame's payload (16 MiB); servers may use a lower limit.
MAX_FRAME_SIZE = 16 * 1024 * 1024
#: Size of a v2 header: length (4), version, message type, format.
HEADER_SIZE = 7
#: Size of a v1 header: length (4), version, message type.
HEADER_SIZE_V1 = 6

_LENGTH = struct.Struct(">I")


class MessageType(enum.IntEnum):
    """The message type byte of a frame."""

    REQUEST = 0x01
    RESPONSE = 0x02
    ERROR = 0x03
    HEARTBEAT = 0x04
    PUSH = 0x05
    SUBSCRIBE = 0x06
    UNSUBSCRIBE = 0x07
    DISCOVER = 0x08
    STREAM = 0x09


class Format(enum.IntEnum):
    """The serialization format byte of a v2 frame."""

    JSON = 0x01
    MSGPACK = 0x02


@dataclass(frozen=True)
class Frame:
    """One decoded frame: header fields plus the raw payload bytes."""

    message_type: int
    format: Format
    payload: bytes
    version: int = PROTOCOL_VERSION

    def decode(self) -> Any:
        """Decode the payload bytes (``None`` for an empty payload)."""
        return decode_payload(self.payload, self.format)


def msgpack_available() -> bool:
    """Tell whether the ``msgpack`` module could be imported."""
    return _msgpack is not None


def parse_format(value: Any) -> Format:
    """Turn ``"json"``/``"msgpack"`` (or a :class:`Format`) into a :class:`Format`.

    Raises ``ValueError`` for an unknown name and ``RuntimeError`` when MessagePack
    is asked for but the ``msgpack`` module is not installed.
    """
    if isinstance(value, Format):
        fmt = value
    else:
        names = {"json": Format.JSON, "msgpack": Format.MSGPACK, "messagepack": Format.MSGPACK}
        key = str(value).strip().lower()
        if key not in names:
            raise ValueError(f"unknown format {value!r}: use 'json' or 'msgpack'")
        fmt = names[key]
    if fmt is Format.MSGPACK and _msgpack is None:
        raise RuntimeError(
            "format 'msgpack' needs the msgpack module, which is not installed "
            "(pip install msgpack, or apt-get install python3-msgpack); use format='json'"
        )
    return fmt


def encode_payload(value: Any, fmt: Format) -> bytes:
    """Serialize ``value`` in the given format.

    Raises :class:`SerializationError` when the value cannot be represented.
    """
    try:
        if fmt is Format.JSON:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if fmt is Format.MSGPACK:
            if _msgpack is None:
                raise RuntimeError("the msgpack module is not installed")
            packed: bytes = _msgpack.packb(value, use_bin_type=True)
            return packed
    except (TypeError, ValueError, OverflowError) as exc:
        raise SerializationError(
            "SERIALIZATION_ERROR",
            f"cannot encode payload as {fmt.name}: {exc} (value: {_preview(value)})",
        ) from exc
    raise ValueError(f"unknown format byte {int(fmt):#04x}")


def decode_payload(data: bytes, fmt: Format) -> Any:
    """Deserialize payload bytes; an empty payload decodes to ``None``.

    Raises :class:`ProtocolError` when the bytes are not valid in the format.
    """
    if not data:
        return None
    try:
        if fmt is Format.JSON:
            return json.loads(data.decode("utf-8"))
        if fmt is Format.MSGPACK:
            if _msgpack is None:
                raise ProtocolError(
                    "PROTOCOL_ERROR",
                    "received a MessagePack frame but the msgpack module is not installed",
                )
            return _msgpack.unpackb(data, raw=False, strict_map_key=False)
    except ProtocolError:
        raise
    except Exception as exc:  # json/msgpack raise a variety of exception types
        raise ProtocolError(
            "PROTOCOL_ERROR",
            f"received a {fmt.name} frame whose payload cannot be decoded: {exc} "
            f"(first bytes: {data[:32]!r})",
        ) from exc
    raise ProtocolError("PROTOCOL_ERROR", f"unknown format byte {int(fmt):#04x}")


def encode_frame(message_type: int, fmt: Format, payload: bytes) -> bytes:
    """Build a v2 frame around already-serialized payload bytes.

    Raises :class:`ProtocolError` if the payload exceeds :data:`MAX_FRAME_SIZE`.
    """
    if len(payload) > MAX_FRAME_SIZE:
        raise ProtocolError(
            "PROTOCOL_ERROR",
            f"frame payload of {len(payload)} bytes exceeds the {MAX_FRAME_SIZE}-byte limit",
        )
    header = _LENGTH.pack(len(payload)) + bytes((PROTOCOL_VERSION, int(message_type), int(fmt)))
    return header + payload


def build_frame(message_type: int, fmt: Format, value: Any) -> bytes:
    """Serialize ``value`` and wrap it in a v2 frame (``None`` gives an empty payload)."""
    payload = b"" if value is None else encode_payload(value, fmt)
    return encode_frame(message_type, fmt, payload)


class FrameDecoder:
    """Incremental frame decoder: feed it bytes as they arrive, get whole frames.

    Partial reads are fine: bytes are buffered until a full frame is present.
    A frame announcing more than ``max_frame_size`` bytes, an unknown version
    byte or an unknown format byte raises :class:`ProtocolError`; after that the
    stream cannot be resynchronised and the connection should be closed.
    """

    def __init__(self, max_frame_size: int = MAX_FRAME_SIZE) -> None:
        self._buffer = bytearray()
        self._max = max_frame_size

    @property
    def buffered(self) -> int:
        """Number of bytes received but not yet returned as part of a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> List[Frame]:
        """Add received bytes; return every frame that is now complete."""
        self._buffer += data
        frames: List[Frame] = []
        while True:
            frame = self._next_frame()
            if frame is None:
                return frames
            frames.append(frame)

    def _next_frame(self) -> Optional[Frame]:
        buf = self._buffer
        if len(buf) < HEADER_SIZE_V1:
            return None
        (length,) = _LENGTH.unpack_from(buf, 0)
        version = buf[4]
        if version == 2:
            header = HEADER_SIZE
        elif version == 1:
            header = HEADER_SIZE_V1
        else:
            raise ProtocolError(
                "PROTOCOL_ERROR",
                f"received a frame with protocol version {version}; expected 1 or 2",
            )
        if length > self._max:
            raise ProtocolError(
                "PROTOCOL_ERROR",
                f"received a frame announcing {length} bytes, over the {self._max}-byte limit",
            )
        if len(buf) < header + length:
            return None
        message_type = buf[5]
        if version == 2:
            fmt_byte = buf[6]
            try:
                fmt = Format(fmt_byte)
            except ValueError:
                raise ProtocolError(
                    "PROTOCOL_ERROR",
                    f"received a frame with unknown format byte {fmt_byte:#04x}",
                ) from None
        else:
            fmt = Format.JSON
        payload = bytes(buf[header : header + length])
        del buf[: header + length]
        return Frame(message_type=message_type, format=fmt, payload=payload, version=version)


def _preview(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
