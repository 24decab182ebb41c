"""Client behaviour that needs no real server: framing, errors, paths, and the
client's own timeouts and failure handling against a scripted peer socket."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import struct
import tempfile
import threading
import unittest
from typing import Callable, List, Optional

import troupe_ipc
from troupe_ipc import (
    ERROR_CLASSES,
    AsyncClient,
    Client,
    ConnectionClosedError,
    IoError,
    IpcError,
    ProtocolError,
    RequestTimeoutError,
    default_socket_path,
    error_from_code,
    resolve_socket_path,
)
from troupe_ipc.messages import CorrelationIds
from troupe_ipc.protocol import (
    MAX_FRAME_SIZE,
    Format,
    FrameDecoder,
    MessageType,
    build_frame,
    decode_payload,
    encode_frame,
)

from .support import require_msgpack

BRIEF_CODES = {
    "UNKNOWN_MESSAGE_TYPE": "UnknownMessageTypeError",
    "ACTOR_NOT_FOUND": "ActorNotFoundError",
    "SERIALIZATION_ERROR": "SerializationError",
    "TARGET_BUSY": "TargetBusyError",
    "CONNECTION_CLOSED": "ConnectionClosedError",
    "PROTOCOL_ERROR": "ProtocolError",
    "IO_ERROR": "IoError",
    "TIMEOUT": "RequestTimeoutError",
    "RATE_LIMITED": "RateLimitedError",
    "SHUTTING_DOWN": "ShuttingDownError",
    "UNSUPPORTED_PROTOCOL_VERSION": "UnsupportedProtocolVersionError",
    "CONNECTION_LIMIT_REACHED": "ConnectionLimitReachedError",
    "HANDLER_FAILED": "HandlerFailedError",
    "PERMISSION_DENIED": "PermissionDeniedError",
}


class FramingTest(unittest.TestCase):
    def test_v2_header_layout(self) -> None:
        frame = encode_frame(MessageType.REQUEST, Format.JSON, b"{}")
        self.assertEqual(frame, b"\x00\x00\x00\x02\x02\x01\x01{}")
        self.assertEqual(
            build_frame(MessageType.HEARTBEAT, Format.MSGPACK, None), b"\x00\x00\x00\x00\x02\x04\x02"
        )

    def test_round_trip_fed_one_byte_at_a_time(self) -> None:
        values = [{"correlation_id": "a", "payload": [1, 2, "\u00e9"]}, None, {"big": "x" * 100000}]
        data = b"".join(build_frame(MessageType.RESPONSE, Format.JSON, v) for v in values)
        decoder = FrameDecoder()
        frames = []
        for i in range(len(data)):
            frames.extend(decoder.feed(data[i : i + 1]))
        self.assertEqual([f.decode() for f in frames], values)
        self.assertEqual(decoder.buffered, 0)

    def test_many_frames_in_one_read(self) -> None:
        data = b"".join(build_frame(MessageType.PUSH, Format.JSON, {"n": i}) for i in range(100))
        self.assertEqual([f.decode()["n"] for f in FrameDecoder().feed(data)], list(range(100)))

    def test_msgpack_round_trip(self) -> None:
        require_msgpack()
        value = {
            "correlation_id": "m",
            "payload": {"bytes": b"\x00\x01", "n": -3, "f": 1.5, "list": [None, True]},
        }
        (frame,) = FrameDecoder().feed(build_frame(MessageType.RESPONSE, Format.MSGPACK, value))
        self.assertEqual(frame.format, Format.MSGPACK)
        self.assertEqual(frame.decode(), value)

    def test_v1_frames_decode_as_json(self) -> None:
        payload = json.dumps({"correlation_id": "v1"}).encode()
        (frame,) = FrameDecoder().feed(struct.pack(">IBB", len(payload), 1, 2) + payload)
        self.assertEqual((frame.version, frame.message_type, frame.format), (1, 2, Format.JSON))
        self.assertEqual(frame.decode(), {"correlation_id": "v1"})

    def test_frames_over_16_mib_are_rejected(self) -> None:
        with self.assertRaises(ProtocolError) as caught:
            encode_frame(MessageType.REQUEST, Format.JSON, b"x" * (MAX_FRAME_SIZE + 1))
        self.assertIn(str(MAX_FRAME_SIZE + 1), caught.exception.message)
        header = struct.pack(">IBBB", MAX_FRAME_SIZE + 1, 2, 2, 1)
        with self.assertRaises(ProtocolError) as caught:
            FrameDecoder().feed(header)
        self.assertIn("16777217", caught.exception.message)
        # exactly the limit is fine (header only here: the decoder waits for the rest)
        self.assertEqual(FrameDecoder().feed(struct.pack(">IBBB", MAX_FRAME_SIZE, 2, 2, 1)), [])

    def test_bad_version_and_format_bytes(self) -> None:
        with self.assertRaises(ProtocolError) as caught:
            FrameDecoder().feed(b"\x00\x00\x00\x00\x03\x02\x01")
        self.assertIn("version 3", caught.exception.message)
        with self.assertRaises(ProtocolError) as caught:
            FrameDecoder().feed(b"\x00\x00\x00\x00\x02\x02\x07")
        self.assertIn("0x07", caught.exception.message)

    def test_undecodable_payload(self) -> None:
        with self.assertRaises(ProtocolError):
            decode_payload(b"{not json", Format.JSON)

    def test_unencodable_payload(self) -> None:
        with self.assertRaises(troupe_ipc.SerializationError) as caught:
            build_frame(MessageType.REQUEST, Format.JSON, {"payload": object()})
        self.assertIn("object", caught.exception.message)

    def test_unknown_format_name(self) -> None:
        with self.assertRaises(ValueError) as caught:
            Client.connect("/nonexistent.sock", format="xml")
        self.assertIn("xml", str(caught.exception))


class ErrorsTest(unittest.TestCase):
    def test_one_class_per_code(self) -> None:
        self.assertEqual({code: cls.__name__ for code, cls in ERROR_CLASSES.items()}, BRIEF_CODES)
        for code, name in BRIEF_CODES.items():
            cls = getattr(troupe_ipc, name)
            self.assertTrue(issubclass(cls, IpcError))
            error = error_from_code(code, "what went wrong", "cid-1")
            self.assertIs(type(error), cls)
            self.assertEqual(
                (error.code, error.message, error.correlation_id), (code, "what went wrong", "cid-1")
            )

    def test_unknown_code_gives_the_base_class(self) -> None:
        error = error_from_code("SOMETHING_NEW", "eh", None)
        self.assertIs(type(error), IpcError)
        self.assertEqual(error.code, "SOMETHING_NEW")

    def test_str_names_code_message_and_id(self) -> None:
        text = str(error_from_code("ACTOR_NOT_FOUND", "no actor 'x'", "py-1"))
        self.assertIn("ACTOR_NOT_FOUND", text)
        self.assertIn("no actor 'x'", text)
        self.assertIn("py-1", text)

    def test_retry_after(self) -> None:
        error = error_from_code("RATE_LIMITED", "rate limit exceeded, retry after 180 ms")
        self.assertEqual(error.retry_after_ms, 180)  # type: ignore[attr-defined]


class PathsTest(unittest.TestCase):
    def test_default_uses_xdg_runtime_dir(self) -> None:
        env = {"XDG_RUNTIME_DIR": "/run/user/1000"}
        self.assertEqual(default_socket_path("shop", env), "/run/user/1000/troupe/shop.sock")

    def test_default_without_xdg_runtime_dir(self) -> None:
        self.assertEqual(default_socket_path("shop", {}), f"/tmp/troupe-{os.getuid()}/shop.sock")
        self.assertEqual(
            default_socket_path("shop", {"XDG_RUNTIME_DIR": ""}), f"/tmp/troupe-{os.getuid()}/shop.sock"
        )

    def test_env_overrides_the_default_but_not_an_explicit_path(self) -> None:
        env = {"TROUPE_IPC_SOCKET": "/x/y.sock", "XDG_RUNTIME_DIR": "/run/user/1"}
        self.assertEqual(resolve_socket_path(None, "shop", env), "/x/y.sock")
        self.assertEqual(resolve_socket_path("/given.sock", "shop", env), "/given.sock")
        self.assertEqual(resolve_socket_path(None, "shop", {"XDG_RUNTIME_DIR": "/r"}), "/r/troupe/shop.sock")

    def test_nothing_to_connect_to(self) -> None:
        with self.assertRaises(ValueError) as caught:
            resolve_socket_path(None, None, {})
        self.assertIn("TROUPE_IPC_SOCKET", str(caught.exception))
        with self.assertRaises(ValueError):
            default_socket_path("a/b", {})


class CorrelationIdTest(unittest.TestCase):
    def test_unique_across_threads_and_clients(self) -> None:
        ids = CorrelationIds()
        seen: List[str] = []
        lock = threading.Lock()

        def take() -> None:
            mine = [ids.next() for _ in range(1000)]
            with lock:
                seen.extend(mine)

        threads = [threading.Thread(target=take) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(set(seen)), 8000)
        self.assertNotEqual(CorrelationIds().next(), CorrelationIds().next())


class ScriptedPeer:
    """A one-connection Unix socket server whose behaviour a test scripts."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.dir = tempfile.mkdtemp(prefix="troupe-ipc-peer-")
        self.path = os.path.join(self.dir, "peer.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.done = threading.Event()
        self.failure: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, args=(script,), daemon=True)
        self._thread.start()

    def _run(self, script: Callable[[socket.socket], None]) -> None:
        try:
            conn, _ = self.listener.accept()
            with conn:
                script(conn)
        except BaseException as exc:  # surfaced by close()
            self.failure = exc
        finally:
            self.done.set()

    def close(self) -> None:
        self.listener.close()
        self._thread.join(10)
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.failure is not None:
            raise self.failure


