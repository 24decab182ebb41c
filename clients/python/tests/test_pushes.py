"""Subscriptions and pushes against the real server."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, ClassVar, List

from troupe_ipc import AsyncClient, Client, Push, UnknownMessageTypeError

from .support import CLIENT_TIMEOUT, AsyncServerTestCase, ServerTestCase, require_msgpack

#: Bound on waits for pushes that must arrive.
PUSH_WAIT = 5.0


def check_ticks(test: Any, pushes: List[Push], n: int, started_ms: int) -> None:
    """``pushes`` are Emit{n}'s Tick pushes, in order."""
    test.assertEqual([p.payload for p in pushes], [{"seq": i} for i in range(1, n + 1)])
    for push in pushes:
        test.assertEqual(push.message_type, "Tick")
        test.assertEqual(push.source_actor, "publisher")
        test.assertIsInstance(push.notification_id, str)
        test.assertTrue(push.notification_id, "notification_id must not be empty")
        # a unix-ms timestamp taken around now (generous bounds for clock granularity)
        test.assertGreaterEqual(push.timestamp_ms, started_ms - 5000)
        test.assertLessEqual(push.timestamp_ms, int(time.time() * 1000) + 5000)
    test.assertEqual(len({p.notification_id for p in pushes}), n, "notification ids must be unique")


class SyncPushTests:
    format: ClassVar[str]

    def setUp(self: Any) -> None:
        self.client = Client.connect(self.server.socket_path, format=self.format, timeout=CLIENT_TIMEOUT)
        self.addCleanup(self.client.close)

    def test_subscribe_returns_the_subscribed_types(self: Any) -> None:
        self.assertEqual(self.client.subscribe(["Tick"]), ["Tick"])
        self.assertEqual(self.client.subscribe("Echo"), ["Echo", "Tick"])
        self.assertEqual(self.client.unsubscribe(["Echo"]), ["Tick"])
        self.assertEqual(self.client.unsubscribe("Tick"), [])

    def test_emit_pushes_arrive_before_its_reply(self: Any) -> None:
        received: List[Push] = []
        self.client.on_push(received.append)
        queue = self.client.pushes()
        self.client.subscribe(["Tick"])
        started_ms = int(time.time() * 1000)
        self.assertEqual(self.client.request("publisher", "Emit", {"n": 4}), 4)
        # no waiting: the pushes came before the reply
        check_ticks(self, list(received), 4, started_ms)
        check_ticks(self, queue.drain(), 4, started_ms)

    def test_pushes_stop_after_unsubscribe(self: Any) -> None:
        queue = self.client.pushes()
        self.client.subscribe(["Tick"])
        self.client.request("publisher", "Emit", {"n": 2})
        self.assertEqual(len(queue.drain()), 2)
        self.assertEqual(self.client.unsubscribe(["Tick"]), [])
        self.assertEqual(self.client.request("publisher", "Emit", {"n": 3}), 3)
        self.client.heartbeat()  # one more round trip: anything in flight has arrived
        self.assertEqual(queue.drain(), [])

    def test_subscribing_to_an_unregistered_type_fails_and_changes_nothing(self: Any) -> None:
        self.client.subscribe(["Tick"])
        with self.assertRaises(UnknownMessageTypeError) as caught:
            self.client.subscribe(["Echo", "NoSuchType"])
        self.assertEqual(caught.exception.code, "UNKNOWN_MESSAGE_TYPE")
        self.assertEqual(self.client.unsubscribe(["Tick"]), [], "the failed subscribe must not add Echo")

    def test_pushes_reach_other_subscribed_connections(self: Any) -> None:
        got = threading.Event()
        received: List[Push] = []

        def on_push(push: Push) -> None:
            received.append(push)
            if len(received) == 3:
                got.set()

        with Client.connect(self.server.socket_path, format=self.format) as listener:
            listener.on_push(on_push)
            listener.subscribe("Tick")
            started_ms = int(time.time() * 1000)
            self.client.request("publisher", "Emit", {"n": 3})
            self.assertTrue(got.wait(PUSH_WAIT), f"only {len(received)} of 3 pushes arrived")
            check_ticks(self, received, 3, started_ms)
        self.client.heartbeat()

    def test_push_queue_ends_when_the_client_closes(self: Any) -> None:
        client = Client.connect(self.server.socket_path, format=self.format)
        queue = client.pushes()
        client.subscribe("Tick")
        client.request("publisher", "Emit", {"n": 1})
        client.close()
        self.assertEqual([p.payload for p in queue], [{"seq": 1}])


