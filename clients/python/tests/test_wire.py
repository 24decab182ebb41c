"""The server's frames byte for byte, as the brief describes them.

These talk to the real server over a raw socket with the protocol module only,
so that a disagreement between server and brief shows up here precisely rather
than as a client symptom.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any, List, Optional

from troupe_ipc.protocol import Format, Frame, FrameDecoder, MessageType, build_frame, encode_frame

from .support import CLIENT_TIMEOUT, ServerTestCase, require_msgpack


class RawConnection:
    """A socket to the server with a frame decoder; every read is bounded."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(CLIENT_TIMEOUT)
        self.sock.connect(path)
        self.decoder = FrameDecoder()
        self.frames: List[Frame] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_value(self, kind: int, value: Any, fmt: Format = Format.JSON) -> None:
        self.send(build_frame(kind, fmt, value))

    def frame(self) -> Frame:
        """The next frame; fails on EOF or after CLIENT_TIMEOUT seconds."""
        while not self.frames:
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError("the server closed the connection instead of answering")
            self.frames.extend(self.decoder.feed(data))
        return self.frames.pop(0)

    def at_eof(self) -> bool:
        """True when the server closed the connection (after any frames still queued)."""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
                self.frames.extend(self.decoder.feed(data))
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


def request(cid: str, target: str, message_type: str, payload: Any, **flags: Any) -> dict:
    envelope = {"correlation_id": cid, "target": target, "message_type": message_type, "payload": payload}
    envelope.update(flags)
    return envelope