def read_frames(conn: socket.socket, count: int) -> List[dict]:
    """Read ``count`` frames from the client and return their decoded payloads."""
    decoder = FrameDecoder()
    frames: List[dict] = []
    while len(frames) < count:
        data = conn.recv(65536)
        if not data:
            break
        frames.extend(f.decode() for f in decoder.feed(data))
    return frames


class ScriptedPeerTest(unittest.TestCase):
    def peer(self, script: Callable[[socket.socket], None]) -> ScriptedPeer:
        peer = ScriptedPeer(script)
        self.addCleanup(peer.close)
        return peer

    def test_client_side_timeout(self) -> None:
        release = threading.Event()

        def silent(conn: socket.socket) -> None:
            read_frames(conn, 1)
            release.wait(10)

        peer = self.peer(silent)
        with Client.connect(peer.path, timeout=5) as client:
            with self.assertRaises(RequestTimeoutError) as caught:
                client.request("slow", "Sleep", {"ms": 1}, timeout=0.1)
            self.assertEqual(caught.exception.code, "TIMEOUT")
            self.assertIn("Sleep", caught.exception.message)
            release.set()

    def test_request_envelope_and_partial_reply(self) -> None:
        seen: List[dict] = []

        def answer_byte_by_byte(conn: socket.socket) -> None:
            (request,) = read_frames(conn, 1)
            seen.append(request)
            reply = build_frame(
                MessageType.RESPONSE,
                Format.JSON,
                {"correlation_id": request["correlation_id"], "success": True, "payload": {"ok": 1}},
            )
            for i in range(len(reply)):
                conn.sendall(reply[i : i + 1])
            read_frames(conn, 1)  # until the client closes

        peer = self.peer(answer_byte_by_byte)
        with Client.connect(peer.path, timeout=5) as client:
            self.assertEqual(client.request("svc", "Do", {"a": 1}, timeout=2.5), {"ok": 1})
        (request,) = seen
        self.assertEqual(
            {k: v for k, v in request.items() if k != "correlation_id"},
            {
                "target": "svc",
                "message_type": "Do",
                "payload": {"a": 1},
                "expects_reply": True,
                "expects_stream": False,
                "response_timeout_ms": 2500,
            },
        )

    def test_pending_request_fails_when_the_peer_hangs_up(self) -> None:
        def hang_up(conn: socket.socket) -> None:
            read_frames(conn, 1)

        peer = self.peer(hang_up)
        with Client.connect(peer.path, timeout=5) as client:
            with self.assertRaises(ConnectionClosedError) as caught:
                client.request("svc", "Do", {})
            self.assertTrue(caught.exception.correlation_id)
            self.assertTrue(client.wait_closed(5))
            with self.assertRaises(ConnectionClosedError):
                client.request("svc", "Do", {})

    def test_oversized_frame_from_the_peer_closes_the_connection(self) -> None:
        def oversized(conn: socket.socket) -> None:
            read_frames(conn, 1)
            conn.sendall(struct.pack(">IBBB", MAX_FRAME_SIZE + 1, 2, 2, 1))
            read_frames(conn, 1)

        peer = self.peer(oversized)
        with Client.connect(peer.path, timeout=5) as client:
            with self.assertRaises(ProtocolError) as caught:
                client.request("svc", "Do", {})
            self.assertIn("limit", caught.exception.message)

    def test_async_client_side_timeout_and_hang_up(self) -> None:
        def silent_then_hang_up(conn: socket.socket) -> None:
            read_frames(conn, 2)

        peer = self.peer(silent_then_hang_up)

        async def scenario() -> None:
            async with AsyncClient.connect(peer.path, timeout=5) as client:
                with self.assertRaises(RequestTimeoutError):
                    await client.request("svc", "Do", {}, timeout=0.1)
                with self.assertRaises(ConnectionClosedError):
                    await client.request("svc", "Do", {})

        asyncio.run(scenario())

    def test_connecting_to_a_missing_socket(self) -> None:
        missing = os.path.join(tempfile.gettempdir(), "troupe-ipc-no-such-dir", "x.sock")
        with self.assertRaises(IoError) as caught:
            Client.connect(missing)
        self.assertIn(missing, caught.exception.message)

        async def scenario() -> None:
            await AsyncClient.connect(missing)

        with self.assertRaises(IoError):
            asyncio.run(scenario())