class SyncJsonPushTest(SyncPushTests, ServerTestCase):
    format = "json"


class SyncMsgpackPushTest(SyncPushTests, ServerTestCase):
    format = "msgpack"

    @classmethod
    def setUpClass(cls) -> None:
        require_msgpack()
        super().setUpClass()


class PushFormatTest(ServerTestCase):
    def test_pushes_use_the_format_of_the_last_subscribe(self) -> None:
        """A msgpack subscriber gets pushes it can decode while a json client emits."""
        require_msgpack()
        with Client.connect(self.server.socket_path, format="msgpack") as subscriber, Client.connect(
            self.server.socket_path, format="json"
        ) as emitter:
            queue = subscriber.pushes()
            subscriber.subscribe("Tick")
            emitter.request("publisher", "Emit", {"n": 2})
            self.assertEqual([p.payload for p in queue.collect(2, PUSH_WAIT)], [{"seq": 1}, {"seq": 2}])


class AsyncPushTests:
    format: ClassVar[str]

    async def asyncSetUp(self: Any) -> None:
        self.client = await AsyncClient.connect(
            self.server.socket_path, format=self.format, timeout=CLIENT_TIMEOUT
        )

    async def asyncTearDown(self: Any) -> None:
        await self.client.close()

    async def test_emit_pushes_arrive_before_its_reply(self: Any) -> None:
        received: List[Push] = []
        self.client.on_push(received.append)
        queue = self.client.pushes()
        self.assertEqual(await self.client.subscribe(["Tick"]), ["Tick"])
        started_ms = int(time.time() * 1000)
        self.assertEqual(await self.client.request("publisher", "Emit", {"n": 3}), 3)
        check_ticks(self, list(received), 3, started_ms)
        check_ticks(self, queue.drain(), 3, started_ms)

    async def test_pushes_stop_after_unsubscribe(self: Any) -> None:
        queue = self.client.pushes()
        await self.client.subscribe("Tick")
        await self.client.request("publisher", "Emit", {"n": 2})
        self.assertEqual(len(await queue.collect(2, PUSH_WAIT)), 2)
        self.assertEqual(await self.client.unsubscribe("Tick"), [])
        await self.client.request("publisher", "Emit", {"n": 2})
        await self.client.heartbeat()
        self.assertEqual(queue.drain(), [])

    async def test_coroutine_callbacks_can_call_the_client(self: Any) -> None:
        """An async callback runs as a task, so it may await the same client."""
        echoed: List[Any] = []
        both = asyncio.Event()

        async def on_push(push: Push) -> None:
            echoed.append(await self.client.request("echo", "Echo", {"text": str(push.payload["seq"])}))
            if len(echoed) == 2:
                both.set()

        self.client.on_push(on_push)
        await self.client.subscribe("Tick")
        await self.client.request("publisher", "Emit", {"n": 2})
        await asyncio.wait_for(both.wait(), PUSH_WAIT)
        self.assertEqual(sorted(e["text"] for e in echoed), ["1", "2"])


class AsyncJsonPushTest(AsyncPushTests, AsyncServerTestCase):
    format = "json"


class AsyncMsgpackPushTest(AsyncPushTests, AsyncServerTestCase):
    format = "msgpack"

    @classmethod
    def setUpClass(cls) -> None:
        require_msgpack()
        super().setUpClass()
