"""Request/reply, fire-and-forget, streams, discovery and heartbeats against the real
server, with the sync and the asyncio client, in JSON and in MessagePack."""

from __future__ import annotations

import unittest
from typing import Any, ClassVar, List

from troupe_ipc import AsyncClient, Client, DiscoverResult

from .support import CLIENT_TIMEOUT, AsyncServerTestCase, ServerTestCase, require_msgpack, unique

ACTOR_TYPES = {
    "my-service": ["GetValue", "SetValue"],
    "echo": ["Echo"],
    "slow": ["Sleep"],
    "flaky": ["Crash", "Generation"],
    "counter": ["Count"],
    "publisher": ["Emit"],
    "busy": ["Hold"],
}
REGISTERED_TYPES = sorted(
    ["SetValue", "GetValue", "Echo", "Sleep", "Crash", "Generation", "Count", "Emit", "Tick", "Hold"]
)


def check_discovery(test: unittest.TestCase, result: DiscoverResult) -> None:
    """The full discover answer the brief describes for the test server."""
    version = result.protocol_version
    test.assertIsNotNone(version, f"discover answer without protocol_version: {result.raw!r}")
    assert version is not None
    test.assertEqual((version.current, version.min_supported, version.max_supported), (2, 1, 2))
    test.assertEqual(
        version.capabilities,
        {"messagepack": True, "streaming": True, "push": True, "discovery": True},
    )
    test.assertIsNotNone(result.actors)
    names = result.actor_names
    test.assertEqual(names, sorted(names), "actors must be sorted by name")
    test.assertEqual(sorted(names), sorted(ACTOR_TYPES))
    for name, types in ACTOR_TYPES.items():
        actor = result.actor(name)
        assert actor is not None
        test.assertEqual(sorted(actor.message_types), types, f"message types of actor {name!r}")
    test.assertEqual(result.message_types, REGISTERED_TYPES)


class SyncRequestTests:
    """Tests for the sync client; mixed into one TestCase per format."""

    format: ClassVar[str]
    client: Client

    def setUp(self: Any) -> None:
        self.client = Client.connect(self.server.socket_path, format=self.format, timeout=CLIENT_TIMEOUT)
        self.addCleanup(self.client.close)

    def test_client_reports_its_format(self: Any) -> None:
        self.assertEqual(self.client.format, self.format)

    def test_set_value_then_get_value(self: Any) -> None:
        key = unique("k")
        self.assertIsNone(self.client.request("my-service", "SetValue", {"key": key, "value": 42}))
        self.assertEqual(self.client.request("my-service", "GetValue", {"key": key}), 42)
        self.client.request("my-service", "SetValue", {"key": key, "value": -7})
        self.assertEqual(self.client.request("my-service", "GetValue", {"key": key}), -7)

    def test_get_value_of_unset_key_is_null(self: Any) -> None:
        self.assertIsNone(self.client.request("my-service", "GetValue", {"key": unique("never-set")}))

    def test_echo_returns_the_same_text(self: Any) -> None:
        for text in ("hello", "", "h\u00e9llo \u2713 \U0001f600", "x" * 10000):
            self.assertEqual(self.client.request("echo", "Echo", {"text": text}), {"text": text})

    def test_sleep_replies_with_its_ms(self: Any) -> None:
        self.assertEqual(self.client.request("slow", "Sleep", {"ms": 25}), 25)

    def test_generation_is_a_positive_int(self: Any) -> None:
        generation = self.client.request("flaky", "Generation", {})
        self.assertIsInstance(generation, int)
        self.assertGreaterEqual(generation, 1)

    def test_count_as_plain_request_returns_the_array(self: Any) -> None:
        self.assertEqual(self.client.request("counter", "Count", {"n": 5}), [1, 2, 3, 4, 5])
        self.assertEqual(self.client.request("counter", "Count", {"n": 0}), [])

    def test_emit_replies_n(self: Any) -> None:
        self.assertEqual(self.client.request("publisher", "Emit", {"n": 2}), 2)

    def test_hold_replies_with_its_ms(self: Any) -> None:
        self.assertEqual(self.client.request("busy", "Hold", {"ms": 5}), 5)

    def test_fire_and_forget_then_get_value_sees_it(self: Any) -> None:
        key = unique("faf")
        self.assertIsNone(self.client.fire_and_forget("my-service", "SetValue", {"key": key, "value": 99}))
        self.assertEqual(self.client.request("my-service", "GetValue", {"key": key}), 99)

    def test_stream_yields_1_to_n_then_ends(self: Any) -> None:
        stream = self.client.stream("counter", "Count", {"n": 7})
        self.assertEqual(list(stream), [1, 2, 3, 4, 5, 6, 7])
        # the final frame ended the iteration; the stream stays ended
        self.assertEqual(list(stream), [])
        self.assertEqual(list(self.client.stream("counter", "Count", {"n": 0})), [])

    def test_streams_interleave_with_requests(self: Any) -> None:
        first = self.client.stream("counter", "Count", {"n": 3})
        second = self.client.stream("counter", "Count", {"n": 4})
        self.assertEqual(self.client.request("echo", "Echo", {"text": "between"}), {"text": "between"})
        self.assertEqual(list(second), [1, 2, 3, 4])
        self.assertEqual(list(first), [1, 2, 3])

    def test_discover_lists_actors_and_types(self: Any) -> None:
        check_discovery(self, self.client.discover())

    def test_discover_leaves_out_what_was_not_asked(self: Any) -> None:
        only_types = self.client.discover(include_actors=False)
        self.assertIsNone(only_types.actors)
        self.assertNotIn("actors", only_types.raw)
        self.assertEqual(only_types.message_types, REGISTERED_TYPES)
        only_actors = self.client.discover(include_message_types=False)
        self.assertNotIn("message_types", only_actors.raw)
        self.assertEqual(only_actors.actor_names, sorted(ACTOR_TYPES))
        neither = self.client.discover(include_actors=False, include_message_types=False)
        self.assertIsNone(neither.actors)
        self.assertIsNone(neither.message_types)
        self.assertIsNotNone(neither.protocol_version)

    def test_heartbeat_returns_round_trip_seconds(self: Any) -> None:
        for _ in range(3):
            rtt = self.client.heartbeat()
            self.assertIsInstance(rtt, float)
            self.assertGreaterEqual(rtt, 0.0)
            self.assertLess(rtt, CLIENT_TIMEOUT)


