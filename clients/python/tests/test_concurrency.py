"""Many requests in flight on one connection, replies matched by correlation id."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List, Tuple

from troupe_ipc import AsyncClient, Client

from .support import CLIENT_TIMEOUT, AsyncServerTestCase, ServerTestCase, unique

THREADS = 8
PER_THREAD = 50
ASYNC_REQUESTS = 200


class ThreadedClientTest(ServerTestCase):
    def test_threads_share_one_client(self) -> None:
        """8 threads x 50 requests of mixed kinds; every answer belongs to its request."""
        errors: List[str] = []
        start = threading.Barrier(THREADS)
        with Client.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as client:

            def work(thread: int) -> None:
                try:
                    start.wait(CLIENT_TIMEOUT)
                    key = unique(f"t{thread}")
                    for i in range(PER_THREAD):
                        text = f"thread {thread} request {i}"
                        kind = i % 5
                        if kind == 0:
                            got: Any = client.request("echo", "Echo", {"text": text})
                            want: Any = {"text": text}
                        elif kind == 1:
                            client.request("my-service", "SetValue", {"key": key, "value": i})
                            got, want = client.request("my-service", "GetValue", {"key": key}), i
                        elif kind == 2:
                            ms = (thread * 7 + i) % 20
                            got, want = client.request("slow", "Sleep", {"ms": ms}), ms
                        elif kind == 3:
                            n = i % 6
                            got, want = list(client.stream("counter", "Count", {"n": n})), list(
                                range(1, n + 1)
                            )
                        else:
                            got, want = client.heartbeat() >= 0, True
                        if got != want:
                            errors.append(f"thread {thread} request {i}: got {got!r}, want {want!r}")
                except Exception as exc:  # reported below, with the thread
                    errors.append(f"thread {thread}: {exc!r}")

            threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertFalse([t for t in threads if t.is_alive()], "threads still running after 120 s")
            self.assertEqual(errors, [])
            self.assertEqual(client.request("echo", "Echo", {"text": "done"}), {"text": "done"})


class AsyncConcurrencyTest(AsyncServerTestCase):
    async def test_200_concurrent_sleeps_come_back_out_of_order(self) -> None:
        """Later requests sleep less, so replies overtake each other; each matches its id."""
        finished: List[int] = []
        async with AsyncClient.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as client:

            async def sleep(index: int) -> Tuple[int, Any]:
                ms = (ASYNC_REQUESTS - index) * 2 + (index * 37) % 50
                reply = await client.request("slow", "Sleep", {"ms": ms})
                finished.append(index)
                return ms, reply

            results = await asyncio.gather(*(sleep(i) for i in range(ASYNC_REQUESTS)))
        for ms, reply in results:
            self.assertEqual(reply, ms)
        self.assertEqual(sorted(finished), list(range(ASYNC_REQUESTS)))
        self.assertNotEqual(finished, list(range(ASYNC_REQUESTS)), "replies came back in request order")

    async def test_concurrent_mixed_calls(self) -> None:
        async with AsyncClient.connect(self.server.socket_path, timeout=CLIENT_TIMEOUT) as client:

            async def echo(i: int) -> None:
                self.assertEqual(await client.request("echo", "Echo", {"text": str(i)}), {"text": str(i)})

            async def stream(n: int) -> None:
                self.assertEqual(
                    [x async for x in client.stream("counter", "Count", {"n": n})], list(range(1, n + 1))
                )

            async def heartbeat() -> None:
                self.assertGreaterEqual(await client.heartbeat(), 0.0)

            calls = (
                [echo(i) for i in range(100)]
                + [stream(n % 7) for n in range(30)]
                + [heartbeat() for _ in range(20)]
            )
            await asyncio.gather(*calls)
