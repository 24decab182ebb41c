"""Every error code the server can send, as the clients raise it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
import unittest
from typing import Any, List, Optional

from troupe_ipc import (
    ActorNotFoundError,
    AsyncClient,
    Client,
    ConnectionClosedError,
    ConnectionLimitReachedError,
    HandlerFailedError,
    IpcError,
    RateLimitedError,
    RequestTimeoutError,
    SerializationError,
    ShuttingDownError,
    TargetBusyError,
    UnknownMessageTypeError,
)
from troupe_ipc.client import REPLY_GRACE

from .support import CLIENT_TIMEOUT, AsyncServerTestCase, ServerProcess, ServerTestCase, unique

#: Seconds allowed for the supervisor to restart "flaky" after a crash.
RESTART_WAIT = 5.0


class ServerErrorTest(ServerTestCase):
    def setUp(self) -> None:
        self.client = Client.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT)
        self.addCleanup(self.client.close)

    def assert_still_usable(self) -> None:
        self.assertEqual(self.client.request("echo", "Echo", {"text": "ok"}), {"text": "ok"})

    def check_error(self, error: IpcError, cls: type, code: str) -> None:
        self.assertIsInstance(error, cls)
        self.assertEqual(error.code, code)
        self.assertTrue(error.message, "the server's error message must not be empty")
        self.assertIsNotNone(error.correlation_id)
        self.assertTrue(str(error.correlation_id).startswith("py-"), error.correlation_id)

    def test_actor_not_found(self) -> None:
        with self.assertRaises(ActorNotFoundError) as caught:
            self.client.request("no-such-actor", "Echo", {"text": "x"})
        self.check_error(caught.exception, ActorNotFoundError, "ACTOR_NOT_FOUND")
        self.assert_still_usable()

    def test_actor_not_found_for_fire_and_forget_and_stream(self) -> None:
        with self.assertRaises(ActorNotFoundError):
            self.client.fire_and_forget("no-such-actor", "Echo", {"text": "x"})
        with self.assertRaises(ActorNotFoundError):
            list(self.client.stream("no-such-actor", "Count", {"n": 2}))
        self.assert_still_usable()

    def test_unknown_message_type(self) -> None:
        with self.assertRaises(UnknownMessageTypeError) as caught:
            self.client.request("echo", "GetValue", {"key": "a"})
        self.check_error(caught.exception, UnknownMessageTypeError, "UNKNOWN_MESSAGE_TYPE")
        with self.assertRaises(UnknownMessageTypeError):
            self.client.request("echo", "NotARegisteredType", {})
        self.assert_still_usable()

    def test_serialization_error_for_a_payload_that_does_not_fit(self) -> None:
        for bad in ({"key": 5, "value": 1}, {"key": "k", "value": "not an int"}, {"value": 1}, "text", None):
            with self.subTest(payload=bad):
                with self.assertRaises(SerializationError) as caught:
                    self.client.request("my-service", "SetValue", bad)
                self.check_error(caught.exception, SerializationError, "SERIALIZATION_ERROR")
        self.assert_still_usable()

    def test_target_busy(self) -> None:
        # Hold{300} is in the mailbox once fire_and_forget returns; the worker is
        # blocked for 300 ms, the mailbox holds one message: three more at once
        # cannot all fit.
        self.client.fire_and_forget("busy", "Hold", {"ms": 300})
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(self.client.request, "busy", "Hold", {"ms": 10}) for _ in range(3)]
            outcomes = [f.exception() or f.result() for f in futures]
        busy = [o for o in outcomes if isinstance(o, TargetBusyError)]
        self.assertTrue(busy, f"no TARGET_BUSY among {outcomes!r}")
        self.check_error(busy[0], TargetBusyError, "TARGET_BUSY")
        for outcome in outcomes:
            self.assertTrue(outcome == 10 or isinstance(outcome, TargetBusyError), repr(outcome))
        self.assert_still_usable()

    def test_server_timeout(self) -> None:
        started = time.monotonic()
        with self.assertRaises(RequestTimeoutError) as caught:
            self.client.request("slow", "Sleep", {"ms": 3000}, timeout=0.2)
        elapsed = time.monotonic() - started
        self.check_error(caught.exception, RequestTimeoutError, "TIMEOUT")
        self.assertGreaterEqual(elapsed, 0.2)
        # answered by the server at 200 ms, before the client's own timer (200 ms + grace)
        self.assertLess(elapsed, 0.2 + REPLY_GRACE, f"no TIMEOUT from the server after {elapsed:.3f} s")
        self.assert_still_usable()

    def test_handler_failed_then_generation_shows_the_restart(self) -> None:
        before = self.client.request("flaky", "Generation", {})
        with self.assertRaises(HandlerFailedError) as caught:
            self.client.request("flaky", "Crash", {})
        self.check_error(caught.exception, HandlerFailedError, "HANDLER_FAILED")
        self.assertEqual(generation_after_restart(self.client), before + 1)
        with self.assertRaises(HandlerFailedError):
            self.client.request("flaky", "Crash", {})
        self.assertEqual(generation_after_restart(self.client), before + 2)


def generation_after_restart(client: Client) -> Any:
    """Ask "flaky" for its generation once its supervisor has restarted it.

    The server answers HANDLER_FAILED before the restart is done; until then the
    name is unbound and requests get ACTOR_NOT_FOUND.  Ask again (each try is a
    round trip) for at most RESTART_WAIT seconds.
    """
    deadline = time.monotonic() + RESTART_WAIT
    while True:
        try:
            return client.request("flaky", "Generation", {})
        except ActorNotFoundError:
            if time.monotonic() > deadline:
                raise


async def async_generation_after_restart(client: AsyncClient) -> Any:
    """:func:`generation_after_restart` for the asyncio client."""
    deadline = time.monotonic() + RESTART_WAIT
    while True:
        try:
            return await client.request("flaky", "Generation", {})
        except ActorNotFoundError:
            if time.monotonic() > deadline:
                raise


class AsyncServerErrorTest(AsyncServerTestCase):
    async def test_errors_raise_their_classes(self) -> None:
        async with AsyncClient.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as client:
            with self.assertRaises(ActorNotFoundError):
                await client.request("no-such-actor", "Echo", {"text": "x"})
            with self.assertRaises(UnknownMessageTypeError):
                await client.request("echo", "Sleep", {"ms": 1})
            with self.assertRaises(SerializationError):
                await client.request("echo", "Echo", {"text": 12})
            with self.assertRaises(RequestTimeoutError):
                await client.request("slow", "Sleep", {"ms": 3000}, timeout=0.2)
            before = await client.request("flaky", "Generation", {})
            with self.assertRaises(HandlerFailedError):
                await client.request("flaky", "Crash", {})
            self.assertEqual(await async_generation_after_restart(client), before + 1)

    async def test_target_busy(self) -> None:
        async with AsyncClient.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as client:
            await client.fire_and_forget("busy", "Hold", {"ms": 300})
            outcomes = await asyncio.gather(
                *(client.request("busy", "Hold", {"ms": 10}) for _ in range(3)), return_exceptions=True
            )
            self.assertTrue(any(isinstance(o, TargetBusyError) for o in outcomes), repr(outcomes))


class RateLimitTest(ServerTestCase):
    server_args = ("--rate", "5", "--burst", "5")

    def test_rate_limited_after_the_burst(self) -> None:
        with Client.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as client:
            outcomes: List[Any] = []
            started = time.monotonic()
            for i in range(20):
                try:
                    outcomes.append(client.request("echo", "Echo", {"text": str(i)}))
                except RateLimitedError as exc:
                    outcomes.append(exc)
            elapsed = time.monotonic() - started
            limited = [o for o in outcomes if isinstance(o, RateLimitedError)]
            served = [o for o in outcomes if not isinstance(o, RateLimitedError)]
            self.assertTrue(limited, "20 requests at once never hit a 5/s, burst 5 limit")
            self.assertGreaterEqual(len(served), 5, "the burst of 5 must be served")
            self.assertLessEqual(len(served), 5 + int(5 * elapsed) + 1)
            error = limited[0]
            self.assertEqual(error.code, "RATE_LIMITED")
            self.assertIsNotNone(error.retry_after_ms, f"no 'retry after N ms' in {error.message!r}")
            assert error.retry_after_ms is not None
            self.assertGreater(error.retry_after_ms, 0)
            self.assertLessEqual(error.retry_after_ms, 1000)


class ConnectionLimitTest(ServerTestCase):
    server_args = ("--max-connections", "1")

    def test_second_connection_is_rejected(self) -> None:
        with Client.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as first:
            self.assertGreaterEqual(first.heartbeat(), 0.0)  # the first is being served
            second = Client.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT)
            try:
                self.assertTrue(second.wait_closed(CLIENT_TIMEOUT), "the rejected connection was not closed")
                reason = second.close_reason
                self.assertIsInstance(reason, ConnectionLimitReachedError)
                assert reason is not None
                self.assertEqual(reason.code, "CONNECTION_LIMIT_REACHED")
                self.assertEqual(reason.correlation_id, "__connection_rejected__")
                with self.assertRaises(ConnectionLimitReachedError):
                    second.request("echo", "Echo", {"text": "x"})
            finally:
                second.close()
            self.assertEqual(first.request("echo", "Echo", {"text": "still"}), {"text": "still"})

    def test_async_second_connection_is_rejected(self) -> None:
        async def scenario() -> Optional[IpcError]:
            async with AsyncClient.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as first:
                await first.heartbeat()
                async with AsyncClient.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as second:
                    self.assertTrue(await second.wait_closed(CLIENT_TIMEOUT))
                    with self.assertRaises(ConnectionLimitReachedError):
                        await second.request("echo", "Echo", {"text": "x"})
                    return second.close_reason

        self.assertIsInstance(asyncio.run(scenario()), ConnectionLimitReachedError)


class GracefulShutdownTest(unittest.TestCase):
    """Each test here starts and stops its own server."""

    def test_in_flight_request_is_answered_then_the_connection_closes(self) -> None:
        server = ServerProcess().start()
        try:
            client = Client.connect(server.socket_path, timeout=CLIENT_TIMEOUT)
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                sleeping = pool.submit(client.request, "slow", "Sleep", {"ms": 1500})
                # frames of one connection are read in order: once this answer is
                # back, the Sleep is in the server's hands
                self.assertEqual(client.request("echo", "Echo", {"text": "after"}), {"text": "after"})
                self.assertFalse(sleeping.done(), "Sleep{1500} finished too early to test shutdown")
                server.terminate()
                # requests made now are refused, until the connection closes
                refusal: Optional[IpcError] = None
                deadline = time.monotonic() + CLIENT_TIMEOUT
                while refusal is None and time.monotonic() < deadline:
                    try:
                        client.request("echo", "Echo", {"text": "late"})
                    except (ShuttingDownError, ConnectionClosedError) as exc:
                        refusal = exc
                self.assertIsNotNone(refusal, "requests were still served long after SIGTERM")
                self.assertEqual(sleeping.result(timeout=CLIENT_TIMEOUT), 1500)
            self.assertTrue(client.wait_closed(CLIENT_TIMEOUT), "the server did not close the connection")
            self.assertIsInstance(client.close_reason, ConnectionClosedError)
            with self.assertRaises(ConnectionClosedError):
                client.request("echo", "Echo", {"text": "closed"})
            client.close()
            self.assertEqual(server.wait(), 0, f"exit code after SIGTERM; stderr: {server.stderr()!r}")
        finally:
            server.kill()

    def test_shutting_down_reaches_the_client(self) -> None:
        """While an in-flight Sleep holds the server open, new requests get SHUTTING_DOWN."""
        server = ServerProcess().start()
        try:
            with Client.connect(server.socket_path, timeout=CLIENT_TIMEOUT) as client:
                with concurrent.futures.ThreadPoolExecutor(1) as pool:
                    sleeping = pool.submit(client.request, "slow", "Sleep", {"ms": 2000})
                    client.request("echo", "Echo", {"text": "in flight"})
                    server.terminate()
                    errors: List[IpcError] = []
                    deadline = time.monotonic() + CLIENT_TIMEOUT
                    while not errors and time.monotonic() < deadline:
                        try:
                            client.request("my-service", "GetValue", {"key": unique("late")})
                        except IpcError as exc:
                            errors.append(exc)
                    self.assertTrue(errors)
                    self.assertIsInstance(
                        errors[0],
                        ShuttingDownError,
                        f"expected SHUTTING_DOWN while Sleep is in flight, got {errors[0]!r}",
                    )
                    self.assertFalse(
                        client.closed, "the connection closed before the in-flight Sleep was answered"
                    )
                    self.assertEqual(sleeping.result(timeout=CLIENT_TIMEOUT), 2000)
                self.assertTrue(client.wait_closed(CLIENT_TIMEOUT))
            self.assertEqual(server.wait(), 0)
        finally:
            server.kill()

    def test_pending_requests_fail_when_the_connection_drops(self) -> None:
        """A request still waiting when the server goes away fails with ConnectionClosedError."""
        server = ServerProcess().start()

        async def scenario() -> Any:
            async with AsyncClient.connect(server.socket_path, timeout=CLIENT_TIMEOUT) as client:
                pending = asyncio.ensure_future(client.request("slow", "Sleep", {"ms": 60000}, timeout=120))
                await client.heartbeat()  # the request task has sent its frame by now
                self.assertFalse(pending.done())
                assert server.proc is not None
                server.proc.kill()  # not graceful: the connection just drops
                try:
                    return await asyncio.wait_for(pending, CLIENT_TIMEOUT)
                except IpcError as exc:
                    return exc

        try:
            outcome = asyncio.run(scenario())
            self.assertIsInstance(outcome, ConnectionClosedError)
        finally:
            server.kill()