class SyncJsonRequestTest(SyncRequestTests, ServerTestCase):
    format = "json"


class SyncMsgpackRequestTest(SyncRequestTests, ServerTestCase):
    format = "msgpack"

    @classmethod
    def setUpClass(cls) -> None:
        require_msgpack()
        super().setUpClass()


class AsyncRequestTests:
    """Tests for the asyncio client; mixed into one TestCase per format."""

    format: ClassVar[str]
    client: AsyncClient

    async def asyncSetUp(self: Any) -> None:
        self.client = await AsyncClient.connect(
            self.server.socket_path, format=self.format, timeout=CLIENT_TIMEOUT
        )

    async def asyncTearDown(self: Any) -> None:
        await self.client.close()

    async def test_set_value_then_get_value(self: Any) -> None:
        key = unique("ak")
        self.assertIsNone(await self.client.request("my-service", "SetValue", {"key": key, "value": 5}))
        self.assertEqual(await self.client.request("my-service", "GetValue", {"key": key}), 5)

    async def test_each_actor_replies(self: Any) -> None:
        self.assertEqual(
            await self.client.request("echo", "Echo", {"text": "a\u00efb"}), {"text": "a\u00efb"}
        )
        self.assertEqual(await self.client.request("slow", "Sleep", {"ms": 10}), 10)
        self.assertGreaterEqual(await self.client.request("flaky", "Generation", {}), 1)
        self.assertEqual(await self.client.request("counter", "Count", {"n": 3}), [1, 2, 3])
        self.assertEqual(await self.client.request("publisher", "Emit", {"n": 1}), 1)
        self.assertEqual(await self.client.request("busy", "Hold", {"ms": 1}), 1)

    async def test_fire_and_forget_then_get_value_sees_it(self: Any) -> None:
        key = unique("afaf")
        await self.client.fire_and_forget("my-service", "SetValue", {"key": key, "value": 11})
        self.assertEqual(await self.client.request("my-service", "GetValue", {"key": key}), 11)

    async def test_stream_yields_1_to_n_then_ends(self: Any) -> None:
        items: List[int] = [item async for item in self.client.stream("counter", "Count", {"n": 6})]
        self.assertEqual(items, [1, 2, 3, 4, 5, 6])
        self.assertEqual([item async for item in self.client.stream("counter", "Count", {"n": 0})], [])

    async def test_discover_lists_actors_and_types(self: Any) -> None:
        check_discovery(self, await self.client.discover())

    async def test_heartbeat_returns_round_trip_seconds(self: Any) -> None:
        rtt = await self.client.heartbeat()
        self.assertGreaterEqual(rtt, 0.0)
        self.assertLess(rtt, CLIENT_TIMEOUT)

    async def test_connect_as_async_context_manager(self: Any) -> None:
        async with AsyncClient.connect(self.server.socket_path, format=self.format) as client:
            self.assertEqual(await client.request("echo", "Echo", {"text": "cm"}), {"text": "cm"})
        self.assertTrue(client.closed)


class AsyncJsonRequestTest(AsyncRequestTests, AsyncServerTestCase):
    format = "json"


class AsyncMsgpackRequestTest(AsyncRequestTests, AsyncServerTestCase):
    format = "msgpack"

    @classmethod
    def setUpClass(cls) -> None:
        require_msgpack()
        super().setUpClass()


class MixedFormatsTest(ServerTestCase):
    """Clients of both formats see the same actors' state."""

    def test_value_set_in_json_is_read_in_msgpack(self) -> None:
        require_msgpack()
        key = unique("mixed")
        with Client.connect(self.server.socket_path, format="json") as json_client, Client.connect(
            self.server.socket_path, format="msgpack"
        ) as msgpack_client:
            json_client.request("my-service", "SetValue", {"key": key, "value": 1234567})
            self.assertEqual(msgpack_client.request("my-service", "GetValue", {"key": key}), 1234567)
            self.assertEqual(msgpack_client.request("echo", "Echo", {"text": "\u00fc"}), {"text": "\u00fc"})
