#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ipc_frames: byte streams a client could send, each
starting with the control byte the fuzzer reads (frame limit and read size)."""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_ipc_frames")


def frame(msg_type, payload, fmt=1, version=2):
    if version == 1:
        return struct.pack(">IBB", len(payload), 1, msg_type) + payload
    return struct.pack(">IBBB", len(payload), version, msg_type, fmt) + payload


def js(obj):
    return json.dumps(obj).encode()


def mp_str(s):
    b = s.encode()
    return bytes([0xA0 | len(b)]) + b


def mp_map(pairs):
    out = bytes([0x80 | len(pairs)])
    for k, v in pairs:
        out += mp_str(k) + v
    return out


REQUEST = {"correlation_id": "c1", "target": "echo", "message_type": "Echo",
           "payload": {"text": "hi", "n": [1, 2.5, None, True]}, "expects_reply": True,
           "response_timeout_ms": 500}

SEEDS = {
    "request_json": frame(1, js(REQUEST)),
    "request_v1": frame(1, js(REQUEST), version=1),
    "fire_and_forget": frame(1, js({"correlation_id": "f", "target": "kv",
                                    "message_type": "SetValue", "payload": {"key": "a", "value": 1}})),
    "stream": frame(1, js(dict(REQUEST, expects_stream=True))),
    "subscribe": frame(6, js({"correlation_id": "s", "message_types": ["Tick", "Price"]})),
    "unsubscribe": frame(7, js({"correlation_id": "u", "message_types": ["Tick"]})),
    "discover": frame(8, js({"correlation_id": "d", "include_actors": False})),
    "heartbeat": frame(4, b""),
    "request_msgpack": frame(1, mp_map([("correlation_id", mp_str("m")), ("target", mp_str("echo")),
                                        ("message_type", mp_str("Echo")),
                                        ("payload", mp_map([("text", mp_str("x"))])),
                                        ("expects_reply", b"\xc3")]), fmt=2),
    "request_positional": frame(1, bytes([0x95]) + mp_str("p") + mp_str("echo") + mp_str("Echo")
                                + mp_map([("text", mp_str("y"))]) + b"\xc3", fmt=2),
    "several": frame(4, b"") + frame(1, js(REQUEST)) + frame(8, js({"correlation_id": "d"})),
    "wrong_field_type": frame(1, js({"correlation_id": 5, "target": [], "message_type": "E"})),
    "bad_json": frame(1, b'{"correlation_id": "x", '),
    "bad_version": b"\x00\x00\x00\x02\x07\x01\x01{}",
    "oversized": struct.pack(">IBBB", 100000, 2, 1, 1) + b"x" * 64 + frame(4, b""),
    "response_from_client": frame(2, js({"correlation_id": "r", "success": True, "payload": 1})),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, body in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes([0xFF]) + body)  # control byte: a large limit, reads of 1 + 0xFF % 17
    print(f"wrote {len(SEEDS)} seeds to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