class WireTest(ServerTestCase):
    def setUp(self) -> None:
        self.conn = RawConnection(self.server.socket_path)
        self.addCleanup(self.conn.close)

    def answer(self, kind: int, value: Any, fmt: Format = Format.JSON) -> Frame:
        self.conn.send_value(kind, value, fmt)
        return self.conn.frame()

    def assert_alive(self) -> None:
        self.conn.send(build_frame(MessageType.HEARTBEAT, Format.JSON, None))
        self.assertEqual(self.conn.frame().message_type, MessageType.HEARTBEAT)

    def test_heartbeat_is_echoed_with_its_format(self) -> None:
        for fmt in (Format.JSON, Format.MSGPACK):
            self.conn.send(build_frame(MessageType.HEARTBEAT, fmt, None))
            frame = self.conn.frame()
            self.assertEqual(
                (frame.version, frame.message_type, frame.format, frame.payload), (2, 4, fmt, b"")
            )

    def test_reply_frame(self) -> None:
        frame = self.answer(
            MessageType.REQUEST, request("r1", "echo", "Echo", {"text": "hi"}, expects_reply=True)
        )
        self.assertEqual(
            (frame.version, frame.message_type, frame.format), (2, MessageType.RESPONSE, Format.JSON)
        )
        self.assertEqual(frame.decode(), {"correlation_id": "r1", "success": True, "payload": {"text": "hi"}})

    def test_null_reply_has_a_null_payload(self) -> None:
        frame = self.answer(
            MessageType.REQUEST,
            request("r2", "my-service", "SetValue", {"key": "w", "value": 1}, expects_reply=True),
        )
        self.assertEqual(frame.decode(), {"correlation_id": "r2", "success": True, "payload": None})

    def test_fire_and_forget_ack(self) -> None:
        frame = self.answer(MessageType.REQUEST, request("f1", "echo", "Echo", {"text": "x"}))
        self.assertEqual(frame.message_type, MessageType.RESPONSE)
        self.assertEqual(
            frame.decode(), {"correlation_id": "f1", "success": True, "payload": {"status": "delivered"}}
        )

    def test_error_frame(self) -> None:
        frame = self.answer(
            MessageType.REQUEST, request("e1", "nobody", "Echo", {"text": "x"}, expects_reply=True)
        )
        self.assertEqual(frame.message_type, MessageType.ERROR)
        body = frame.decode()
        self.assertEqual(set(body), {"correlation_id", "success", "error", "error_code"}, body)
        self.assertEqual(
            (body["correlation_id"], body["success"], body["error_code"]), ("e1", False, "ACTOR_NOT_FOUND")
        )
        self.assertIsInstance(body["error"], str)
        self.assertIn("nobody", body["error"], "the message should name the missing actor")

    def test_stream_frames(self) -> None:
        self.conn.send_value(
            MessageType.REQUEST, request("s1", "counter", "Count", {"n": 3}, expects_stream=True)
        )
        bodies = [self.conn.frame() for _ in range(4)]
        self.assertEqual({f.message_type for f in bodies}, {MessageType.STREAM})
        self.assertEqual(
            [f.decode() for f in bodies],
            [
                {"correlation_id": "s1", "sequence": 0, "is_final": False, "payload": 1},
                {"correlation_id": "s1", "sequence": 1, "is_final": False, "payload": 2},
                {"correlation_id": "s1", "sequence": 2, "is_final": False, "payload": 3},
                {"correlation_id": "s1", "sequence": 3, "is_final": True},
            ],
        )

    def test_stream_refused_before_it_starts_is_an_error_frame(self) -> None:
        frame = self.answer(
            MessageType.REQUEST, request("s2", "nobody", "Count", {"n": 3}, expects_stream=True)
        )
        self.assertEqual(frame.message_type, MessageType.ERROR)
        self.assertEqual(frame.decode()["error_code"], "ACTOR_NOT_FOUND")

    def test_minimal_request_uses_defaults(self) -> None:
        """Optional fields may be left out: expects_reply defaults to false (fire-and-forget)."""
        frame = self.answer(MessageType.REQUEST, request("m1", "echo", "Echo", {"text": "x"}))
        self.assertEqual(frame.decode()["payload"], {"status": "delivered"})

    def test_subscribe_answer(self) -> None:
        frame = self.answer(
            MessageType.SUBSCRIBE, {"correlation_id": "u1", "message_types": ["Tick", "Echo"]}
        )
        self.assertEqual(frame.message_type, MessageType.RESPONSE)
        self.assertEqual(
            frame.decode(), {"correlation_id": "u1", "success": True, "subscribed_types": ["Echo", "Tick"]}
        )
        frame = self.answer(MessageType.UNSUBSCRIBE, {"correlation_id": "u2", "message_types": ["Echo"]})
        self.assertEqual(
            frame.decode(), {"correlation_id": "u2", "success": True, "subscribed_types": ["Tick"]}
        )
        frame = self.answer(MessageType.SUBSCRIBE, {"correlation_id": "u3", "message_types": ["Nope"]})
        self.assertEqual(frame.message_type, MessageType.ERROR)
        self.assertEqual(frame.decode()["error_code"], "UNKNOWN_MESSAGE_TYPE")

    def test_push_frame_and_its_order_before_the_reply(self) -> None:
        require_msgpack()
        self.answer(
            MessageType.SUBSCRIBE, {"correlation_id": "p0", "message_types": ["Tick"]}, Format.MSGPACK
        )
        self.conn.send_value(
            MessageType.REQUEST, request("p1", "publisher", "Emit", {"n": 2}, expects_reply=True)
        )
        first, second, reply = self.conn.frame(), self.conn.frame(), self.conn.frame()
        for seq, push in ((1, first), (2, second)):
            self.assertEqual(
                (push.message_type, push.format),
                (MessageType.PUSH, Format.MSGPACK),
                "push format = last subscribe's",
            )
            body = push.decode()
            self.assertEqual(
                set(body), {"notification_id", "message_type", "source_actor", "payload", "timestamp_ms"}
            )
            self.assertEqual(
                (body["message_type"], body["source_actor"], body["payload"]),
                ("Tick", "publisher", {"seq": seq}),
            )
        self.assertEqual((reply.message_type, reply.format), (MessageType.RESPONSE, Format.JSON))
        self.assertEqual(reply.decode()["payload"], 2)

    def test_discover_answer(self) -> None:
        frame = self.answer(MessageType.DISCOVER, {"correlation_id": "d1"})
        body = frame.decode()
        self.assertEqual(
            set(body), {"correlation_id", "success", "protocol_version", "actors", "message_types"}
        )
        frame = self.answer(
            MessageType.DISCOVER,
            {"correlation_id": "d2", "include_actors": False, "include_message_types": False},
        )
        self.assertEqual(set(frame.decode()), {"correlation_id", "success", "protocol_version"})

    def test_msgpack_request_is_answered_in_msgpack(self) -> None:
        require_msgpack()
        frame = self.answer(
            MessageType.REQUEST,
            request("mp", "echo", "Echo", {"text": "m"}, expects_reply=True),
            Format.MSGPACK,
        )
        self.assertEqual(frame.format, Format.MSGPACK)
        self.assertEqual(frame.decode()["payload"], {"text": "m"})

    def test_v1_request_is_answered_with_a_v1_frame(self) -> None:
        payload = json.dumps(request("v1", "echo", "Echo", {"text": "old"}, expects_reply=True)).encode()
        self.conn.send(struct.pack(">IBB", len(payload), 1, MessageType.REQUEST) + payload)
        frame = self.conn.frame()
        self.assertEqual((frame.version, frame.message_type), (1, MessageType.RESPONSE))
        self.assertEqual(frame.decode()["payload"], {"text": "old"})

    def test_unparsable_envelope_gets_correlation_id_unknown(self) -> None:
        self.conn.send(encode_frame(MessageType.REQUEST, Format.JSON, b"{this is not json"))
        body = self.conn.frame().decode()
        self.assertEqual((body["correlation_id"], body["success"]), ("unknown", False))
        self.assertEqual(body["error_code"], "SERIALIZATION_ERROR")
        self.assert_alive()

    def test_envelope_with_a_missing_field_is_a_protocol_error(self) -> None:
        frame = self.answer(
            MessageType.REQUEST, {"correlation_id": "x1", "message_type": "Echo", "payload": {}}
        )
        self.assertEqual(frame.decode()["error_code"], "PROTOCOL_ERROR")
        frame = self.answer(
            MessageType.REQUEST, {"correlation_id": "x2", "target": 5, "message_type": "Echo"}
        )
        self.assertEqual(frame.decode()["error_code"], "PROTOCOL_ERROR")
        self.assert_alive()

    def test_bad_message_type_byte(self) -> None:
        self.conn.send(encode_frame(0x0A, Format.JSON, b'{"correlation_id":"b1"}'))
        self.assertEqual(self.conn.frame().decode()["error_code"], "PROTOCOL_ERROR")
        self.assert_alive()

    def test_bad_format_byte(self) -> None:
        self.conn.send(struct.pack(">IBBB", 2, 2, MessageType.REQUEST, 0x07) + b"{}")
        self.assertEqual(self.conn.frame().decode()["error_code"], "PROTOCOL_ERROR")
        self.assert_alive()

    def test_frame_over_the_server_limit(self) -> None:
        """Default limit 1 MiB: a 2 MiB frame is a PROTOCOL_ERROR."""
        big = request("big", "echo", "Echo", {"text": "x" * (2 * 1024 * 1024)}, expects_reply=True)
        try:
            self.conn.send_value(MessageType.REQUEST, big)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading and close once it saw the header
        self.assertEqual(self.conn.frame().decode()["error_code"], "PROTOCOL_ERROR")

    def test_unsupported_version_then_close(self) -> None:
        self.conn.send(b"\x00\x00\x00\x02\x03\x01\x01{}")
        body: Optional[dict] = self.conn.frame().decode()
        assert body is not None
        self.assertEqual(body["error_code"], "UNSUPPORTED_PROTOCOL_VERSION")
        self.assertTrue(self.conn.at_eof(), "the server must close after UNSUPPORTED_PROTOCOL_VERSION")
